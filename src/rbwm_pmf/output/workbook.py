"""The consolidated workbook for the Cabinet report: Cover, Contents, Notes, Summary, Year end (at
the fourth quarter), Appendices 1 to 4, Validation log, Return tracker and Sources, written with
XlsxWriter. The workbook follows the UK government guidance on accessible spreadsheets and is
the same, byte for byte, for the same inputs.

Each table is declared as a list of columns (see `sheets.Column`) and written by one table
writer; this module holds the declarations and the parts that are not tables: the cover, the
lines above tables and the charts."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.utility import xl_col_to_name

from rbwm_pmf.consolidation.records import DATA_COLUMNS, DataRow
from rbwm_pmf.consolidation.trends import SERIES_QUARTERS
from rbwm_pmf.errors import OutputError
from rbwm_pmf.model.periods import MONTHS, Period, date_text
from rbwm_pmf.model.status import (
    AMBER,
    DECLINING,
    GREEN,
    IMPROVING,
    NO_CHANGE,
    NO_DATA,
    NOT_COMPARABLE,
    RED,
    DataStatus,
)
from rbwm_pmf.model.summary import RATED, TOTAL, printed_columns, total_label
from rbwm_pmf.model.values import counted, is_missing
from rbwm_pmf.output.files import os_problem, temp_folder_beside, write_replacing
from rbwm_pmf.output.sheets import (
    EXCEL_CELL_LIMIT,
    FONT,
    FORMATS,
    RAG_FORMATS,
    Book,
    Cell,
    Column,
    Sheet,
    fit_text,
    number,
    widths,
)
from rbwm_pmf.validation.issues import Issue

if TYPE_CHECKING:
    from rbwm_pmf.consolidation.merge import ConsolidationResult
    from rbwm_pmf.validation.report import SkippedFile

__all__ = ["EXCEL_CELL_LIMIT", "FORMATS", "RAG_FORMATS", "SHEETS", "YEAR_END", "fit_text", "report_label",
           "sheet_names", "write_workbook"]

LANGUAGE = "en-GB"

# The sheets, in order, with the description the Contents sheet gives for each (and YEAR_END,
# the sheet a fourth quarter adds: see `sheet_names`).
SHEETS: dict[str, str] = {
    "Cover": "Title, period, report date, source of the data and who to contact.",
    "Contents": "This list of sheets, with a link to each.",
    "Notes": "How to read the workbook: RAG ratings, direction of travel, percentages and sources.",
    "Summary": "The report's sentences, Table 1 (RAG status by priority, with shares), the overall "
               "split and the key implications.",
    "Appendix 1": "Full schedule: every indicator with each quarter's actual, the target, RAG status, "
                  "the reason for it, the direction of travel, the same quarter last year and a "
                  "sparkline of the last eight quarters (their values in the last eight columns).",
    "Appendix 2": "The indicators of each Overview and Scrutiny panel.",
    "Appendix 3": "Commentary and mitigation actions for every Amber and Red indicator.",
    "Appendix 4": "Charts of RAG status by priority, of the overall split and of the share of "
                  "indicators on target quarter by quarter, with the numbers they show.",
    "Validation log": "Every problem found in the returns, and every file that was skipped.",
    "Return tracker": "Returns expected, received and valid for each owner: the chase list.",
    "Sources": "Each file read, its SHA-256 fingerprint and the rows read, accepted and rejected.",
}
# The sheet a fourth quarter's workbook (and the annual report) adds after the Summary.
YEAR_END_SHEET = "Year end"
YEAR_END: dict[str, str] = {
    YEAR_END_SHEET: "Each indicator's annual outturn against its annual target, whether it met it, "
                    "and its RAG status at the year end.",
}
SPARKLINE_HEADER = "Last 8 quarters"
# Appendix 1's sparklines: a column a quarter, this quarter's in orange (the Okabe-Ito
# vermilion, told apart from the blue by colour-blind readers too), a gap where no value is
# known. The values are the eight cells of the row that follow the printed columns.
# Columns, not a line: LibreOffice 7.4 prints a line sparkline away from its cell, with a line
# 0.02 points wide and markers too small to see, so printed (and PDF) pages would show nothing.
# Excel draws either; {"type": "line", "markers": True, ...} is the line.
SPARKLINE: dict[str, Any] = {
    "type": "column", "last_point": True, "empty_cells": "gaps",
    "series_color": "#2E75B6", "last_color": "#D55E00",
}

UNIT_FORMATS = {"percent": "percent", "count": "count", "currency": "currency"}  # others: decimal
DIRECTION_TEXT: dict[str, str] = {
    IMPROVING: "↑ Improving", DECLINING: "↓ Declining", NO_CHANGE: "→ No change",
    NOT_COMPARABLE: "Not comparable",
}
_QUARTER_MONTHS = {1: (3, 5), 2: (6, 8), 3: (9, 11), 4: (0, 2)}  # first and last month index
_SOURCE_WORDS: dict[str, str] = {
    DataStatus.NO_RETURN: "No return received",
    DataStatus.REJECTED: "Value rejected: see the Validation log",
    DataStatus.NOT_DUE: "Not due this quarter",
    DataStatus.DATA_ONLY: "No value returned",
}
NO_PANEL = "No scrutiny panel"  # Appendix 2's heading for indicators the register gives no panel
_BAR_ROWS, _PIE_ROWS = 18, 19  # rows of 15 points the charts cover (360 and 380 pixels high)
_TREND_ROWS = 18  # the trend chart's rows (360 pixels high)
NOT_KNOWN = "Not known"  # a value of an earlier year that no return or history gives


def report_label(result: ConsolidationResult) -> str:
    """What a report covers: "2017/18 Q2", or "Annual report 2017/18" for the annual report."""
    return f"Annual report {result.period.year_label}" if result.annual else result.period.label


def sheet_names(year_end: bool) -> dict[str, str]:
    """The workbook's sheets in order, with their descriptions: SHEETS, and the Year end sheet
    after the Summary when the report has a year end."""
    if not year_end:
        return dict(SHEETS)
    names = list(SHEETS.items())
    at = [name for name, _ in names].index("Summary") + 1
    return dict([*names[:at], *YEAR_END.items(), *names[at:]])

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
    out = check_output(result, Path(path), ".xlsx", "the consolidated workbook is an Excel workbook")
    date = report_date or result.period.end_date
    doc_title = title or f"Council performance: {report_label(result)}"
    # Rows are written in order and streamed to disk (constant_memory), so memory does not grow
    # with the number of indicators. The draft and XlsxWriter's row files go in a hidden folder
    # beside the output, removed afterwards; the output appears only when it is complete.
    work = temp_folder_beside(out)
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
            raise OutputError(os_problem(out, exc)) from exc
        except xlsxwriter.exceptions.FileCreateError as exc:
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            raise OutputError(os_problem(out, cause)) from exc
        # XlsxWriter has no document language: the copy adds it.
        write_replacing(out, lambda stream: _copy_with_language(draft, stream))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def check_output(result: ConsolidationResult, path: Path, suffix: str, why: str) -> Path:
    """`path` if an output of `result` may be written there: it ends in `suffix` (`why` says
    why it must), its folder exists, and it is not a folder or one of the inputs. Otherwise
    OutputError says what to do."""
    if path.suffix.lower() != suffix:
        raise OutputError(f"{path} must end in {suffix}: {why}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"The folder {folder} does not exist; create it or choose another.")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in {suffix}.")
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


# -- records ------------------------------------------------------------------------------

class _YearRow(DataRow):
    """A row of `data` for the reporting quarter, with the indicator's actual and data status in
    each quarter of the year so far: one row of Appendix 1."""

    quarters: dict[int, tuple[Any, str]]

    @classmethod
    def of(cls, now: DataRow, quarters: dict[int, tuple[Any, str]]) -> _YearRow:
        row = cls._make(now)
        row.quarters = quarters
        return row


class _Count(NamedTuple):
    """One row of a table of counts: a priority (or Total), its number of indicators by status
    and the whole-percent shares of its rated ones (None where none is rated)."""

    label: str
    counts: dict[str, int]
    shares: dict[str, int | None]


class _Share(NamedTuple):
    """One row of the overall split: a RAG status, its number of indicators and share (%)."""

    status: str
    indicators: int
    share: int


def data_rows(frame: pd.DataFrame) -> Iterator[DataRow]:
    """The rows of a frame of consolidated data as DataRows, one at a time."""
    if tuple(str(c) for c in frame.columns) != DATA_COLUMNS:
        raise ValueError(f"the consolidated data's columns are {list(frame.columns)}, "
                         f"not DataRow's {list(DATA_COLUMNS)}")
    for values in frame.itertuples(index=False, name=None):
        yield DataRow._make(values)


class _Rows:
    """The rows of a frame of consolidated data as DataRows, to be read more than once (a kept
    table reads its rows for their heights first) without holding them all."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __iter__(self) -> Iterator[DataRow]:
        return data_rows(self.frame)


