"""What a number in Actual means depends on its number format and on the indicator's unit: a date,
a time or a percentage typed for a count is reported as what the owner sees, never rated."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from rbwm_pmf.reading.cells import format_is_date, interpret_actual
from rbwm_pmf.reading.xlsx import Cell
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.run import validate
from tests.kit import header_columns, row_of, templates
from tests.test_cli import run_cli

FORMATS = [
    # dates
    ("d/m/yyyy", "date"),
    ("dd/mm/yyyy", "date"),
    ("mmm-yy", "date"),
    ("[$-F800]dddd, mmmm dd, yyyy", "date"),
    ("[$-809]dd mmmm yyyy;@", "date"),
    ("builtin:14", "date"),
    ("builtin:17", "date"),
    ("builtin:27", "date"),  # East Asian built-ins: yyyy"年"m"月" in Chinese
    ("builtin:31", "date"),
    ("builtin:57", "date"),
    ("builtin:32", "time"),  # h"时"mm"分"
    ("builtin:56", "time"),
    ('yyyy"年"m"月"d"日"', "date"),
    # times, elapsed times included
    ("h:mm", "time"),
    ("hh:mm:ss", "time"),
    ("mm:ss", "time"),
    ("h:mm AM/PM", "time"),
    ("[$-F400]h:mm:ss AM/PM", "time"),
    ("[h]:mm", "time"),
    ("[mm]:ss", "time"),
    ("[ss]", "time"),
    ("builtin:20", "time"),
    ("builtin:46", "time"),
    # both
    ("dd/mm/yyyy hh:mm", "datetime"),
    ("yyyy-mm-dd h:mm:ss", "datetime"),
    ("builtin:22", "datetime"),
    # numbers, some looking like dates
    ("General", None),
    ("0", None),
    ("#,##0", None),
    ("0.0%", None),
    ('0.00"d"', None),
    ('#,##0 "m"', None),
    ('0 "days"', None),
    ("0.0\\h", None),
    ("#,##0_m", None),
    ("0.00E+00", None),
    ("[Red]0.0;[Blue]-0.0", None),
    ("[$£-809]#,##0.00", None),
    ("[>=100]0;0.0", None),
    ("@", None),
    ("builtin:3", None),
    ("builtin:49", None),
    ("", None),
]


@pytest.mark.parametrize(("code", "shows"), FORMATS, ids=[f[0] or "empty" for f in FORMATS])
def test_format_is_date(code: str, shows: str | None) -> None:
    """Dates, times and elapsed times are told from numbers; quoted, escaped and bracketed
    parts of a format show no date."""
    assert format_is_date(code) == shows


SERIALS = [
    (Cell(9, 6, 43008.0, "number", number_format="dd/mm/yyyy"), "date", "30/09/2017"),
    (Cell(9, 6, 43008.0, "number", number_format="builtin:14"), "date", "30/09/2017"),
    (Cell(9, 6, 0.8583333333333333, "number", number_format="builtin:20"), "time", "20:36"),
    (Cell(9, 6, 0.5, "number", number_format="h:mm:ss"), "time", "12:00"),
    (Cell(9, 6, 1.5, "number", number_format="[h]:mm"), "time", "36:00"),
    (Cell(9, 6, 43008.8583333333333, "number", number_format="d/m/yyyy h:mm"), "date",
     "30/09/2017 20:36"),
    (Cell(9, 6, 60.0, "number", number_format="d/m/yyyy"), "date", "29/02/1900"),
    (Cell(9, 6, 61.0, "number", number_format="d/m/yyyy"), "date", "01/03/1900"),
    (Cell(9, 6, "2017-09-30T00:00:00", "date"), "date", "30/09/2017"),
]


@pytest.mark.parametrize(("cell", "kind", "shown"), SERIALS, ids=[s[2] for s in SERIALS])
def test_a_date_or_time_is_shown_as_the_owner_sees_it(cell: Cell, kind: str, shown: str) -> None:
    """Serial numbers in the 1900 system, with its 29 February 1900, shown as the cell shows."""
    parsed = interpret_actual(cell, "days")
    assert (parsed.kind, parsed.value, parsed.raw) == (kind, None, shown)
    assert "type the number of days as a number, e.g. 12" in parsed.detail


def test_a_percent_format_is_read_only_for_a_percentage() -> None:
    percent = interpret_actual(Cell(9, 6, 0.934, "number", number_format="0.0%"), "percent")
    assert (percent.kind, percent.value) == ("number", 93.4)
    count = interpret_actual(Cell(9, 6, 0.5, "number", number_format="0%"), "count")
    assert (count.kind, count.value, count.raw) == ("percent-format", None, "50%")
    assert count.detail == ("This indicator is a count, not a percentage: type the number itself, "
                            "e.g. 12, and set the cell's format back to General.")
    plain = interpret_actual(Cell(9, 6, 0.5, "number"), "count")
    assert (plain.kind, plain.value) == ("number", 0.5)


# -- in real returns -----------------------------------------------------------------------------

def _typed(template: Path, indicator_id: str, value: Any, number_format: str, out: Path) -> str:
    """Type `value` with `number_format` into the indicator's Actual, as Excel stores it; the
    cell's address."""
    wb = load_workbook(template)
    ws = wb[layout.RETURN_SHEET]
    _, cols = header_columns(ws)
    cell = ws.cell(row_of(ws, indicator_id), cols[layout.ACTUAL])
    cell.value = value
    cell.number_format = number_format
    wb.save(out)
    return f"{layout.RETURN_SHEET}!{cell.coordinate}"


