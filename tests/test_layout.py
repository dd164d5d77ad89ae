"""Return layouts that can be read more than one way are refused with one clear record, never
guessed: a template header twice, merged cells over the table's rows, a Strict Open XML workbook.

Each test fills in real templates as an owner would, changes one of them the way an owner's Excel
would, and validates it in a batch beside a good return that must be unaffected.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.reading.returns import read_return
from rbwm_pmf.reading.xlsx import NS_MAIN, NS_STRICT
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.report import FileOutcome, ValidationReport
from rbwm_pmf.validation.run import validate
from tests.kit import fill, header_columns, row_of, templates

PERIOD = "2017-18-Q2"
ASC = {"1.3": (77.5, "Reviews behind plan.", "Extra reviewer until March."),
       "1.4": (82.9, "Short of target.", "Weekly case review."),
       "1.5": (541, "On track.", ""), "1.7": (4.4, "Good.", ""),
       "2.2": (92.4, "Short.", "Audit of outcomes.")}
PH = {"1.1": (93.4, "Good.", ""), "1.6": (193, "Short.", "More clinics.")}


@pytest.fixture()
def returns(tmp_path: Path) -> tuple[Path, Path]:
    """A good ASC return and a good PH return, filled in from real templates."""
    made = templates(tmp_path / "templates")
    return (fill(made["ASC"], ASC, tmp_path / "asc.xlsx"),
            fill(made["PH"], PH, tmp_path / "ph.xlsx"))


def _changed(path: Path, out: Path, change: Callable[[Worksheet], Any]) -> Path:
    wb = load_workbook(path)
    change(wb[layout.RETURN_SHEET])
    wb.save(out)
    return out


def _records(report: ValidationReport, path: Path) -> list[tuple[str, str, str]]:
    return [(i.code, i.cell, i.message) for i in report.records if Path(i.file) == path]


def _outcome(report: ValidationReport, path: Path) -> FileOutcome:
    return next(f for f in report.files if Path(f.path) == path)


def _good_return_unaffected(report: ValidationReport, good: Path) -> None:
    assert _records(report, good) == []
    outcome = _outcome(report, good)
    assert outcome.status == "valid"
    assert outcome.rows_read == outcome.rows_accepted == len(PH)


# -- a template header twice -------------------------------------------------------------------

def test_a_second_actual_column_is_refused_naming_both_cells(tmp_path: Path,
                                                             returns: tuple[Path, Path]) -> None:
    asc, ph = returns

    def working_column(ws: Worksheet) -> None:
        header, cols = header_columns(ws)
        assert (header, cols[layout.ACTUAL]) == (5, 6)
        ws.cell(header, 9).value = "Actual"
        ws.cell(row_of(ws, "1.5"), 9).value = 999  # the owner's own working

    bad = _changed(asc, tmp_path / "asc-working.xlsx", working_column)
    report = validate([bad, ph], period=PERIOD)
    assert _records(report, bad) == [(
        "header-duplicate", "I5",
        "The header 'Actual' is in both F5 and I5, so it is not clear which column holds the "
        "figures.")]
    issue = next(i for i in report.records if Path(i.file) == bad)
    assert issue.sheet == layout.RETURN_SHEET and issue.column == layout.ACTUAL
    assert issue.hint == ("Keep the template's own 'Actual' column and rename or delete the other; "
                          "put your own working in a column with another header.")
    assert _outcome(report, bad).rows_accepted == 0
    assert not read_return(bad).rows
    _good_return_unaffected(report, ph)


def test_each_extra_column_with_a_template_header_is_one_record(tmp_path: Path,
                                                                returns: tuple[Path, Path]) -> None:
    asc, ph = returns

    def copies(ws: Worksheet) -> None:
        ws["I5"], ws["J5"], ws["K5"] = "Actual", " commentary ", "Actual"

    bad = _changed(asc, tmp_path / "asc-copies.xlsx", copies)
    report = validate([bad, ph], period=PERIOD)
    assert [(code, cell) for code, cell, _ in _records(report, bad)] == [
        ("header-duplicate", "I5"), ("header-duplicate", "J5"), ("header-duplicate", "K5")]
    assert "'Commentary' is in both G5 and J5" in _records(report, bad)[1][2]
    assert "'Actual' is in both F5 and K5" in _records(report, bad)[2][2]
    assert _outcome(report, bad).rows_accepted == 0
    _good_return_unaffected(report, ph)


def test_a_template_header_outside_the_header_row_is_not_a_duplicate(
        tmp_path: Path, returns: tuple[Path, Path]) -> None:
    asc, ph = returns
    noted = _changed(asc, tmp_path / "asc-noted.xlsx", lambda ws: ws.cell(20, 9, "Actual"))
    report = validate([noted, ph], period=PERIOD)
    assert _records(report, noted) == []
    assert _outcome(report, noted).rows_accepted == len(ASC)


# -- merged cells --------------------------------------------------------------------------------

def test_mitigation_merged_over_three_rows_is_refused(tmp_path: Path,
                                                      returns: tuple[Path, Path]) -> None:
    asc, ph = returns
    bad = _changed(asc, tmp_path / "asc-merged.xlsx", lambda ws: ws.merge_cells("H6:H8"))
    assert read_return(bad).issues[0].cell == "H6:H8"
    report = validate([bad, ph], period=PERIOD)
    assert _records(report, bad) == [(
        "table-merged-cells", "H6:H8",
        "Cells H6:H8 are merged, so the cells covered by the first one look filled but are read "
        "as empty.")]
    assert _outcome(report, bad).rows_accepted == 0
    _good_return_unaffected(report, ph)


def test_every_merged_range_over_the_table_is_one_record(tmp_path: Path,
                                                         returns: tuple[Path, Path]) -> None:
    asc, ph = returns

    def merges(ws: Worksheet) -> None:
        ws.merge_cells("G6:G8")  # Commentary over three rows
        ws.merge_cells("E9:F9")  # Target and Actual side by side
        ws.merge_cells("I6:J9")  # the owner's own columns, beside the table: not the table's
        ws.merge_cells("A1:D1")  # the title, above the header row

    bad = _changed(asc, tmp_path / "asc-merges.xlsx", merges)
    report = validate([bad, ph], period=PERIOD)
    assert [(code, cell) for code, cell, _ in _records(report, bad)] == [
        ("table-merged-cells", "G6:G8"), ("table-merged-cells", "E9:F9")]
    assert _outcome(report, bad).rows_accepted == 0
    _good_return_unaffected(report, ph)


def test_merged_cells_outside_the_table_are_allowed(tmp_path: Path,
                                                    returns: tuple[Path, Path]) -> None:
    asc, ph = returns

    def merges(ws: Worksheet) -> None:
        ws.merge_cells("A1:D1")  # the title row
        ws.merge_cells("I6:J9")  # beside the table
        ws.merge_cells("A30:H32")  # empty cells well below the table

    fine = _changed(asc, tmp_path / "asc-merged-elsewhere.xlsx", merges)
    report = validate([fine, ph], period=PERIOD)
    assert _records(report, fine) == []
    assert _outcome(report, fine).rows_accepted == len(ASC)
    _good_return_unaffected(report, ph)


# -- Strict Open XML -----------------------------------------------------------------------------

def _as_strict(path: Path, out: Path) -> Path:
    """`path` as Excel saves it with 'Strict Open XML Spreadsheet': the workbook and its sheets
    in the strict namespace."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml" or info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(NS_MAIN.encode(), NS_STRICT.encode())
            zout.writestr(info, data)
    return out


def test_a_strict_open_xml_workbook_is_refused_as_such(tmp_path: Path,
                                                       returns: tuple[Path, Path]) -> None:
    asc, ph = returns
    strict = _as_strict(asc, tmp_path / "asc-strict.xlsx")
    assert NS_STRICT.encode() in zipfile.ZipFile(strict).read("xl/workbook.xml")
    report = validate([strict, ph], period=PERIOD)
    assert _records(report, strict) == [
        ("file-strict-xml", "", "The workbook was saved as Strict Open XML, which is not read.")]
    issue = next(i for i in report.records if Path(i.file) == strict)
    assert issue.hint == ("In Excel use File > Save As and choose 'Excel Workbook (.xlsx)', not "
                          "'Strict Open XML Spreadsheet'.")
    assert _outcome(report, strict).rows_accepted == 0
    _good_return_unaffected(report, ph)
