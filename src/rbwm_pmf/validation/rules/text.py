"""Rules about the owner's words: commentary and mitigation for indicators short of target, and
text longer than a cell can hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rbwm_pmf.model.status import AMBER, RED
from rbwm_pmf.validation.rules.frame import blank
from rbwm_pmf.validation.rules.rule import ERROR, WARNING, row_rule, rule
from rbwm_pmf.validation.rules.values import error_value

if TYPE_CHECKING:
    import pandas as pd

    from rbwm_pmf.model.framework import Framework
    from rbwm_pmf.validation.records import RowRecord

_OFF_TARGET: dict[str, str] = {AMBER: "Amber (just short of target)", RED: "Red (below target)"}


def _off_target(rows: pd.DataFrame) -> pd.Series:
    return rows["status"].isin(list(_OFF_TARGET))


def _status_words(row: RowRecord, fw: Framework) -> dict[str, Any]:
    status = row.status or ""
    return {"value": "", "detail": _OFF_TARGET.get(status, status)}


@row_rule(
    "commentary-missing", ERROR, field="commentary", report=_status_words,
    title="Commentary missing",
    message="Indicator {indicator} is {detail}, so Commentary is required.",
    hint="Explain in Commentary why performance is short of target.",
    example="an amber with no comment",
)
def COMMENTARY_MISSING(rows: pd.DataFrame) -> pd.Series:
    return ~(_off_target(rows) & blank(rows["commentary"]))


@row_rule(
    "mitigation-missing", ERROR, field="mitigation", report=_status_words,
    title="Mitigation actions missing",
    message="Indicator {indicator} is {detail}, so Mitigation actions are required.",
    hint="Say in Mitigation actions what is being done to bring performance back to target, "
         "by whom and by when.",
    example="an amber with no mitigation",
)
def MITIGATION_MISSING(rows: pd.DataFrame) -> pd.Series:
    return ~(_off_target(rows) & blank(rows["mitigation"]))


# The rule below is shown whole in docs/code-layout.md, as an example of a rule.
# --8<-- [start:commentary-error-value]
@row_rule(
    "commentary-error-value", ERROR, field="commentary",
    title="Excel error value in Commentary",
    message="Commentary shows the Excel error {value}, not the owner's words.",
    hint="Type the commentary itself; do not paste a formula or a link to another workbook.",
    example="#REF! left by a deleted linked sheet",
)
def COMMENTARY_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return ~error_value(rows["commentary"])
# --8<-- [end:commentary-error-value]


@row_rule(
    "mitigation-error-value", ERROR, field="mitigation",
    title="Excel error value in Mitigation actions",
    message="Mitigation actions shows the Excel error {value}, not the owner's words.",
    hint="Type the actions themselves; do not paste a formula or a link to another workbook.",
    example="#N/A from a lookup",
)
def MITIGATION_ERROR_VALUE(rows: pd.DataFrame) -> pd.Series:
    return ~error_value(rows["mitigation"])


# Checked across the batch for the Amber and Red rows the workbook prints (Excel holds 32,767
# characters in a cell).
TEXT_TOO_LONG = rule(
    "text-too-long", WARNING, "cell", "Text too long",
    "The text is {value} characters long; only the first {expected} are kept.",
    "Shorten the text; a Cabinet report needs a few sentences.", "a pasted document")
