"""Rules about a row's identity and the cells the template issued: the indicator ID, its name
and its target. A row whose identity fails is reported once, at its ID."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rbwm_pmf.model.rating import format_value
from rbwm_pmf.model.values import plain_number
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.rules.frame import blank, number
from rbwm_pmf.validation.rules.rule import ERROR, WARNING, row_rule, rule
from rbwm_pmf.validation.rules.values import error_value

if TYPE_CHECKING:
    import pandas as pd

    from rbwm_pmf.model.framework import Framework
    from rbwm_pmf.validation.records import RowRecord


def _known(rows: pd.DataFrame) -> pd.Series:
    """Rows whose indicator is in the register (its owner was found)."""
    return rows["indicator_owner"].notna()


@row_rule(
    "indicator-id-error-value", ERROR, field="indicator_id", whole_row=True,
    title="Excel error value in Indicator ID",
    message="The Indicator ID cell shows the Excel error {value}, so the row cannot be matched "
            "to an indicator.",
    hint="Put the indicator ID back as the template had it; the grey cells are fixed.",
    example="#REF! after the ID was pasted from a deleted sheet",
)
def INDICATOR_ID_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return ~error_value(rows["indicator_id"])


@row_rule(
    "indicator-unknown", ERROR, field="indicator_id", whole_row=True,
    title="Unknown indicator",
    message="'{value}' is not an indicator of the framework register.",
    hint="Use the indicator IDs in the template; do not type new rows.",
    example="an ID typed as 1.10",
)
def INDICATOR_UNKNOWN(rows: pd.DataFrame) -> pd.Series:
    return blank(rows["indicator_id"]) | _known(rows)


def _first_row(row: RowRecord, fw: Framework) -> dict[str, Any]:
    first = row.first_row
    return {"value": row.indicator_id,
            "detail": str(int(first)) if first is not None else "an earlier row"}


@row_rule(
    "indicator-duplicate", ERROR, field="indicator_id", whole_row=True, report=_first_row,
    title="Indicator given twice",
    message="Indicator {value} appears more than once; it was first given in row {detail}.",
    hint="Keep one row per indicator and delete the copy.",
    example="a row copied and pasted",
)
def INDICATOR_DUPLICATE(rows: pd.DataFrame) -> pd.Series:
    """The first row of each indicator within a file passes; later copies fail."""
    key = rows["indicator_id"].astype("string").str.strip()
    return blank(rows["indicator_id"]) | ~key.to_frame().assign(f=rows["file"]).duplicated(keep="first")


def _owner_name(row: RowRecord, fw: Framework) -> dict[str, Any]:
    owner = fw.owner(str(row.indicator_owner))
    return {"value": row.indicator_id, "detail": owner.name if owner else row.indicator_owner}


@row_rule(
    "indicator-other-owner", ERROR, field="indicator_id", whole_row=True, report=_owner_name,
    title="Another owner's indicator",
    message="Indicator {value} belongs to {detail}, not to this return's owner.",
    hint="Delete the row; that owner reports it on their own return.",
    example="a row pasted from another service's return",
)
def INDICATOR_OTHER_OWNER(rows: pd.DataFrame) -> pd.Series:
    known = rows["indicator_owner"].notna() & (rows["indicator_owner"] != "")
    return ~known | (rows["indicator_owner"] == rows["return_owner"])


# Checked in code, per return: a row can only be missing from a whole return.
INDICATOR_MISSING = rule(
    "indicator-missing", ERROR, "sheet", "Indicator row missing",
    "Indicator {value} ({detail}) is due this period but its row is missing.",
    "Put the row back from the template and fill in its Actual.", "a row deleted")


@row_rule(
    "indicator-id-missing", ERROR, field="indicator_id", whole_row=True,
    title="Row without an indicator ID",
    message="This row has figures but no indicator ID.",
    hint="Type the indicator ID from the template, or delete the row.",
    example="an ID cell cleared",
)
def INDICATOR_ID_MISSING(rows: pd.DataFrame) -> pd.Series:
    return ~blank(rows["indicator_id"])


@row_rule(
    "name-error-value", ERROR, field="name",
    title="Excel error value in Indicator",
    message="The Indicator cell shows the Excel error {value}, not the indicator's name.",
    hint="Put the indicator name back as the template had it; the grey cells are fixed.",
    example="#N/A left by a lookup pasted over the name",
)
def NAME_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return ~error_value(rows["name"])


@row_rule(
    "name-changed", WARNING, field="name",
    title="Indicator name changed",
    message="The indicator name was changed to '{value}'; the register's name is used.",
    hint="Leave the indicator name as it was; put remarks in Commentary.",
    example="a name edited",
)
def NAME_CHANGED(rows: pd.DataFrame) -> pd.Series:
    """The Indicator name still reads as issued (spacing and case aside)."""
    def norm(s: pd.Series) -> pd.Series:
        return s.astype("string").str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()

    known = _known(rows)
    same = (rows["name"] == rows["name_issued"]).fillna(False).astype(bool)
    differ = known & ~same  # only these need the slower comparison
    if differ.any():
        changed = rows[differ]
        same[differ] = (norm(changed["name"]) == norm(changed["name_issued"])).fillna(False).astype(bool)
    return ~known | same


def _targets(row: RowRecord, fw: Framework) -> dict[str, Any]:
    issued, unit = row.target_issued, row.unit
    if issued is not None:
        expected = format_value(float(issued), unit)
        if unit == "percent":
            expected = f"{expected} (type {plain_number(issued)})"
    else:
        expected = str(row.target_issued_text or layout.NOT_DUE_TEXT)
    read = row.target_read
    shown = format_value(float(read), unit) if isinstance(read, (int, float)) else read
    return {"value": shown, "expected": expected}


@row_rule(
    "target-error-value", ERROR, field="target", report=_targets,
    title="Excel error value in Target",
    message="The Target cell shows the Excel error {value}; the register's target for this "
            "period is {expected}.",
    hint="Put the target back to {expected}; the grey cells are fixed.",
    example="#REF! after the target was linked to another workbook",
)
def TARGET_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return ~error_value(rows["target_read"].astype(object))


@row_rule(
    "target-changed", ERROR, field="target", report=_targets,
    title="Target changed",
    message="The target was changed to {value}; the register's target for this period is {expected}.",
    hint="Put the target back to {expected}. Targets are set in the framework register; if it is "
         "wrong, tell the performance team.",
    example="a target lowered",
)
def TARGET_CHANGED(rows: pd.DataFrame) -> pd.Series:
    """The Target cell still holds what the template issued (a number, or 'Not due')."""
    issued = number(rows["target_issued"])
    read = number(rows["target_read"])
    same_number = (read - issued).abs() <= 1e-6 * issued.abs().clip(lower=1)
    text_read = rows["target_read"].astype("string").str.strip().str.casefold()
    same_text = issued.isna() & (text_read == rows["target_issued_text"].astype("string").str.casefold())
    return ~_known(rows) | same_number.fillna(False) | same_text.fillna(False)
