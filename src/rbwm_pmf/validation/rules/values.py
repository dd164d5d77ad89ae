"""Rules about the Actual value: what kind of cell it is, whether the number is possible, and
whether it agrees with last quarter and with other returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rbwm_pmf.model.rating import format_apart, format_exact, format_value
from rbwm_pmf.model.values import plain_number
from rbwm_pmf.validation.rules.frame import blank, due, number
from rbwm_pmf.validation.rules.rule import ERROR, WARNING, row_rule, rule

if TYPE_CHECKING:
    import pandas as pd

    from rbwm_pmf.model.framework import Framework
    from rbwm_pmf.validation.records import RowRecord

# A change on last quarter's value beyond this share is worth a second look.
LARGE_CHANGE = 0.5

# Specific hints for text typed in a numeric cell, tried in order.
NOT_A_NUMBER_HINTS = [
    (r"^(n/?a|na|none|nil|-+|tbc|tba|not available|unknown|\?+)$",
     "Leave Actual blank and explain in Commentary why the value is not available."),
    (r"^[<>≤≥~]|^(c\.?|ca\.?|approx\.?|about|around)\s*\d",
     "Type the value itself, without signs or words such as 'approx'."),
    (r"^[-+]?\d[\d,. ]*\s*%$",
     "A percentage sign was typed for an indicator that is not a percentage; type the number alone."),
    (r"\d",
     "Type the number alone, with no words or units; put any explanation in Commentary."),
]
DEFAULT_NOT_A_NUMBER_HINT = "Type the value as a number, or leave it blank and explain in Commentary."

ERROR_VALUE_HINTS = {
    "#DIV/0!": "a division by zero: check the denominator",
    "#REF!": "a reference to cells that were deleted",
    "#VALUE!": "text used where a number was expected",
    "#NAME?": "a misspelt function or name",
    "#N/A": "a lookup that found nothing",
    "#NUM!": "an impossible calculation",
    "#NULL!": "ranges that do not meet",
}


def _kind_is_not(rows: pd.DataFrame, kind: str) -> pd.Series:
    """Fails where a due indicator's Actual cell is of the given kind (blank, text, error...)."""
    return ~(due(rows) & (rows["actual_kind"] == kind))


def _as_typed(row: RowRecord, fw: Framework) -> dict[str, Any]:
    return {"value": row.actual_raw, "detail": row.actual_detail}


def error_value(column: pd.Series) -> pd.Series:
    """Cells that hold an Excel error value (#REF!, #N/A, ...) instead of words."""
    return column.isin(list(ERROR_VALUE_HINTS))


def explained(rows: pd.DataFrame) -> pd.Series:
    """Rows whose Commentary holds words (not blank, not an Excel error value)."""
    return ~(blank(rows["commentary"]) | error_value(rows["commentary"]))


@row_rule(
    "actual-missing", ERROR, field="actual", report=_as_typed,
    title="Actual missing",
    message="No actual value was given for indicator {indicator}, which is due this period, and "
            "Commentary does not say why.",
    hint="Type the value; if it is not available, leave Actual blank and say why in Commentary.",
    example="a blank Actual and a blank Commentary",
)
def ACTUAL_MISSING(rows: pd.DataFrame) -> pd.Series:
    return ~(due(rows) & (rows["actual_kind"] == "blank") & ~explained(rows))


@row_rule(
    "actual-missing-explained", WARNING, field="actual", report=_as_typed,
    title="No data (explained)",
    message="No actual value was given for indicator {indicator}; Commentary says why, so it is "
            "reported as No data (explained), with the Commentary as the reason.",
    hint="If the figure is available, type it in Actual; otherwise nothing needs doing.",
    example="a blank Actual, and 'The survey results are published in November' in Commentary",
)
def ACTUAL_MISSING_EXPLAINED(rows: pd.DataFrame) -> pd.Series:
    return ~(due(rows) & (rows["actual_kind"] == "blank") & explained(rows))


@row_rule(
    "actual-not-a-number", ERROR, field="actual", report=_as_typed,
    title="Actual is not a number",
    message='"{value}" is not a number.',
    hint="{detail}",
    example="n/a",
)
def ACTUAL_NOT_A_NUMBER(rows: pd.DataFrame) -> pd.Series:
    return _kind_is_not(rows, "text")


