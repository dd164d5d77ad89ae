"""Feedback for owners: an annotated copy of each return with its problem cells highlighted,
a comment on each, and an Issues sheet linking to every problem. The original is never touched."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.errors import OutputError
from rbwm_pmf.output.files import os_problem, write_replacing
from rbwm_pmf.output.sheets import Column
from rbwm_pmf.reading.files import FEEDBACK_SUFFIX
from rbwm_pmf.validation.issues import Issue

if TYPE_CHECKING:
    from rbwm_pmf.validation.report import ValidationReport

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_EDGE = Side(style="medium", color="9C0006")
ERROR_BORDER = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
ISSUES_SHEET = "Issues"
AUTHOR = "Performance team"
# The Issues sheet's table: one row per issue, every cell wrapped text.
ISSUE_COLUMNS: tuple[Column[Issue], ...] = (
    Column("Cell", 14, lambda i: i.location or "(whole file)"),
    Column("Severity", 9, "severity"),
    Column("Code", 26, "code"),
    Column("Indicator ID", 11, "indicator_id"),
    Column("Column", 18, "column"),
    Column("Value as typed", 22, "value"),
    Column("Problem", 60, "message"),
    Column("How to fix", 60, "hint"),
)
_HEADER_ROW = 4


def feedback_name(path: str | Path) -> str:
    """`ASC return.xlsx` -> `ASC return - feedback.xlsx`."""
    return f"{Path(path).stem}{FEEDBACK_SUFFIX}"


def write_feedback(report: ValidationReport, out_dir: str | Path) -> list[Path]:
    """Write a feedback workbook for every return with problems; return the paths written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(os_problem(out, exc)) from exc
    by_file: dict[str, list[Issue]] = {}
    for issue in report.records:
        by_file.setdefault(issue.file, []).append(issue)
    written = []
    for outcome in report.files:
        issues = by_file.get(outcome.path)
        if not issues:
            continue
        target = out / feedback_name(outcome.path)
        if target.resolve() == Path(outcome.path).resolve():
            continue  # never overwrite a return
        opened = outcome.status not in ("unreadable", "duplicate") and any(i.sheet for i in issues)
        wb = _annotated(outcome.path, issues) if opened else None
        if wb is None:
            wb = Workbook()
            ws = wb.active
            assert ws is not None
            wb.remove(ws)
        _issues_sheet(wb, outcome.path, issues)
        write_replacing(target, wb.save)
        written.append(target)
    return written


def _annotated(path: str, issues: list[Issue]) -> Workbook | None:
    try:
        wb = load_workbook(path)
    except Exception:  # the reader opened it, openpyxl may still not: fall back to a list
        return None
    for issue in issues:
        if not issue.sheet or not issue.cell or issue.sheet not in wb.sheetnames:
            continue
        ws = wb[issue.sheet]
        ref = issue.cell
        if ":" in ref:  # a whole row (a header problem): mark its first cell
            ref = f"A{ref.split(':')[0]}"
        cell = ws[ref]
        cell.fill = ERROR_FILL if issue.is_error else WARNING_FILL
        if issue.is_error:
            cell.border = ERROR_BORDER
        text = f"{issue.severity.title()} [{issue.code}]: {issue.message}\nFix: {issue.hint}"
        if cell.comment is not None:
            text = f"{cell.comment.text}\n\n{text}"
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = 160
        cell.comment = comment
    return wb


def _issues_sheet(wb: Workbook, path: str, issues: list[Issue]) -> None:
    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    ws: Worksheet = wb.create_sheet(ISSUES_SHEET, 0)
    errors = sum(i.is_error for i in issues)
    ws["A1"] = f"Problems found in {Path(path).name}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (f"{errors} error(s) must be fixed before the figures can be used; "
                f"{len(issues) - errors} warning(s) to check. Click a cell reference to go to it.")
    _write_table(ws, ISSUE_COLUMNS, issues)
    for n, issue in enumerate(issues, start=_HEADER_ROW + 1):
        if issue.sheet and issue.cell and ":" not in issue.cell and issue.sheet in wb.sheetnames:
            link = ws.cell(row=n, column=1)
            sheet = issue.sheet.replace("'", "''")
            link.hyperlink = f"#'{sheet}'!{issue.cell}"
            link.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    wb.active = 0


def _write_table(ws: Worksheet, columns: Sequence[Column[Issue]], records: Sequence[Issue]) -> None:
    """The header row (bold) at `_HEADER_ROW` and a row per record below it, every cell wrapped
    text; each column gets its declared width."""
    for col, column in enumerate(columns, start=1):
        ws.cell(row=_HEADER_ROW, column=col, value=column.header).font = Font(bold=True)
    for n, record in enumerate(records, start=_HEADER_ROW + 1):
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=n, column=col)
            cell.value = column.of(record)
            cell.data_type = "s"  # text from a return is always text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, column in enumerate(columns, start=1):
        if column.width is not None:
            ws.column_dimensions[get_column_letter(col)].width = column.width


