"""Workbooks sent out: the owners' return templates and the register's Excel form."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from rbwm_pmf.errors import OutputError, PeriodError, PmfError
from rbwm_pmf.model.framework import (
    FRAMEWORK_FIELDS,
    INDICATOR_COLUMNS,
    MEASURE_WORDS,
    OWNER_COLUMNS,
    PANEL_COLUMNS,
    PRIORITY_COLUMNS,
    Framework,
    Indicator,
    Owner,
)
from rbwm_pmf.model.periods import Period, date_text
from rbwm_pmf.output.files import write_replacing
from rbwm_pmf.output.sheets import FORMATS as REPORT_FORMATS
from rbwm_pmf.output.sheets import Column
from rbwm_pmf.output.text import CALIBRI_11, footer_text
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.template import spec as layout

__all__ = ["make_templates", "write_register_xlsx"]

# Text typed by an owner stays text: never a formula, a link or a number Excel guessed at.
_WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # In memory, XlsxWriter stamps every zip member 1980-01-01, so the bytes do not depend on
    # the clock or the time zone: the same inputs give the same file.
    "in_memory": True,
}

_GREY = "#F2F2F2"
_TO_DO_FILL = "#FCE4D6"
_TO_DO_TEXT = "#843C0C"
_TO_DO_BORDER = "#C55A11"
_DONE_BORDER = "#548235"
_BORDER = "#A6A6A6"
_HEADER_FILL = "#1F4E79"

# Every cell style, defined once (XlsxWriter's dict form of add_format).
_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#404040"},
    "heading": {"bold": True, "font_size": 12},
    "text": {"valign": "top"},
    "header": {
        "bold": True, "font_color": "#FFFFFF", "bg_color": _HEADER_FILL, "text_wrap": True,
        "valign": "vcenter", "border": 1, "border_color": _BORDER,
    },
    "ref": {"bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top", "locked": True},
    "ref_wrap": {
        "bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top", "text_wrap": True,
        "locked": True,
    },
    "ref_percent": {
        "bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top",
        "num_format": "0.0%", "locked": True,
    },
    "ref_whole": {
        "bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top",
        "num_format": "#,##0", "locked": True,
    },
    "ref_decimal": {
        "bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top",
        "num_format": "#,##0.0#", "locked": True,
    },
    "input_percent": {
        "bg_color": "#FFFFFF", "border": 1, "border_color": _BORDER, "valign": "top",
        "num_format": "0.0%", "locked": False,
    },
    # Not '#,##0.##': Excel shows a whole number in it with a stray point ("560."), and an
    # input cell should show what the owner typed, so the Actual cell keeps General.
    "input_number": {
        "bg_color": "#FFFFFF", "border": 1, "border_color": _BORDER, "valign": "top", "locked": False,
    },
    "input_text": {
        "bg_color": "#FFFFFF", "border": 1, "border_color": _BORDER, "valign": "top",
        "text_wrap": True, "locked": False,
    },
    "unlocked": {"locked": False},
    "plain_header": {"bold": True, "bottom": 1},
    "line": {"valign": "vcenter"},
    # Worked out by a formula: locked, and the formula kept out of the formula bar.
    "status": {
        "bg_color": _GREY, "border": 1, "border_color": _BORDER, "valign": "top", "bold": True,
        "text_wrap": True, "locked": True, "hidden": True,
    },
    "check": {
        "bg_color": _TO_DO_FILL, "font_color": _TO_DO_TEXT, "border": 2, "border_color": _TO_DO_BORDER,
        "valign": "vcenter", "bold": True, "text_wrap": True, "locked": True, "hidden": True,
    },
}

# Conditional formats: the RAG words in the colours of the consolidated workbook, and a
# "to do" highlight on a cell the owner still has to fill in or correct.
_CONDITIONAL: dict[str, dict[str, Any]] = {
    **{name: REPORT_FORMATS[name] for name in ("rag_green", "rag_amber", "rag_red", "rag_not_rated",
                                               "rag_no_data")},
    "to_do": {"bg_color": _TO_DO_FILL, "font_color": _TO_DO_TEXT, "border": 2,
              "border_color": _TO_DO_BORDER},
    "done": {**REPORT_FORMATS["rag_green"], "border": 2, "border_color": _DONE_BORDER},
}
_STATUS_COLOURS = {
    layout.GREEN: "rag_green",
    layout.AMBER: "rag_amber",
    layout.RED: "rag_red",
    layout.NOT_DUE_TEXT: "rag_not_rated",
    layout.DATA_ONLY_TEXT: "rag_not_rated",
    layout.NOT_RATED_TEXT: "rag_not_rated",
    layout.TYPE_A_VALUE: "rag_no_data",
    layout.EXPLAINED_TEXT: "rag_no_data",
    layout.TYPE_A_NUMBER: "to_do",
    layout.OUT_OF_RANGE: "to_do",
}

_TEXT_FIT = CALIBRI_11  # XlsxWriter's default font, which the templates keep
_MIN_DATA_LINES = 3  # room to start typing commentary without resizing the row

_FREQUENCY_WORDS = {
    "quarterly": "Quarterly",
    "half-yearly": "Half-yearly (due at Q2 and Q4)",
    "annual": "Annual (due at Q4)",
}

_VALUE_WORDS = {
    "cumulative": "the year-to-date value",
    "rolling": "the rolling 12-month value",
    "snapshot": "the value",
}

# A data-only indicator is reported, never rated, so its Target cell says so instead of a number.
_DATA_ONLY_TEXT = layout.DATA_ONLY_TEXT


def _unit_text(ind: Indicator) -> str:
    return "%" if ind.unit == "percent" else ind.unit_label


# The Instructions sheet's table of indicator definitions, every cell grey wrapped text.
_DEFINITION_COLUMNS: tuple[Column[Indicator], ...] = (
    Column("Indicator ID", 12, "id", "ref_wrap"),
    Column("Indicator", 45, "name", "ref_wrap"),
    Column("Definition", 70, "definition", "ref_wrap"),
    Column("Measure", 24, lambda ind: MEASURE_WORDS.get(ind.measure_type, ind.measure_type), "ref_wrap"),
    Column("Frequency", 22, lambda ind: _FREQUENCY_WORDS.get(ind.frequency, ind.frequency), "ref_wrap"),
    Column("Tolerance", 22, lambda ind: _tolerance_text(ind), "ref_wrap"),
)


# -- public --------------------------------------------------------------------------------

def make_templates(
    framework: Framework | None,
    period: str | Period,
    out_dir: str | Path,
    *,
    generated: dt.datetime | None = None,
    owners: Iterable[str] | None = None,
) -> list[Path]:
    """Write one return template per owner with indicators; return the paths, in register order.

    `framework` None means the packaged register. `owners` limits the run to those owner ids.
    `generated` (default: now, UTC, to the second) is the only time written into the files, so the
    same inputs and the same `generated` give byte-identical workbooks.
    """
    per = Period.parse(period)
    fw = load_framework() if framework is None else framework
    when = _generated(generated)
    if per.fy != fw.year:
        raise PeriodError(
            f"The period {per} is not in the register's financial year {fw.year} ({fw.id}); "
            f"choose a {fw.year} quarter, like {fw.year}-Q{per.quarter}, or another register."
        )
    chosen = _chosen_owners(fw, owners)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from exc
    paths = []
    for owner in chosen:
        indicators = fw.indicators_of(owner.id)
        if not indicators:
            continue
        # An id is a register value, not a path: nothing in it may leave the folder.
        safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", owner.id)
        path = folder / f"{per}-{safe_id}-{_slug(owner.name)}.xlsx"

        def build(wb: Any, owner: Owner = owner, indicators: list[Indicator] = indicators) -> None:
            _build_template(wb, fw, per, owner, indicators, when)

        paths.append(_save(path, build))
    return paths


def write_register_xlsx(
    framework: Framework, path: str | Path, *, generated: dt.datetime | None = None
) -> Path:
    """Write the register's Excel form (the YAML form's tables, one sheet each); return the path.

    `load_framework(path)` reads it back to an equal Framework.
    """
    data = framework.to_dict()
    when = _generated(generated)

    def build(wb: Any) -> None:
        wb.set_properties({
            "title": f"{framework.name}: register",
            "subject": f"Performance management framework register {framework.id}, {framework.year}",
            "author": framework.council,
            "company": framework.council,
            "created": when,
        })
        formats = _add_formats(wb)
        meta = data["framework"]
        _write_table(wb, formats, "Framework", ["field", "value"],
                     [{"field": key, "value": meta[key]} for key in FRAMEWORK_FIELDS])
        _write_table(wb, formats, "Priorities", PRIORITY_COLUMNS, data["priorities"])
        _write_table(wb, formats, "Panels", PANEL_COLUMNS, data["panels"])
        _write_table(wb, formats, "Owners", OWNER_COLUMNS, data["owners"])
        _write_table(wb, formats, "Indicators", INDICATOR_COLUMNS, data["indicators"])

    return _save(Path(path), build)


# -- saving --------------------------------------------------------------------------------

def _save(path: Path, build: Callable[[Any], None]) -> Path:
    """Build a workbook in memory, write it to a temporary file beside `path`, then rename."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
    build(wb)
    wb.close()
    return write_replacing(path, lambda stream: stream.write(buffer.getvalue()))