def _date_typed(row: RowRecord, fw: Framework) -> dict[str, Any]:
    what = "A time" if row.actual_kind == "time" else "A date"
    return {"value": row.actual_raw, "detail": row.actual_detail, "what": what}


@row_rule(
    "actual-date-typed", ERROR, field="actual", report=_date_typed,
    title="Date or time in Actual",
    message="{what}, {value}, was typed in Actual.",
    hint="{detail}",
    example="30/09/2017 typed for a number of days",
)
def ACTUAL_DATE_TYPED(rows: pd.DataFrame) -> pd.Series:
    """A number formatted as a date or a time: what the owner sees is not the number read."""
    return _kind_is_not(rows, "date") & _kind_is_not(rows, "time")


@row_rule(
    "actual-percent-in-number", ERROR, field="actual", report=_as_typed,
    title="Percentage for an indicator that is not one",
    message='"{value}" was typed as a percentage, but indicator {indicator} is not a percentage.',
    hint="{detail}",
    example="50% typed for a count",
)
def ACTUAL_PERCENT_IN_NUMBER(rows: pd.DataFrame) -> pd.Series:
    """A number with a percent format for a count, days, rate or amount: 50% is stored as 0.5."""
    return _kind_is_not(rows, "percent-format")


def _read_as(row: RowRecord, fw: Framework) -> dict[str, Any]:
    return {"value": row.actual_raw, "detail": row.actual_detail,
            "expected": format_value(float(row.actual_value or 0), row.unit)}


@row_rule(
    "actual-text-number", WARNING, field="actual", report=_read_as,
    title="Number typed as text",
    message='"{value}" was typed as text; it was read as {expected}.',
    hint="Type the number alone ({detail}) so Excel stores it as a number.",
    example="1,234 as text",
)
def ACTUAL_TEXT_NUMBER(rows: pd.DataFrame) -> pd.Series:
    return _kind_is_not(rows, "text-number")


@row_rule(
    "actual-error-value", ERROR, field="actual", report=_as_typed,
    title="Excel error value",
    message="The cell shows the Excel error {value}.",
    hint="Fix the formula (for {value}: {detail}) or type the value itself.",
    example="#DIV/0!",
)
def ACTUAL_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return _kind_is_not(rows, "error")


@row_rule(
    "actual-formula-no-result", ERROR, field="actual", report=_as_typed,
    title="Formula without a saved result",
    message="The cell holds the formula ={value} but no saved result.",
    hint="Open the file in Excel, let it calculate, save, and send it again; or type the value.",
    example="a formula written by a script",
)
def ACTUAL_FORMULA_NO_RESULT(rows: pd.DataFrame) -> pd.Series:
    return _kind_is_not(rows, "formula-no-result")


def range_text(low: float | None, high: float | None, unit: str) -> str:
    """`0% to 100%`, `at least 0`, `at most 5 days` or `any value`."""
    if low is not None and high is not None:
        return f"{format_exact(low, unit)} to {format_exact(high, unit)}"
    if low is not None:
        return f"at least {format_exact(low, unit)}"
    if high is not None:
        return f"at most {format_exact(high, unit)}"
    return "any value"


def _out_of_range(row: RowRecord, fw: Framework) -> dict[str, Any]:
    value, unit, high = float(row.actual_value or 0), row.unit, row.max_value
    hint = "Check the value and type it again."
    if unit == "percent" and value > 100 and high is not None:
        if value >= 1000 and value / 100 <= high:
            # 88.9 pasted as a value into a percent-formatted cell is stored as 88.9: 8890%.
            hint = (f"Type the percentage as {plain_number(value / 100)} (the cell is formatted as "
                    f"a percentage, so {plain_number(value)} becomes {plain_number(value)}%).")
        else:
            hint = (f"Check the figure: this percentage cannot be over "
                    f"{format_exact(high, unit)}. Type the number of percent, such as 93.4 for "
                    "93.4%.")
    # The value is shown to as many decimals as it takes to be visibly outside the range:
    # 100.00001% is not 100%.
    bounds = [b for b in (row.min_value, high) if b is not None and b == b]
    shown = format_apart(value, unit, bounds, exact=True)
    return {"value": shown, "expected": range_text(row.min_value, high, unit), "detail": hint}


