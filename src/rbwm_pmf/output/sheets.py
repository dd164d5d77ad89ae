"""Sheets declared as data: a table is a list of columns (header, width, format, and how each
cell's value is found in a record), written by one table writer onto a sheet streamed row by row."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rbwm_pmf.model.status import AMBER, GREEN, NO_DATA, NOT_RATED, RED
from rbwm_pmf.model.values import EXCEL_CELL_LIMIT, fit_text, is_missing
from rbwm_pmf.output.adapter import add_streamed_table, forget_row
from rbwm_pmf.output.text import ARIAL_11, footer_text

__all__ = [
    "EXCEL_CELL_LIMIT", "FONT", "FORMATS", "RAG_FORMATS", "Book", "Cell", "Column", "Sheet",
    "fit_text", "is_missing", "number", "widths",
]

R = TypeVar("R")

TABLE_STYLE = "Table Style Light 1"
FONT = {"font_name": "Arial", "font_size": 11, "font_scheme": "none"}
_TEXT_FIT = ARIAL_11  # the estimate of how FONT's text wraps
_DEFAULT_WIDTH = 8.43  # Excel's, for a column no table declares

_CELL = {"valign": "top", "border": 1, "border_color": "#A6A6A6"}
# Text from returns gets Excel's quote prefix too, so editing the cell later cannot turn "=..."
# into a formula.
_TEXT = {**_CELL, "quote_prefix": True}
_HEADER = {**_CELL, "bold": True, "text_wrap": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79"}

# Every cell format of the workbook, defined once. Conditional formats (rag_*) give RAG cells
# colour as emphasis; each pair of fill and text colour passes WCAG AA (contrast 4.5 or more).
FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16},
    "subtitle": {"font_size": 11},
    "wrap_line": {"text_wrap": True, "valign": "top"},
    "heading": {"bold": True, "font_size": 12},
    "caption": {"bold": True, "font_size": 11},
    "header": _HEADER,
    "header_right": {**_HEADER, "align": "right"},  # over a column of numbers
    "text": _TEXT,
    # a word such as "No data" in a column of numbers, wrapped: "No data (explained)" is wide
    "text_right": {**_TEXT, "align": "right", "text_wrap": True},
    "wrap": {**_TEXT, "text_wrap": True},
    "bold_text": {**_TEXT, "bold": True, "text_wrap": True},
    "link": {**_CELL, "font_color": "#0563C1", "underline": 1},
    "integer": {**_CELL, "num_format": "#,##0"},
    "bold_integer": {**_CELL, "num_format": "#,##0", "bold": True},
    "percent": {**_CELL, "num_format": '0.0"%"'},  # values are in points: 93.4 shows as 93.4%
    "count": {**_CELL, "num_format": "#,##0"},
    "currency": {**_CELL, "num_format": "£#,##0"},
    "decimal": {**_CELL, "num_format": "#,##0.0#"},
    "rag_green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "rag_amber": {"bg_color": "#FFEB9C", "font_color": "#7F4F00"},
    "rag_red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "rag_not_rated": {"bg_color": "#EDEDED", "font_color": "#3F3F3F"},
    "rag_no_data": {"bg_color": "#DDEBF7", "font_color": "#1F3864"},
}
RAG_FORMATS = {GREEN: "rag_green", AMBER: "rag_amber", RED: "rag_red", NOT_RATED: "rag_not_rated",
               NO_DATA: "rag_no_data"}


@dataclass(frozen=True)
class Column(Generic[R]):
    """A table column: its header, its width in characters, how its value is found in a record
    (the name of one of the record's fields, or a function of the record) and the format of its
    cells (a key of FORMATS). A value may be a `Cell` to give that cell its own format or a link.

    `width` None takes the width of the sheet's column, set by the sheet's first table.
    """

    header: str
    width: float | None
    value: str | Callable[[R], Any]
    fmt: str = "text"
    rag: bool = False  # holds RAG words: coloured by them
    right: bool = False  # a column of numbers: its header is aligned right too

    def of(self, record: R) -> Any:
        """This column's value for `record`."""
        if isinstance(self.value, str):
            return getattr(record, self.value)
        return self.value(record)

    @property
    def header_fmt(self) -> str:
        return "header_right" if self.right or self.fmt == "integer" else "header"


@dataclass(frozen=True)
class Cell:
    """A cell value with its own format or an internal link, overriding its column's."""

    value: Any
    fmt: str | None = None
    url: str | None = None


def widths(columns: Sequence[Column[Any]]) -> list[float]:
    """The column widths a sheet gets from the columns of its first table."""
    out = [c.width for c in columns]
    if any(w is None for w in out):
        raise ValueError("a sheet's first table must declare every column's width")
    return [float(w) for w in out if w is not None]





def number(value: Any) -> float | None:
    """`value` as a float when it is a real number (never a bool or a missing value)."""
    if is_missing(value) or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


# -- the workbook and its sheets ----------------------------------------------------------

class Book:
    """An XlsxWriter workbook with one Format object per entry of FORMATS, and the document title
    every sheet's footer repeats."""

    def __init__(self, wb: Any, title: str) -> None:
        self.wb = wb
        self.title = title
        self.formats = {name: wb.add_format(props) for name, props in FORMATS.items()}

    def sheet(self, name: str, title: str, column_widths: Sequence[float]) -> Sheet:
        """A new worksheet with `title` in A1."""
        return Sheet(self, name, title, column_widths)

    def rag_colours(self, ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Colour RAG cells by their word: colour is emphasis, the word is the meaning."""
        for status, fmt in RAG_FORMATS.items():
            ws.conditional_format(first_row, first_col, last_row, last_col, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": self.formats[fmt],
            })


class Sheet:
    """One worksheet: a title in A1, lines under it, then tables from column A, written in row
    order (the workbook streams its rows to disk)."""

    def __init__(self, book: Book, name: str, title: str, column_widths: Sequence[float]) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.name = name
        self.widths = list(column_widths)
        self.row = 0
        ws = self.ws
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, width)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        # Excel allows 255 characters in a footer.
        ws.set_footer(f"&L{footer_text(book.title[:120])}&C{footer_text(name)}&RPage &P of &N")
        self.line(title, "title", height=24)

    def fmt(self, name: str) -> Any:
        return self.book.formats[name]

    def width(self, col: int) -> float:
        return self.widths[col] if col < len(self.widths) else _DEFAULT_WIDTH

    def line(
        self, text: str, fmt: str = "subtitle", *, wrap: bool = False, height: float | None = None
    ) -> None:
        """A line of text in column A (wrapped in column A when `wrap`)."""
        text, _ = fit_text(text)
        self.ws.write_string(self.row, 0, text, self.fmt("wrap_line" if wrap else fmt))
        if wrap:
            self.ws.set_row(self.row, _TEXT_FIT.height(_TEXT_FIT.lines(text, self.width(0))))
        elif height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def gap(self) -> None:
        """One blank row between two tables (never inside one)."""
        self.row += 1

    def table(
        self,
        name: str,
        columns: Sequence[Column[R]],
        records: Iterable[R],
        *,
        count: int | None = None,
        caption: str | None = None,
        empty: str = "None.",
        autofilter: bool = False,
        repeat_header: bool = False,
    ) -> tuple[int, int] | None:
        """Write an Excel Table with one header row and a row per record; return its first and
        last data rows (None when there are no records: `empty` is written instead).

        `records` may be a generator when `count` gives its length: rows are written as they come.
        """
        for c, col in enumerate(columns):
            if col.width is not None and col.width != self.width(c):
                raise ValueError(f"table {name}: column {col.header!r} is declared {col.width} wide "
                                 f"but the sheet's column is {self.width(c)}")
        if count is None:
            records = list(records)
            count = len(records)
        if caption:
            self.line(caption, "caption")
        if not count:
            self.line(empty)
            return None
        ws, top = self.ws, self.row
        header_lines = max(_TEXT_FIT.lines(c.header, self.width(i), bold=True)
                           for i, c in enumerate(columns))
        ws.set_row(top, _TEXT_FIT.height(header_lines))
        last = top + count
        add_streamed_table(ws, top, 0, last, len(columns) - 1, {
            "name": name,
            "style": TABLE_STYLE,
            "autofilter": autofilter,
            # LibreOffice does not show table styles, so header cells are formatted as well.
            "columns": [{"header": c.header, "header_format": self.fmt(c.header_fmt)}
                        for c in columns],
            **({"title": caption} if caption else {}),
        })
        written = 0
        for r, record in enumerate(records, start=top + 1):
            lines = 1
            for c, col in enumerate(columns):
                lines = max(lines, self._cell(r, c, col.fmt, col.of(record)))
            ws.set_row(r, _TEXT_FIT.height(lines))
            # The row before was written to disk when this row began.
            forget_row(ws, r - 1)
            written += 1
        if written != count:
            raise ValueError(f"table {name}: {written} rows written, {count} declared")
        for c, col in enumerate(columns):
            if col.rag:
                self.book.rag_colours(ws, top + 1, c, last, c)
        if repeat_header:
            ws.repeat_rows(top)
            ws.freeze_panes(top + 1, 0)
        self.row = last + 1
        return top + 1, last

    def _cell(self, r: int, c: int, fmt_name: str, value: Any) -> int:
        """Write one cell; return the lines it needs."""
        url = None
        if isinstance(value, Cell):
            fmt_name, url, value = value.fmt or fmt_name, value.url, value.value
        fmt = self.fmt(fmt_name)
        ws = self.ws
        if url is not None:
            ws.write_url(r, c, url, fmt, string=str(value))
            return 1
        real = number(value)
        if real is not None and not math.isnan(real):
            ws.write_number(r, c, real, fmt)
            return 1
        if is_missing(value) or value == "":
            ws.write_blank(r, c, None, fmt)
            return 1
        # Every string is written as text, never as a formula, number or link.
        text, _ = fit_text(str(value))
        ws.write_string(r, c, text, fmt)
        if FORMATS[fmt_name].get("text_wrap"):
            return _TEXT_FIT.lines(text, self.width(c), bold=bool(FORMATS[fmt_name].get("bold")))
        return 1
