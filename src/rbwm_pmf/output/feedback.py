"""Feedback for owners: an annotated copy of each return with its problem cells highlighted,
a comment on each, and an Issues sheet linking to every problem, laid out and printed like the
consolidated workbook. The original is never touched. An owner may correct the copy and send
it back: it is then read as their return (see `FEEDBACK_FOR`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.errors import OutputError
from rbwm_pmf.model.values import counted
from rbwm_pmf.output.files import os_problem, write_replacing
from rbwm_pmf.output.sheets import Column
from rbwm_pmf.output.text import ARIAL_11, CALIBRI_11
from rbwm_pmf.reading.files import FEEDBACK_FOR, FEEDBACK_SUFFIX
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import Issue

if TYPE_CHECKING:
    from rbwm_pmf.validation.report import FileOutcome, ValidationReport

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_EDGE = Side(style="medium", color="9C0006")
ERROR_BORDER = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
ISSUES_SHEET = "Issues"
AUTHOR = "Performance team"
# The Issues sheet looks like the consolidated workbook's tables: Arial 11, a dark blue header
# row with white bold text, thin grey borders, wrapped text in rows tall enough to show it.
FONT_NAME = "Arial"
_TEXT_FONT = Font(name=FONT_NAME, size=11)
_HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_LINK_FONT = Font(name=FONT_NAME, size=11, color="0563C1", underline="single")
_GRID = Side(style="thin", color="A6A6A6")
_CELL_BORDER = Border(left=_GRID, right=_GRID, top=_GRID, bottom=_GRID)
_WRAP = Alignment(wrap_text=True, vertical="top")
# The Issues sheet's table, in the order an owner reads it: where, what is wrong, how to fix it.
ISSUE_COLUMNS: tuple[Column[Issue], ...] = (
    Column("Cell", 12, lambda i: i.location or "The whole file"),
    Column("Indicator", 9, "indicator_id"),
    Column("Column", 13, "column"),
    Column("What was typed", 15, "value"),
    Column("What is wrong", 36, "message"),
    Column("How to fix it", 36, "hint"),
    Column("Must be fixed?", 9, lambda i: "Yes" if i.is_error else "No, check it"),
    Column("Rule", 18, "code"),
)
_HEADER_ROW = 4
_NOTE_LIMIT = 4_000  # comments longer than this are hard to read; the Issues sheet has it all


class FeedbackCopies(list[Path]):
    """The feedback copies written, and in `.removed` the earlier copies removed because their
    return has no problem now."""

    def __init__(self, written: Iterable[Path] = (), removed: Iterable[Path] = ()) -> None:
        super().__init__(written)
        self.removed = list(removed)


def feedback_name(path: str | Path, owner: str = "", period: str = "") -> str:
    """The feedback copy's name: the return's own name with ` - feedback`, led by its period
    and owner when the name does not already start with them (`ASC return.xlsx` for ASC's
    2017-18 Q2 return -> `2017-18-Q2-ASC ASC return - feedback.xlsx`)."""
    stem = Path(path).stem
    lead = "-".join(x for x in (period, owner) if x)
    if lead and not stem.casefold().startswith(lead.casefold()):
        stem = f"{lead} {stem}"
    return f"{stem}{FEEDBACK_SUFFIX}"


def write_feedback(report: ValidationReport, out_dir: str | Path) -> FeedbackCopies:
    """Write a feedback copy of every return with problems into `out_dir`; return the paths.

    Each return gets its own copy (see `feedback_name`; two returns that would share a name get
    a short code from their path as well), so no copy replaces another's, and a run again
    replaces its own earlier copies. A copy written earlier for a return with no problem now is
    removed (listed in `.removed`). Raises OutputError if `out_dir` holds or is inside the
    folders of the returns read, or cannot be written.
    """
    out = Path(out_dir)
    _refuse_inputs(out, report)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(os_problem(out, exc)) from exc
    by_file: dict[str, list[Issue]] = {}
    for issue in report.records:
        by_file.setdefault(issue.file, []).append(issue)
    names = _names(report.files)
    copies = FeedbackCopies()
    for outcome in report.files:
        target = out / names[outcome.path]
        issues = by_file.get(outcome.path)
        if outcome.status == "replaced":
            continue  # a corrected copy was sent back: nothing to send for the first one
        if not issues:
            if _is_earlier_copy(target, outcome):
                _remove(target)
                copies.removed.append(target)
            continue
        opened = outcome.status not in ("unreadable", "duplicate") and any(i.sheet for i in issues)
        wb = _annotated(outcome.path, issues) if opened else None
        if wb is None:
            wb = Workbook()
            ws = wb.active
            assert ws is not None
            wb.remove(ws)
        _mark(wb, outcome.sha256)
        _issues_sheet(wb, outcome.path, issues)
        write_replacing(target, wb.save)
        copies.append(target)
    return copies


def _refuse_inputs(out: Path, report: ValidationReport) -> None:
    """Feedback copies are read as returns when sent back, so they are never written among the
    returns being read: not into a folder given to read, nor into one holding a return read."""
    where = out.resolve()
    folders = {Path(p).resolve() for p in report.inputs if Path(p).is_dir()}
    inside = sorted(f for f in folders if where == f or f in where.parents)
    inside += sorted(Path(f.path).resolve().parent for f in report.files
                     if where in Path(f.path).resolve().parents)
    if inside:
        raise OutputError(
            f"Cannot write feedback to {out}: the returns being checked are read from "
            f"{inside[0]}, so the copies would be read as returns next time. Give a folder "
            "outside the returns.")


def _names(outcomes: Sequence[FileOutcome]) -> dict[str, str]:
    """Each return's feedback copy name; where two returns would share one, both names get a
    short code made from their path."""
    plain = {o.path: feedback_name(o.path, o.owner_id, o.period) for o in outcomes}
    count: dict[str, int] = {}
    for name in plain.values():
        count[name.casefold()] = count.get(name.casefold(), 0) + 1
    names = {}
    for path, name in plain.items():
        if count[name.casefold()] > 1:
            code = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:6]
            name = f"{name[: -len(FEEDBACK_SUFFIX)]} {code}{FEEDBACK_SUFFIX}"
        names[path] = name
    return names


def _is_earlier_copy(path: Path, outcome: FileOutcome) -> bool:
    """True when `path`, the name this return's copy has, holds a feedback copy written for a
    return of the same owner and period (an earlier version of this return)."""
    if not path.is_file():
        return False
    from rbwm_pmf.reading.returns import read_return

    copy = read_return(path)
    return (FEEDBACK_FOR in copy.meta and copy.owner_id == outcome.owner_id
            and str(copy.period or "") == outcome.period)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError as exc:
        raise OutputError(os_problem(path, exc)) from exc


def _mark(wb: Workbook, sha256: str) -> None:
    """Record in the (hidden) Metadata sheet which return this copy was made from, so a copy
    sent back is known for what it is."""
    if layout.META_SHEET in wb.sheetnames:
        ws = wb[layout.META_SHEET]
    else:
        ws = wb.create_sheet(layout.META_SHEET)
        ws.sheet_state = "veryHidden"
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == FEEDBACK_FOR:
            row[1].value = sha256
            return
    r = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
    ws.cell(r, 1, FEEDBACK_FOR).data_type = "s"
    ws.cell(r, 2, sha256).data_type = "s"


def _annotated(path: str, issues: list[Issue]) -> Workbook | None:
    try:
        wb = load_workbook(path)
    except Exception:  # the reader opened it, openpyxl may still not: fall back to a list
        return None
    for issue in issues:
        if not issue.sheet or not issue.cell or issue.sheet not in wb.sheetnames:
            continue
        ws = wb[issue.sheet]
        ref = _first_cell(issue.cell)
        cell = ws[ref]
        cell.fill = ERROR_FILL if issue.is_error else WARNING_FILL
        if issue.is_error:
            cell.border = ERROR_BORDER
        text = (f"{'Must be fixed' if issue.is_error else 'Worth checking'}: {issue.message}\n"
                f"How to fix it: {issue.hint}\n(rule {issue.code})")
        if cell.comment is not None:
            text = f"{cell.comment.text}\n\n{text}"
        text = text if len(text) <= _NOTE_LIMIT else text[: _NOTE_LIMIT - 1] + "…"
        comment = Comment(text, AUTHOR)
        comment.width = 360
        comment.height = max(120, 18 * ARIAL_11.lines(text, 44) + 20)
        cell.comment = comment
    if layout.RETURN_SHEET in wb.sheetnames:
        _fit_rows(wb[layout.RETURN_SHEET])
    return wb


def _first_cell(ref: str) -> str:
    """The first cell of a reference: `H6` of `H6:H8`, `A5` of the whole row `5:5`."""
    first = ref.split(":")[0]
    return first if first[:1].isalpha() else f"A{first}"


def _fit_rows(ws: Worksheet) -> None:
    """Make each table row of the Return sheet tall enough for its longest text, so long
    commentary is not cut off where the template set a fixed height."""
    header = next((r for r in range(1, min(ws.max_row, 60) + 1)
                   if ws.cell(r, 1).value is not None
                   and str(ws.cell(r, 1).value).strip() == layout.ID), None)
    if header is None:
        return
    widths: dict[int, float] = {}
    for col in range(1, ws.max_column + 1):
        column = ws.column_dimensions.get(get_column_letter(col))
        widths[col] = float(column.width) if column is not None and column.width else 8.43
    for r in range(header + 1, ws.max_row + 1):
        lines = 1
        for col, width in widths.items():
            cell = ws.cell(r, col)
            value = cell.value
            if isinstance(value, str) and value and cell.data_type != "f":  # not a formula
                lines = max(lines, CALIBRI_11.lines(value, width))
        needed = CALIBRI_11.height(lines)
        row = ws.row_dimensions[r]
        if row.height is None or row.height < needed:
            row.height = needed


def summary_line(errors: int, warnings: int) -> str:
    """What the owner must do, in a sentence: `2 problems must be fixed before your figures can
    be used, and 1 is worth checking.`"""
    worth = f"{warnings} {'is' if warnings == 1 else 'are'} worth checking"
    if errors and warnings:
        return (f"{counted(errors, 'problem')} must be fixed before your figures can "
                f"be used, and {worth}.")
    if errors:
        return f"{counted(errors, 'problem')} must be fixed before your figures can be used."
    return (f"Your figures can be used; {counted(warnings, 'thing')} "
            f"{'is' if warnings == 1 else 'are'} worth checking.")


def _issues_sheet(wb: Workbook, path: str, issues: list[Issue]) -> None:
    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    ws: Worksheet = wb.create_sheet(ISSUES_SHEET, 0)
    errors = sum(i.is_error for i in issues)
    ws["A1"] = f"Problems found in {Path(path).name}"
    ws["A1"].font = Font(name=FONT_NAME, bold=True, size=14)
    ws["A2"] = summary_line(errors, len(issues) - errors)
    ws["A3"] = ("Click a cell in the Cell column to go to it. Correct your figures in this copy or "
                "in your own return, and send it back.")
    for ref in ("A2", "A3"):
        ws[ref].font = _TEXT_FONT
    _write_table(ws, ISSUE_COLUMNS, issues)
    for n, issue in enumerate(issues, start=_HEADER_ROW + 1):
        if issue.sheet and issue.cell and issue.sheet in wb.sheetnames:
            link = ws.cell(row=n, column=1)
            sheet = issue.sheet.replace("'", "''")
            link.hyperlink = f"#'{sheet}'!{_first_cell(issue.cell)}"
            link.font = _LINK_FONT
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    footer = ws.oddFooter
    if footer is not None:
        footer.center.text = "Page &P of &N"
    wb.active = 0
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws


def _write_table(ws: Worksheet, columns: Sequence[Column[Issue]], records: Sequence[Issue]) -> None:
    """The header row at `_HEADER_ROW` and a row per record below it, styled like the
    consolidated workbook's tables; each column gets its declared width and each row the
    height its wrapped text needs."""
    widths = [float(c.width or 10) for c in columns]
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=_HEADER_ROW, column=col, value=column.header)
        cell.font, cell.fill, cell.border, cell.alignment = (_HEADER_FONT, _HEADER_FILL,
                                                             _CELL_BORDER, _WRAP)
    ws.row_dimensions[_HEADER_ROW].height = ARIAL_11.height(max(
        ARIAL_11.lines(c.header, w, bold=True) for c, w in zip(columns, widths, strict=True)))
    for n, record in enumerate(records, start=_HEADER_ROW + 1):
        lines = 1
        for col, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
            body = ws.cell(row=n, column=col)
            text = str(column.of(record) or "")
            body.value = text
            body.data_type = "s"  # text from a return is always text, never a formula
            body.font, body.border, body.alignment = _TEXT_FONT, _CELL_BORDER, _WRAP
            lines = max(lines, ARIAL_11.lines(text, width))
        ws.row_dimensions[n].height = ARIAL_11.height(lines)
    for col, column in enumerate(columns, start=1):
        if column.width is not None:
            ws.column_dimensions[get_column_letter(col)].width = column.width