def _named_rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of a frame as named tuples, one at a time (a list of them all costs a kilobyte a
    row): a column's value is the field of its name."""
    yield from frame.itertuples(index=False, name="Row")


class _Report:
    """Writes every sheet of one workbook from a ConsolidationResult."""

    def __init__(self, wb: Any, result: ConsolidationResult, date: dt.date, title: str) -> None:
        self.wb = wb
        self.book = Book(wb, title)
        self.result = result
        self.fw = result.framework
        self.period = result.period
        self.date = date
        self.title = title
        files = [str(f) for f in result.sources["file"]] if len(result.sources) else []
        files += [i.file for i in result.report.records if i.file]
        files += [str(f) for f in result.data["source_file"] if f]
        self.names = _short_names(sorted(set(files)))
        # Each file read has a short reference (S1, S2, ...): Appendix 1 gives it with the cell,
        # the Sources sheet gives it with the file's full path.
        read = [str(f) for f in result.sources["file"]] if "file" in result.sources else []
        self.refs = {path: f"S{n}" for n, path in enumerate(dict.fromkeys(read), start=1)}
        self.current = result.current

    # -- helpers --

    def short(self, path: str) -> str:
        return self.names.get(path, path)

    def from_return(self, row: DataRow, field: str) -> str:
        """Text an owner typed (the `field` of `row`), cut to Excel's limit with a visible
        marker; validation has already logged a `text-too-long` warning at its cell."""
        text = getattr(row, field)
        return fit_text("" if is_missing(text) else str(text))[0]

    def value_cell(self, value: Any, unit: str, missing: str) -> Cell:
        """A number in its unit's format, or the word for its absence."""
        real = number(value)
        if real is None:
            return Cell(missing, "text_right")
        return Cell(real, UNIT_FORMATS.get(unit, "decimal"))

    def actual(self, row: DataRow) -> Cell:
        explained = row.data_status == DataStatus.EXPLAINED
        return self.value_cell(row.actual, row.unit, DataStatus.EXPLAINED if explained else NO_DATA)

    def target(self, row: DataRow) -> Cell:
        return self.value_cell(row.target, row.unit, self._target_word(row))

    def _target_word(self, row: DataRow) -> str:
        ind = self.fw.indicator(str(row.indicator_id))
        if ind is not None and ind.data_only:
            return "No target (data only)"
        if row.data_status == DataStatus.NOT_DUE:
            return DataStatus.NOT_DUE
        return "No target"

    def _source(self, row: DataRow) -> str:
        if row.source_file:
            path = str(row.source_file)
            return f"{self.refs.get(path) or self.short(path)} {row.source_cell}"
        return _SOURCE_WORDS.get(str(row.data_status), "")

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
        if self.result.year_end is not None:
            self.year_end(self.result.year_end)
        self.appendix1()
        self.appendix2()
        self.appendix3()
        self.appendix4()
        self.validation_log()
        self.return_tracker()
        self.sources()
        self.wb.worksheets()[0].activate()

    # -- Cover --

    def cover(self) -> None:
        fw, p = self.fw, self.period
        first, last = _QUARTER_MONTHS[p.quarter]
        s = self.book.sheet("Cover", self.title, [110])
        s.line(f"{fw.council}: {fw.name}", wrap=True)
        if self.result.annual:
            period = (f"The year {p.year_label} ({MONTHS[3]} {p.year} to {MONTHS[2]} {p.year + 1}), "
                      f"reported at its fourth quarter. Position at {p.end_text}.")
        else:
            period = f"{p.label} ({MONTHS[first]} to {MONTHS[last]}). Position at {p.end_text}."
        entries = [
            ("Period", period),
            ("Report date", date_text(self.date)),
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

    # -- Contents, Notes --

    def contents(self) -> None:
        cols: list[Column[tuple[str, str]]] = [
            Column("Sheet", 18, lambda entry: Cell(entry[0], "link", f"internal:'{entry[0]}'!A1")),
            Column("Description", 100, lambda entry: entry[1], "wrap"),
        ]
        s = self.book.sheet("Contents", "Contents", widths(cols))
        s.line("This workbook has the sheets below. Select a sheet name to go to it.")
        listed = sheet_names(self.result.year_end is not None)
        s.table("Contents", cols, [entry for entry in listed.items() if entry[0] != "Contents"],
                repeat_header=True)

    def notes(self) -> None:
        cols: list[Column[tuple[int, str]]] = [
            Column("Note number", 10, lambda note: note[0], "integer"),
            Column("Note", 110, lambda note: note[1], "wrap"),
        ]
        s = self.book.sheet("Notes", "Notes", widths(cols))
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
            "received, the row was missing, or the value was rejected (see the Validation log). "
            "No data (explained): the owner left the value blank and said why in Commentary; "
            "the reason gives their words.",
            "Each RAG status has a one-line reason, such as '82.9% vs target 85%: 2.5% short, "
            "within 5% tolerance'.",
            "Direction of travel compares the actual with the previous quarter, knowing whether "
            "higher or lower is better: ↑ Improving, ↓ Declining or → No change. Cumulative "
            "(year-to-date) measures are compared as a share of their profiled target. 'Not "
            "comparable' means the first quarter of the year or a value missing in either quarter.",
            "Same quarter last year (Appendix 1) is the indicator's value a year earlier, from the "
            "returns of earlier years or the history store; 'Not known' means neither has it. On "
            "last year compares the actual with it, knowing whether higher or lower is better. "
            "'Not comparable' there means a value is missing, or the indicator was re-based and its "
            "figures are measured differently; a history note under Appendix 1 says so.",
            f"{SPARKLINE_HEADER} (Appendix 1) is a sparkline: a small chart in the cell of the "
            "indicator's values in the last eight quarters, oldest first, a column for each quarter "
            "and this quarter's in orange. A gap is a quarter with no value. Each sparkline is "
            "scaled to its own values, from the lowest to the highest, so it shows the shape of the "
            "trend, not its size: read the numbers for that. The values "
            "themselves are in Appendix 1's last eight columns, headed by their quarters; they are "
            "on the screen only, not printed.",
            "Percentages are shown in points: 93.4 means 93.4%. Changes between percentages are "
            "in percentage points unless the reason says '%'.",
            "Shares of rated indicators are whole percentages (except in Appendix 4's Table 4c, "
            "to one decimal place). Percentages may not sum to 100 "
            "because of rounding. In Table 1 each priority's shares are of its own rated "
            "indicators; 'None rated' means none of its indicators could be rated. Where some "
            "indicators are Not rated or have No data, Table 1's last column is 'Total rated': "
            "Green, Amber and Red only.",
            f"Key implications: a strategic priority is on target when "
            f"{self.result.key_implications.rule}. The outcome is Met when every priority is on "
            "target, and Unmet otherwise.",
            "Targets of cumulative measures are year-to-date targets that rise through the year.",
            "The data comes from the quarterly returns sent by each indicator owner to the "
            "performance team. Every return was checked cell by "
            "cell; the Validation log lists every problem found and the Sources sheet lists each "
            "file read with its SHA-256 fingerprint.",
            "RAG cells hold the word (Green, Amber, Red, Not rated, No data); colour is used only "
            "as emphasis.",
        ]
        if self.result.year_end is not None:
            notes.append("Year end: an indicator's annual outturn is its fourth-quarter value (the "
                         "year's total for a cumulative measure, the year-end figure for the others) "
                         "and its annual target is the fourth-quarter target. Met is Yes for Green and "
                         "No for Amber or Red; an indicator with no data or no target is not assessed, "
                         "and the cell says why.")
        s.table("Notes", cols, list(enumerate(notes, start=1)), repeat_header=True)

    # -- Summary --

    def _counts(self) -> list[_Count]:
        """Table 1's rows: the number of indicators of each status, and the shares of the rated
        ones, for each priority and the Total row."""
        t1, shares = self.result.table1, self.result.table1_shares
        rows = []
        for label in t1.index:
            pct = {str(x): (None if pd.isna(shares.loc[label, x]) else int(shares.loc[label, x]))
                   for x in RATED}
            rows.append(_Count(str(label), {str(x): _count(t1, label, x) for x in t1.columns}, pct))
        return rows

    def _table1(self) -> list[Column[_Count]]:
        """Table 1's columns: each RAG status's number and share, Not rated and No data when
        any, and the Total last, labelled "Total rated" when some are not rated."""
        t1 = self.result.table1
        cols: list[Column[_Count]] = [Column("Priority", 52, _priority_cell, "wrap")]
        for status in printed_columns(t1):
            if status == TOTAL:
                cols.append(Column(total_label(t1), 11, _count_cell(TOTAL), "integer"))
                continue
            cols.append(Column(str(status), 11, _count_cell(str(status)), "integer"))
            if status in RATED:
                cols.append(Column(f"{status} (%)", 11, _share_cell(str(status)), "integer"))
        return cols

    def _chart_table(self) -> list[Column[_Count]]:
        """Table 4a's columns: the counts the bar chart shows, Green, Amber and Red first."""
        t1 = self.result.table1
        return [
            Column("Priority", 62, _priority_cell, "wrap"),
            *[Column(str(x), 15, _count_cell(str(x)), "integer") for x in RATED],
            Column(total_label(t1), 15, _count_cell(TOTAL), "integer"),
        ]

    def _share_table(self) -> tuple[list[Column[_Share]], list[_Share]]:
        """The overall split's columns and rows; the sheet's first table sets the widths."""
        t1, shares = self.result.table1, self.result.shares
        cols: list[Column[_Share]] = [
            Column("RAG status", None, "status", rag=True),
            Column("Number of indicators", None, "indicators", "integer"),
            Column("Share of rated indicators (%)", None, "share", "integer"),
        ]
        rows = [_Share(x, _count(t1, TOTAL, x), int(shares.get(x, 0))) for x in RATED]
        return cols, rows

    def summary(self) -> None:
        p, fw, said = self.period, self.fw, self.result.sentences
        cols = self._table1()
        s = self.book.sheet("Summary", f"Summary of performance at {p.end_text}", widths(cols))
        s.line(f"{fw.council}, {fw.name}, {report_label(self.result)}.")
        s.line("Report summary", "heading", height=20)
        s.paragraph(said.paragraph)
        s.line("Performance by strategic priority", "heading", height=20)
        s.paragraph(said.position)
        s.table("Table1", cols, self._counts(), keep=True,
                caption=f"Table 1: RAG status of indicators by priority at {p.end_text} "
                        "(number of indicators, and % of the priority's rated indicators)")
        s.gap()
        if self.result.shares:
            share_cols, share_rows = self._share_table()
            s.table("Shares", share_cols, share_rows, keep=True,
                    caption="Table 2: Share of rated indicators by RAG status")
            s.line("Percentages may not sum to 100 because of rounding.")
        else:
            s.line(f"No indicator could be rated at {p.end_text}, so there are no shares of "
                   "Green, Amber and Red.")
        s.paragraph(said.appendix3)
        s.gap()
        key = self.result.key_implications
        key_cols: list[Column[Any]] = [
            Column("Outcome", None, lambda k: k.outcome, "wrap"),
            Column("Unmet", None, lambda k: k.unmet, "wrap"),
            Column("Met", None, lambda k: k.met, "wrap"),
            Column(f"Position (Q{p.quarter})", None, lambda k: k.result, "bold_text"),
            Column("Priorities on target", None,
                   lambda k: f"{k.on_target} of {k.priorities} ({k.share}%)", "wrap"),
        ]
        s.table("KeyImplications", key_cols, [key], keep=True,
                caption=f"Key implications at {p.end_text}")
        s.line(f"A priority is on target when {key.rule}.")
        s.gap()
        s.line("Appendix 1 lists every indicator; Appendix 3 gives the commentary and mitigation "
               "for each Amber and Red indicator.")

    # -- Year end --

    def year_end(self, table: pd.DataFrame) -> None:
        """The Year end sheet: each indicator's annual outturn against its annual target."""
        p = self.period
        labels = {str(i): u for i, u in zip(self.current["indicator_id"], self.current["unit_label"],
                                            strict=True)}
        cols: list[Column[Any]] = [  # the fields are the year end's columns
            Column("ID", 6, "indicator_id"),
            Column("Indicator", 44, "indicator", "wrap"),
            Column("Priority", 26, "priority", "wrap"),
            Column("Unit", 12, lambda r: labels.get(str(r.indicator_id), ""), "wrap"),
            Column("Annual outturn", 11, lambda r: self.value_cell(r.annual_outturn, r.unit, NO_DATA),
                   right=True),
            Column("Annual target", 11, self._annual_target, right=True),
            Column("Met annual target", 16, met_text, "wrap"),
            Column("RAG status (year end)", 12, "status", rag=True),
        ]
        year = p.year_label
        s = self.book.sheet(YEAR_END_SHEET, f"Year end: annual outturn against annual target, {year}",
                            widths(cols))
        said = self.result.sentences.year_end
        if said:
            s.paragraph(said)
        s.paragraph(f"The annual outturn is each indicator's value at {p.end_text}: the year's total for "
                    "a cumulative measure, the year-end figure for the others. The annual target is the "
                    "fourth quarter's target. Met is Yes for Green and No for Amber or Red.")
        s.table("YearEnd", cols, list(_named_rows(table)), autofilter=True, repeat_header=True,
                empty="The framework has no indicators.")

    def _annual_target(self, row: Any) -> Cell:
        ind = self.fw.indicator(str(row.indicator_id))
        word = "No target (data only)" if ind is not None and ind.data_only else "No annual target"
        return self.value_cell(row.annual_target, row.unit, word)

    # -- Appendices --

    def _quarter_values(self, quarter: int) -> Iterator[tuple[Any, str]]:
        """Each indicator's actual and data status in a quarter, in register order (the order of
        `current`), for Appendix 1."""
        data = self.result.data
        rows = data.loc[data["quarter"] == quarter, ["actual", "data_status"]]  # no wider copy
        yield from zip(rows["actual"].tolist(), rows["data_status"].tolist(), strict=True)

    def _quarter_actual(self, quarter: int) -> Any:
        """Appendix 1's cell for the actual of `quarter`: the number, or why there is none."""
        def cell(row: _YearRow) -> Cell:
            actual, data_status = row.quarters[quarter]
            missing = (data_status if data_status in (DataStatus.NOT_DUE, DataStatus.EXPLAINED)
                       else NO_DATA)
            return self.value_cell(actual, row.unit, missing)
        return cell

    def _last_year(self, row: _YearRow) -> Cell:
        """The value of the same quarter a year earlier, or why there is none."""
        return self.value_cell(row.same_quarter_last_year, row.unit, NOT_KNOWN)

    def _on_last_year(self, notes: dict[str, int]) -> Any:
        """Appendix 1's "On last year": the direction word, and the number of the history note
        under the table when the indicator's series is linked to an earlier id."""
        def cell(row: _YearRow) -> str:
            word = DIRECTION_TEXT.get(row.direction_on_last_year, row.direction_on_last_year)
            note = notes.get(str(row.indicator_id))
            return f"{word} (note {note})" if note else word
        return cell

    @staticmethod
    def _series_value(n: int) -> Any:
        """The `n`th of the row's last eight quarters (oldest first): a number, or a blank cell
        (a gap in the sparkline)."""
        def cell(row: _YearRow) -> Cell:
            series = tuple(row.series)
            value = series[n] if n < len(series) else None
            real = number(value)
            return Cell(real if real is not None else "", UNIT_FORMATS.get(row.unit, "decimal"))
        return cell

    def appendix1(self) -> None:
        p = self.period
        quarters = [q.quarter for q in p.year_to_date()]
        history = p.quarters_to(SERIES_QUARTERS)
        current = self.current
        notes = {str(ind_id): n for n, ind_id in enumerate(
            (i for i, note in zip(current["indicator_id"], current["history_note"], strict=True)
             if not is_missing(note) and note), start=1)}
        printed: list[Column[_YearRow]] = [
            Column("Priority", 14, "priority", "wrap"),
            Column("ID", 6, "indicator_id"),
            Column("Indicator", 25, "indicator", "wrap"),
            Column("Owner", 13, "owner", "wrap"),
            Column("Unit", 9, "unit_label", "wrap"),
            Column("Good performance is", 13, _polarity),
            *[Column(f"Q{q} actual", 9, self._quarter_actual(q), right=True) for q in quarters],
            Column(f"Target (Q{p.quarter})", 10, self.target, right=True),
            Column(f"RAG status (Q{p.quarter})", 10, "status", rag=True),
            Column("Reason", 22, "reason", "wrap"),
            Column("Direction of travel", 11, _direction, "wrap"),
            Column("Same quarter last year", 9, self._last_year, right=True),
            Column("On last year", 11, self._on_last_year(notes), "wrap"),
            # The cell is empty: its sparkline draws the row's last eight columns.
            Column(SPARKLINE_HEADER, 12, lambda r: ""),
            Column("Measure", 11, "measure_type", "wrap"),
            Column("Frequency", 11, lambda r: r.frequency.capitalize(), "wrap"),
            # A short reference: the Sources sheet gives the file of each (S1, S2, ...).
            Column("Source", 16, self._source, "wrap"),
        ]
        # The values the sparklines draw, in cells that screen readers and filters see: on the
        # screen, not printed (eight more columns would print the schedule too small to read).
        values = [Column(q.label, 10, self._series_value(n), right=True)
                  for n, q in enumerate(history)]
        cols = [*printed, *values]
        s = self.book.sheet("Appendix 1", f"Appendix 1: full schedule of indicators, {p.label}",
                            widths(cols), printed=len(printed))
        s.line(f"Every indicator of the framework in register order, with each quarter's actual so far "
               f"this year, the {p.label} target and RAG status, the reason and the direction of travel.")
        s.line("Percentages are in points (93.4 means 93.4%). The Unit column gives the unit of each row. "
               "Source gives the file (S1, S2, ...: see the Sources sheet) and cell of each value.")
        first_value = xl_col_to_name(len(printed))
        last_value = xl_col_to_name(len(cols) - 1)
        s.paragraph(f"Same quarter last year is the value at {p.last_year().label}, and On last year "
                    f"compares the actual with it. {SPARKLINE_HEADER} draws the values from "
                    f"{history[0].label} to {history[-1].label} as columns, each row scaled to its "
                    "own values, with this quarter's in orange and a gap where no value is known; the "
                    f"values are in columns {first_value} to {last_value}, which are not printed.")

        def rows() -> Iterator[_YearRow]:
            by_quarter = [self._quarter_values(q) for q in quarters]
            for now, *values in zip(data_rows(current), *by_quarter, strict=True):
                yield _YearRow.of(now, dict(zip(quarters, values, strict=True)))

        written = s.table("Appendix1", cols, rows(), count=len(current), autofilter=True,
                          repeat_header=True, empty="The framework has no indicators.")
        if written is None:
            return
        first, _ = written
        spark = [c.header for c in printed].index(SPARKLINE_HEADER)
        s.sparklines(first, spark, (len(printed), len(cols) - 1), SPARKLINE,
                     [_sparkline_floor(series) for series in current["series"].tolist()])
        if notes:
            s.gap()
            s.line("History notes", "caption")
            text = dict(zip(current["indicator_id"].astype(str), current["history_note"], strict=True))
            names = dict(zip(current["indicator_id"].astype(str), current["indicator"], strict=True))
            for ind_id, n in notes.items():
                s.paragraph(f"Note {n}. {ind_id} {names[ind_id]}: {text[ind_id]}")

    def appendix2(self) -> None:
        p = self.period
        cols: list[Column[DataRow]] = [
            Column("ID", 7, "indicator_id"),
            Column("Indicator", 44, "indicator", "wrap"),
            Column("Owner", 22, "owner", "wrap"),
            Column("Unit", 12, "unit_label", "wrap"),
            Column(f"Actual (Q{p.quarter})", 11, self.actual, right=True),
            Column(f"Target (Q{p.quarter})", 11, self.target, right=True),
            Column(f"RAG status (Q{p.quarter})", 12, "status", rag=True),
            Column("Direction of travel", 14, _direction, "wrap"),
        ]
        s = self.book.sheet("Appendix 2",
                            f"Appendix 2: indicators by Overview and Scrutiny panel, {p.label}",
                            widths(cols))
        s.line("One table for each panel, in register order; a table that does not fit on what is left "
               "of a page starts on the next. Percentages are in points (93.4 means 93.4%).")
        current = self.current
        by_panel: dict[str, list[int]] = {}
        for n, panel_name in enumerate(current["panel"].to_numpy(dtype=object).tolist()):
            by_panel.setdefault(str(panel_name or "") or NO_PANEL, []).append(n)
        panels = [(panel.name, panel.id) for panel in self.fw.panels]
        known = {name for name, _ in panels}
        panels += sorted(((name, name) for name in by_panel if name not in known),
                         key=lambda pair: pair[0] == NO_PANEL)  # "No scrutiny panel" last
        first = True
        for n, (name, _) in enumerate(panels, start=1):
            if not by_panel.get(name):
                continue
            count = len(by_panel[name])
            if not first:
                s.gap()
            first = False
            noun = "indicator" if count == 1 else "indicators"
            s.table(f"Panel{n}", cols, _Rows(current.iloc[by_panel[name]]), keep=True,
                    caption=f"{name} ({count} {noun})")

    def appendix3(self) -> None:
        p = self.period
        cols: list[Column[DataRow]] = [
            Column("ID", 6, "indicator_id"),
            Column("Indicator", 26, "indicator", "wrap"),
            Column("Owner", 14, "owner", "wrap"),
            Column("RAG status", 10, "status", rag=True),
            Column(f"Actual (Q{p.quarter})", 10, self.actual, right=True),
            Column(f"Target (Q{p.quarter})", 10, self.target, right=True),
            Column("Reason", 24, "reason", "wrap"),
            Column("Commentary", 42, lambda r: self.from_return(r, "commentary"), "wrap"),
            Column("Mitigation actions", 42,
                   lambda r: self.from_return(r, "mitigation"), "wrap"),
        ]
        s = self.book.sheet(
            "Appendix 3",
            f"Appendix 3: commentary and mitigation for Amber and Red indicators, {p.label}",
            widths(cols))
        s.line(f"Every indicator rated Amber or Red at {p.end_text}, in register order, with the "
               "owner's commentary and mitigation actions as returned.")
        current = self.current
        off = current[current["status"].isin([AMBER, RED])]
        s.table("Appendix3", cols, data_rows(off), count=len(off), repeat_header=True,
                empty=f"No indicator was rated Amber or Red at {p.end_text}.")

    def appendix4(self) -> None:
        p = self.period
        t1 = self.result.table1
        cols, counts = self._chart_table(), self._counts()
        s = self.book.sheet("Appendix 4", f"Appendix 4: charts, {p.label}", widths(cols))
        s.line("Three charts: RAG status by priority, the overall split, and the share of indicators "
               "on target quarter by quarter. Each chart follows the table of the numbers it shows.")
        by_priority = s.table("ChartData1", cols, counts, keep=True,
                              caption="Table 4a: RAG status by priority (number of indicators)")
        rated = sum(_count(t1, TOTAL, x) for x in RATED)
        if by_priority is None or not rated:
            s.line(f"No indicator could be rated at {p.end_text}, so there are no charts.")
            return
        s.gap()
        s.keep_rows(_BAR_ROWS)  # the chart prints whole, on the same page as its table if it fits
        s.ws.insert_chart(s.row, 0, self._bar_chart(*by_priority), {
            "description": self._bar_description()})
        s.skip(_BAR_ROWS)  # the rows the chart covers
        s.page_break()
        share_cols, shares = self._share_table()
        split = s.table("ChartData2", share_cols, shares, keep=True,
                        caption="Table 4b: Overall split of rated indicators")
        if split is not None:
            s.gap()
            s.keep_rows(_PIE_ROWS)
            s.ws.insert_chart(s.row, 0, self._pie_chart(*split), {
                "description": self._pie_description()})
            s.skip(_PIE_ROWS)
        self._trend(s)

    def _trend(self, s: Sheet) -> None:
        """Table 4c and its line chart: the share of rated indicators on target in each of the
        last eight quarters, a gap where none was rated."""
        trend = self.result.trend
        if not len(trend):
            return
        s.page_break()
        cols: list[Column[Any]] = [  # the fields are the trend's columns
            Column("Quarter", None, "label"),
            Column("Indicators rated", None, "rated", "integer"),
            Column("Green (on target)", None, "green", "integer"),
            # Blank where none was rated: a word would be drawn as 0%.
            Column("Share on target (%)", None, "on_target_share", "share_1dp", right=True),
        ]
        rows = list(_named_rows(trend))
        span = f"{rows[0].label} to {rows[-1].label}"
        written = s.table("ChartData3", cols, rows, keep=True,
                          caption=f"Table 4c: Share of rated indicators on target (Green), quarter by "
                                  f"quarter, {span}")
        if written is None:
            return
        if not any(int(r.rated) for r in rows):
            s.line(f"No indicator was rated from {span}, so there is no chart.")
            return
        s.line("A blank share is a quarter in which no indicator was rated: a gap in the chart.")
        s.gap()
        s.keep_rows(_TREND_ROWS)
        s.ws.insert_chart(s.row, 0, self._trend_chart(*written), {
            "description": self._trend_description(rows)})
        s.skip(_TREND_ROWS)

    def _trend_chart(self, first: int, last: int) -> Any:
        """A line of the share on target from Table 4c (rows first..last), with a marker and
        the number at each quarter."""
        colour = FORMATS["header"]["bg_color"]
        line = self.wb.add_chart({"type": "line"})
        line.add_series({
            "name": ["Appendix 4", first - 1, 3],
            "categories": ["Appendix 4", first, 0, last, 0],
            "values": ["Appendix 4", first, 3, last, 3],
            "line": {"color": colour, "width": 2.25},
            "marker": {"type": "circle", "size": 7, "fill": {"color": colour},
                       "border": {"color": colour}},
            "data_labels": {"value": True, "position": "above", "num_format": "0.0",
                            "font": {"bold": True}},
        })
        line.show_blanks_as("gap")
        line.set_title({"name": "Share of indicators on target, quarter by quarter",
                        "name_font": {"size": 12, "bold": True}})
        line.set_x_axis({"name": "Quarter"})
        line.set_y_axis({"name": "% of rated indicators on target (Green)", "min": 0, "max": 100,
                         "major_unit": 20, "num_format": "0", "major_gridlines": {"visible": True}})
        line.set_legend({"none": True})
        line.set_size({"width": 820, "height": 360})
        return line

    @staticmethod
    def _trend_description(rows: Sequence[Any]) -> str:
        points = "; ".join(
            f"{r.label}: {float(r.on_target_share):.1f}% ({int(r.green)} of {int(r.rated)})"
            if int(r.rated) else f"{r.label}: none rated"
            for r in rows)
        return ("Line chart of the share of rated indicators on target (Green) in each of the last "
                f"{len(rows)} quarters, oldest first. {points}.")

    def _bar_chart(self, first: int, last: int) -> Any:
        """A stacked bar of RAG counts by priority from Table 4a (rows first..last, Total last)."""
        bar = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for c, status in enumerate(RATED, start=1):
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
        bar.set_size({"width": 820, "height": 360})
        return bar

    def _bar_description(self) -> str:
        t1 = self.result.table1
        counts = "; ".join(
            f"{name}: " + ", ".join(f"{_count(t1, name, x)} {x}" for x in RATED)
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
                       for x in RATED],
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
        g, a, r = (_count(t1, TOTAL, x) for x in RATED)
        return (f"Pie chart of the {g + a + r} rated indicators at {self.period.end_text}: "
                f"{g} Green ({sh.get(GREEN, 0)}%), {a} Amber ({sh.get(AMBER, 0)}%) and "
                f"{r} Red ({sh.get(RED, 0)}%).")

    # -- the log, tracker and sources --

    def validation_log(self) -> None:
        rep = self.result.report
        cols: list[Column[Issue]] = [
            Column("File", 34, lambda i: self.short(i.file), "wrap"),
            Column("Sheet", 9, "sheet"),
            Column("Cell", 8, "cell"),
            Column("Indicator ID", 11, "indicator_id"),
            Column("Column", 14, "column", "wrap"),
            Column("Code", 20, "code", "wrap"),
            Column("Severity", 12, lambda i: i.severity.capitalize()),
            Column("Value as typed", 18, "value", "wrap"),
            Column("Message", 46, "message", "wrap"),
            Column("Fix", 42, "hint", "wrap"),
        ]
        s = self.book.sheet("Validation log", "Validation log", widths(cols))
        if rep.records or rep.skipped:
            warnings = len(rep.warnings)
            s.line(f"{counted(len(rep.errors), 'error')}, {counted(warnings, 'warning')} and "
                   f"{counted(len(rep.skipped), 'file')} skipped. An error stops that value being "
                   "used; a warning does not.")
            s.line("Cell gives the cell of the owner's return; values are shown as typed.")
        rows = [*rep.records, *(_skipped_issue(skipped) for skipped in rep.skipped)]
        s.table("ValidationLog", cols, rows, autofilter=True, repeat_header=True,
                empty="No problems were found in the returns and no files were skipped.")

    def return_tracker(self) -> None:
        p = self.period
        cols: list[Column[Any]] = [  # the fields are the tracker's columns
            Column("Owner ID", 9, "owner_id"),
            Column("Owner", 26, "owner", "wrap"),
            Column("Contact", 34, "contact", "wrap"),
            Column("Indicators due", 11, "indicators_due", "integer"),
            Column("Returns received", 11, "returns_received", "integer"),
            Column("Returns valid", 11, "returns_valid", "integer"),
            Column("Values accepted", 11, "values_accepted", "integer"),
            Column("Errors", 9, "errors", "integer"),
            Column("Warnings", 10, "warnings", "integer"),
            Column("Status", 26, "status", "wrap"),
        ]
        s = self.book.sheet("Return tracker", f"Return tracker, {p.label}", widths(cols))
        s.line("For each owner: indicators due this quarter, returns received and valid, and what to "
               "do next. Owners marked 'chase' have sent nothing.")
        s.table("ReturnTracker", cols, list(_named_rows(self.result.tracker)), autofilter=True,
                repeat_header=True, empty="The framework has no owners with indicators.")

    def sources(self) -> None:
        cols: list[Column[Any]] = [  # the fields are the sources list's columns
            Column("Ref", 6, lambda r: self.refs.get(str(r.file), "")),
            Column("File", 40, lambda r: str(r.file), "wrap"),
            Column("SHA-256", 66, "sha256"),
            Column("Owner", 20, self._owner_name, "wrap"),
            Column("Period", 11, lambda r: _period_label(r.period)),
            Column("Status", 12, lambda r: _sentence_case(str(r.status or "")), "wrap"),
            Column("Rows read", 9, "rows_read", "integer"),
            Column("Rows accepted", 10, "rows_accepted", "integer"),
            Column("Rows rejected", 10, "rows_rejected", "integer"),
            Column("Errors", 8, "errors", "integer"),
            Column("Warnings", 10, "warnings", "integer"),
        ]
        s = self.book.sheet("Sources", "Sources", widths(cols))
        s.line("Each file read, with its reference (Appendix 1's Source column gives it with the cell "
               "of each value), its full path, its SHA-256 fingerprint (to check that a file is the one "
               "used) and the rows read, accepted and rejected.")
        s.table("Sources", cols, list(_named_rows(self.result.sources)), autofilter=True,
                repeat_header=True, empty="No files were read.")

    def _owner_name(self, row: Any) -> str:
        owner_id = "" if is_missing(row.owner_id) else str(row.owner_id)
        owner = self.fw.owner(owner_id)
        return owner.name if owner else owner_id


