"""Sheets declared as data: a table is a list of columns (header, width, format, and how each
cell's value is found in a record), written by one table writer onto a sheet streamed row by row."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from xlsxwriter.utility import xl_range

from rbwm_pmf.model.status import AMBER, GREEN, NO_DATA, NOT_RATED, RED
from rbwm_pmf.model.values import EXCEL_CELL_LIMIT, fit_text, is_missing
from rbwm_pmf.output.adapter import add_sparklines, add_streamed_table, forget_row
from rbwm_pmf.output.text import (
    ARIAL_11,
    arial_lines,
    arial_width,
    footer_text,
    unbreakable,
    wrap_to_width,
)

__all__ = [
    "EXCEL_CELL_LIMIT", "FONT", "FORMATS", "RAG_FORMATS", "Book", "Cell", "Column", "Page", "Sheet",
    "fit_text", "is_missing", "number", "widths",
]

R = TypeVar("R")

TABLE_STYLE = "Table Style Light 1"
FONT = {"font_name": "Arial", "font_size": 11, "font_scheme": "none"}
_TEXT_FIT = ARIAL_11  # the height of a line of FONT
_DEFAULT_WIDTH = 8.43  # Excel's, for a column no table declares
_LINE_HEIGHT = 15.0  # points: a row of one line of FONT
_INDENT_UNITS = 1.5  # column width units one indent level takes (about a character and a half)
_CELL_PADDING = 4.0  # points of a cell's width that text never uses (both sides)
_WRAP_ROOM = 0.9  # of a cell's width that wrapped text is taken to fill, for a row's height
_FIRST_ROWS = 3  # rows of a table longer than a page that must fit under its header to start

_CELL = {"valign": "top", "border": 1, "border_color": "#A6A6A6"}
# Text sits one indent from the left edge of its cell, so it never runs on from a number
# aligned right in the cell before ("80.0%77.5% vs target"). LibreOffice indents left-aligned
# text only, so numbers stay flush right.
_LEFT = {"align": "left", "indent": 1}
# Text from returns gets Excel's quote prefix too, so editing the cell later cannot turn "=..."
# into a formula.
_TEXT = {**_CELL, **_LEFT, "quote_prefix": True}
_HEADER_CELL = {**_CELL, "bold": True, "text_wrap": True, "font_color": "#FFFFFF",
                "bg_color": "#1F4E79"}
_HEADER = {**_HEADER_CELL, **_LEFT}

# Every cell format of the workbook, defined once. Conditional formats (rag_*) give RAG cells
# colour as emphasis; each pair of fill and text colour passes WCAG AA (contrast 4.5 or more).
FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16},
    "subtitle": {"font_size": 11},
    "wrap_line": {"text_wrap": True, "valign": "top"},
    "heading": {"bold": True, "font_size": 12},
    "caption": {"bold": True, "font_size": 11},
    "header": _HEADER,
    "header_right": {**_HEADER_CELL, "align": "right"},  # over a column of numbers
    "text": _TEXT,
    # a word such as "No data" in a column of numbers, wrapped: "No data (explained)" is wide
    "text_right": {**_CELL, "quote_prefix": True, "align": "right", "text_wrap": True},
    "wrap": {**_TEXT, "text_wrap": True},
    "bold_text": {**_TEXT, "bold": True, "text_wrap": True},
    "link": {**_CELL, **_LEFT, "font_color": "#0563C1", "underline": 1},
    "integer": {**_CELL, "num_format": "#,##0"},
    "bold_integer": {**_CELL, "num_format": "#,##0", "bold": True},
    "percent": {**_CELL, "num_format": '0.0"%"'},  # values are in points: 93.4 shows as 93.4%
    "count": {**_CELL, "num_format": "#,##0"},
    "currency": {**_CELL, "num_format": "£#,##0"},
    "decimal": {**_CELL, "num_format": "#,##0.0#"},
    "share_1dp": {**_CELL, "num_format": "0.0"},  # a share in points to one decimal place
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

    def sheet(self, name: str, title: str, column_widths: Sequence[float], *,
              printed: int | None = None) -> Sheet:
        """A new worksheet with `title` in A1; only its first `printed` columns print (all of
        them when None)."""
        return Sheet(self, name, title, column_widths, printed=printed)

    def rag_colours(self, ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Colour RAG cells by their word: colour is emphasis, the word is the meaning."""
        for status, fmt in RAG_FORMATS.items():
            ws.conditional_format(first_row, first_col, last_row, last_col, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": self.formats[fmt],
            })


