"""Small facts about single values: whether a cell holds nothing, a number as typed, and text
that fits in an Excel cell."""

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


EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) Excel holds in one cell


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: str) -> tuple[str, int]:
    """Text cut to Excel's cell limit, ending with a visible marker when cut, and how many of
    its characters were kept (all of them when it fits)."""
    if len(text) <= EXCEL_CELL_LIMIT // 2 or _utf16_len(text) <= EXCEL_CELL_LIMIT:
        return text, len(text)
    marker = f" … [cut: {len(text):,} characters in the return]"
    room = EXCEL_CELL_LIMIT - _utf16_len(marker)
    kept = text[:room]
    while _utf16_len(kept) > room:  # characters outside the BMP count twice in Excel
        kept = kept[:-1]
    return kept + marker, len(kept)


def counted(n: int, noun: str, plural: str = "") -> str:
    """`1 error`, `2 errors`, `3 priorities` (with `plural`): a count and its noun."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