# -- cells --------------------------------------------------------------------------------

def met_text(row: Any) -> str:
    """A year-end row's Met: Yes or No, or why the indicator is not assessed against an annual
    target."""
    if not is_missing(row.met):  # True or False (a numpy bool when no row lacks one)
        return "Yes" if bool(row.met) else "No"
    if row.status == NO_DATA:
        return "Not assessed: no data"
    if number(row.annual_target) is None:
        return "Not assessed: no annual target"
    return f"Not assessed: {str(row.status).lower()}"


def _sparkline_floor(series: Any) -> float:
    """Where a row's column sparkline starts: a quarter of its range below its lowest value, so
    the lowest quarter is a short column, not none (which would read as a gap)."""
    values = [real for real in (number(v) for v in series) if real is not None]
    if not values:
        return 0.0
    low, high = min(values), max(values)
    below = (high - low) / 4 if high > low else max(abs(low) / 10, 1.0)
    return round(low - below, 6)


def _priority_cell(row: _Count) -> Cell:
    return Cell(row.label, "bold_text" if row.label == TOTAL else "wrap")


def _count_cell(status: str) -> Any:
    """A table of counts' cell for `status`: bold on the Total row."""
    def cell(row: _Count) -> Cell:
        return Cell(row.counts[status], "bold_integer" if row.label == TOTAL else "integer")
    return cell


