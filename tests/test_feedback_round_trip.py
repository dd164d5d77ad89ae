"""The owner's round trip through the feedback copy: each return its own copy, never over an
input or among the returns; a copy corrected by its owner and sent back is read as their return,
and replaces the first one when it is newer; the originals are never changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.errors import OutputError
from rbwm_pmf.output.feedback import summary_line, write_feedback
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.run import validate
from tests.kit import SAMPLES, header_columns, row_of

MISTAKES = SAMPLES / "with_mistakes"
TEXT_IN_ACTUAL = MISTAKES / "2017-18-Q2-ASC-text-in-actual.xlsx"  # "n/a" in 1.7's Actual (F9)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _set(path: Path, indicator: str, label: str, value: object, out: Path) -> Path:
    wb = load_workbook(path)
    ws = wb[layout.RETURN_SHEET]
    ws.cell(row_of(ws, indicator), header_columns(ws)[1][label]).value = value
    wb.save(out)
    return out


def test_same_named_returns_in_two_folders_get_two_copies(tmp_path: Path) -> None:
    """`return.xlsx` from Adult Social Care in one folder and from Public Health in another:
    two feedback copies, each with its own owner's figures; no input changes."""
    returns = tmp_path / "returns"
    (returns / "asc").mkdir(parents=True)
    (returns / "ph").mkdir()
    asc = shutil.copy(TEXT_IN_ACTUAL, returns / "asc" / "return.xlsx")
    ph = _set(next((SAMPLES / "returns" / "2017-18-Q2").glob("*-PH-*")), "1.1", layout.ACTUAL,
              "ninety", returns / "ph" / "return.xlsx")
    before = hashes(returns)
    report = validate(returns)
    copies = write_feedback(report, tmp_path / "feedback")
    assert sorted(p.name for p in copies) == ["2017-18-Q2-ASC return - feedback.xlsx",
                                              "2017-18-Q2-PH return - feedback.xlsx"]
    for copy, owner, value in ((copies[0], "ASC", "n/a"), (copies[1], "PH", "ninety")):
        wb = load_workbook(copy)
        assert wb["Issues"]["D5"].value == value
        assert wb["Metadata"] is not None
        meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True)}
        assert meta["owner_id"] == owner
    assert sha(Path(asc)) == before["asc/return.xlsx"] and hashes(returns) == before
    assert ph.exists()


def test_two_returns_with_one_name_for_one_owner_get_a_code(tmp_path: Path) -> None:
    """Two copies of Adult Social Care's return under one name in two folders: two copies,
    told apart by a short code from each path."""
    for folder in ("a", "b"):
        (tmp_path / "returns" / folder).mkdir(parents=True)
    shutil.copy(TEXT_IN_ACTUAL, tmp_path / "returns" / "a" / "ASC.xlsx")
    _set(TEXT_IN_ACTUAL, "1.4", layout.ACTUAL, "about 80", tmp_path / "returns" / "b" / "ASC.xlsx")
    copies = write_feedback(validate(tmp_path / "returns"), tmp_path / "feedback")
    names = sorted(p.name for p in copies)
    assert len(names) == 2 and len(set(names)) == 2
    assert all(n.startswith("2017-18-Q2-ASC ASC ") and n.endswith(" - feedback.xlsx") for n in names)


