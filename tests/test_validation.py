"""Validating batches: one record per bad file, exact cells, JSON equal to the library's dict,
feedback copies, and LibreOffice round trips."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import load_workbook

from rbwm_pmf.output.feedback import feedback_name, write_feedback
from rbwm_pmf.validation.run import validate
from tests.kit import fill, soffice, templates

GOOD = {"1.3": (77.5, "Reviews behind plan.", "Extra reviewer until March."),
        "1.4": (82.9, "Short of target.", "Weekly case review."),
        "1.5": (541, "On track.", ""), "1.7": (4.4, "Good.", ""),
        "2.2": (92.4, "Short.", "Audit of outcomes.")}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "rbwm_pmf", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def good_asc(tmp_path: Path) -> Path:
    asc = templates(tmp_path / "t")["ASC"]
    return fill(asc, GOOD, tmp_path / "asc.xlsx")


def test_clean_return_has_no_issues(good_asc: Path) -> None:
    """A return filled in properly validates with no problems at all."""
    report = validate(good_asc, period="2017-18-Q2")
    assert report.valid and report.records == []
    assert report.files[0].rows_read == 5 and report.files[0].rows_accepted == 5


def test_bad_files_each_one_record_through_the_cli(tmp_path: Path, good_asc: Path) -> None:
    """A folder of good returns and broken files: validate finishes, reports each bad file as
    one record, skips the lock file, exits 1, and prints no traceback."""
    folder = tmp_path / "returned"
    folder.mkdir()
    shutil.copy(good_asc, folder / "asc.xlsx")
    ph = templates(tmp_path / "t2")["PH"]
    fill(ph, {"1.1": (93.4, "Good.", ""), "1.6": (193, "Short.", "More clinics.")},
         folder / "ph.xlsx")
    (folder / "~$asc.xlsx").write_bytes(b"\x00lock")
    (folder / "notes.xlsx").write_text("owner,value\nASC,12\n", "utf-8")
    data = good_asc.read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    with (folder / "encrypted.xlsx").open("wb") as out, good_asc.open("rb") as src:
        OOXMLFile(src).encrypt("secret", out)
    soffice("--convert-to", "xls", "--outdir", str(folder), str(good_asc), cwd=tmp_path)
    assert (folder / "asc.xls").exists()

    proc = run_cli("validate", str(folder), "--period", "2017-18-Q2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    report = validate(folder, period="2017-18-Q2")
    by_file = {Path(i.file).name: i.code for i in report.records}
    assert by_file == {
        "notes.xlsx": "file-not-a-workbook",
        "truncated.xlsx": "file-unreadable",
        "encrypted.xlsx": "file-encrypted",
        "asc.xls": "file-legacy-xls",
    }
    assert len(report.records) == 4
    assert [Path(s.path).name for s in report.skipped] == ["~$asc.xlsx"]
    for name in by_file:
        assert name in proc.stdout
    assert "Skipped" in proc.stdout and "~$asc.xlsx" in proc.stdout
    statuses = {Path(f.path).name: f.status for f in report.files}
    assert statuses["asc.xlsx"] == "valid" and statuses["ph.xlsx"] == "valid"


def test_json_output_equals_library_dict(tmp_path: Path, good_asc: Path) -> None:
    """`--format json` prints exactly report.to_dict()."""
    bad = fill(good_asc, {"1.5": ("n/a", "", "")}, tmp_path / "bad.xlsx")
    proc = run_cli("validate", str(bad), "--format", "json")
    assert proc.returncode == 1
    expected = validate([bad]).to_dict()
    assert json.loads(proc.stdout) == json.loads(json.dumps(expected))
    assert [(i["code"], i["cell"]) for i in expected["issues"]] == [("actual-not-a-number", "F8")]


def test_same_return_twice_with_changes_is_a_conflict(tmp_path: Path, good_asc: Path) -> None:
    """Two returns from one owner for one quarter: every differing value is reported at both
    cells and neither is used; --newest-wins keeps the newer file's values."""
    second = fill(good_asc, {"1.5": (530, "Revised.", "")}, tmp_path / "asc-v2.xlsx")
    os.utime(good_asc, (1_500_000_000, 1_500_000_000))
    report = validate([good_asc, second])
    conflicts = [(Path(i.file).name, i.cell) for i in report.records if i.indicator_id == "1.5"]
    assert conflicts == [("asc.xlsx", "F8"), ("asc-v2.xlsx", "F8")]
    assert {i.code for i in report.records if i.indicator_id == "1.5"} == {"value-conflict"}
    # The values both returns give alike are not conflicts: the first return's are used.
    assert {i.code for i in report.records if i.indicator_id != "1.5"} == {"value-repeated"}
    newest = validate([good_asc, second], newest_wins=True)
    assert newest.valid
    assert [(Path(i.file).name, i.code) for i in newest.records if i.indicator_id == "1.5"] == [
        ("asc.xlsx", "value-conflict-newest")]
    accepted = newest.rows[newest.rows["accepted"] & (newest.rows["indicator_id"] == "1.5")]
    assert accepted["actual_value"].tolist() == [530.0]