def _generated(value: dt.datetime | None) -> dt.datetime:
    """A naive UTC time to the second (XlsxWriter writes document times as UTC)."""
    if value is None:
        value = dt.datetime.now(dt.UTC)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _chosen_owners(fw: Framework, wanted: Iterable[str] | None) -> list[Owner]:
    if wanted is None:
        return list(fw.owners)
    typed = [str(w).strip() for w in wanted]
    keys = {t.casefold() for t in typed}
    known = {o.id.casefold() for o in fw.owners}
    # Quoted as typed (XYZ, not xyz), each once, in the order given.
    missing: dict[str, str] = {}
    for t in typed:
        if t.casefold() not in known:
            missing.setdefault(t.casefold(), t)
    unknown = list(missing.values())
    if unknown:
        listed = ", ".join(o.id for o in fw.owners)
        raise PmfError(
            f"Unknown owner {', '.join(repr(u) for u in unknown)}; the register {fw.id} has: {listed}."
        )
    return [o for o in fw.owners if o.id.casefold() in keys]


def _slug(text: str) -> str:
    """`Children's Social Care` -> `childrens-social-care`."""
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "owner"


def _add_formats(wb: Any) -> dict[str, Any]:
    return {name: wb.add_format(spec) for name, spec in _FORMATS.items()}


