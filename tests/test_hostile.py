"""Hostile and broken inputs: nothing crashes, nothing is lost, nothing gets in.

Every case puts one hostile or broken file (built by tests/hostile.py) beside two good returns,
consolidates the folder for 2017-18 Q2 and checks three things: the exact rule code (or a clean
outcome) for the hostile file, that the good returns' indicators were rated from the good
files, and the accounting (every file read or skipped, every row accepted or rejected with an
error in the log, inputs unchanged). Attack cases run the consolidation in a fresh process and
also bound its peak memory; a process that has not finished after a minute is taken to hang.
Nothing is timed against a speed limit. The output side checks that the consolidated workbook is
written whole or not at all.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from rbwm_pmf.consolidation.merge import ConsolidationResult, consolidate
from rbwm_pmf.errors import OutputError
from rbwm_pmf.output import files as output_files
from rbwm_pmf.output import workbook
from rbwm_pmf.output.workbook import EXCEL_CELL_LIMIT
from rbwm_pmf.reading.xlsx import DEFAULT_LIMITS
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import Issue
from rbwm_pmf.validation.report import FileOutcome
from rbwm_pmf.validation.run import validate
from tests import hostile as h
from tests.kit import header_columns, made_once, require_soffice, row_of

PERIOD = h.PERIOD
RATED = {"Green", "Amber", "Red"}
# The statuses of Adult Social Care's sample return: what a clean copy of it must give.
BASE_STATUS = {"1.3": "Amber", "1.4": "Amber", "1.5": "Green", "1.7": "Green", "2.2": "Amber"}
BASE_ACTUAL = {"1.3": 77.5, "1.4": 82.9, "1.5": 541.0, "1.7": 4.4, "2.2": 92.4}

# Bounds for the attack cases: the whole consolidation of a batch of three files, in a fresh
# process. There is no speed limit, only a guard against a hang: a refused file takes well under
# a second, and a busy machine must not fail a test for being slow.
MEMORY_LIMIT = 500 * h.MiB  # peak resident memory of the whole process, and Python's own peak
HANG_LIMIT = 60  # seconds before the child process is taken to hang


# -- running a batch --------------------------------------------------------------------------

def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Batch:
    """A folder with two good returns and the hostile files, and what consolidating it gave."""

    folder: Path
    good: list[Path]
    hostile: list[Path]
    result: ConsolidationResult
    metrics: dict[str, Any] = field(default_factory=dict)

    def records(self, path: Path) -> list[Issue]:
        return [i for i in self.result.report.records if i.file == str(path)]

    def codes(self, path: Path) -> list[str]:
        return [i.code for i in self.records(path)]

    def outcome(self, path: Path) -> FileOutcome:
        found = [f for f in self.result.report.files if f.path == str(path)]
        assert len(found) == 1, (path, [f.path for f in self.result.report.files])
        return found[0]

    def current(self, indicator: str, column: str = "status") -> Any:
        return self.result.current.set_index("indicator_id").loc[indicator, column]


def prepare(folder: Path, make: Callable[[Path], Any]) -> tuple[list[Path], list[Path]]:
    """Two good returns and whatever `make(folder)` writes there."""
    good = h.copy_good(folder)
    before = set(h.all_files(folder))
    make(folder)
    hostile = sorted(set(h.all_files(folder)) - before)
    assert hostile, "the generator wrote nothing"
    return good, hostile


def run_batch(tmp_path: Path, make: Callable[[Path], Any]) -> Batch:
    """Consolidate a batch in this process; check the batch-wide promises."""
    folder = tmp_path / "returns"
    good, hostile = prepare(folder, make)
    hashes = {p: sha(p) for p in h.all_files(folder)}
    result = consolidate(folder, period=PERIOD)
    batch = Batch(folder, good, hostile, result)
    check_batch(batch, hashes)
    return batch


_CHILD = textwrap.dedent("""
    import json, pickle, resource, sys, time, tracemalloc
    cap = 3 << 30  # a runaway read fails here instead of exhausting the machine
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from rbwm_pmf import consolidate
    folder, warm, out = sys.argv[1], sys.argv[2], sys.argv[3]
    consolidate([warm], period="2017-18-Q2")  # imports and caches, outside the measurement
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # One run measures both peaks; tracemalloc's own bookkeeping counts in the resident
    # memory, which only makes that bound stricter.
    tracemalloc.start()
    start = time.perf_counter()
    result = consolidate(folder, period="2017-18-Q2")
    seconds = time.perf_counter() - start  # shown in the test's output, never asserted
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with open(out, "wb") as fh:
        pickle.dump(result, fh)
    print(json.dumps({"seconds": seconds, "rss_before": rss_before, "rss_peak": rss_peak,
                      "python_peak": python_peak}))