@dataclass(frozen=True)
class Page:
    """A printed page: A4 landscape with the sheets' margins, and how much of a sheet fits on it
    when the sheet is printed one page wide (estimates, a little short of what fits)."""

    width: float = 841.9 - 2 * 0.4 * 72  # points between the side margins
    height: float = 595.3 - 2 * 0.6 * 72  # points between the top and bottom margins
    digit: float = 6.12  # points of a column width unit: the width of a '0' in Arial 11
    padding: float = 0.72  # units Excel adds to each column's width
    room: float = 0.96  # of the page's height used, for what the estimates miss

    def points(self, width: float) -> float:
        """How wide a column `width` units wide prints at full size, in points."""
        return (width + self.padding) * self.digit

    def scale(self, column_widths: Sequence[float]) -> float:
        """The print scale that fits the columns to the page's width (never above 1)."""
        total = sum(self.points(w) for w in column_widths)
        return min(1.0, self.width / total) if total else 1.0

    def rows_height(self, column_widths: Sequence[float]) -> float:
        """The points of row height (unscaled) that one page holds."""
        return self.height * self.room / self.scale(column_widths)


A4_LANDSCAPE = Page()


class Sheet:
    """One worksheet: a title in A1, lines under it, then tables from column A, written in row
    order (the workbook streams its rows to disk).

    The sheet keeps count of the height printed on the current page, so that a table that
    does not fit on what is left of a page starts on the next one with its header row, and a
    table longer than a page goes on under its header on each page (see `table`).

    `printed` columns (all when None) print, fitted to the page's width: the columns after them
    are for the screen (Appendix 1's eight quarters behind its sparklines).
    """

    def __init__(self, book: Book, name: str, title: str, column_widths: Sequence[float], *,
                 printed: int | None = None) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.name = name
        self.widths = list(column_widths)
        self.printed = len(self.widths) if printed is None else printed
        self.row = 0
        self.page_room = A4_LANDSCAPE.rows_height(self.widths[:self.printed])
        self.used = 0.0  # points of the current page written so far
        self.breaks: list[int] = []  # rows that start a new page
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

    def _grow(self, height: float) -> None:
        """Count a row of `height` points onto the page (a row that does not fit starts the next)."""
        self.used = height if self.used + height > self.page_room else self.used + height

    def _rows_written(self) -> None:
        """Keep the print area, when only some columns print, down to the rows written so far
        (a range of whole columns, $A:$R, is one that openpyxl cannot read)."""
        if self.printed < len(self.widths) and self.row:
            self.ws.print_area(0, 0, self.row - 1, self.printed - 1)

    def line(
        self, text: str, fmt: str = "subtitle", *, wrap: bool = False, height: float | None = None
    ) -> None:
        """A line of text in column A (wrapped in column A when `wrap`)."""
        text, _ = fit_text(text)
        self.ws.write_string(self.row, 0, text, self.fmt("wrap_line" if wrap else fmt))
        if wrap:
            height = _TEXT_FIT.height(self._lines(text, 0, "wrap_line"))
        # Every row gets its height, so the sheet knows where its pages end.
        height = height or _LINE_HEIGHT
        self.ws.set_row(self.row, height)
        self._grow(height)
        self.row += 1
        self._rows_written()

    def paragraph(self, text: str) -> None:
        """Text across the width of the page: in column A, as many rows as it needs, each row
        one line that runs on over the empty cells beside it (a cell wraps only within its own
        column, and cells are never merged)."""
        # A little short of the full width: Excel's text runs wider than LibreOffice's.
        room = sum(A4_LANDSCAPE.points(w) for w in self.widths[:self.printed]) * 0.95 - _CELL_PADDING
        for part in wrap_to_width(fit_text(text)[0], room):
            self.line(part)

    def gap(self) -> None:
        """One blank row between two tables (never inside one)."""
        self._grow(_LINE_HEIGHT)
        self.row += 1
        self._rows_written()

    def skip(self, rows: int) -> None:
        """Leave `rows` rows empty (under a chart)."""
        for _ in range(rows):
            self.gap()

    def keep_rows(self, rows: int) -> None:
        """Start a new page unless `rows` more rows of one line fit on this one (for a chart)."""
        if self.used + rows * _LINE_HEIGHT > self.page_room:
            self.page_break()

    def page_break(self) -> None:
        """Start a new printed page at the current row."""
        if self.row and self.row not in self.breaks:
            self.breaks.append(self.row)
            self.ws.set_h_pagebreaks(self.breaks)
        self.used = 0.0

    def sparklines(self, first: int, col: int, data_cols: tuple[int, int], options: dict[str, Any],
                   floors: Sequence[float | None]) -> None:
        """A sparkline in column `col` of each row from `first`, one a floor, each drawing its
        row's cells in columns `data_cols` (first, last), with `options` (see XlsxWriter's
        add_sparkline) and its floor as the axis minimum."""
        rows = range(first, first + len(floors))
        add_sparklines(self.ws, [(r, col, xl_range(r, data_cols[0], r, data_cols[1])) for r in rows],
                       options, floors)

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
        keep: bool = False,
    ) -> tuple[int, int] | None:
        """Write an Excel Table with one header row and a row per record; return its first and
        last data rows (None when there are no records: `empty` is written instead).

        `records` may be a generator when `count` gives its length: rows are written as they
        come. `repeat_header` prints the header row at the top of every page (Excel repeats
        one set of rows a sheet, so only for a sheet's one long table). `keep` is for a sheet
        of several tables: the table starts on a new page when it does not fit on what is left
        of this one, and one longer than a page is written as a table a page, each under its
        caption ("... (continued)") and header row.
        """
        for c, col in enumerate(columns):
            if col.width is not None and col.width != self.width(c):
                raise ValueError(f"table {name}: column {col.header!r} is declared {col.width} wide "
                                 f"but the sheet's column is {self.width(c)}")
            word = self.widest_word(c, col.header, col.header_fmt)
            if word:
                raise ValueError(f"table {name}: the header word {word!r} does not fit column "
                                 f"{col.header!r}, {self.width(c)} wide")
        if keep and isinstance(records, Iterator):
            records = list(records)  # read twice: for the rows' heights, then to write them
        if count is None or keep:
            if not isinstance(records, Sized):
                records = list(records)
            count = len(records)
        header_height = _TEXT_FIT.height(max(self._lines(c.header, i, c.header_fmt)
                                             for i, c in enumerate(columns)))
        caption_height = _LINE_HEIGHT if caption else 0.0
        if not count:
            if caption:
                self.line(caption, "caption")
            self.line(empty)
            return None
        parts = [count]
        if keep:
            heights = [self._row_height(columns, record) for record in records]
            parts = self._pages(caption_height + header_height, heights)
        rows = iter(records)
        first = last = 0
        for n, size in enumerate(parts):
            if n:
                self.page_break()
            label = caption if n == 0 or not caption else f"{caption} (continued)"
            if label:
                self.line(label, "caption")
            top, last = self._table_part(name if n == 0 else f"{name}_{n + 1}", columns,
                                         itertools.islice(rows, size), size, header_height,
                                         label, autofilter)
            first = first or top
        if repeat_header:
            self.ws.repeat_rows(first - 1)
            self.ws.freeze_panes(first, 0)
        return first, last

    def _pages(self, lead: float, heights: Sequence[float]) -> list[int]:
        """How many rows of a kept table go on each page. A table that does not fit on what is
        left of this page starts the next; one longer than a page starts here if its header and
        first rows fit."""
        total = lead + sum(heights)
        if self.used and self.used + total > self.page_room and (
                total <= self.page_room
                or self.used + lead + sum(heights[:_FIRST_ROWS]) > self.page_room):
            self.page_break()
        parts: list[int] = []
        used, size = self.used + lead, 0
        for h in heights:
            if size and used + h > self.page_room:
                parts.append(size)
                used, size = lead, 0
            used += h
            size += 1
        return [*parts, size]

    def _table_part(self, name: str, columns: Sequence[Column[R]], records: Iterable[R],
                    count: int, header_height: float, caption: str | None,
                    autofilter: bool) -> tuple[int, int]:
        """One Excel Table of `count` records under the header row; its first and last data rows."""
        ws, top = self.ws, self.row
        ws.set_row(top, header_height)
        self._grow(header_height)
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
            height = _TEXT_FIT.height(lines)
            ws.set_row(r, height)
            self._grow(height)
            # The row before was written to disk when this row began.
            forget_row(ws, r - 1)
            written += 1
        if written != count:
            raise ValueError(f"table {name}: {written} rows written, {count} declared")
        for c, col in enumerate(columns):
            if col.rag:
                self.book.rag_colours(ws, top + 1, c, last, c)
        self.row = last + 1
        self._rows_written()
        return top + 1, last

    def _points(self, col: int, fmt_name: str) -> float:
        """The points of column `col` that text in format `fmt_name` may take (less the cell's
        padding and the text's indent)."""
        indent = int(FORMATS[fmt_name].get("indent", 0))
        return (A4_LANDSCAPE.points(self.width(col)) - _CELL_PADDING
                - _INDENT_UNITS * A4_LANDSCAPE.digit * indent)

    def widest_word(self, col: int, text: str, fmt_name: str) -> str:
        """A piece of `text` too wide for column `col` in format `fmt_name`, or "" if none is:
        a cell wraps text only between words and after hyphens and slashes (see
        `unbreakable`), so a wider piece would run into the next column."""
        room, bold = self._points(col, fmt_name), bool(FORMATS[fmt_name].get("bold"))
        return next((w for w in unbreakable(text) if arial_width(w, bold=bold) > room), "")

    def _lines(self, text: str, col: int, fmt_name: str) -> int:
        """How many lines `text` wraps to in column `col`, in format `fmt_name`."""
        # A little narrower than the column: Excel's text runs wider than LibreOffice's.
        return arial_lines(text, self._points(col, fmt_name) * _WRAP_ROOM,
                           bold=bool(FORMATS[fmt_name].get("bold")))

    def _row_height(self, columns: Sequence[Column[R]], record: R) -> float:
        """The height of the row `record` will be written as."""
        lines = 1
        for c, col in enumerate(columns):
            value, fmt_name = col.of(record), col.fmt
            if isinstance(value, Cell):
                value, fmt_name = value.value, value.fmt or fmt_name
            if isinstance(value, str) and FORMATS[fmt_name].get("text_wrap"):
                lines = max(lines, self._lines(fit_text(value)[0], c, fmt_name))
        return _TEXT_FIT.height(lines)

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
            return self._lines(text, c, fmt_name)
        return 1
