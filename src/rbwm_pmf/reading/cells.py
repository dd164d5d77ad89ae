"""What a cell means: an Actual cell's kind and value in report units, a Target as read, text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rbwm_pmf.model.values import plain_number
from rbwm_pmf.reading.xlsx import Cell
from rbwm_pmf.validation.rules import DEFAULT_NOT_A_NUMBER_HINT, ERROR_VALUE_HINTS, NOT_A_NUMBER_HINTS


def text_of(cell: Cell) -> str:
    """A cell's value as text, stripped ('' for blank); numbers without a trailing .0."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float):
        return plain_number(value)
    return str(value).strip()


_PLAIN_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[-+]?\.\d+$")
_PERCENT_TEXT = re.compile(r"^([-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?)\s*%$")
_CURRENCY_TEXT = re.compile(r"^£\s*([-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?)$")


@dataclass(frozen=True)
class Parsed:
    """What an Actual cell means: its kind, its value in report units (percent in points)."""

    kind: str  # blank, number, text-number, text, error, formula-no-result
    value: float | None
    raw: str
    detail: str = ""


def _clean(value: float) -> float:
    return round(value, 9)


def interpret_actual(cell: Cell, unit: str) -> Parsed:
    """Interpret an Actual cell. A percent-formatted cell holding 0.934 is 93.4 points."""
    raw = "" if cell.value is None else str(cell.value)
    if cell.kind == "number":
        value = float(cell.value)  # type: ignore[arg-type]
        if cell.is_percent:
            value *= 100
        return Parsed("number", _clean(value), raw)
    if cell.kind == "formula-no-result":
        return Parsed("formula-no-result", None, cell.formula or "")
    if cell.kind == "error":
        return Parsed("error", None, raw, ERROR_VALUE_HINTS.get(raw, "an error in the formula"))
    if cell.kind == "blank":
        return Parsed("blank", None, raw)
    if cell.kind in ("bool", "date"):
        return Parsed("text", None, raw, DEFAULT_NOT_A_NUMBER_HINT)
    text = raw.strip().replace("\u00a0", " ")
    if text == "":
        return Parsed("blank", None, raw)
    if _PLAIN_NUMBER.match(text):
        number = float(text.replace(",", ""))
        return Parsed("text-number", _clean(number), raw, plain_number(number))
    match = _PERCENT_TEXT.match(text)
    if match and unit == "percent":
        number = float(match.group(1).replace(",", ""))
        return Parsed("text-number", _clean(number), raw, f"{plain_number(number)}, without the % sign")
    match = _CURRENCY_TEXT.match(text)
    if match and unit == "currency":
        number = float(match.group(1).replace(",", ""))
        return Parsed("text-number", _clean(number), raw, f"{plain_number(number)}, without the £ sign")
    lowered = text.casefold()
    for pattern, hint in NOT_A_NUMBER_HINTS:
        if re.search(pattern, lowered):
            return Parsed("text", None, raw, hint)
    return Parsed("text", None, raw, DEFAULT_NOT_A_NUMBER_HINT)



def target_as_read(cell: Cell) -> float | str | None:
    """The Target cell as the owner sees it: percent cells in points, text as text."""
    if cell.kind == "number":
        value = float(cell.value)  # type: ignore[arg-type]
        return _clean(value * 100 if cell.is_percent else value)
    if cell.kind == "blank":
        return None
    return text_of(cell)