""")


def run_measured(tmp_path: Path, make: Callable[[Path], Any]) -> Batch:
    """Consolidate a batch in a fresh process, measuring its peak memory."""
    folder = tmp_path / "returns"
    good, hostile = prepare(folder, make)
    hashes = {p: sha(p) for p in h.all_files(folder)}
    out = tmp_path / "result.pickle"
    args = [sys.executable, "-c", _CHILD, str(folder), str(h.sample(h.GOOD_OWNERS[0])), str(out)]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=HANG_LIMIT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"consolidating the batch had not finished after {HANG_LIMIT} s: taken to hang")
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(proc.stdout.strip().splitlines()[-1])
    with out.open("rb") as fh:
        result = pickle.load(fh)
    batch = Batch(folder, good, hostile, result, metrics)
    print(f"\n{tmp_path.name}: {metrics['seconds']:.2f} s, peak RSS "
          f"{metrics['rss_peak'] / h.MiB:.0f} MiB (before {metrics['rss_before'] / h.MiB:.0f} MiB), "
          f"Python peak {metrics['python_peak'] / h.MiB:.1f} MiB")
    check_batch(batch, hashes)
    return batch


def check_bounds(batch: Batch) -> None:
    m = batch.metrics
    assert m["rss_peak"] < MEMORY_LIMIT, f"peak RSS {m['rss_peak'] / h.MiB:.0f} MiB"
    assert m["python_peak"] < MEMORY_LIMIT, f"Python peak {m['python_peak'] / h.MiB:.0f} MiB"


def _row_number(cell: str) -> int:
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits else 0


def check_batch(batch: Batch, hashes: dict[Path, str]) -> None:
    """The promises every batch keeps, whatever is in it."""
    result, report = batch.result, batch.result.report
    # Inputs are never modified.
    assert {p: sha(p) for p in hashes} == hashes
    # Every file is read or skipped, and listed in Sources.
    on_disk = {str(p) for p in h.all_files(batch.folder)}
    read = [f.path for f in report.files]
    skipped = [s.path for s in report.skipped]
    assert sorted(read + skipped) == sorted(on_disk)
    assert on_disk <= {str(f) for f in result.sources["file"]}
    # Every row read is accepted or rejected; every rejected row has an error in the log.
    rows = report.rows
    for f in report.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected, f
        mine = [i for i in report.errors if i.file == f.path]
        whole_file = [i for i in mine if not i.cell or ":" in i.cell]
        if whole_file:
            assert f.rows_accepted == 0, f
            continue
        assert f.rows_rejected == 0 or mine, f
        frame = rows[rows["file"] == f.path]
        assert len(frame) == f.rows_read, f
        error_rows = {_row_number(i.cell) for i in mine}
        for rec in frame.to_dict(orient="records"):
            if not rec["accepted"]:
                assert rec["row"] in error_rows, (f.path, rec["row"], rec["indicator_id"])
            elif rec["due"] and rec["actual_kind"] in ("number", "text-number"):
                used = result.data[(result.data["source_file"] == f.path)
                                   & (result.data["indicator_id"] == rec["indicator_id"])]
                assert len(used) == 1, (f.path, rec["indicator_id"])
    # The rest of the batch was consolidated.
    current = result.current.set_index("indicator_id")
    for path in batch.good:
        owner = path.name.split("-")[3]
        indicator = h.GOOD_INDICATORS[owner]
        assert current.loc[indicator, "status"] in RATED, (indicator, current.loc[indicator, "reason"])
        assert current.loc[indicator, "source_file"] == str(path)
        assert batch.records(path) == []
        assert batch.outcome(path).status == "valid"


def assert_refused(batch: Batch, path: Path, code: str, **where: str) -> Issue:
    """The file gives exactly one record, with `code`, and none of its values is used."""
    records = batch.records(path)
    assert [i.code for i in records] == [code], [(i.code, i.cell, i.message) for i in records]
    issue = records[0]
    for name, value in where.items():
        assert getattr(issue, name) == value, (name, getattr(issue, name))
    assert issue.message and issue.hint
    assert batch.outcome(path).rows_accepted == 0
    for indicator in h.BASE_INDICATORS:
        assert batch.current(indicator) == "No data"
        assert batch.current(indicator, "source_file") == ""
    return issue


def assert_clean(batch: Batch, path: Path, warnings: Iterable[str] = ()) -> None:
    """The file validates (with only the warnings given) and every value in it is used."""
    records = batch.records(path)
    assert [i.code for i in records] == list(warnings), [(i.code, i.cell, i.message) for i in records]
    outcome = batch.outcome(path)
    assert outcome.rows_read == 5 and outcome.rows_accepted == 5, outcome
    for indicator, status in BASE_STATUS.items():
        assert batch.current(indicator) == status, batch.current(indicator, "reason")
        assert batch.current(indicator, "actual") == pytest.approx(BASE_ACTUAL[indicator])
        assert batch.current(indicator, "source_file") == str(path)


# -- reading the written workbook back --------------------------------------------------------

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(raw: str) -> str:
    """A string as Excel shows it: `_xHHHH_` escapes decoded in one pass (`_x005F_` is '_')."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw)


