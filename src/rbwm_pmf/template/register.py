"""A new, empty framework register in its Excel form, to be filled in: an Instructions sheet, the
Framework sheet with a start for its values, and each table's sheet with its column names, text
id columns and a list for every column whose values are choices."""

from __future__ import annotations

import datetime as dt
import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

from rbwm_pmf.errors import PmfError
from rbwm_pmf.model.framework import (
    FRAMEWORK_FIELDS,
    INDICATOR_COLUMNS,
    OWNER_COLUMNS,
    PANEL_COLUMNS,
    PRIORITY_COLUMNS,
)
from rbwm_pmf.output.files import write_replacing
from rbwm_pmf.register.load import SHEETS

XLSX_SUFFIX = ".xlsx"
_LAST_ROW = 1_048_575  # Excel's last row, counted from 0
_REFERENCE_ROWS = 1_000  # rows of a table that a list of its ids offers


# -- a new Excel register --------------------------------------------------------------------

def _financial_year(day: dt.date) -> str:
    """`2017-18` for any day from 1 April 2017 to 31 March 2018."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _register_choices() -> dict[str, list[str]]:
    """Each Indicators column that takes one of a few words, and the words (from the register's
    schema, which the loader checks them with)."""
    text = resources.files("rbwm_pmf.schemas").joinpath("register.yaml").read_text("utf-8")
    checks = yaml.safe_load(text).get("checks", [])
    return {c["field"]: [str(x) for x in c["choices"]] for c in checks if c.get("choices")}


_REFERENCES = {"priority": "Priorities", "owner": "Owners", "panel": "Panels"}
_NUMBERS = ("q1_target", "q2_target", "q3_target", "q4_target", "min_value", "max_value")

_INSTRUCTIONS = [
    ("title", "A new framework register"),
    ("", ""),
    ("text", "Fill in the sheets Framework, Priorities, Panels, Owners and Indicators, then check the "
             "register with: rbwm-pmf check-register {file}"),
    ("text", "Row 1 of each table sheet holds the column names: keep them. Type one item per row "
             "below, with no empty rows between items."),
    ("text", "Cells with a list offer the values the register accepts; ids, names and definitions "
             "are typed as text."),
    ("", ""),
    ("heading", "Framework"),
    ("text", "One value per field, in column B. id, name and year are required; change the values "
             "written here, which are only a start. A field left blank keeps its default."),
    ("text", "year is the financial year, like 2017-18. return_due_days is the number of days after "
             "a quarter's end by which returns are due."),
    ("", ""),
    ("heading", "Priorities, Panels and Owners"),
    ("text", "Priorities: the Council Plan's priorities, with an id, a name and the order Table 1 "
             "lists them in."),
    ("text", "Panels: the Overview and Scrutiny panels indicators report to (optional)."),
    ("text", "Owners: the services that return figures, with an id such as ASC, a name and a contact."),
    ("", ""),
    ("heading", "Indicators"),
    ("text", "One row per indicator, in the order templates and reports list them. priority, owner "
             "and panel are ids from those sheets."),
    ("text", "Ids are text: the id columns are formatted as Text, so 1.10 stays 1.10."),
    ("text", "Percentages are in points: type 85 for a target of 85%."),
    ("text", "A target is required for each quarter the indicator is due, unless data_only is TRUE."),
    ("text", "tolerance is how far short of target still counts as Amber: a percentage of the target "
             "(tolerance_type relative) or in the indicator's own units (absolute)."),
]


def new_register_xlsx(path: str | Path, *, year: str | None = None) -> Path:
    """Write an empty register in its Excel form, to be filled in: an Instructions sheet, the
    Framework sheet with a start for its values (the financial year `year`, default the current
    one), and each table's sheet with its column names, the id columns formatted as text and a
    list for every column whose values are choices. Returns the path.

    `load_framework` refuses it only because its tables have no rows. Raises OutputError if the
    file cannot be written (an earlier file at `path` is kept).
    """
    out = Path(path)
    if out.suffix.lower() != XLSX_SUFFIX:
        raise PmfError(f"A new register must be an .xlsx file, not '{out.name}'.")
    fields: dict[str, Any] = {
        "id": re.sub(r"[^a-z0-9]+", "-", out.stem.lower()).strip("-") or "register",
        "name": "Performance management framework",
        "council": "",
        "year": year or _financial_year(dt.date.today()),
        "version": "1",
        "contact_name": "",
        "contact_email": "",
        "return_due_days": 21,
    }
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False, "in_memory": True})
    header = wb.add_format({"bold": True, "bottom": 1})
    text = wb.add_format({"num_format": "@"})
    styles = {"title": wb.add_format({"bold": True, "font_size": 14}),
              "heading": wb.add_format({"bold": True, "font_size": 12}),
              "text": wb.add_format({})}
    wb.set_properties({"title": "Framework register"})

    ws = wb.add_worksheet("Instructions")
    ws.set_column(0, 0, 110)
    for row, (style, line) in enumerate(_INSTRUCTIONS):
        if line:
            ws.write_string(row, 0, line.format(file=out.name), styles[style])
    ws.activate()

    ws = wb.add_worksheet(SHEETS["framework"])
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 40, text)
    ws.write_string(0, 0, "field", header)
    ws.write_string(0, 1, "value", header)
    for row, name in enumerate(FRAMEWORK_FIELDS, start=1):
        ws.write_string(row, 0, name)
        value = fields.get(name)  # a field with a default, such as a wording, is left blank
        if isinstance(value, int):
            ws.write_number(row, 1, value)
            ws.data_validation(row, 1, row, 1, {
                "validate": "integer", "criteria": ">", "value": 0,
                "error_message": "Type a whole number of days, more than 0."})
        elif value:
            ws.write_string(row, 1, value, text)
    ws.freeze_panes(1, 0)

    choices = _register_choices()
    choices["data_only"] = ["TRUE", "FALSE"]
    for table, columns in (("priorities", PRIORITY_COLUMNS), ("panels", PANEL_COLUMNS),
                           ("owners", OWNER_COLUMNS), ("indicators", INDICATOR_COLUMNS)):
        ws = wb.add_worksheet(SHEETS[table])
        for col, name in enumerate(columns):
            width = 40 if name in ("name", "definition") else max(len(name) + 2, 12)
            ws.set_column(col, col, width, text if name == "id" else None)
            ws.write_string(0, col, name, header)
            rule = _validation(table, name, choices)
            if rule:
                ws.data_validation(1, col, _LAST_ROW, col, rule)
        ws.freeze_panes(1, 0)
    wb.close()
    return write_replacing(out, lambda stream: stream.write(buffer.getvalue()))


def _validation(table: str, column: str, choices: dict[str, list[str]]) -> dict[str, Any] | None:
    """The data validation of a register column, or None for free text."""
    if table == "priorities" and column == "order":
        return {"validate": "integer", "criteria": ">=", "value": 0,
                "error_message": "Type a whole number: the priority's place in Table 1."}
    if table != "indicators":
        return None
    if column in choices:
        return {"validate": "list", "source": choices[column],
                "error_message": f"Choose one of: {', '.join(choices[column])}."}
    if column in _REFERENCES:
        sheet = _REFERENCES[column]
        return {"validate": "list", "source": f"='{sheet}'!$A$2:$A${_REFERENCE_ROWS + 1}",
                "error_message": f"Choose an id from the {sheet} sheet."}
    if column == "tolerance":
        return {"validate": "decimal", "criteria": ">=", "value": 0,
                "error_message": "Type a number, 0 or more."}
    if column in _NUMBERS:
        return {"validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
                "error_message": "Type a number only: no words, units or symbols."}
    return None