def _add_conditional_formats(wb: Any) -> dict[str, Any]:
    return {name: wb.add_format(spec) for name, spec in _CONDITIONAL.items()}


# -- text ----------------------------------------------------------------------------------

def _number_text(value: float) -> str:
    """5.0 -> `5`, 57.5 -> `57.5`, 480000 -> `480,000`."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _whole(value: float) -> float | int:
    """1.0 -> 1, so the validation formula reads `1` rather than `1.0`."""
    return int(value) if float(value).is_integer() else value


def _value_text(value: float, ind: Indicator, *, bound: bool = False) -> str:
    """A target as the owner sees it in the cell (`85.0%`, `480,000`, `560`); a bound plainly (`100%`)."""
    if ind.unit == "percent":
        return f"{_number_text(value)}%" if bound else f"{value:.1f}%"
    if ind.unit == "currency":
        return f"£{_number_text(value)}"
    return _number_text(value)


def _tolerance_text(ind: Indicator) -> str:
    if ind.data_only:
        return "None (data only, not rated)"
    amount = _number_text(ind.tolerance)
    if ind.tolerance_type == "relative":
        return f"{amount}% of target"
    if ind.unit == "percent":
        return f"{amount} percentage point{'' if ind.tolerance == 1 else 's'}"
    if ind.unit == "currency":
        return f"£{amount}"
    if ind.unit == "count":
        return amount
    return f"{amount} {ind.unit_label}"


def _cut(text: str, limit: int) -> str:
    """Excel refuses validation titles over 32 and messages over 255 characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- the template --------------------------------------------------------------------------

def _build_template(
    wb: Any,
    fw: Framework,
    period: Period,
    owner: Owner,
    indicators: Sequence[Indicator],
    generated: dt.datetime,
) -> None:
    wb.set_properties({
        "title": f"{fw.council}: quarterly performance return, {period.label}, {owner.name}",
        "subject": f"Performance return for {owner.name}, {period.label} ({fw.name})",
        "author": fw.council,
        "company": fw.council,
        "keywords": f"{fw.id}, {period}, {owner.id}",
        "created": generated,
    })
    formats = _add_formats(wb)
    _instructions_sheet(wb, formats, fw, period, owner, indicators)
    _return_sheet(wb, formats, fw, period, owner, indicators)
    _metadata_sheet(wb, fw, period, owner, generated)


