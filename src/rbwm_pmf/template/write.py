"""Workbooks sent out: the owners' return templates and the register's Excel form."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

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
        ("text", "2. Write Commentary for every indicator: what the figure shows and why."),
        ("text", "3. Whenever a value is short of target, write both Commentary and Mitigation actions: "
                 "what you are doing about it, and by when."),
        ("text", "4. Save the workbook as it is (an .xlsx file, with the same sheets) and email it back."),
        ("", ""),
        ("heading", "Rules"),
        ("text", "Type numbers only in Actual: no words, units or symbols."),
        ("text", "Percentages: type 93.4 for 93.4%. The cell is formatted as a percentage, "
                 "so it shows 93.4%."),
        ("text", "If you have no figure, leave Actual blank rather than writing n/a, "
                 "and explain why in Commentary."),
        ("text", "Do not insert rows inside the table, and do not rename, move or delete its columns."),
        ("text", "Do not edit the grey cells: they come from the performance register. "
                 "You may add columns to the right of the table."),
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
    ws = _new_sheet(wb, layout.RETURN_SHEET, [c.width for c in layout.COLUMNS])
    # Columns after the table stay unlocked, so owners can add their own working there.
    ws.set_column(len(layout.COLUMNS), 16383, None, formats["unlocked"])
    title = layout.TITLE_ROW - 1
    ws.write_string(title, 0, f"{owner.name}: performance return for {period.label}", formats["title"])
    ws.set_row(title, 21)
    ws.write_string(title + 1, 0, f"Framework: {fw.name} ({fw.id})")
    ws.write_string(title + 2, 0, "Type your figures in the white cells. Grey cells are fixed.")
    ws.write_string(
        title + 3, 0,
        f"Return by {date_text(_due_date(fw, period))} to {_contact(fw)}. "
        f"The Instructions sheet has the rules and the indicator definitions.",
        formats["subtitle"],
    )
    header = layout.HEADER_ROW - 1
    for col, column in enumerate(layout.COLUMNS):
        ws.write_string(header, col, column.label, formats["header"])
    header_lines = max(_TEXT_FIT.lines(c.label, c.width) for c in layout.COLUMNS)
    ws.set_row(header, _TEXT_FIT.height(header_lines))

    row = layout.FIRST_DATA_ROW - 1
    for ind in indicators:
        lines = _return_row(ws, formats, period, ind, row)
        ws.set_row(row, _TEXT_FIT.height(max(lines, _MIN_DATA_LINES)))
        row += 1
    first, last = layout.FIRST_DATA_ROW - 1, row - 1
    for col, column in enumerate(layout.COLUMNS):
        if column.prompt:
            ws.data_validation(first, col, last, col, {
                "validate": "any", "input_title": column.label, "input_message": column.prompt,
            })

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