def test_exit_codes(tmp_path: Path, good_asc: Path) -> None:
    """0 for clean data, 2 for a usage or configuration error."""
    assert run_cli("validate", str(good_asc)).returncode == 0
    missing = run_cli("validate", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_period = run_cli("validate", str(good_asc), "--period", "Q2")
    assert bad_period.returncode == 2 and "2017-18-Q2" in bad_period.stderr


def test_feedback_copy_comments_every_problem_cell(tmp_path: Path, good_asc: Path) -> None:
    """The feedback copy has a comment on every problem cell and an Issues sheet with links;
    the owner's original is unchanged (same SHA-256)."""
    bad = fill(good_asc, {"1.5": ("n/a", "", ""), "1.4": (82.9, "Short.", ""),
                          "1.7": ("1,234", "x", "")}, tmp_path / "bad.xlsx")
    before = sha(bad)
    report = validate(bad)
    written = write_feedback(report, tmp_path / "feedback")
    assert sha(bad) == before
    assert [p.name for p in written] == [feedback_name(bad, "ASC", "2017-18-Q2")]
    assert feedback_name(bad, "ASC", "2017-18-Q2") == "2017-18-Q2-ASC bad - feedback.xlsx"
    wb = load_workbook(written[0])
    ws = wb["Return"]
    cells = [i.cell for i in report.records if i.cell]
    assert cells  # there are problems to mark
    for issue in report.records:
        comment = ws[issue.cell].comment
        assert comment is not None and issue.code in comment.text and issue.hint in comment.text
    issues = wb["Issues"]
    links = [issues.cell(r, 1).hyperlink for r in range(5, 5 + len(report.records))]
    assert [h.location if h.location else h.target for h in links if h] != []
    assert wb.sheetnames[0] == "Issues"


def test_libreoffice_round_trip_validates_the_same(tmp_path: Path, good_asc: Path) -> None:
    """A return saved again by LibreOffice gives exactly the same problems at the same cells."""
    bad = fill(good_asc, {"1.5": ("n/a", "", ""), "1.4": (82.9, "Short.", ""),
                          "1.7": ("1,234", "x", ""), "1.3": (None, "", "")}, tmp_path / "bad.xlsx")
    out = tmp_path / "lo"
    out.mkdir()
    soffice("--convert-to", "xlsx", "--outdir", str(out), str(bad), cwd=tmp_path)
    again = out / "bad.xlsx"
    first = [(i.code, i.location, i.value) for i in validate(bad).records]
    second = [(i.code, i.location, i.value) for i in validate(again).records]
    assert first and first == second


def test_data_only_indicator_is_checked_but_not_rated(tmp_path: Path) -> None:
    """A data-only indicator's template says "Data only" in Target; its value is validated,
    consolidated and shown, never rated, and Table 1 gains a Not rated column."""
    import copy

    from rbwm_pmf.consolidation.merge import consolidate
    from rbwm_pmf.register.load import framework_from_dict, load_framework
    from rbwm_pmf.template.write import make_templates

    data = copy.deepcopy(load_framework().to_dict())
    row = next(r for r in data["indicators"] if r["id"] == "1.5")
    row["data_only"] = True
    fw = framework_from_dict(data, "data-only.yaml")
    path = next(p for p in make_templates(fw, "2017-18-Q2", tmp_path / "t") if "-ASC-" in p.name)
    filled = fill(path, GOOD, tmp_path / "asc.xlsx")
    report = validate(filled, fw)
    assert report.records == []
    result = consolidate(filled, fw, "2017-18-Q2")
    current = result.current.set_index("indicator_id")
    assert current.loc["1.5", "status"] == "Not rated"
    assert current.loc["1.5", "actual"] == 541
    assert "Not rated" in result.table1.columns
    assert int(result.table1.loc["Total", "Not rated"]) == 1


def test_error_value_in_commentary_is_not_the_owners_words(tmp_path: Path) -> None:
    """An Excel error left in Commentary or Mitigation actions (a broken link, a lookup that
    found nothing) is an error at that cell, not text that satisfies "commentary required"."""
    asc = templates(tmp_path / "t")["ASC"]
    values = {**GOOD, "1.3": (77.5, "#REF!", "Extra reviewer until March."),
              "2.2": (92.4, "Short.", "#N/A")}
    path = fill(asc, values, tmp_path / "asc.xlsx")
    wb = load_workbook(path)
    ws = wb["Return"]
    kinds = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in ("#REF!", "#N/A")}
    assert kinds == {"#REF!": "e", "#N/A": "e"}  # saved by openpyxl as error cells
    wb.close()
    report = validate(path, period="2017-18-Q2")
    found = [(i.code, i.cell, i.indicator_id, i.column, i.value, i.message) for i in report.records]
    assert found == [
        ("commentary-error-value", "G6", "1.3", "Commentary", "#REF!",
         "Commentary shows the Excel error #REF!, not the owner's words."),
        ("mitigation-error-value", "H10", "2.2", "Mitigation actions", "#N/A",
         "Mitigation actions shows the Excel error #N/A, not the owner's words."),
    ]
    assert report.files[0].rows_accepted == 3 and report.files[0].rows_rejected == 2