def workbook_strings(path: Path) -> list[str]:
    """Every string cell value in a workbook, as Excel shows it, from the raw XML."""
    main = "{" + h.NS_MAIN + "}"
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name == "xl/sharedStrings.xml" or re.match(r"xl/worksheets/sheet\d+\.xml$", name):
                root = ElementTree.fromstring(zf.read(name))
                for si in root.iter(main + "si" if name.endswith("sharedStrings.xml") else main + "is"):
                    out.append(excel_text("".join(t.text or "" for t in si.iter(main + "t"))))
    return out


def assert_values_only(path: Path) -> None:
    """No formula anywhere, and no link to anything outside the workbook."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if re.match(r"xl/worksheets/sheet\d+\.xml$", name):
                assert b"<f>" not in data and b"<f " not in data, name
            if name.endswith(".rels"):
                assert b'TargetMode="External"' not in data, name


def cells_with(path: Path, texts: Iterable[str]) -> dict[str, list[Any]]:
    """Every cell of the workbook whose value is one of `texts`, by text."""
    wanted = set(texts)
    found: dict[str, list[Any]] = {t: [] for t in wanted}
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in wanted:
                    found[cell.value].append(cell)
    return found


# -- fixtures: the big and slow files, made once ------------------------------------------------

def _make_attacks(root: Path) -> dict[str, Path]:
    return {
        "zip-bomb": h.zip_bomb(root / "bomb.xlsx"),
        "zip-bomb-lying": h.lying_zip_bomb(root / "lying-bomb.xlsx", root / "bomb.xlsx"),
        "styled-rows": h.styled_rows(root / "styled-rows.xlsx"),
        "dense-cells": h.dense_cells(root / "dense-cells.xlsx"),
        "other-period": h.other_period(root / "asc-q3.xlsx", root / "q3-templates"),
    }


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files that take a moment to make, made once per run: the zip bombs, rows and cells past
    the reader's limits, another period's template."""
    return made_once(tmp_path_factory, "hostile-made", _make_attacks)


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The base return saved by LibreOffice as .xls, .ods and .xlsx, made once per run (skipped
    without LibreOffice, except in CI)."""
    require_soffice()
    return made_once(tmp_path_factory, "hostile-libreoffice", lambda root: {
        f"libreoffice-{fmt}": h.converted(fmt, root / fmt) for fmt in ("xls", "ods", "xlsx")})


def copy_of(made: dict[str, Path], key: str, name: str | None = None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        target = folder / (name or made[key].name)
        target.write_bytes(made[key].read_bytes())
        return target
    return make


# -- archive and XML attacks ------------------------------------------------------------------

def test_zip_bomb_is_small_on_disk_and_huge_unzipped(made: dict[str, Path]) -> None:
    """The bomb really is one: under a megabyte that unzips to more than the memory bound, ten
    times the reader's limit for one part."""
    bomb = made["zip-bomb"]
    assert bomb.stat().st_size < h.MiB
    with zipfile.ZipFile(bomb) as zf:
        unzipped = max(i.file_size for i in zf.infolist())
    assert unzipped > MEMORY_LIMIT and unzipped >= 10 * DEFAULT_LIMITS.max_part_bytes


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("zip-bomb", "file-too-large"),
        ("zip-bomb-lying", "file-unreadable"),
        ("billion-laughs", "file-unsafe"),
        ("external-entity", "file-unsafe"),
        ("many-sheets", "file-too-large"),
        ("styled-rows", "file-too-large"),
        ("dense-cells", "file-too-large"),
    ],
)
def test_attack_is_refused_in_bounded_memory(case: str, code: str, made: dict[str, Path],
                                             tmp_path: Path) -> None:
    """Each attack is refused with one clear record, under 500 MB, and the rest of the batch is
    consolidated."""
    makers: dict[str, Callable[[Path], Any]] = {
        "billion-laughs": lambda d: h.billion_laughs(d / "laughs.xlsx"),
        "external-entity": lambda d: h.external_entity(d / "xxe.xlsx"),
        "many-sheets": lambda d: h.many_sheets(d / "sheets.xlsx"),
    }
    make = makers.get(case) or copy_of(made, case)
    batch = run_measured(tmp_path, make)
    (path,) = batch.hostile
    assert_refused(batch, path, code)
    check_bounds(batch)


