"""Reading returns: addresses, percentages, text that looks like numbers, error values."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from rbwm_pmf.reading.cells import interpret_actual
from rbwm_pmf.reading.returns import read_return
from rbwm_pmf.reading.xlsx import Cell
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.run import validate
from tests.kit import SAMPLES, fill, row_of, templates


@pytest.fixture()
def asc(tmp_path: Path) -> Path:
    return templates(tmp_path / "t")["ASC"]


def actual_of(report_rows: object, indicator_id: str) -> float:
    rows = report_rows  # a DataFrame
    hit = rows[rows["indicator_id"] == indicator_id]  # type: ignore[index]
    return float(hit["actual_value"].iloc[0])


def test_percent_typed_three_ways_reads_as_points(asc: Path, tmp_path: Path) -> None:
    """93.4 typed in the percent cell (stored 0.934), the text "93.4%", and 93.4 in a cell whose
    format was cleared all read as 93.4."""
    typed = fill(asc, {"1.4": (93.4, "c", "")}, tmp_path / "typed.xlsx")
    text = fill(asc, {"1.4": ("93.4%", "c", "")}, tmp_path / "text.xlsx")
    cleared = fill(asc, {"1.4": (93.4, "c", "")}, tmp_path / "cleared.xlsx")
    wb = load_workbook(cleared)
    ws = wb[layout.RETURN_SHEET]
    cell = ws.cell(row_of(ws, "1.4"), 6)
    cell.value = 93.4
    cell.number_format = "General"
    wb.save(cleared)
    for path in (typed, text, cleared):
        report = validate(path)
        assert actual_of(report.rows, "1.4") == 93.4, path.name
    codes = [i.code for i in validate(text).records if i.indicator_id == "1.4"]
    assert codes == ["actual-text-number"]
    assert [i.code for i in validate(cleared).records if i.indicator_id == "1.4"] == []


def test_header_found_after_inserted_rows_and_columns(asc: Path) -> None:
    """Rows inserted above the table and a column added after it move every address."""
    wb = load_workbook(asc)
    ws = wb[layout.RETURN_SHEET]
    ws.protection.sheet = False
    ws.insert_rows(2, 3)
    ws.cell(8, 9).value = "My notes"
    r = row_of(ws, "1.5")
    ws.cell(r, 6).value = "n/a"
    wb.save(asc)
    ret = read_return(asc)
    assert ret.header_row == 8
    issue = next(i for i in validate(asc).records if i.indicator_id == "1.5")
    assert (issue.code, issue.location) == ("actual-not-a-number", f"Return!F{r}")


CASES = [
    (Cell(9, 6, "n/a", "text"), "count", "text", None),
    (Cell(9, 6, "1,234", "text"), "count", "text-number", 1234.0),
    (Cell(9, 6, " 88 ", "text"), "count", "text-number", 88.0),
    (Cell(9, 6, "95%", "text"), "count", "text", None),
    (Cell(9, 6, "95%", "text"), "percent", "text-number", 95.0),
    (Cell(9, 6, "£1,200", "text"), "currency", "text-number", 1200.0),
    (Cell(9, 6, "£1,200", "text"), "count", "text", None),
    (Cell(9, 6, "#DIV/0!", "error"), "count", "error", None),
    (Cell(9, 6, None, "formula-no-result", formula="B2/C2"), "count", "formula-no-result", None),
    (Cell(9, 6, 0.934, "number", number_format="0.0%"), "percent", "number", 93.4),
    (Cell(9, 6, 93.4, "number"), "percent", "number", 93.4),
    (Cell(9, 6, "   ", "text"), "count", "blank", None),
    (Cell(9, 6, 43008.0, "number", number_format="d/m/yyyy"), "count", "date", None),
    (Cell(9, 6, 0.858333, "number", number_format="builtin:20"), "days", "time", None),
    (Cell(9, 6, 0.5, "number", number_format="0%"), "count", "percent-format", None),
    (Cell(9, 6, 0.5, "number", number_format="0%"), "percent", "number", 50.0),
    (Cell(9, 6, 12.0, "number", number_format='0 "days"'), "days", "number", 12.0),
]


@pytest.mark.parametrize(("cell", "unit", "kind", "value"), CASES,
                         ids=[f"{c[0].value!r}-{c[1]}" for c in CASES])
def test_interpret_actual(cell: Cell, unit: str, kind: str, value: float | None) -> None:
    """What an owner typed is read as Excel stored it, and what it means is certain or not."""
    parsed = interpret_actual(cell, unit)
    assert (parsed.kind, parsed.value) == (kind, value)


def test_hints_name_the_fix() -> None:
    """Text in Actual gets a hint that fits what was typed."""
    assert "blank" in interpret_actual(Cell(9, 6, "n/a", "text"), "count").detail
    assert "percentage sign" in interpret_actual(Cell(9, 6, "95%", "text"), "count").detail
    assert "approx" in interpret_actual(Cell(9, 6, "approx 50", "text"), "count").detail


def test_reading_leaves_no_reference_cycles() -> None:
    """A batch pauses the cycle collector, so reading a return must free everything by reference
    counting alone: no parser state may be left in a cycle, return after return."""
    import gc

    paths = sorted((SAMPLES / "returns").rglob("*.xlsx"))[:6]
    gc.collect()
    gc.disable()
    try:
        for path in paths:
            read_return(path)
        assert gc.collect() == 0
    finally:
        gc.enable()
