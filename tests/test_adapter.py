"""The XlsxWriter adapter: the worksheet internals it relies on still exist, and a table declared
through it on a streamed (constant_memory) sheet gives a valid workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from rbwm_pmf.output.adapter import INTERNALS, add_streamed_table, forget_row

VERSION = xlsxwriter.__version__


def _streamed_book(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})


@pytest.mark.parametrize("attribute", sorted(INTERNALS))
def test_internals_exist_with_their_types(attribute: str, tmp_path: Path) -> None:
    """Each worksheet attribute the adapter touches exists on a fresh streamed sheet, with the
    type it had when the adapter was written."""
    wb = _streamed_book(tmp_path / "probe.xlsx")
    ws = wb.add_worksheet()
    expected = INTERNALS[attribute]
    assert hasattr(ws, attribute), (
        f"XlsxWriter {VERSION}: Worksheet.{attribute} is gone; output/adapter.py needs a new way "
        f"to stream tables (or pin the XlsxWriter version that has it).")
    value = getattr(ws, attribute)
    assert isinstance(value, expected), (
        f"XlsxWriter {VERSION}: Worksheet.{attribute} is a {type(value).__name__}, not a "
        f"{expected.__name__}; check output/adapter.py against this release.")
    wb.close()


def test_constant_memory_is_on_for_a_streamed_sheet(tmp_path: Path) -> None:
    """The flag the adapter turns off for one call is the one constant_memory sets."""
    wb = _streamed_book(tmp_path / "probe.xlsx")
    ws = wb.add_worksheet()
    assert ws.constant_memory, (
        f"XlsxWriter {VERSION}: Worksheet.constant_memory no longer reflects the workbook option.")
    wb.close()


def test_a_streamed_table_reads_back(tmp_path: Path) -> None:
    """A table declared through the adapter before its rows, on a streamed sheet, opens in
    openpyxl with the declared range and header cells, and the rows after it are intact."""
    path = tmp_path / "table.xlsx"
    wb = _streamed_book(path)
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True})
    ws.write_string(0, 0, "Title")
    add_streamed_table(ws, 2, 0, 4, 2, {
        "name": "Numbers",
        "columns": [{"header": h, "header_format": bold} for h in ("Name", "Count", "Note")],
    })
    for r, (name, count) in enumerate([("a", 1), ("b", 2)], start=3):
        ws.write_string(r, 0, name)
        ws.write_number(r, 1, count)
        ws.write_string(r, 2, f"row {r}")
        ws.set_row(r, 30)
        forget_row(ws, r - 1)
    add_streamed_table(ws, 6, 0, 7, 1, {  # a second table below the first: no overlap refused
        "name": "More", "columns": [{"header": "X"}, {"header": "Y"}]})
    ws.write_string(7, 0, "x")
    ws.write_string(7, 1, "y")
    wb.close()

    book = load_workbook(path)
    sheet = book["Data"]
    assert set(sheet.tables) == {"Numbers", "More"}, f"XlsxWriter {VERSION}: tables missing"
    assert sheet.tables["Numbers"].ref == "A3:C5", f"XlsxWriter {VERSION}: wrong table range"
    assert [c.value for c in sheet[3]] == ["Name", "Count", "Note"], (
        f"XlsxWriter {VERSION}: the header cells written by add_streamed_table are wrong")
    assert sheet["A3"].font.b
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=5)] == [
        ["a", 1, "row 3"], ["b", 2, "row 4"]]
    assert sheet.row_dimensions[4].height == 30
    assert sheet.tables["More"].ref == "A7:B8"
    assert [c.value for c in sheet[7]][:2] == ["X", "Y"]
    book.close()


def test_sparklines_are_what_add_sparkline_makes(tmp_path: Path) -> None:
    """Sparklines added through the adapter give the sheet XML that one add_sparkline call per
    cell gives, on a sheet whose name needs quoting, each with its own range and minimum."""
    from zipfile import ZipFile

    from rbwm_pmf.output.adapter import add_sparklines

    options = {"type": "column", "last_point": True, "empty_cells": "gaps",
               "series_color": "#2E75B6", "last_color": "#D55E00"}
    cells = [(row, 0, f"B{row + 1}:I{row + 1}") for row in range(1, 6)]
    floors = [0.5, None, -2.0, 10.0, 3.25]
    sheets = []
    for name, through_adapter in (("each.xlsx", False), ("adapter.xlsx", True)):
        wb = xlsxwriter.Workbook(str(tmp_path / name))
        ws = wb.add_worksheet("Appendix 1")
        for row, _, _ in cells:
            ws.write_row(row, 1, [row, row + 1, None, row * 2, 5, 4, 3, row])
        if through_adapter:
            add_sparklines(ws, cells, options, floors)
        else:
            for (row, col, cells_range), floor in zip(cells, floors, strict=True):
                assert ws.add_sparkline(row, col, {**options, "range": cells_range,
                                                   "min": floor}) == 0
        wb.close()
        with ZipFile(tmp_path / name) as book:
            sheets.append(book.read("xl/worksheets/sheet1.xml"))
    assert sheets[0] == sheets[1]
    assert sheets[1].count(b"<x14:sparkline>") == 5
    assert b"<xm:f>'Appendix 1'!B4:I4</xm:f>" in sheets[1]