@row_rule(
    "actual-out-of-bounds", ERROR, field="actual", report=_out_of_range,
    title="Actual out of range",
    message="{value} is outside the possible range for this indicator ({expected}).",
    hint="{detail}",
    example="9340 for a percentage",
)
def ACTUAL_OUT_OF_BOUNDS(rows: pd.DataFrame) -> pd.Series:
    value = number(rows["actual_value"])
    outside = (value < number(rows["min_value"])) | (value > number(rows["max_value"]))
    return ~(due(rows) & outside.fillna(False))


@row_rule(
    "actual-not-due", WARNING, field="actual",
    title="Value for an indicator not due",
    message="Indicator {indicator} is not due this period, so the value {value} is not used.",
    hint="Leave Actual blank for indicators marked 'Not due'.",
    example="a half-yearly indicator at Q1",
)
def ACTUAL_NOT_DUE(rows: pd.DataFrame) -> pd.Series:
    return due(rows) | (rows["actual_kind"] == "blank")


def _fraction(row: RowRecord, fw: Framework) -> dict[str, Any]:
    value = float(row.actual_value or 0)
    return {"value": plain_number(value), "expected": plain_number(float(row.target or 0)),
            "detail": plain_number(round(value * 100, 6))}


@row_rule(
    "percent-looks-like-fraction", WARNING, field="actual", report=_fraction,
    title="Percentage may be a fraction",
    message="{value} was read as {value}%, which is far from the target of {expected}%; "
            "it may be a fraction meant as {detail}%.",
    hint="Type the percentage as shown on your report (93.4 for 93.4%); the cell is "
         "formatted as a percentage.",
    example="0.934 in a cell with its format cleared",
)
def PERCENT_LOOKS_LIKE_FRACTION(rows: pd.DataFrame) -> pd.Series:
    """A percent value below 1 in a cell without a percent format, against a target of 10+."""
    value = number(rows["actual_value"])
    suspect = (
        (rows["unit"] == "percent")
        & ~rows["actual_percent_format"].fillna(False).astype(bool)
        & (rows["actual_kind"] == "number")
        & (value > 0) & (value < 1) & (number(rows["target"]) >= 10)
    )
    return ~suspect.fillna(False)


def _change(row: RowRecord, fw: Framework) -> dict[str, Any]:
    value, before = float(row.actual_value or 0), float(row.expected_from_previous or 0)
    change = (value - before) / abs(before) * 100
    return {"value": format_value(value, row.unit),
            "expected": f"{format_value(before, row.unit)} expected from last quarter",
            "detail": f"{change:+.0f}%"}


@row_rule(
    "large-change", WARNING, field="actual", report=_change,
    title="Unusually large change",
    message="{value} is a change of {detail} on the previous quarter ({expected}).",
    hint="Check the value; if it is right, explain the change in Commentary.",
    example="a value with an extra zero",
)
def LARGE_CHANGE_ON_LAST_QUARTER(rows: pd.DataFrame) -> pd.Series:
    value = number(rows["actual_value"])
    expected = number(rows["expected_from_previous"])
    change = (value - expected).abs() / expected.abs()
    return ~((change > LARGE_CHANGE) & (expected != 0)).fillna(False)


# Checked in code across the batch: two returns giving the same indicator and quarter.
VALUE_CONFLICT = rule(
    "value-conflict", ERROR, "cell", "Two returns give this value",
    "Indicator {indicator} for {detail} is also given in {other} ({expected}); neither value "
    "is used.",
    "Keep one return per owner and quarter: remove the wrong file, or use --newest-wins "
    "(validate and consolidate) to use the most recently saved one.",
    "a return sent twice with changes")
VALUE_CONFLICT_NEWEST = rule(
    "value-conflict-newest", WARNING, "cell", "Older of two returns",
    "Indicator {indicator} for {detail} is also given in {other} ({expected}), which is "
    "newer; that value is used instead of this one.",
    "Remove the older return from the folder if it is no longer wanted.",
    "a corrected return sent after the first")
VALUE_REPEATED = rule(
    "value-repeated", WARNING, "cell", "Same value in two returns",
    "Indicator {indicator} for {detail} is also given in {other} with the same value "
    "({expected}); that value is used.",
    "Nothing to fix: the figure is used once. Remove the copy from the folder if it is not "
    "wanted.",
    "a return sent twice")