def test_same_value_in_two_returns_is_used_once_with_a_note(tmp_path: Path, good_asc: Path) -> None:
    """A return sent again with the same figures is not a conflict: the first return's values are
    used, and each copy's cell gets a warning naming the cell whose value is used."""
    again = fill(good_asc, {"1.5": (541, "On track, as sent before.", "")}, tmp_path / "asc-again.xlsx")
    report = validate([good_asc, again], period="2017-18-Q2")
    assert report.valid
    notes = [(Path(i.file).name, i.cell, i.code, i.severity) for i in report.records]
    assert notes == [("asc-again.xlsx", c, "value-repeated", "warning")
                     for c in ("F6", "F7", "F8", "F9", "F10")]
    note = next(i for i in report.records if i.indicator_id == "1.5")
    assert note.message == ("Indicator 1.5 for 2017/18 Q2 is also given in asc.xlsx F8 with the "
                            "same value (541); that value is used.")
    outcomes = {Path(f.path).name: (f.rows_accepted, f.rows_rejected) for f in report.files}
    assert outcomes == {"asc.xlsx": (5, 0), "asc-again.xlsx": (0, 5)}


def test_text_too_long_is_reported_by_validate(tmp_path: Path) -> None:
    """Mitigation longer than an Excel cell, for an Amber indicator, gets the warning that the
    workbook will cut it; a Green indicator's long commentary, which the workbook does not
    print, gets none. Excel counts a character outside the Basic Multilingual Plane (an emoji)
    twice: 32,000 characters with 2,000 emoji are 34,000 of Excel's."""
    asc = templates(tmp_path / "t")["ASC"]
    long_words = "Recovery plan \U0001F4C8 " * 2000  # 32,000 characters
    values = {**GOOD, "1.3": (77.5, "Reviews behind plan.", long_words),
              "1.5": (541, long_words, "")}
    report = validate(fill(asc, values, tmp_path / "asc.xlsx"), period="2017-18-Q2")
    found = [(i.code, i.severity, i.cell, i.column, i.value) for i in report.records]
    assert found == [("text-too-long", "warning", "H6", "Mitigation actions", "31,999")]
    assert report.valid and report.files[0].rows_accepted == 5