def test_external_entity_content_is_never_read(tmp_path: Path) -> None:
    """Nothing of the local file an external entity points at reaches the results."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    batch = run_batch(tmp_path, lambda d: h.external_entity(d / "xxe.xlsx", secret.as_uri()))
    assert_refused(batch, batch.hostile[0], "file-unsafe")
    dump = json.dumps(batch.result.to_dict(), default=str)
    assert "TOP-SECRET-CONTENT" not in dump


def test_far_cell_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """One stray cell at XFD1048576 (Excel's last cell, a 10 KB file) is outside the table: the
    return is clean, and reading it does not walk the empty rows and columns before it (no
    memory for them, and no hang)."""
    batch = run_measured(tmp_path, lambda d: h.far_cell(d / "far.xlsx"))
    assert_clean(batch, batch.hostile[0])
    check_bounds(batch)


# -- broken files -----------------------------------------------------------------------------

BROKEN: list[tuple[str, Callable[[Path], Any], str, dict[str, str]]] = [
    ("truncated-zip", lambda d: h.truncated(d / "truncated.xlsx"), "file-unreadable", {}),
    ("zero-bytes", lambda d: h.zero_bytes(d / "empty.xlsx"), "file-empty", {}),
    ("pdf-renamed", lambda d: h.pdf_renamed(d / "report.xlsx"), "file-not-a-workbook", {}),
    ("csv-renamed", lambda d: h.csv_renamed(d / "export.xlsx"), "file-not-a-workbook", {}),
    ("return-sheet-deleted", lambda d: h.return_sheet_deleted(d / "no-return.xlsx"),
     "sheet-missing", {}),
    ("return-sheet-renamed", lambda d: h.return_sheet_renamed(d / "renamed.xlsx"),
     "sheet-missing", {}),
    ("header-renamed", lambda d: h.header_renamed(d / "q2-value.xlsx"), "header-missing",
     {"column": layout.ACTUAL, "sheet": layout.RETURN_SHEET}),
    ("metadata-removed", lambda d: h.metadata_removed(d / "no-metadata.xlsx"), "metadata-missing", {}),
    ("other-framework", lambda d: h.other_framework(d / "other-framework.xlsx"),
     "framework-mismatch", {}),
    ("password-protected", lambda d: h.encrypted(d / "encrypted.xlsx"), "file-encrypted", {}),
    ("xlsm-renamed", lambda d: h.xlsm_renamed(d / "return.xlsm"), "file-macro-enabled", {}),
    ("vba-project-in-xlsx", lambda d: h.vba_added(d / "macro-inside.xlsx"), "file-macro-enabled", {}),
    ("illegal-xml-character", lambda d: h.illegal_xml_character(d / "bad-char.xlsx"),
     "file-unreadable", {}),
]


@pytest.mark.parametrize(("case", "make", "code", "where"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_one_record(case: str, make: Callable[[Path], Any], code: str,
                                   where: dict[str, str], tmp_path: Path) -> None:
    """A broken file gives exactly one record with its code; the batch goes on."""
    batch = run_batch(tmp_path, make)
    (path,) = batch.hostile
    assert_refused(batch, path, code, **where)


def test_a_later_periods_template_is_listed_not_used(made: dict[str, Path], tmp_path: Path) -> None:
    """Next quarter's template, filled in properly, among this quarter's returns: listed as a
    file not used in this report, with why; none of its values is used; the batch goes on."""
    batch = run_batch(tmp_path, copy_of(made, "other-period"))
    (path,) = batch.hostile
    assert batch.records(path) == []
    assert [(s.path, s.reason) for s in batch.result.report.skipped] == [
        (str(path), "the return is for 2017/18 Q3, after the period reported (2017/18 Q2): not "
                    "used in this report")]
    for indicator in h.BASE_INDICATORS:
        assert batch.current(indicator) == "No data"
        assert batch.current(indicator, "source_file") == ""


@pytest.mark.parametrize(("case", "code"), [("libreoffice-xls", "file-legacy-xls"),
                                            ("libreoffice-ods", "file-ods")])
def test_other_format_is_one_record(case: str, code: str, converted: dict[str, Path],
                                    tmp_path: Path) -> None:
    """The return saved as .xls and as .ods: one record each; the batch goes on."""
    batch = run_batch(tmp_path, copy_of(converted, case))
    (path,) = batch.hostile
    assert_refused(batch, path, code)


def test_headers_moved_are_found_by_label(tmp_path: Path) -> None:
    """Target and Actual swapped, headers and all: the reader finds columns by label."""
    batch = run_batch(tmp_path, lambda d: h.headers_swapped(d / "swapped.xlsx"))
    (path,) = batch.hostile
    assert_clean(batch, path)
    assert batch.current("1.3", "source_cell") == f"{layout.RETURN_SHEET}!E6"


def test_libreoffice_saved_return_is_clean(converted: dict[str, Path], tmp_path: Path) -> None:
    """A return opened and saved by LibreOffice validates clean and is consolidated."""
    batch = run_batch(tmp_path, copy_of(converted, "libreoffice-xlsx", "asc-libreoffice.xlsx"))
    assert_clean(batch, batch.hostile[0])


def test_formulas_without_saved_results(tmp_path: Path) -> None:
    """Actual cells holding formulas a script wrote (no saved result): one record per cell, the
    other rows used."""
    batch = run_batch(tmp_path, lambda d: h.formula_no_result(d / "formulas.xlsx"))
    (path,) = batch.hostile
    records = batch.records(path)
    assert [(i.code, i.cell, i.indicator_id) for i in records] == [
        ("actual-formula-no-result", "F6", "1.3"), ("actual-formula-no-result", "F8", "1.5")]
    outcome = batch.outcome(path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (5, 3, 2)
    assert batch.current("1.3") == "No data" and batch.current("1.5") == "No data"
    for indicator in ("1.4", "1.7", "2.2"):
        assert batch.current(indicator) == BASE_STATUS[indicator]


# -- hostile content --------------------------------------------------------------------------

def test_formulas_and_links_stay_text(tmp_path: Path) -> None:
    """Formula-, DDE- and link-like text in every text column validates and is consolidated as
    plain text, and the written workbook holds it as string cells with no link and no formula."""
    texts: dict[tuple[str, str], str] = {}

    def make(folder: Path) -> None:
        _, typed = h.formula_text(folder / "formulas-as-text.xlsx")
        texts.update(typed)

    batch = run_batch(tmp_path, make)
    (path,) = batch.hostile
    assert_clean(batch, path, warnings=["name-changed"])
    assert batch.records(path)[0].cell == "B8"
    for (indicator, label), text in texts.items():
        if label == layout.NAME:
            continue
        column = "commentary" if label == layout.COMMENTARY else "mitigation"
        assert batch.current(indicator, column) == text.strip()
    assert batch.current("1.5", "indicator") != texts[("1.5", layout.NAME)]

    out = batch.result.write(tmp_path / "out.xlsx")
    assert_values_only(out)
    shown = {text.strip() for (ind, label), text in texts.items()
             if label == layout.NAME or BASE_STATUS[ind] != "Green"}
    found = cells_with(out, shown)
    for text in sorted(shown):
        assert found[text], f"{text!r} is missing from the workbook"
        for cell in found[text]:
            assert cell.data_type == "s", (cell.parent.title, cell.coordinate, text)
            assert cell.hyperlink is None, (cell.parent.title, cell.coordinate, text)


def test_long_commentary_is_cut_in_the_workbook(tmp_path: Path) -> None:
    """A 100,000-character commentary is consolidated whole and cut in the workbook to Excel's
    limit, with a visible marker; validation says so first, with the text-too-long warning the
    Validation log shows once."""
    batch = run_batch(tmp_path, lambda d: h.long_commentary(d / "long.xlsx"))
    (path,) = batch.hostile
    assert_clean(batch, path, ["text-too-long"])
    assert [(i.code, i.cell, i.column, i.value) for i in validate(path).records] == [
        ("text-too-long", "G6", "Commentary", "100,000")]
    assert batch.current("1.3", "commentary") == h.long_text()
    out = batch.result.write(tmp_path / "out.xlsx")
    wb = load_workbook(out)
    cut = [c for row in wb["Appendix 3"].iter_rows() for c in row
           if isinstance(c.value, str) and c.value.startswith(h.long_text()[:200])]
    assert len(cut) == 1
    assert len(cut[0].value) <= EXCEL_CELL_LIMIT and cut[0].data_type == "s"
    assert cut[0].value.endswith("… [cut: 100,000 characters in the return]")
    log = [[c.value for c in row] for row in wb["Validation log"].iter_rows()]
    entries = [r for r in log if "text-too-long" in r]
    assert len(entries) == 1 and "G6" in entries[0] and path.name in entries[0]
    kept = len(cut[0].value) - len(" … [cut: 100,000 characters in the return]")
    (note,) = batch.records(path)
    assert note.message == f"The text is 100,000 characters long; only the first {kept:,} are kept."


def test_control_characters_and_emoji_survive(tmp_path: Path) -> None:
    """Tabs, line breaks, zero-width characters, emoji with skin tones and joiners, flags and
    characters outside the Basic Multilingual Plane reach the workbook exactly as typed."""
    batch = run_batch(tmp_path, lambda d: h.control_and_emoji(d / "emoji.xlsx"))
    (path,) = batch.hostile
    assert_clean(batch, path)
    assert batch.current("1.3", "commentary") == h.CONTROL_AND_EMOJI
    # The line break is read as the XML holds it: a CR kept as `&#13;` stays, a bare one would
    # be read as LF (openpyxl's reading is the reference).
    ws = load_workbook(path)[layout.RETURN_SHEET]
    typed = ws.cell(row_of(ws, "1.3"), header_columns(ws)[1][layout.MITIGATION]).value
    assert typed in ("Plan 📋\nsecond line", "Plan 📋\r\nsecond line")
    assert batch.current("1.3", "mitigation") == typed
    out = batch.result.write(tmp_path / "out.xlsx")
    strings = workbook_strings(out)
    assert h.CONTROL_AND_EMOJI in strings and typed in strings
    assert load_workbook(out)["Appendix 3"].max_row > 1


def test_excel_escaped_control_characters_are_decoded(tmp_path: Path) -> None:
    """Excel stores a control character as `_x0007_` and a typed `_x0041_` as `_x005F_x0041_`;
    the text is what Excel shows (as LibreOffice and calamine read it), and so is the workbook's."""
    batch = run_batch(tmp_path, lambda d: h.excel_escapes(d / "escapes.xlsx"))
    (path,) = batch.hostile
    assert_clean(batch, path)
    assert batch.current("1.3", "commentary") == h.ESCAPES_MEAN
    out = batch.result.write(tmp_path / "out.xlsx")
    assert h.ESCAPES_MEAN in workbook_strings(out)


def test_right_to_left_text_survives(tmp_path: Path) -> None:
    """Arabic and Hebrew commentary, direction marks and a right-to-left override are kept as
    typed, in the data and in the workbook."""
    batch = run_batch(tmp_path, lambda d: h.rtl(d / "rtl.xlsx"))
    (path,) = batch.hostile
    assert_clean(batch, path)
    for (indicator, label), text in h.RTL_TEXT.items():
        column = "commentary" if label == layout.COMMENTARY else "mitigation"
        assert batch.current(indicator, column) == text
    strings = workbook_strings(batch.result.write(tmp_path / "out.xlsx"))
    for text in h.RTL_TEXT.values():
        assert text in strings


@pytest.mark.parametrize("name", [h.ODD_FILE_NAME, h.FORMULA_FILE_NAME])
def test_odd_file_and_sheet_names(name: str, tmp_path: Path) -> None:
    """A file named with quotes, an apostrophe, spaces and Japanese (or like a formula), with
    extra sheets named with quotes, Arabic and XML-like characters: clean, consolidated, and
    named right, as text, in the workbook."""
    batch = run_batch(tmp_path, lambda d: h.odd_names(d, name))
    (path,) = batch.hostile
    assert path.name == name
    assert_clean(batch, path)
    out = batch.result.write(tmp_path / "out.xlsx")
    assert_values_only(out)
    # The Sources sheet gives the file's path; every cell naming it is text, never a link.
    named = [s for s in workbook_strings(out) if name in s]
    assert named
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and name in c.value]
    assert cells and all(c.data_type == "s" and c.hyperlink is None for c in cells)