def _due_date(fw: Framework, period: Period) -> dt.date:
    return period.end_date + dt.timedelta(days=fw.return_due_days)


def _contact(fw: Framework) -> str:
    if fw.contact_name and fw.contact_email:
        return f"{fw.contact_name} ({fw.contact_email})"
    return fw.contact_name or fw.contact_email or "the performance team"


def _new_sheet(wb: Any, name: str, widths: Sequence[float]) -> Any:
    """A worksheet without screen gridlines, with its column widths set."""
    ws = wb.add_worksheet(name)
    ws.hide_gridlines(2)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return ws


def _instructions_sheet(
    wb: Any,
    formats: Mapping[str, Any],
    fw: Framework,
    period: Period,
    owner: Owner,
    indicators: Sequence[Indicator],
) -> None:
    ws = _new_sheet(wb, layout.INSTRUCTIONS_SHEET, [c.width or 0 for c in _DEFINITION_COLUMNS])
    due = date_text(_due_date(fw, period))
    contact = _contact(fw)
    # Sentences sit in column A and run across the empty cells to their right; none is longer
    # than the definitions table below is wide, so each prints whole on the page.
    lines: list[tuple[str, str]] = [
        ("title", f"{fw.council}: quarterly performance return, {period.label}"),
        ("", ""),
        ("text", f"This return is for {owner.name}. It covers the quarter ending {period.end_text}."),
        ("text", f"Please complete the Return sheet and send the workbook to {contact} "
                 f"by {due}."),
        ("", ""),
        ("heading", "What to do"),
        ("text", "1. On the Return sheet, type the Actual value for each indicator that is due "
                 f"this quarter. Indicators marked \"{layout.NOT_DUE_TEXT}\" need no value."),
        ("text", f"2. The {layout.STATUS} column rates each figure as you type it: {layout.GREEN} on or "
                 f"better than target, {layout.AMBER} short of target but within its tolerance, "
                 f"{layout.RED} beyond it."),
        ("text", f"3. For every {layout.AMBER} or {layout.RED} figure, write both Commentary (why it is "
                 "short of target) and Mitigation actions (what is being done about it, by whom and by "
                 "when)."),
        ("text", "    Their cells are highlighted until you do. Commentary on other figures is welcome "
                 "but not required."),
        ("text", "4. Before sending, read the check line above the table: it says what is still to do. "
                 "Then save the workbook as it is (an .xlsx file, with the same sheets) and email it back."),
        ("", ""),
        ("heading", "Rules"),
        ("text", "Type numbers only in Actual: no words, units or symbols."),
        ("text", "Percentages: type 93.4 for 93.4%. The cell is formatted as a percentage, "
                 "so it shows 93.4%."),
        ("text", "If you have no figure, leave Actual blank rather than writing n/a, "
                 f"and explain why in Commentary: the {layout.STATUS} then reads "
                 f"\"{layout.EXPLAINED_TEXT}\"."),
        ("text", "Do not insert rows inside the table, and do not rename, move or delete its columns."),
        ("text", "Do not edit the grey cells: they come from the performance register, or are worked "
                 "out from your figures. You may add columns to the right of the table."),
        ("", ""),
        ("heading", "Deadline"),
        ("text", f"Return by {due}."),
        ("", ""),
        ("heading", "Contact"),
        ("text", f"Questions about this return: {contact}."),
        ("", ""),
        ("heading", "Indicator definitions"),
    ]
    row = 0
    for style, text in lines:
        if text:
            ws.write_string(row, 0, text, formats[style])
        if style == "title":
            ws.set_row(row, 21)
        row += 1
    for col, column in enumerate(_DEFINITION_COLUMNS):
        ws.write_string(row, col, column.header, formats["header"])
    ws.set_row(row, _TEXT_FIT.height(1))
    header_row = row
    for ind in indicators:
        row += 1
        lines_needed = 1
        for col, column in enumerate(_DEFINITION_COLUMNS):
            text = str(column.of(ind))
            ws.write_string(row, col, text, formats[column.fmt])
            lines_needed = max(lines_needed, _TEXT_FIT.lines(text, column.width or 0))
        # LibreOffice clips wrapped text unless the row height is set.
        ws.set_row(row, _TEXT_FIT.height(lines_needed))
    ws.repeat_rows(header_row)
    _print_setup(ws, fw, period, owner)


