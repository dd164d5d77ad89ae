"""What a rule is: one declaration holds its code, severity, title, message and fix hint, and for a
row rule the check itself and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from rbwm_pmf.model.framework import Framework
    from rbwm_pmf.validation.records import RowRecord

ERROR = "error"
WARNING = "warning"

# A row check: given the batch's rows (the fields of RowRecord as columns), True where a row
# passes. A reporter: given a failing row, the values its message and hint are filled from.
RowCheck = Callable[["pd.DataFrame"], "pd.Series"]
Reporter = Callable[["RowRecord", "Framework"], dict[str, Any]]

# The cell a row rule points at: the row field it reports on and the value shown as typed.
FIELD_VALUES = {
    "indicator_id": "indicator_id",
    "name": "name",
    "target": "target_read",
    "actual": "actual_raw",
    "commentary": "commentary",
    "mitigation": "mitigation",
}


@dataclass(frozen=True)
class Rule:
    """One kind of problem. `message` and `hint` are str.format templates.

    A row rule also has `field` (the cell it reports: a key of FIELD_VALUES), `check` and, when
    its message needs more than the value as typed, `report`. `whole_row` marks a rule about the
    row's identity: when it fails, no other rule is reported for that row.
    """

    code: str
    severity: str
    scope: str  # file, sheet, row, cell
    title: str
    message: str
    hint: str
    example: str = ""
    field: str | None = None
    check: RowCheck | None = None
    report: Reporter | None = None
    whole_row: bool = False

    @property
    def is_row_rule(self) -> bool:
        return self.check is not None

    def details(self, row: RowRecord, framework: Framework) -> dict[str, Any]:
        """What this rule's message is filled from, for a failing row."""
        if self.report is not None:
            return self.report(row, framework)
        assert self.field is not None
        return {"value": getattr(row, FIELD_VALUES[self.field]) or ""}

    def to_dict(self) -> dict[str, str]:
        """The catalogue entry, as `rbwm-pmf rules --format json` prints it."""
        return {"code": self.code, "severity": self.severity, "scope": self.scope,
                "title": self.title, "message": self.message, "hint": self.hint,
                "example": self.example}


def rule(code: str, severity: str, scope: str, title: str, message: str, hint: str,
         example: str = "") -> Rule:
    """A rule checked in code as a file is read (the file and template rules)."""
    return Rule(code, severity, scope, title, message, hint, example)


def row_rule(
    code: str, severity: str, *, field: str, title: str, message: str, hint: str, example: str,
    report: Reporter | None = None, whole_row: bool = False,
) -> Callable[[RowCheck], Rule]:
    """Declare a row rule over the function below it, its check (True where a row passes).

    `report` gives the values the message is filled from, when it needs more than the value
    as typed.
    """
    if field not in FIELD_VALUES:
        raise ValueError(f"rule {code}: field {field!r} is not one of {sorted(FIELD_VALUES)}")

    def declare(check: RowCheck) -> Rule:
        return Rule(code, severity, "cell", title, message, hint, example, field=field,
                    check=check, report=report, whole_row=whole_row)

    return declare
