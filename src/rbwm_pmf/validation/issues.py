"""Issue records: one problem in one cell (or file), with its rule code, message and fix hint."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rbwm_pmf.model.values import plain_number
from rbwm_pmf.validation.rules import RULES

ISSUE_FIELDS = (
    "code", "severity", "file", "sheet", "cell", "indicator_id", "column", "value", "message",
    "hint",
)


@dataclass(frozen=True)
class Issue:
    """One problem found in a return. `location` reads like `Return!F9`."""

    code: str
    severity: str
    file: str
    sheet: str
    cell: str
    indicator_id: str
    column: str
    value: str
    message: str
    hint: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def location(self) -> str:
        """`Return!F9`, `'My sheet'!A1`, or the sheet or file alone."""
        if not self.sheet:
            return ""
        sheet = self.sheet
        if not sheet.replace("_", "").isalnum():
            sheet = "'" + sheet.replace("'", "''") + "'"
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def make_issue(
    code: str,
    file: str,
    *,
    sheet: str = "",
    cell: str = "",
    indicator_id: str = "",
    column: str = "",
    value: Any = "",
    **details: Any,
) -> Issue:
    """Build an issue from the catalogue, filling its message and hint from the details."""
    rule = RULES[code]
    shown = shown_value(value)
    fields = _Blank(value=shown, indicator=indicator_id, label=column, **details)
    return Issue(
        code=code,
        severity=rule.severity,
        file=file,
        sheet=sheet,
        cell=cell,
        indicator_id=indicator_id,
        column=column,
        value=shown,
        message=rule.message.format_map(fields),
        hint=rule.hint.format_map(fields),
    )


def row_of(cell: str) -> int:
    """The row number of a cell address like `F9` (or of a range's first cell), 0 for none."""
    digits = "".join(ch for ch in cell.split(":")[0] if ch.isdigit())
    return int(digits) if digits else 0


def shown_value(value: Any, limit: int = 200) -> str:
    """The value as typed, for a message: numbers without a trailing .0, long text cut."""
    if value is None:
        return ""
    text = plain_number(value) if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