def _return_sheet(
    wb: Any,
    formats: Mapping[str, Any],
    fw: Framework,
    period: Period,
    owner: Owner,
    indicators: Sequence[Indicator],
) -> None:
    ws = _new_sheet(wb, layout.RETURN_SHEET, [c.width for c in layout.SHEET_COLUMNS])
    # Columns after the table stay unlocked, so owners can add their own working there.
    ws.set_column(len(layout.SHEET_COLUMNS), 16383, None, formats["unlocked"])
    title = layout.TITLE_ROW - 1
    ws.write_string(title, 0, f"{owner.name}: performance return for {period.label}", formats["title"])
    ws.set_row(title, 21)
    ws.write_string(title + 1, 0, f"Framework: {fw.name} ({fw.id})")
    ws.write_string(title + 2, 0, "Type your figures in the white cells. Grey cells are fixed.",
                    formats["line"])
    ws.write_string(
        title + 3, 0,
        f"Return by {date_text(_due_date(fw, period))} to {_contact(fw)}. "
        f"The Instructions sheet has the rules and the indicator definitions.",
        formats["subtitle"],
    )
    header = layout.HEADER_ROW - 1
    for col, column in enumerate(layout.SHEET_COLUMNS):
        ws.write_string(header, col, column.label, formats["header"])
    header_lines = max(_TEXT_FIT.lines(c.label, c.width) for c in layout.SHEET_COLUMNS)
    ws.set_row(header, _TEXT_FIT.height(header_lines))

    row = layout.FIRST_DATA_ROW - 1
    for ind in indicators:
        lines = _return_row(ws, formats, period, ind, row)
        ws.set_row(row, _TEXT_FIT.height(max(lines, _MIN_DATA_LINES)))
        row += 1
    first, last = layout.FIRST_DATA_ROW - 1, row - 1
    for col, column in enumerate(layout.SHEET_COLUMNS):
        if column.prompt:
            ws.data_validation(first, col, last, col, {
                "validate": "any", "input_title": column.label, "input_message": column.prompt,
            })
    _checks(wb, ws, formats, period, indicators, first, last)

    ws.freeze_panes(layout.HEADER_ROW, 0)
    ws.protect("", {
        "insert_rows": True,
        "insert_columns": True,
        "format_columns": True,
        "format_rows": True,
        "select_locked_cells": True,
        "select_unlocked_cells": True,
    })
    ws.repeat_rows(header)
    _print_setup(ws, fw, period, owner)
    ws.activate()


def _return_row(
    ws: Any, formats: Mapping[str, Any], period: Period, ind: Indicator, row: int
) -> int:
    """Write one indicator's row of the Return sheet; return the lines its wrapped text needs."""
    lines = 1
    for col, column in enumerate(layout.COLUMNS):
        value, fmt = _return_cell(column, period, ind)
        if value is None:
            ws.write_blank(row, col, None, formats[fmt])
        elif isinstance(value, str):
            ws.write_string(row, col, value, formats[fmt])
            if _FORMATS[fmt].get("text_wrap"):
                lines = max(lines, _TEXT_FIT.lines(value, column.width))
        else:
            ws.write_number(row, col, value, formats[fmt])
        if column.label == layout.ACTUAL and ind.is_due(period.quarter):
            target = ind.target(period.quarter)
            ws.data_validation(row, col, row, col, _actual_validation(period, ind, target))
    status = _status_formula(ind, period.quarter, row)
    if status is None:
        ws.write_string(row, _COL[layout.STATUS], layout.NOT_DUE_TEXT, formats["status"])
    else:
        # The word shown until the owner types, for a viewer that does not recalculate.
        ws.write_formula(row, _COL[layout.STATUS], status, formats["status"], layout.TYPE_A_VALUE)
    return lines