def test_same_file_twice_is_used_once(tmp_path: Path) -> None:
    """The same return saved twice: one file-duplicate record naming the other, one copy used."""
    batch = run_batch(tmp_path, h.duplicate)
    first, second = batch.hostile  # sorted: 'asc (1).xlsx' is read first
    records = batch.records(first) + batch.records(second)
    assert [i.code for i in records] == ["file-duplicate"]
    copy = Path(records[0].file)
    used = first if copy == second else second
    assert used.name in records[0].message
    assert batch.outcome(copy).status == "duplicate"
    assert batch.outcome(copy).rows_accepted == 0
    assert_clean(batch, used)
    assert batch.result.report.records == records


def test_another_owners_row_is_rejected(tmp_path: Path) -> None:
    """A row of Waste's indicator 4.3 pasted into Adult Social Care's return is rejected at its
    ID cell; Waste's own return gives 4.3 and Adult Social Care's rows are used."""
    batch = run_batch(tmp_path, lambda d: h.other_owners_row(d / "asc-with-4.3.xlsx"))
    (path,) = batch.hostile
    records = batch.records(path)
    assert [(i.code, i.cell, i.indicator_id) for i in records] == [
        ("indicator-other-owner", "A11", "4.3")]
    outcome = batch.outcome(path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_rejected) == (6, 5, 1)
    for indicator, status in BASE_STATUS.items():
        assert batch.current(indicator) == status
    assert "WST" in batch.current("4.3", "source_file")


