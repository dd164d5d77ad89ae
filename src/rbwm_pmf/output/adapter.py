"""The one place that reaches into XlsxWriter's worksheet internals, so that streaming a large
workbook row by row (constant_memory) can still give it Excel Tables and row heights, and a sheet
of thousands of sparklines is written in a fraction of the time.

tests/test_adapter.py fails, naming the XlsxWriter version and the attribute, when a release
changes any of them; pyproject.toml pins XlsxWriter to the minor versions checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

__all__ = ["INTERNALS", "add_sparklines", "add_streamed_table", "forget_row"]

# The worksheet attributes used here and the type each must have.
INTERNALS: dict[str, type] = {
    "constant_memory": bool,  # whether the sheet streams its rows to disk
    "table_cells": dict,  # (row, col) -> the table range covering it, to refuse overlaps
    "row_info": dict,  # row -> its height and format, kept until the sheet is closed
    "sparklines": list,  # one dict per add_sparkline call, written when the sheet is closed
}


def add_streamed_table(ws: Any, first_row: int, first_col: int, last_row: int, last_col: int,
                       options: dict[str, Any]) -> None:
    """`add_table` for a sheet written row by row (constant_memory), before its data rows.

    The header cells are written by this call; the caller writes the data rows after it, in order.
    """
    # XlsxWriter refuses tables in constant_memory mode only because add_table writes the header
    # cells itself, out of row order. The table is declared with the mode off for the call...
    streaming = ws.constant_memory
    ws.constant_memory = False
    try:
        if ws.add_table(first_row, first_col, last_row, last_col, options) != 0:
            raise ValueError(f"table {options.get('name')} could not be added")
    finally:
        ws.constant_memory = streaming
    # ...and its header cells are then written again, in order, as the row-by-row writer expects.
    # XlsxWriter also remembers every cell of every table to refuse overlapping ranges, about a
    # hundred bytes a cell; the tables of a sheet here are placed one below another, so never
    # overlap, and the memory is given back.
    ws.table_cells.clear()
    for n, column in enumerate(options["columns"]):
        ws.write_string(first_row, first_col + n, column["header"], column.get("header_format"))


def forget_row(ws: Any, row: int) -> None:
    """Drop what XlsxWriter keeps of a row already streamed to disk (its height and format).

    A streamed row is written when the next row begins, but its height stays in memory until the
    sheet is closed: about 200 bytes a row, which a 100,000-row sheet would keep for nothing.
    """
    ws.row_info.pop(row, None)


def add_sparklines(ws: Any, cells: Sequence[tuple[int, int, str]], options: dict[str, Any],
                   floors: Sequence[float | None]) -> None:
    """`add_sparkline` for each of `cells` (row, column, the range it draws), all with
    `options`, each with its own axis minimum (`floors`).

    XlsxWriter works out the colours of all 36 sparkline styles for every call (about half a
    millisecond); here the first sparkline is added by the call and each other is a copy of it
    with its own cell, range and minimum, as the call would have made it.
    """
    if not cells:
        return
    (row, col, first_range), *others = cells
    if ws.add_sparkline(row, col, {**options, "range": first_range, "min": floors[0]}) != 0:
        raise ValueError(f"the sparkline of {ws.name} row {row + 1} could not be added")
    made = ws.sparklines[-1]
    sheet = quote_sheetname(ws.name)
    for (row, col, cells_range), floor in zip(others, floors[1:], strict=True):
        ws.sparklines.append({**made, "locations": [xl_rowcol_to_cell(row, col)],
                              "ranges": [f"{sheet}!{cells_range}"], "min": floor})