def _return_cell(column: layout.ReturnColumn, period: Period, ind: Indicator) -> tuple[Any, str]:
    """The value (None: blank) and format of one Return cell."""
    q = period.quarter
    due = ind.is_due(q)
    percent = ind.unit == "percent"
    if column.field is not None:
        return getattr(ind, column.field), column.fmt
    if column.label == layout.UNIT:
        return _unit_text(ind), column.fmt
    if column.label == layout.TARGET:
        target = ind.target(q)
        if not due:
            return layout.NOT_DUE_TEXT, "ref"
        if ind.data_only:
            return _DATA_ONLY_TEXT, "ref"
        if target is None:
            return None, "ref"
        if percent:
            return target / 100, "ref_percent"
        return target, "ref_whole" if float(target).is_integer() else "ref_decimal"
    if column.label == layout.ACTUAL:
        # Nothing to type this quarter: the Actual cell stays locked and grey.
        if not due:
            return None, "ref"
        return None, "input_percent" if percent else column.fmt
    return None, column.fmt  # an input column: left blank for the owner


def _actual_validation(period: Period, ind: Indicator, target: float | None) -> dict[str, Any]:
    """Excel data validation for an Actual cell: a number within the register's bounds."""
    percent = ind.unit == "percent"
    scale = 100.0 if percent else 1.0
    low, high = ind.bounds
    low = 0.0 if low is None else low
    rule: dict[str, Any] = {"validate": "decimal"}
    if high is None:
        rule |= {"criteria": ">=", "value": _whole(low / scale)}
        allowed = f"a number of at least {_value_text(low, ind, bound=True)}"
    else:
        rule |= {"criteria": "between", "minimum": _whole(low / scale), "maximum": _whole(high / scale)}
        allowed = (f"a number from {_value_text(low, ind, bound=True)} "
                   f"to {_value_text(high, ind, bound=True)}")
    if ind.data_only:
        about = "No target: this indicator is reported, not rated."
    elif target is None:
        about = "No target is set for this quarter."
    else:
        better = "Higher" if ind.polarity == "higher" else "Lower"
        about = f"Target {_value_text(target, ind)}. {better} is better."
    what = _VALUE_WORDS.get(ind.measure_type, "the value")
    message = f"Type {what} for {period.label}. {about}"
    if percent:
        message += " Type 93.4 for 93.4%."
        allowed += " (type 93.4 for 93.4%)"
    else:
        allowed += ", with no words or symbols"
    rule |= {
        "input_title": _cut(f"{layout.ACTUAL}, {_unit_text(ind)}", 32),
        "input_message": _cut(message, 255),
        "error_type": "stop",
        "error_title": "Not a valid Actual",
        "error_message": _cut(
            f"Type {allowed}. If you have no figure, leave the cell blank and explain in Commentary.",
            255,
        ),
    }
    return rule


# -- the checks the template makes itself ---------------------------------------------------
#
# Formulas and conditional formats, no macros. Every formula is built here from cell addresses,
# fixed words and the register's numbers (targets, tolerances, bounds); nothing an owner types
# is ever part of one, and a formula that refers to an owner's cell never runs its text.

_COL = {column.label: n for n, column in enumerate(layout.SHEET_COLUMNS)}
_PLACES = 9  # rbwm_pmf.model.rating compares to 9 decimal places; the formulas round the same

# The check line's counts: (one, more than one), after the number.
_CHECK_PARTS = (
    ("figure to type or explain", "figures to type or explain"),
    ("figure to correct", "figures to correct"),
    ("row still needs commentary", "rows still need commentary"),
    ("row still needs mitigation actions", "rows still need mitigation actions"),
)


def _ref(label: str, row: int, *, fixed: bool = False) -> str:
    """The address of a Return column's cell in a 0-based row: `F6`, or `$F6` with `fixed`."""
    return f"{'$' if fixed else ''}{xl_col_to_name(_COL[label])}{row + 1}"


def _span(label: str, first: int, last: int) -> str:
    """A Return column's cells from one 0-based row to another: `$I$6:$I$10`."""
    col = xl_col_to_name(_COL[label])
    return f"${col}${first + 1}:${col}${last + 1}"


def _word(text: str) -> str:
    """A fixed word as a formula's text literal."""
    return '"' + text.replace('"', '""') + '"'


def _literal(value: float) -> str:
    """A register number as a formula literal, exactly the same double: `85`, `4.25`, `(-2)`."""
    number = float(value)
    text = str(int(number)) if number.is_integer() else format(Decimal(repr(number)), "f")
    return f"({text})" if number < 0 else text