@pytest.fixture(scope="module")
def owners(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return templates(tmp_path_factory.mktemp("templates"))


def _issues(path: Path, indicator_id: str) -> list[tuple[str, str, str, str]]:
    report = validate(path)
    return [(i.code, i.location, i.message, i.hint) for i in report.records
            if i.indicator_id == indicator_id]


def _status(path: Path, indicator_id: str) -> object:
    rows = validate(path).rows
    return rows[rows["indicator_id"] == indicator_id]["status"].iloc[0]


def test_a_date_in_a_count_is_reported_not_rated(owners: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "date.xlsx"
    cell = _typed(owners["LIB"], "2.3", dt.date(2017, 9, 30), "dd/mm/yyyy", out)
    assert _issues(out, "2.3") == [(
        "actual-date-typed", cell, "A date, 30/09/2017, was typed in Actual.",
        "The cell is formatted as a date: type the count as a number, e.g. 12, and set the "
        "cell's format back to General.")]
    assert _status(out, "2.3") is None


def test_a_date_in_a_1904_workbook_is_shown_as_excel_shows_it(owners: dict[str, Path],
                                                               tmp_path: Path) -> None:
    """In the 1904 date system 30/09/2017 is stored as 41,546 (43,008 in the 1900 system): the
    message gives the date the owner typed, not one four years off."""
    wb = load_workbook(owners["LIB"])
    wb.epoch = CALENDAR_MAC_1904
    ws = wb[layout.RETURN_SHEET]
    _, cols = header_columns(ws)
    cell = ws.cell(row_of(ws, "2.3"), cols[layout.ACTUAL])
    cell.value = dt.date(2017, 9, 30)
    cell.number_format = "dd/mm/yyyy"
    out = tmp_path / "mac.xlsx"
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        assert b'date1904="1"' in z.read("xl/workbook.xml")
        assert any(b"<v>41546</v>" in z.read(n) for n in z.namelist() if "worksheets/" in n)
    assert _issues(out, "2.3") == [(
        "actual-date-typed", f"Return!{cell.coordinate}", "A date, 30/09/2017, was typed in Actual.",
        "The cell is formatted as a date: type the count as a number, e.g. 12, and set the "
        "cell's format back to General.")]
    assert _status(out, "2.3") is None


def test_a_time_in_days_is_reported_not_rated(owners: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "time.xlsx"
    cell = _typed(owners["REV"], "5.2", dt.time(20, 36), "h:mm", out)
    assert _issues(out, "5.2") == [(
        "actual-date-typed", cell, "A time, 20:36, was typed in Actual.",
        "The cell is formatted as a time: type the number of days as a number, e.g. 12, and set "
        "the cell's format back to General.")]
    assert _status(out, "5.2") is None


def test_a_percentage_in_a_count_is_reported(owners: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "percent.xlsx"
    cell = _typed(owners["LIB"], "2.3", 0.5, "0%", out)
    assert _issues(out, "2.3") == [(
        "actual-percent-in-number", cell,
        '"50%" was typed as a percentage, but indicator 2.3 is not a percentage.',
        "This indicator is a count, not a percentage: type the number itself, e.g. 12, and set "
        "the cell's format back to General.")]
    assert _status(out, "2.3") is None


def test_over_100_percent_is_out_of_range(owners: dict[str, Path], tmp_path: Path) -> None:
    """103% typed in a percent cell (stored 1.03) is out of range, not rated Red."""
    out = tmp_path / "over.xlsx"
    cell = _typed(owners["ASC"], "1.4", 1.03, "0.0%", out)
    assert _issues(out, "1.4") == [(
        "actual-out-of-bounds", cell,
        "103% is outside the possible range for this indicator (0% to 100%).",
        "Check the figure: this percentage cannot be over 100%. Type the number of percent, such "
        "as 93.4 for 93.4%.")]


# -- Excel error values in the cells the rules read ---------------------------------------------

@pytest.mark.parametrize(("label", "code", "message"), [
    (layout.ID, "indicator-id-error-value",
     "The Indicator ID cell shows the Excel error #REF!, so the row cannot be matched to an "
     "indicator."),
    (layout.NAME, "name-error-value",
     "The Indicator cell shows the Excel error #N/A, not the indicator's name."),
    (layout.TARGET, "target-error-value",
     "The Target cell shows the Excel error #VALUE!; the register's target for this period is "
     "480,000."),
    (layout.COMMENTARY, "commentary-error-value",
     "Commentary shows the Excel error #DIV/0!, not the owner's words."),
    (layout.MITIGATION, "mitigation-error-value",
     "Mitigation actions shows the Excel error #NAME?, not the owner's words."),
])
def test_an_error_value_is_an_error_at_its_cell(owners: dict[str, Path], tmp_path: Path,
                                                label: str, code: str, message: str) -> None:
    """An error value (stored as Excel stores one: a cell of type e) in any cell a rule reads is
    an error at that cell, the row's value is not used, and the CLI exits 1."""
    error = {layout.ID: "#REF!", layout.NAME: "#N/A", layout.TARGET: "#VALUE!",
             layout.COMMENTARY: "#DIV/0!", layout.MITIGATION: "#NAME?"}[label]
    wb = load_workbook(owners["LIB"])
    ws = wb[layout.RETURN_SHEET]
    _, cols = header_columns(ws)
    r = row_of(ws, "2.3")
    ws.cell(r, cols[layout.ACTUAL]).value = 471200
    ws.cell(r, cols[layout.COMMENTARY]).value = "Visits are down on last year."
    ws.cell(r, cols[layout.MITIGATION]).value = "A summer reading campaign."
    cell = ws.cell(r, cols[label])
    cell.value = error
    cell.data_type = "e"
    out = tmp_path / "error.xlsx"
    wb.save(out)
    report = validate(out)
    found = [(i.code, i.location, i.message) for i in report.records if i.cell.endswith(str(r))]
    assert found == [(code, f"Return!{cell.coordinate}", message)]
    assert not report.valid
    assert not report.rows["accepted"].any()
    proc = run_cli("validate", str(out))
    assert proc.returncode == 1
    assert code in proc.stdout
