"""The consolidated workbook for the Cabinet report: Cover, Contents, Notes, Summary, Appendices
1 to 4, Validation log, Return tracker and Sources, written with XlsxWriter. The workbook follows
the UK government guidance on accessible spreadsheets and is the same, byte for byte, for the
same inputs."""

from __future__ import annotations

import datetime as dt
import errno
import math
import numbers
import os
import shutil
import tempfile
import textwrap
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions

from rbwm_pmf.errors import OutputError
from rbwm_pmf.model.periods import MONTHS, Period
from rbwm_pmf.model.status import (
    AMBER,
    DECLINING,
    GREEN,
    IMPROVING,
    NO_CHANGE,
    NO_DATA,
    NOT_COMPARABLE,
    NOT_RATED,
    RED,
)
from rbwm_pmf.model.summary import TOTAL
from rbwm_pmf.validation.issues import Issue, make_issue

if TYPE_CHECKING:
    from rbwm_pmf.consolidation.merge import ConsolidationResult

__all__ = ["FORMATS", "RAG_FORMATS", "SHEETS", "fit_text", "write_workbook"]

LANGUAGE = "en-GB"
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) in one cell
TABLE_STYLE = "Table Style Light 1"
FONT = {"font_name": "Arial", "font_size": 11, "font_scheme": "none"}

# The sheets, in order, with the description the Contents sheet gives for each.
SHEETS: dict[str, str] = {
    "Cover": "Title, period, report date, source of the data and who to contact.",
    "Contents": "This list of sheets, with a link to each.",
    "Notes": "How to read the workbook: RAG ratings, direction of travel, percentages and sources.",
    "Summary": "The position in a paragraph, Table 1 (RAG status by priority) and the overall split.",
    "Appendix 1": "Full schedule: every indicator with each quarter's actual, the target, RAG status, "
                  "the reason for it and the direction of travel.",
    "Appendix 2": "The indicators of each Overview and Scrutiny panel.",
    "Appendix 3": "Commentary and mitigation actions for every Amber and Red indicator.",
    "Appendix 4": "Charts of RAG status by priority and of the overall split, with the numbers they show.",
    "Validation log": "Every problem found in the returns, and every file that was skipped.",
    "Return tracker": "Returns expected, received and valid for each owner: the chase list.",
    "Sources": "Each file read, its SHA-256 fingerprint and the rows read, accepted and rejected.",
}

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
    "text_right": {**_TEXT, "align": "right"},  # a word such as "No data" in a column of numbers
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
UNIT_FORMATS = {"percent": "percent", "count": "count", "currency": "currency"}  # others: decimal
DIRECTION_TEXT = {IMPROVING: "↑ Improving", DECLINING: "↓ Declining", NO_CHANGE: "→ No change",
                  NOT_COMPARABLE: "Not comparable"}
_QUARTER_MONTHS = {1: (3, 5), 2: (6, 8), 3: (9, 11), 4: (0, 2)}  # first and last month index
_SOURCE_WORDS = {
    "No return": "No return received",
    "Rejected": "Value rejected: see the Validation log",
    "Not due": "Not due this quarter",
    "Data only": "No value returned",
}


@dataclass(frozen=True)
class Col:
    """A table column: its header and the format of its cells (a key of FORMATS)."""

    header: str
    fmt: str = "text"
    rag: bool = False
    right: bool = False  # a column of numbers: its header is aligned right too

    @property
    def header_fmt(self) -> str:
        return "header_right" if self.right or self.fmt == "integer" else "header"


@dataclass(frozen=True)
class Cell:
    """A cell value with its own format or an internal link, overriding its column's."""

    value: Any
    fmt: str | None = None
    url: str | None = None


# -- the entry point ----------------------------------------------------------------------

def write_workbook(
    result: ConsolidationResult,
    path: str | Path,
    *,
    report_date: dt.date | None = None,
    title: str | None = None,
) -> Path:
    """Write the consolidated workbook to `path` (an .xlsx file) and return its path.

    The report date defaults to the last day of the period, never today, so the same inputs give
    the same bytes. The file is written under a temporary name and renamed, so a failed or killed
    run leaves any earlier workbook at `path` as it was.
    """
    out = _check_output(result, Path(path))
    date = report_date or result.period.end_date
    doc_title = title or f"Council performance: {result.period.label}"
    # Rows are written in order and streamed to disk (constant_memory), so memory does not grow
    # with the number of indicators. The draft and XlsxWriter's row files go in a hidden folder
    # beside the output, removed afterwards; the output appears only when it is complete.
    try:
        work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.stem}."))
    except OSError as exc:
        raise OutputError(_os_problem(out, exc)) from exc
    draft = work / "draft.xlsx"
    try:
        wb = xlsxwriter.Workbook(str(draft), {
            "constant_memory": True,
            "tmpdir": str(work),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": dict(FONT),
        })
        try:
            _Report(wb, result, date, doc_title).write()
            wb.close()
        except OSError as exc:
            raise OutputError(_os_problem(out, exc)) from exc
        except xlsxwriter.exceptions.FileCreateError as exc:
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            raise OutputError(_os_problem(out, cause)) from exc
        _save_with_language(draft, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _check_output(result: ConsolidationResult, path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{path} must end in .xlsx: the consolidated workbook is an Excel workbook.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"The folder {folder} does not exist; create it or choose another.")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in .xlsx.")
    inputs = [str(f) for f in result.sources["file"]] if "file" in result.sources else []
    inputs += [f.path for f in result.report.files] + [s.path for s in result.report.skipped]
    if result.framework.source and not result.framework.source.startswith("(packaged)"):
        inputs.append(result.framework.source)
    target = path.resolve()
    for name in inputs:
        given = Path(name)
        if given.resolve() == target or (path.exists() and given.exists() and _same_file(path, given)):
            raise OutputError(
                f"{path} is one of the inputs ({name}); choose another name so it is not overwritten.")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _temp_beside(path: Path, suffix: str) -> tuple[int, Path]:
    """A new hidden file in `path`'s folder (so a rename over `path` is atomic), open."""
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.",
                                        suffix=f"{suffix}.xlsx")
    except OSError as exc:
        raise OutputError(_os_problem(path, exc)) from exc
    return handle, Path(temp)