def _allowed(ind: Indicator, target: float) -> float:
    """How far short of target is still Amber, as `rbwm_pmf.model.rating` works it out."""
    if ind.tolerance_type == "relative":
        return round(abs(target) * ind.tolerance / 100, _PLACES)
    return round(ind.tolerance, _PLACES)


def _status_formula(ind: Indicator, quarter: int, row: int) -> str | None:
    """The Status formula of an indicator's row (0-based); None when it is not due this quarter.

    A number in Actual is rated as `rbwm_pmf.model.rating.rate` rates it (percentages in points,
    the boundary itself Amber), or found out of range; a blank Actual asks for a value unless
    Commentary says why there is none; anything else asks for a number.
    """
    if not ind.is_due(quarter):
        return None
    actual = _ref(layout.ACTUAL, row)
    scale = "*100" if ind.unit == "percent" else ""
    value = f"ROUND({actual}{scale},{_PLACES})"
    target = ind.target(quarter)
    if ind.data_only:
        rated = _word(layout.DATA_ONLY_TEXT)
    elif target is None:
        rated = _word(layout.NOT_RATED_TEXT)
    else:
        goal = _literal(target)
        gap = f"{value}-{goal}" if ind.polarity == "lower" else f"{goal}-{value}"
        shortfall = f"ROUND({gap},{_PLACES})"
        rated = (f"IF({shortfall}<=0,{_word(layout.GREEN)},IF({shortfall}<={_literal(_allowed(ind, target))},"
                 f"{_word(layout.AMBER)},{_word(layout.RED)}))")
    low, high = ind.bounds
    outside = [f"{value}{sign}{_literal(bound)}" for sign, bound in (("<", low), (">", high))
               if bound is not None]
    if outside:
        rated = f"IF(OR({','.join(outside)}),{_word(layout.OUT_OF_RANGE)},{rated})"
    said = f"IFERROR(LEN(TRIM({_ref(layout.COMMENTARY, row)})),0)>0"
    return (f"=IF(ISNUMBER({actual}),{rated},"
            f"IF(IFERROR(LEN(TRIM({actual})),1)>0,{_word(layout.TYPE_A_NUMBER)},"
            f"IF({said},{_word(layout.EXPLAINED_TEXT)},{_word(layout.TYPE_A_VALUE)})))")


def _required_formula(label: str, first: int) -> str:
    """True (for a conditional format from the first data row) when the row is Amber or Red and
    the `label` cell holds nothing: the cell the validation rules require is still empty."""
    status = _ref(layout.STATUS, first, fixed=True)
    return (f"=AND(OR({status}={_word(layout.AMBER)},{status}={_word(layout.RED)}),"
            f"LEN(TRIM({_ref(label, first)}))=0)")


def _check_counts(first: int, last: int) -> list[str]:
    """The check line's counts as formulas, in the order of _CHECK_PARTS."""
    status = _span(layout.STATUS, first, last)

    def count(word: str) -> str:
        return f"COUNTIF({status},{_word(word)})"

    def missing(label: str) -> str:
        off_target = f"(({status}={_word(layout.AMBER)})+({status}={_word(layout.RED)}))"
        return f"SUMPRODUCT({off_target}*(LEN(TRIM({_span(label, first, last)}))=0))"

    return [
        count(layout.TYPE_A_VALUE),
        f"({count(layout.TYPE_A_NUMBER)}+{count(layout.OUT_OF_RANGE)})",
        missing(layout.COMMENTARY),
        missing(layout.MITIGATION),
    ]


def _check_formula(first: int, last: int) -> str:
    """The check line: what is still to do in the table, or that nothing is."""
    counts = _check_counts(first, last)
    parts = "&".join(
        f'IF({n}>0,"; "&{n}&IF({n}=1,{_word(" " + one)},{_word(" " + many)}),"")'
        for n, (one, many) in zip(counts, _CHECK_PARTS, strict=True)
    )
    # Each count that is not 0 adds "; n words"; MID drops the first "; ".
    to_do = f"{_word(layout.CHECK_PREFIX)}&MID({parts},3,32767)&{_word('.')}"
    return (f"=IFERROR(IF({'+'.join(counts)}=0,{_word(layout.CHECK_DONE)},{to_do}),"
            f"{_word(layout.CHECK_ERROR)})")