def test_copies_are_readable_by_others_and_replaced_or_removed_on_a_second_run(
        tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    bad = shutil.copy(TEXT_IN_ACTUAL, returns / "asc.xlsx")
    [copy] = write_feedback(validate(returns), tmp_path / "feedback")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o644
    again = write_feedback(validate(returns), tmp_path / "feedback")
    assert list(again) == [copy] and again.removed == []
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == [copy.name]
    # The owner's return is now clean: the run removes its own earlier copy, and says so.
    _set(Path(bad), "1.7", layout.ACTUAL, 4.4, Path(bad))
    third = write_feedback(validate(returns), tmp_path / "feedback")
    assert list(third) == [] and third.removed == [copy]
    assert list((tmp_path / "feedback").iterdir()) == []


def test_feedback_is_never_written_among_the_returns(tmp_path: Path) -> None:
    """A feedback folder that holds returns being read is refused, one line, nothing written."""
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(TEXT_IN_ACTUAL, returns / "asc.xlsx")
    report = validate(returns / "asc.xlsx")
    before = hashes(tmp_path)
    with pytest.raises(OutputError) as caught:
        write_feedback(report, tmp_path)
    assert str(caught.value) == (
        f"Cannot write feedback to {tmp_path}: the returns being checked are read from "
        f"{returns}, so the copies would be read as returns next time. Give a folder outside "
        "the returns.")
    assert hashes(tmp_path) == before


def test_a_corrected_copy_sent_back_is_the_owners_return(tmp_path: Path) -> None:
    """The owner types 4.4 over "n/a" in the feedback copy and sends it back: it validates
    clean, it replaces the first return (a note says so), and 4.4 reaches the workbook."""
    quarter = tmp_path / "returns" / "2017-18-Q2"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", quarter)
    first = next(quarter.glob("*-ASC-*"))
    shutil.copy(TEXT_IN_ACTUAL, first)  # this quarter's ASC return is the one with "n/a"
    report = validate(quarter)
    assert [(i.code, i.location) for i in report.errors] == [("actual-not-a-number", "Return!F9")]
    [copy] = write_feedback(report, tmp_path / "feedback")
    sent_back = quarter / copy.name
    _set(copy, "1.7", layout.ACTUAL, 4.4, sent_back)  # corrected in the copy, saved later
    os.utime(first, (1_500_000_000, 1_500_000_000))
    before = hashes(quarter)

    report = validate(quarter)
    assert report.valid
    assert [(i.code, Path(i.file).name, i.message) for i in report.records] == [(
        "file-superseded", first.name,
        f"This return was replaced by {sent_back.name}, a feedback copy of it saved later, so "
        "its figures are not used.")]
    outcome = {Path(f.path).name: f for f in report.files}
    assert outcome[first.name].status == "replaced" and outcome[first.name].rows_accepted == 0
    assert outcome[sent_back.name].status == "valid"

    result = consolidate(tmp_path / "returns", period="2017-18-Q2")
    row = result.current.set_index("indicator_id").loc["1.7"]
    assert row["actual"] == 4.4 and Path(row["source_file"]).name == sent_back.name
    out = result.write(tmp_path / "Q2.xlsx")
    assert out.exists()
    assert hashes(quarter) == before


def test_an_original_saved_after_its_copy_is_used(tmp_path: Path) -> None:
    """If the owner corrects their own return after the copy was made, the newer file wins."""
    returns = tmp_path / "returns"
    returns.mkdir()
    first = Path(shutil.copy(TEXT_IN_ACTUAL, returns / "asc.xlsx"))
    [copy] = write_feedback(validate(returns), tmp_path / "feedback")
    old_copy = Path(shutil.copy(copy, returns / copy.name))
    os.utime(old_copy, (1_500_000_000, 1_500_000_000))
    report = validate(returns)
    superseded = [(Path(i.file).name, i.code) for i in report.records if i.code == "file-superseded"]
    assert superseded == [(old_copy.name, "file-superseded")]
    assert {Path(f.path).name: f.status for f in report.files}[first.name] == "errors"


@pytest.mark.parametrize(("errors", "warnings", "line"), [
    (1, 0, "1 problem must be fixed before your figures can be used."),
    (2, 1, "2 problems must be fixed before your figures can be used, and 1 is worth checking."),
    (1, 3, "1 problem must be fixed before your figures can be used, and 3 are worth checking."),
    (0, 1, "Your figures can be used; 1 thing is worth checking."),
    (0, 2, "Your figures can be used; 2 things are worth checking."),
])
def test_the_summary_line_counts_in_words(errors: int, warnings: int, line: str) -> None:
    assert summary_line(errors, warnings) == line


def test_long_commentary_rows_are_tall_enough_in_the_copy(tmp_path: Path) -> None:
    """The template's rows have a fixed height; in the copy, a row with 1,200 characters of
    commentary is made tall enough to show them (Calibri 11, about 15 points a line)."""
    long_text = "The figure fell because of the contractor's late counts. " * 21
    bad = _set(TEXT_IN_ACTUAL, "1.4", layout.COMMENTARY, long_text, tmp_path / "asc.xlsx")
    [copy] = write_feedback(validate(bad), tmp_path / "feedback")
    ws = load_workbook(copy)[layout.RETURN_SHEET]
    row = row_of(ws, "1.4")
    width = ws.column_dimensions[ws.cell(row, header_columns(ws)[1][layout.COMMENTARY])
                                 .column_letter].width
    assert width and len(long_text) / width > 20  # at least twenty lines of text
    assert ws.row_dimensions[row].height >= 20 * 15


def test_feedback_is_never_written_inside_a_folder_given_to_read(tmp_path: Path) -> None:
    """`validate returns --feedback-dir returns/feedback`: the folder is read recursively, so
    the copies would be read as returns next time; refused, one line, exit 2, nothing written."""
    returns = tmp_path / "returns"
    (returns / "q2").mkdir(parents=True)
    shutil.copy(TEXT_IN_ACTUAL, returns / "q2" / "asc.xlsx")
    before = hashes(returns)
    report = validate(returns)
    assert report.inputs == [str(returns)]
    with pytest.raises(OutputError) as caught:
        write_feedback(report, returns / "feedback")
    assert str(caught.value).startswith(f"Cannot write feedback to {returns / 'feedback'}: the "
                                        f"returns being checked are read from {returns}, ")
    assert hashes(returns) == before and not (returns / "feedback").exists()
    from tests.test_cli import run_cli

    proc = run_cli("validate", str(returns), "--feedback-dir", str(returns / "feedback"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert hashes(returns) == before
