"""Small facts about single values: whether a cell holds nothing, and a number as typed."""

from __future__ import annotations


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a cell that holds no value."""
    if value is None:
        return True
    try:
        # NaN and NaT are the only values not equal to themselves; pandas' NA cannot say.
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def plain_number(value: float) -> str:
    """A number as a person would type it: 5 for 5.0, 0.934 as it is, and 1.027 for the
    1.0270000000000001 that 102.7 / 100 gives (15 significant digits, as Excel shows)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.15g}"