def _save_with_language(draft: Path, path: Path) -> None:
    """Copy the draft to a hidden file with the document language added, then rename it over
    `path`: a failed or killed run leaves any earlier file at `path` as it was."""
    # mkstemp makes the file readable by its owner only; keep the old file's permissions, or
    # give the usual ones for a new file.
    handle, temp = _temp_beside(path, "")
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        with os.fdopen(handle, "wb") as stream:
            _copy_with_language(draft, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(_os_problem(path, exc)) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _os_problem(path: Path, exc: OSError) -> str:
    """A sentence for an operating-system error while writing; any earlier file is kept."""
    why = {
        errno.ENOSPC: "there is not enough disk space",
        errno.EDQUOT: "the disk quota is full",
        errno.EACCES: "permission was denied",
        errno.EPERM: "permission was denied",
        errno.EROFS: "the disk is read-only",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return f"Cannot write {path}: {why}. Nothing was changed at that path."


def _copy_with_language(draft: Path, stream: BinaryIO) -> None:
    """Copy the workbook, adding the document language to docProps/core.xml (XlsxWriter has no
    language property).

    Parts are copied in pieces, with the same names, dates and compression, so the output stays
    deterministic and a large sheet is never held in memory whole.
    """
    with zipfile.ZipFile(draft) as src, zipfile.ZipFile(stream, "w") as dst:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            if info.filename == "docProps/core.xml":
                part = src.read(info.filename)
                end = b"</cp:coreProperties>"
                dst.writestr(copy, part.replace(
                    end, f"<dc:language>{LANGUAGE}</dc:language>".encode() + end))
                continue
            copy.file_size = info.file_size  # lets zipfile choose ZIP64 before writing
            with src.open(info) as part_in, dst.open(copy, "w") as part_out:
                shutil.copyfileobj(part_in, part_out, 1 << 20)


# -- text and sizes -----------------------------------------------------------------------

def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: str) -> tuple[str, int]:
    """Text cut to Excel's cell limit, ending with a visible marker when cut, and how many of
    its characters were kept (all of them when it fits)."""
    if _utf16_len(text) <= EXCEL_CELL_LIMIT:
        return text, len(text)
    marker = f" … [cut: {len(text):,} characters in the return]"
    room = EXCEL_CELL_LIMIT - _utf16_len(marker)
    kept = text[:room]
    while _utf16_len(kept) > room:  # characters outside the BMP count twice in Excel
        kept = kept[:-1]
    return kept + marker, len(kept)


def _lines(text: str, width: float, bold: bool = False) -> int:
    """How many lines wrapped text takes in a column `width` characters wide (an estimate)."""
    # Arial 11 fits about 1.2 characters of text per unit of column width; a little less is
    # assumed so that Excel and LibreOffice never clip.
    per_line = max(1, int(width * (1.05 if bold else 1.15)) - 1)
    if len(text) <= per_line and "\n" not in text:
        return 1  # most cells: no need to wrap the text to know
    return sum(
        max(1, len(textwrap.wrap(para, per_line, break_long_words=True, replace_whitespace=False)))
        for para in text.split("\n")
    )


def _height(lines: int) -> float:
    # LibreOffice clips wrapped text in rows without an explicit height, so every row that wraps
    # gets one.
    return max(15.0, 14.5 * lines + 3)


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """A frame's rows as dicts, one at a time (a list of them all costs a kilobyte a row)."""
    names = [str(c) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        yield dict(zip(names, values, strict=True))


def _count(table: pd.DataFrame, row: Any, col: Any) -> int:
    """A count from Table 1 (index: priority names and Total)."""
    value: Any = table.loc[row, col]
    return int(value)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | None:
    if _is_missing(value) or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _period_label(text: Any) -> str:
    """`2017-18-Q2` as `2017/18 Q2`; anything else as it is."""
    if _is_missing(text) or not text:
        return ""
    try:
        return Period.parse(str(text)).label
    except ValueError:
        return str(text)


def _date_text(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _header_escape(text: str) -> str:
    return text.replace("&", "&&")


def _short_names(paths: Sequence[str]) -> tuple[dict[str, str], str]:
    """A short name for each input (its file name, or its path below the folder all inputs
    share when two have the same file name), and that folder."""
    if not paths:
        return {}, ""
    try:
        common = os.path.commonpath(paths)
        full = {p: p for p in paths}
    except ValueError:  # a mix of absolute and relative paths
        full = {p: os.path.abspath(p) for p in paths}
        common = os.path.commonpath(list(full.values()))
    if common in full.values():  # one file, or a file and its copies
        common = os.path.dirname(common)
    base = [os.path.basename(p) for p in paths]
    if len(set(base)) == len(base):
        return {p: os.path.basename(p) for p in paths}, common
    return {p: os.path.relpath(full[p], common or ".").replace(os.sep, "/") for p in paths}, common


# -- the sheets ---------------------------------------------------------------------------

def _add_table(ws: Any, first_row: int, first_col: int, last_row: int, last_col: int,
               options: dict[str, Any]) -> None:
    """`add_table` for a sheet written row by row (constant_memory), before its data rows.

    XlsxWriter refuses tables in that mode only because `add_table` writes the header cells
    itself. Here the table is declared with the mode off for the call, and the header cells are
    then written again, in order, as the row-by-row writer expects; the rows follow.
    """
    streaming = ws.constant_memory
    ws.constant_memory = False
    try:
        if ws.add_table(first_row, first_col, last_row, last_col, options) != 0:
            raise ValueError(f"table {options.get('name')} could not be added")
    finally:
        ws.constant_memory = streaming
    # XlsxWriter remembers every cell of every table to refuse overlapping ranges, about a
    # hundred bytes a cell; tables here are placed one below another, so never overlap.
    ws.table_cells.clear()
    for n, column in enumerate(options["columns"]):
        ws.write_string(first_row, first_col + n, column["header"], column["header_format"])


class _Sheet:
    """One worksheet: a title in A1, lines under it, then tables from column A."""

    def __init__(self, report: _Report, name: str, title: str, widths: Sequence[float]) -> None:
        self.report = report
        self.ws = report.wb.add_worksheet(name)
        self.name = name
        self.widths = list(widths)
        self.row = 0
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        ws = self.ws
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        # Excel allows 255 characters in a footer.
        ws.set_footer(f"&L{_header_escape(report.title[:120])}&C{_header_escape(name)}"
                      "&RPage &P of &N")
        self.line(title, "title", height=24)

    def fmt(self, name: str) -> Any:
        return self.report.formats[name]

    def width(self, col: int) -> float:
        return self.widths[col] if col < len(self.widths) else 8.43  # Excel's default

    def line(
        self, text: str, fmt: str = "subtitle", *, wrap: bool = False, height: float | None = None
    ) -> None:
        """A line of text in column A (wrapped in column A when `wrap`)."""
        text, _ = fit_text(text)
        self.ws.write_string(self.row, 0, text, self.fmt("wrap_line" if wrap else fmt))
        if wrap:
            self.ws.set_row(self.row, _height(_lines(text, self.width(0))))
        elif height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def gap(self) -> None:
        """One blank row between two tables (never inside one)."""
        self.row += 1

    def table(
        self,
        name: str,
        cols: Sequence[Col],
        rows: Iterable[Sequence[Any]],
        *,
        count: int | None = None,
        caption: str | None = None,
        empty: str = "None.",
        autofilter: bool = False,
        repeat_header: bool = False,
    ) -> tuple[int, int] | None:
        """Write an Excel Table with one header row; return its first and last data rows.

        `rows` may be a generator when `count` gives its length: rows are written as they come.
        """
        if count is None:
            rows = list(rows)
            count = len(rows)
        if caption:
            self.line(caption, "caption")
        if not count:
            self.line(empty)
            return None
        ws, top = self.ws, self.row
        header_lines = max(_lines(c.header, self.width(i), bold=True) for i, c in enumerate(cols))
        ws.set_row(top, _height(header_lines))
        last = top + count
        _add_table(ws, top, 0, last, len(cols) - 1, {
            "name": name,
            "style": TABLE_STYLE,
            "autofilter": autofilter,
            # LibreOffice does not show table styles, so header cells are formatted as well.
            "columns": [{"header": c.header,
                         "header_format": self.fmt(c.header_fmt)}
                        for c in cols],
            **({"title": caption} if caption else {}),
        })
        written = 0
        for r, values in enumerate(rows, start=top + 1):
            lines = 1
            for c, (col, value) in enumerate(zip(cols, values, strict=True)):
                lines = max(lines, self._cell(r, c, col, value))
            ws.set_row(r, _height(lines))
            # The row before was written to disk when this row began: forget its height.
            ws.row_info.pop(r - 1, None)
            written += 1
        if written != count:
            raise ValueError(f"table {name}: {written} rows written, {count} declared")
        for c, col in enumerate(cols):
            if col.rag:
                self.report.rag_colours(ws, top + 1, c, last, c)
        if repeat_header:
            ws.repeat_rows(top)
            ws.freeze_panes(top + 1, 0)
        self.row = last + 1
        return top + 1, last

    def _cell(self, r: int, c: int, col: Col, value: Any) -> int:
        """Write one cell; return the lines it needs."""
        fmt_name, url = col.fmt, None
        if isinstance(value, Cell):
            fmt_name, url, value = value.fmt or col.fmt, value.url, value.value
        fmt = self.fmt(fmt_name)
        ws = self.ws
        number = _number(value)
        if url is not None:
            ws.write_url(r, c, url, fmt, string=str(value))
            return 1
        if number is not None and not math.isnan(number):
            ws.write_number(r, c, number, fmt)
            return 1
        if _is_missing(value) or value == "":
            ws.write_blank(r, c, None, fmt)
            return 1
        # Every string is written as text, never as a formula, number or link.
        text, _ = fit_text(str(value))
        ws.write_string(r, c, text, fmt)
        if FORMATS[fmt_name].get("text_wrap"):
            return _lines(text, self.width(c), bold=bool(FORMATS[fmt_name].get("bold")))
        return 1


class _Report:
    """Writes every sheet of one workbook from a ConsolidationResult."""

    def __init__(self, wb: Any, result: ConsolidationResult, date: dt.date, title: str) -> None:
        self.wb = wb
        self.result = result
        self.fw = result.framework
        self.period = result.period
        self.date = date
        self.title = title
        # One Format object per entry of FORMATS, created once for this workbook.
        self.formats = {name: wb.add_format(props) for name, props in FORMATS.items()}
        self.cuts: list[Issue] = []
        files = [str(f) for f in result.sources["file"]] if len(result.sources) else []
        files += [i.file for i in result.report.records if i.file]
        files += [str(f) for f in result.data["source_file"] if f]
        self.names, self.folder = _short_names(sorted(set(files)))
        self.current = result.current

    # -- helpers --

    def short(self, path: str) -> str:
        return self.names.get(path, path)

    def rag_colours(self, ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Colour RAG cells by their word: colour is emphasis, the word is the meaning."""
        for status, fmt in RAG_FORMATS.items():
            ws.conditional_format(first_row, first_col, last_row, last_col, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": self.formats[fmt],
            })

    def from_return(self, text: Any, row: dict[str, Any], column: str) -> str:
        """Text an owner typed: cut to Excel's limit, with a log entry when cut."""
        value = "" if _is_missing(text) else str(text)
        fitted, kept = fit_text(value)
        if kept < len(value):
            where = str(row.get(f"{column.lower().split()[0]}_cell") or row.get("source_cell") or "")
            sheet, _, cell = where.partition("!")
            self.cuts.append(make_issue(
                "text-too-long", str(row.get("source_file") or ""), sheet=sheet, cell=cell,
                indicator_id=str(row.get("indicator_id") or ""), column=column,
                value=f"{len(value):,}", expected=f"{kept:,}"))
        return fitted

    def value_cell(self, value: Any, unit: str, missing: str) -> Any:
        number = _number(value)
        if number is None:
            return Cell(missing, "text_right")
        return Cell(number, UNIT_FORMATS.get(unit, "decimal"))

    def write(self) -> None:
        r = self.result
        self.wb.set_properties({
            "title": self.title,
            "subject": f"{self.fw.name}: RAG status of key indicators at {self.period.end_text}",
            "author": self.fw.council or self.fw.contact_name,
            "company": self.fw.council,
            "category": "Performance report",
            "keywords": "performance, RAG, key indicators, Council Plan",
            "comments": f"{self.fw.id} version {self.fw.version}, {self.period.label}; "
                        f"{len(r.report.files)} returns read.",
            "created": dt.datetime.combine(self.date, dt.time()),
        })
        self.cover()
        self.contents()
        self.notes()
        self.summary()
        self.appendix1()
        self.appendix2()
        self.appendix3()
        self.appendix4()
        self.validation_log()
        self.return_tracker()
        self.sources()
        self.wb.worksheets()[0].activate()

    # -- Cover, Contents, Notes --

    def cover(self) -> None:
        fw, p = self.fw, self.period
        first, last = _QUARTER_MONTHS[p.quarter]
        s = _Sheet(self, "Cover", self.title, [110])
        s.line(f"{fw.council}: {fw.name}", wrap=True)
        entries = [
            ("Period", f"{p.label} ({MONTHS[first]} to {MONTHS[last]}). "
                       f"Position at {p.end_text}."),
            ("Report date", _date_text(self.date)),
            ("Summary", self.result.summary),
            ("Source", f"Quarterly returns from indicator owners of {fw.council or 'the council'}, "
                       f"checked against the framework register '{fw.name}' ({fw.id}, version "
                       f"{fw.version}). {len(self.result.report.files)} returns were read; the "
                       "Sources sheet lists each file."),
            ("Contact", ", ".join(x for x in (fw.contact_name, fw.contact_email) if x) or "Not given"),
            ("Contents", "The Contents sheet lists every sheet with a link to it; the Notes sheet "
                         "explains the ratings."),
        ]
        for heading, text in entries:
            s.line(heading, "heading", height=20)
            s.line(text, wrap=True)

    def contents(self) -> None:
        s = _Sheet(self, "Contents", "Contents", [18, 100])
        s.line("This workbook has the sheets below. Select a sheet name to go to it.")
        rows = [
            [Cell(name, "link", f"internal:'{name}'!A1"), description]
            for name, description in SHEETS.items() if name != "Contents"
        ]
        s.table("Contents", [Col("Sheet"), Col("Description", "wrap")], rows)

    def notes(self) -> None:
        s = _Sheet(self, "Notes", "Notes", [10, 110])
        s.line("These notes apply to every sheet of the workbook.")
        notes = [
            "Green: the actual is on or better than the target.",
            "Amber: the actual is short of the target by no more than the tolerance. The tolerance "
            "is 5% of the target unless the framework register sets another (some indicators use "
            "a number of percentage points or units). An actual exactly on the tolerance boundary "
            "is Amber.",
            "Red: the actual is short of the target by more than the tolerance.",
            "For indicators where lower is better (the 'Good performance is' column says Lower), "
            "'short of the target' means above it.",
            "Not rated: the indicator is shown for information only (data only, no target), or it "
            "is not due this quarter (half-yearly and annual indicators).",
            "No data: the indicator was due but no valid value was received: the return was not "
            "received, the row was missing, or the value was rejected (see the Validation log).",
            "Each RAG status has a one-line reason, such as '82.9% vs target 85%: 2.5% short, "
            "within 5% tolerance'.",
            "Direction of travel compares the actual with the previous quarter, knowing whether "
            "higher or lower is better: ↑ Improving, ↓ Declining or → No change. Cumulative "
            "(year-to-date) measures are compared as a share of their profiled target. 'Not "
            "comparable' means the first quarter of the year or a value missing in either quarter.",
            "Percentages are shown in points: 93.4 means 93.4%. Changes between percentages are "
            "in percentage points unless the reason says '%'.",
            "Shares of rated indicators are whole percentages. Percentages may not sum to 100 "
            "because of rounding.",
            "Targets of cumulative measures are year-to-date targets that rise through the year.",
            "The data comes from the quarterly returns sent by each indicator owner to the "
            "performance team. Every return was checked cell by "
            "cell; the Validation log lists every problem found and the Sources sheet lists each "
            "file read with its SHA-256 fingerprint.",
            "RAG cells hold the word (Green, Amber, Red, Not rated, No data); colour is used only "
            "as emphasis.",
        ]
        s.table("Notes", [Col("Note number", "integer"), Col("Note", "wrap")],
                [[n, text] for n, text in enumerate(notes, start=1)])

    # -- Summary --

    def _t1_rows(self) -> tuple[list[Col], list[list[Any]]]:
        t1 = self.result.table1
        cols = [Col("Priority", "wrap")] + [Col(str(c), "integer") for c in t1.columns]
        rows = []
        for label, values in t1.iterrows():
            bold = label == TOTAL
            rows.append([Cell(str(label), "bold_text" if bold else "wrap")]
                        + [Cell(int(v), "bold_integer" if bold else "integer") for v in values])
        return cols, rows

    def _share_rows(self) -> tuple[list[Col], list[list[Any]]]:
        t1, shares = self.result.table1, self.result.shares
        cols = [Col("RAG status", rag=True), Col("Number of indicators", "integer"),
                Col("Share of rated indicators (%)", "integer")]
        rows = [[s, _count(t1, TOTAL, s), int(shares.get(s, 0))] for s in (GREEN, AMBER, RED)]
        return cols, rows

    def summary(self) -> None:
        p, fw = self.period, self.fw
        widths = [62] + [15] * (len(self.result.table1.columns))
        s = _Sheet(self, "Summary", f"Summary of performance at {p.end_text}", widths)
        s.line(f"{fw.council}, {fw.name}, {p.label}.")
        for sentence in self.result.sentences:
            s.line(sentence, wrap=True)
        cols, rows = self._t1_rows()
        s.table("Table1", cols, rows,
                caption=f"Table 1: RAG status of indicators by priority at {p.end_text} "
                        "(number of indicators)")
        s.gap()
        cols, rows = self._share_rows()
        s.table("Shares", cols, rows, caption="Table 2: Share of rated indicators by RAG status")
        s.line("Percentages may not sum to 100 because of rounding.")
        s.line("Appendix 1 lists every indicator; Appendix 3 gives the commentary and mitigation "
               "for each Amber and Red indicator.")

    # -- Appendices --

    def _quarter_values(self, quarter: int) -> Iterator[dict[str, Any]]:
        """Each indicator's actual and data status in a quarter, in register order (the order of
        `current`), for Appendix 1."""
        data = self.result.data
        rows = data.loc[data["quarter"] == quarter, ["actual", "data_status"]]  # no wider copy
        for actual, data_status in zip(rows["actual"].tolist(), rows["data_status"].tolist(),
                                       strict=True):
            yield {"actual": actual, "data_status": data_status}

    def _missing_word(self, rec: dict[str, Any]) -> str:
        if rec.get("data_status") == "Not due":
            return "Not due"
        return NO_DATA

    def _target_word(self, rec: dict[str, Any]) -> str:
        ind = self.fw.indicator(str(rec["indicator_id"]))
        if ind is not None and ind.data_only:
            return "No target (data only)"
        if rec.get("data_status") == "Not due":
            return "Not due"
        return "No target"

    def _source(self, rec: dict[str, Any]) -> str:
        if rec.get("source_file"):
            return f"{self.short(str(rec['source_file']))}, {rec['source_cell']}"
        return _SOURCE_WORDS.get(str(rec.get("data_status")), "")

    def appendix1(self) -> None:
        p = self.period
        quarters = [q.quarter for q in p.year_to_date()]
        widths = [16, 5, 32, 14, 9, 11] + [9] * len(quarters) + [9, 9, 30, 12, 12, 28]
        s = _Sheet(self, "Appendix 1", f"Appendix 1: full schedule of indicators, {p.label}", widths)
        s.line(f"Every indicator of the framework in register order, with each quarter's actual so far "
               f"this year, the {p.label} target and RAG status, the reason and the direction of travel.")
        s.line("Percentages are in points (93.4 means 93.4%). The Unit column gives the unit of each row.")
        cols = [
            Col("Priority", "wrap"), Col("ID"), Col("Indicator", "wrap"), Col("Owner", "wrap"),
            Col("Unit", "wrap"), Col("Good performance is"),
            *[Col(f"Q{q} actual", right=True) for q in quarters],
            Col(f"Target (Q{p.quarter})", right=True), Col(f"RAG status (Q{p.quarter})", rag=True),
            Col("Reason", "wrap"), Col("Direction of travel", "wrap"), Col("Measure", "wrap"),
            Col("Source", "wrap"),
        ]
        def rows() -> Iterator[list[Any]]:
            by_quarter = [self._quarter_values(q) for q in quarters]
            for rec, *values in zip(_records(self.current), *by_quarter, strict=True):
                ind_id = str(rec["indicator_id"])
                actuals = [self.value_cell(qrec["actual"], rec["unit"], self._missing_word(qrec))
                           for qrec in values]
                yield [
                    rec["priority"], ind_id, rec["indicator"], rec["owner"], rec["unit_label"],
                    "Lower" if rec["polarity"] == "lower" else "Higher",
                    *actuals,
                    self.value_cell(rec["target"], rec["unit"], self._target_word(rec)),
                    rec["status"], rec["reason"], DIRECTION_TEXT.get(rec["direction"], rec["direction"]),
                    rec["measure_type"], self._source(rec),
                ]

        s.table("Appendix1", cols, rows(), count=len(self.current), autofilter=True,
                repeat_header=True, empty="The framework has no indicators.")

    def appendix2(self) -> None:
        p = self.period
        widths = [7, 44, 22, 12, 11, 11, 12, 14]
        s = _Sheet(self, "Appendix 2",
                   f"Appendix 2: indicators by Overview and Scrutiny panel, {p.label}", widths)
        s.line("One table for each panel, in register order. Percentages are in points "
               "(93.4 means 93.4%).")
        cols = [
            Col("ID"), Col("Indicator", "wrap"), Col("Owner", "wrap"), Col("Unit", "wrap"),
            Col(f"Actual (Q{p.quarter})", right=True), Col(f"Target (Q{p.quarter})", right=True),
            Col(f"RAG status (Q{p.quarter})", rag=True), Col("Direction of travel", "wrap"),
        ]
        current = self.current
        by_panel: dict[str, list[int]] = {}
        for n, panel_name in enumerate(current["panel"].to_numpy(dtype=object).tolist()):
            by_panel.setdefault(str(panel_name), []).append(n)
        panels = [(panel.name, panel.id) for panel in self.fw.panels]
        known = {name for name, _ in panels}
        panels += [(name, name) for name in by_panel if name not in known]
        first = True
        for n, (name, _) in enumerate(panels, start=1):
            if not by_panel.get(name):
                continue
            mine = _records(current.iloc[by_panel[name]])
            count = len(by_panel[name])
            if not first:
                s.gap()
            first = False
            rows = ([
                r["indicator_id"], r["indicator"], r["owner"], r["unit_label"],
                self.value_cell(r["actual"], r["unit"], NO_DATA),
                self.value_cell(r["target"], r["unit"], self._target_word(r)),
                r["status"], DIRECTION_TEXT.get(r["direction"], r["direction"]),
            ] for r in mine)
            noun = "indicator" if count == 1 else "indicators"
            s.table(f"Panel{n}", cols, rows, count=count, caption=f"{name} ({count} {noun})")

    def appendix3(self) -> None:
        p = self.period
        widths = [6, 28, 16, 10, 10, 10, 26, 46, 46]
        s = _Sheet(self, "Appendix 3",
                   f"Appendix 3: commentary and mitigation for Amber and Red indicators, {p.label}",
                   widths)
        s.line(f"Every indicator rated Amber or Red at {p.end_text}, in register order, with the "
               "owner's commentary and mitigation actions as returned.")
        cols = [
            Col("ID"), Col("Indicator", "wrap"), Col("Owner", "wrap"), Col("RAG status", rag=True),
            Col(f"Actual (Q{p.quarter})", right=True), Col(f"Target (Q{p.quarter})", right=True),
            Col("Reason", "wrap"), Col("Commentary", "wrap"), Col("Mitigation actions", "wrap"),
        ]
        current = self.current
        off = current[current["status"].isin([AMBER, RED])]
        rows = ([
            r["indicator_id"], r["indicator"], r["owner"], r["status"],
            self.value_cell(r["actual"], r["unit"], NO_DATA),
            self.value_cell(r["target"], r["unit"], self._target_word(r)),
            r["reason"],
            self.from_return(r["commentary"], r, "Commentary"),
            self.from_return(r["mitigation"], r, "Mitigation actions"),
        ] for r in _records(off))
        s.table("Appendix3", cols, rows, count=len(off), repeat_header=True,
                empty=f"No indicator was rated Amber or Red at {p.end_text}.")

    def appendix4(self) -> None:
        p = self.period
        t1 = self.result.table1
        s = _Sheet(self, "Appendix 4", f"Appendix 4: charts, {p.label}", [62, 15, 15, 15, 15])
        s.line("Two charts: RAG status by priority, and the overall split. Each chart follows the "
               "table of the numbers it shows.")
        cols = [Col("Priority", "wrap"), *[Col(x, "integer") for x in (GREEN, AMBER, RED, TOTAL)]]
        rows = [[Cell(str(label), "bold_text" if label == TOTAL else "wrap"),
                 *[Cell(_count(t1, label, x), "bold_integer" if label == TOTAL else "integer")
                   for x in (GREEN, AMBER, RED, TOTAL)]]
                for label in t1.index]
        by_priority = s.table("ChartData1", cols, rows,
                              caption="Table 4a: RAG status by priority (number of indicators)")
        rated = sum(_count(t1, TOTAL, x) for x in (GREEN, AMBER, RED))
        if not rated:
            s.line(f"No indicator could be rated at {p.end_text}, so there are no charts.")
            by_priority = None
        if by_priority is not None:
            s.gap()
            s.ws.insert_chart(s.row, 0, self._bar_chart(*by_priority), {
                "description": self._bar_description()})
            s.row += 22  # the rows the chart covers
        # Each chart prints on the same page as its table.
        s.ws.set_h_pagebreaks([s.row])
        cols, rows = self._share_rows()
        split = s.table("ChartData2", cols, rows, caption="Table 4b: Overall split of rated indicators")
        if split is not None and rated:
            s.gap()
            s.ws.insert_chart(s.row, 0, self._pie_chart(*split), {
                "description": self._pie_description()})

    def _bar_chart(self, first: int, last: int) -> Any:
        """A stacked bar of RAG counts by priority from Table 4a (rows first..last, Total last)."""
        bar = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for c, status in enumerate((GREEN, AMBER, RED), start=1):
            props = FORMATS[RAG_FORMATS[status]]
            bar.add_series({
                "name": ["Appendix 4", first - 1, c],
                "categories": ["Appendix 4", first, 0, last - 1, 0],
                "values": ["Appendix 4", first, c, last - 1, c],
                "fill": {"color": props["bg_color"]},
                "border": {"color": props["font_color"], "width": 1},
                "gap": 60,
                # Each segment is labelled with its number (zeros hidden), so colour is not the
                # only cue.
                "data_labels": {"value": True, "num_format": "0;-0;;@",
                                "font": {"color": props["font_color"], "bold": True}},
            })
        bar.set_title({"name": f"RAG status by priority at {self.period.end_text}",
                       "name_font": {"size": 12, "bold": True}})
        bar.set_x_axis({"name": "Number of indicators", "major_gridlines": {"visible": True},
                        "num_format": "0", "min": 0})
        bar.set_y_axis({"reverse": True, "crossing": "max"})
        bar.set_legend({"position": "bottom"})
        bar.set_size({"width": 820, "height": 400})
        return bar

    def _bar_description(self) -> str:
        t1 = self.result.table1
        counts = "; ".join(
            f"{name}: " + ", ".join(f"{_count(t1, name, x)} {x}" for x in (GREEN, AMBER, RED))
            for name in (str(x) for x in t1.index if x != TOTAL))
        return ("Stacked bar chart of the number of indicators rated Green, Amber and Red in each "
                f"priority at {self.period.end_text}. {counts}.")

    def _pie_chart(self, first: int, last: int) -> Any:
        """A pie of the overall split from Table 4b, labelled with status, number and share."""
        pie = self.wb.add_chart({"type": "pie"})
        pie.add_series({
            "name": "Overall split",
            "categories": ["Appendix 4", first, 0, last, 0],
            "values": ["Appendix 4", first, 1, last, 1],
            "points": [{"fill": {"color": FORMATS[RAG_FORMATS[x]]["bg_color"]},
                        "border": {"color": FORMATS[RAG_FORMATS[x]]["font_color"], "width": 1.25}}
                       for x in (GREEN, AMBER, RED)],
            "data_labels": {"category": True, "value": True, "percentage": True,
                            "separator": "\n", "position": "outside_end", "leader_lines": True,
                            "font": {"bold": True}},
        })
        pie.set_title({"name": f"Overall split of rated indicators at {self.period.end_text}",
                       "name_font": {"size": 12, "bold": True}})
        pie.set_legend({"none": True})
        pie.set_size({"width": 560, "height": 380})
        return pie

    def _pie_description(self) -> str:
        t1, sh = self.result.table1, self.result.shares
        g, a, r = (_count(t1, TOTAL, x) for x in (GREEN, AMBER, RED))
        return (f"Pie chart of the {g + a + r} rated indicators at {self.period.end_text}: "
                f"{g} Green ({sh.get(GREEN, 0)}%), {a} Amber ({sh.get(AMBER, 0)}%) and "
                f"{r} Red ({sh.get(RED, 0)}%).")

    # -- the log, tracker and sources --

    def validation_log(self) -> None:
        rep = self.result.report
        widths = [36, 9, 8, 10, 14, 20, 10, 18, 46, 42]
        s = _Sheet(self, "Validation log", "Validation log", widths)
        if rep.records or rep.skipped or self.cuts:
            warnings = len(rep.warnings) + len(self.cuts)
            s.line(f"{_plural(len(rep.errors), 'error')}, {_plural(warnings, 'warning')} and "
                   f"{_plural(len(rep.skipped), 'file')} skipped. An error stops that value being "
                   "used; a warning does not.")
            s.line("Cell gives the cell of the owner's return; values are shown as typed.")
        cols = [Col("File", "wrap"), Col("Sheet"), Col("Cell"), Col("Indicator ID"), Col("Column", "wrap"),
                Col("Code", "wrap"), Col("Severity"), Col("Value as typed", "wrap"),
                Col("Message", "wrap"), Col("Fix", "wrap")]
        rows: list[list[Any]] = []
        for issue in [*rep.records, *self.cuts]:
            rows.append([self.short(issue.file), issue.sheet, issue.cell, issue.indicator_id,
                         issue.column, issue.code, issue.severity.capitalize(), issue.value,
                         issue.message, issue.hint])
        for skipped in rep.skipped:
            rows.append([self.short(skipped.path), "", "", "", "", "skipped", "Information", "",
                         f"The file was skipped: {skipped.reason}.",
                         "Nothing, unless it is a return: then save it as an .xlsx workbook and "
                         "run again."])
        s.table("ValidationLog", cols, rows, autofilter=True, repeat_header=True,
                empty="No problems were found in the returns and no files were skipped.")

    def return_tracker(self) -> None:
        p = self.period
        widths = [9, 26, 34, 11, 11, 11, 11, 9, 10, 26]
        s = _Sheet(self, "Return tracker", f"Return tracker, {p.label}", widths)
        s.line("For each owner: indicators due this quarter, returns received and valid, and what to "
               "do next. Owners marked 'chase' have sent nothing.")
        cols = [Col("Owner ID"), Col("Owner", "wrap"), Col("Contact", "wrap"),
                Col("Indicators due", "integer"), Col("Returns received", "integer"),
                Col("Returns valid", "integer"), Col("Values accepted", "integer"),
                Col("Errors", "integer"), Col("Warnings", "integer"), Col("Status", "wrap")]
        keys = ["owner_id", "owner", "contact", "indicators_due", "returns_received", "returns_valid",
                "values_accepted", "errors", "warnings", "status"]
        rows = [[rec.get(k) for k in keys] for rec in _records(self.result.tracker)]
        s.table("ReturnTracker", cols, rows, autofilter=True, repeat_header=True,
                empty="The framework has no owners with indicators.")

    def sources(self) -> None:
        widths = [44, 66, 20, 11, 12, 9, 10, 10, 8, 10]
        s = _Sheet(self, "Sources", "Sources", widths)
        where = f" in {self.folder}" if self.folder else ""
        s.line(f"Each file read{where}, with its SHA-256 fingerprint (to check that a file is the "
               "one used) and the rows read, accepted and rejected.")
        cols = [Col("File", "wrap"), Col("SHA-256"), Col("Owner", "wrap"), Col("Period"),
                Col("Status", "wrap"), Col("Rows read", "integer"), Col("Rows accepted", "integer"),
                Col("Rows rejected", "integer"), Col("Errors", "integer"), Col("Warnings", "integer")]
        rows = []
        for rec in _records(self.result.sources):
            status = str(rec.get("status") or "")
            owner_id = "" if _is_missing(rec.get("owner_id")) else str(rec.get("owner_id"))
            owner = self.fw.owner(owner_id)
            rows.append([
                self.short(str(rec.get("file"))), rec.get("sha256"),
                owner.name if owner else owner_id, _period_label(rec.get("period")),
                status[:1].upper() + status[1:], rec.get("rows_read"), rec.get("rows_accepted"),
                rec.get("rows_rejected"), rec.get("errors"), rec.get("warnings"),
            ])
        s.table("Sources", cols, rows, autofilter=True, repeat_header=True,
                empty="No files were read.")