# -- the output side --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ConsolidationResult:
    folder = tmp_path_factory.mktemp("inputs")
    h.copy_good(folder)
    (folder / h.base().name).write_bytes(h.base().read_bytes())
    return consolidate(folder, period=PERIOD)


def is_whole_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    return load_workbook(path).sheetnames == list(workbook.SHEETS)


def test_output_in_a_missing_folder(result: ConsolidationResult, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        result.write(tmp_path / "missing" / "out.xlsx")
    assert not (tmp_path / "missing").exists()


def test_output_in_an_unwritable_folder(result: ConsolidationResult, tmp_path: Path) -> None:
    """A folder that cannot be written to is an OutputError. Run as root (CI), chmod does not
    stop writes, so a path whose parent is a file, which no one can write, stands in."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
            chmod_works = False
            probe.unlink()
        except PermissionError:
            chmod_works = True
        if chmod_works:
            with pytest.raises(OutputError):
                result.write(folder / "out.xlsx")
            assert list(folder.iterdir()) == []
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder", "utf-8")
        with pytest.raises(OutputError):
            result.write(blocker / "out.xlsx")
        assert blocker.read_text("utf-8") == "not a folder"
    finally:
        folder.chmod(0o700)


def test_permission_denied_is_an_output_error(result: ConsolidationResult, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The operating system refusing the write (EACCES, as for a read-only share) is an
    OutputError, the earlier workbook is kept and nothing is left behind."""
    out = result.write(tmp_path / "out.xlsx")
    before = out.read_bytes()

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(output_files.tempfile, "mkstemp", denied)
    with pytest.raises(OutputError):
        result.write(out)
    monkeypatch.undo()
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


@pytest.mark.parametrize("how", ["same-path", "spelt-differently", "symlink", "hard-link"])
def test_output_equal_to_an_input_is_refused(result: ConsolidationResult, tmp_path: Path,
                                             how: str) -> None:
    """An output that is one of the inputs, however it is named, is refused; the input is kept."""
    source = Path(result.report.files[0].path)
    before = source.read_bytes()
    if how == "same-path":
        target = source
    elif how == "spelt-differently":
        target = source.parent / "." / ".." / source.parent.name / source.name
    elif how == "symlink":
        target = tmp_path / "link.xlsx"
        target.symlink_to(source)
    else:
        target = source.parent / "hard-link.xlsx"
        os.link(source, target)
    try:
        with pytest.raises(OutputError, match="is one of the inputs"):
            result.write(target)
    finally:
        if how == "hard-link":
            target.unlink()
    assert source.read_bytes() == before


def test_output_open_in_another_process(result: ConsolidationResult, tmp_path: Path) -> None:
    """On Linux an open (even flock-ed) file does not block a write: writing over it leaves a
    complete workbook, and the reader that had it open still reads the whole earlier file."""
    out = result.write(tmp_path / "out.xlsx", title="Earlier")
    before = sha(out)
    (tmp_path / "~$out.xlsx").write_bytes(b"\x00lock")  # what Excel leaves beside an open file
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import fcntl, hashlib, sys
            fh = open(sys.argv[1], "rb")
            fcntl.flock(fh, fcntl.LOCK_EX)
            print("ready", flush=True)
            sys.stdin.readline()
            print(hashlib.sha256(fh.read()).hexdigest(), flush=True)
        """), str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        result.write(out, title="Later")
        seen, _ = holder.communicate("go\n", timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert seen.strip() == before
    assert sha(out) != before
    assert is_whole_workbook(out)
    assert (tmp_path / "~$out.xlsx").read_bytes() == b"\x00lock"


def _interrupting_fdopen(real: Callable[..., Any], action: Callable[[], None]) -> Callable[..., Any]:
    """os.fdopen whose stream writes half of the data, flushes it, then calls `action`."""
    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        stream = real(fd, *args, **kwargs)

        class Half:
            def __enter__(self) -> Half:
                return self

            def __exit__(self, *exc: object) -> None:
                stream.close()

            def write(self, data: bytes) -> int:
                stream.write(data[: len(data) // 2])
                stream.flush()
                action()
                return len(data)

            def flush(self) -> None:
                stream.flush()

            def fileno(self) -> int:
                return int(stream.fileno())

        return Half()
    return fdopen


def test_interrupted_write_keeps_the_earlier_output(result: ConsolidationResult, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C halfway through writing the file: the earlier workbook is byte-identical and no
    temporary file is left."""
    out = result.write(tmp_path / "out.xlsx", title="Earlier")
    before = out.read_bytes()

    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output_files.os, "fdopen", _interrupting_fdopen(os.fdopen, interrupt))
    with pytest.raises(KeyboardInterrupt):
        result.write(out, title="Later")
    monkeypatch.undo()
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def _killed_while_writing(result: ConsolidationResult, path: str, halfway: Any) -> None:
    """Run in a child process: write, and stop for ever with half the file on disk."""
    def stop() -> None:
        halfway.set()
        time.sleep(600)

    os.fdopen = _interrupting_fdopen(os.fdopen, stop)  # type: ignore[assignment]
    result.write(path, title="Later")