def _check_text(counts: Sequence[int]) -> str:
    """The check line for these counts (figures to type or explain, to correct, rows needing
    commentary, rows needing mitigation actions), as its formula words it."""
    if not any(counts):
        return layout.CHECK_DONE
    said = [f"{n} {one if n == 1 else many}" for n, (one, many) in zip(counts, _CHECK_PARTS, strict=True)
            if n]
    return f"{layout.CHECK_PREFIX}{'; '.join(said)}."


def _checks(
    wb: Any,
    ws: Any,
    formats: Mapping[str, Any],
    period: Period,
    indicators: Sequence[Indicator],
    first: int,
    last: int,
) -> None:
    """The Status colours, the highlight on Commentary and Mitigation actions cells still
    required, and the check line above the table."""
    colours = _add_conditional_formats(wb)
    status = _COL[layout.STATUS]
    for word, colour in _STATUS_COLOURS.items():
        ws.conditional_format(first, status, last, status, {
            "type": "cell", "criteria": "==", "value": _word(word), "format": colours[colour],
        })
    for label in (layout.COMMENTARY, layout.MITIGATION):
        ws.conditional_format(first, _COL[label], last, _COL[label], {
            "type": "formula", "criteria": _required_formula(label, first), "format": colours["to_do"],
        })

    row = layout.CHECK_ROW - 1
    left, right = _COL[layout.ACTUAL], _COL[layout.STATUS]
    due = sum(ind.is_due(period.quarter) for ind in indicators)
    if due:
        ws.merge_range(row, left, row, right, "", formats["check"])
        ws.write_formula(row, left, _check_formula(first, last), formats["check"],
                         _check_text([due, 0, 0, 0]))
    else:
        ws.merge_range(row, left, row, right, layout.CHECK_NOTHING_DUE, formats["check"])
    for done in (layout.CHECK_DONE, layout.CHECK_NOTHING_DUE):
        ws.conditional_format(row, left, row, right, {
            "type": "cell", "criteria": "==", "value": _word(done), "format": colours["done"],
        })
    ws.data_validation(row, left, row, left, {
        "validate": "any", "input_title": "Check before sending",
        "input_message": "What is still to do in the table below, worked out as you type. "
                         "Send the return when it says all figures are typed and explained.",
    })
    width = sum(column.width for column in layout.SHEET_COLUMNS[left:right + 1])
    longest = _check_text([99, 99, 99, 99])
    ws.set_row(row, _TEXT_FIT.height(_TEXT_FIT.lines(longest, width, bold=True)))


def _metadata_sheet(wb: Any, fw: Framework, period: Period, owner: Owner, generated: dt.datetime) -> None:
    ws = wb.add_worksheet(layout.META_SHEET)
    values = {
        "framework_id": fw.id,
        "framework_version": fw.version,
        "owner_id": owner.id,
        "owner_name": owner.name,
        "period": str(period),
        "template_version": layout.TEMPLATE_VERSION,
        "generated": generated.isoformat(timespec="seconds"),
    }
    for row, key in enumerate(layout.META_KEYS):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, values[key])
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 40)
    ws.protect()
    ws.very_hidden()


def _print_setup(ws: Any, fw: Framework, period: Period, owner: Owner) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)

    def plain(text: str) -> str:
        return footer_text(_cut(text, 80))

    ws.set_footer(f"&L{plain(owner.name)}, {period.label}&CPage &P of &N&R{plain(fw.council)}")


# -- the register's Excel form -------------------------------------------------------------

def _write_table(
    wb: Any,
    formats: Mapping[str, Any],
    name: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
) -> None:
    """One register table: its column names in row 1, one row per item below."""
    ws = wb.add_worksheet(name)
    widths = [len(c) + 2 for c in columns]
    for col, label in enumerate(columns):
        ws.write_string(0, col, label, formats["plain_header"])
    count = 0
    for count, item in enumerate(rows, start=1):
        for col, key in enumerate(columns):
            value = item.get(key)
            _write_value(ws, count, col, value)
            widths[col] = max(widths[col], min(len(str(value)) + 2, 60) if value is not None else 0)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    if count:
        ws.autofilter(0, 0, count, len(columns) - 1)


def _write_value(ws: Any, row: int, col: int, value: Any) -> None:
    # bool before int: True is an int to Python, but a TRUE/FALSE cell to Excel.
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        # Ids such as 1.10 stay text: as numbers they would read back as 1.1.
        ws.write_string(row, col, str(value))