def _share_cell(status: str) -> Any:
    """Table 1's share cell for `status`, or "None rated" in words: bold on the Total row."""
    def cell(row: _Count) -> Cell:
        share = row.shares[status]
        if share is None:
            return Cell("None rated", "text_right")
        return Cell(share, "bold_integer" if row.label == TOTAL else "integer")
    return cell


def _polarity(row: DataRow) -> str:
    return "Lower" if row.polarity == "lower" else "Higher"


def _direction(row: DataRow) -> str:
    return DIRECTION_TEXT.get(row.direction, row.direction)


def _skipped_issue(skipped: SkippedFile) -> Issue:
    """A file that was skipped, as a line of the Validation log."""
    return Issue(code="skipped", severity="information", file=skipped.path, sheet="", cell="",
                 indicator_id="", column="", value="",
                 message=f"The file was skipped: {skipped.reason}.",
                 hint="Nothing, unless it is a return: then save it as an .xlsx workbook and run again.")


def _count(table: pd.DataFrame, row: Any, col: Any) -> int:
    """A count from Table 1 (index: priority names and Total)."""
    value: Any = table.loc[row, col]
    return int(value)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _period_label(text: Any) -> str:
    """`2017-18-Q2` as `2017/18 Q2`; anything else as it is."""
    if is_missing(text) or not text:
        return ""
    try:
        return Period.parse(str(text)).label
    except ValueError:
        return str(text)


def _short_names(paths: Sequence[str]) -> dict[str, str]:
    """A short name for each input: its file name, or its path below the folder all inputs
    share when two have the same file name."""
    if not paths:
        return {}
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
        return {p: os.path.basename(p) for p in paths}
    return {p: os.path.relpath(full[p], common or ".").replace(os.sep, "/") for p in paths}