def test_killed_write_keeps_the_earlier_output(result: ConsolidationResult, tmp_path: Path) -> None:
    """A run killed with half the new file written leaves the earlier workbook byte-identical;
    what is left is a hidden file, which the next run skips."""
    out = result.write(tmp_path / "out.xlsx", title="Earlier")
    before = out.read_bytes()
    ctx = multiprocessing.get_context("fork")
    halfway = ctx.Event()
    child = ctx.Process(target=_killed_while_writing, args=(result, str(out), halfway))
    child.start()
    try:
        assert halfway.wait(60), "the child never got halfway"
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.join(30)
    assert child.exitcode == -signal.SIGKILL
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["out.xlsx"]
    assert is_whole_workbook(result.write(out, title="Again"))


def test_disk_full_keeps_the_earlier_output(result: ConsolidationResult, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk (the temporary file's bytes go to /dev/full) is an OutputError that says so;
    the earlier workbook is byte-identical and no temporary file is left."""
    out = result.write(tmp_path / "out.xlsx", title="Earlier")
    before = out.read_bytes()
    real = os.fdopen

    def full(fd: int, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if Path("/dev/full").exists():
            os.close(fd)
            return open("/dev/full", mode, buffering=0)

        def no_space() -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _interrupting_fdopen(real, no_space)(fd, mode, *args, **kwargs)

    monkeypatch.setattr(output_files.os, "fdopen", full)
    with pytest.raises(OutputError) as caught:
        result.write(out, title="Later")
    monkeypatch.undo()
    cause = caught.value.__cause__ or caught.value.__context__
    assert isinstance(cause, OSError) and cause.errno == errno.ENOSPC
    assert "space" in str(caught.value).lower()
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
