"""What a cell means: an Actual cell's kind and value in report units, a Target as read, text."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from rbwm_pmf.model.values import plain_number
from rbwm_pmf.reading.xlsx import Cell, format_codes
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

    kind: str  # blank, number, text-number, text, error, formula-no-result, date, time,
    #            percent-format
    value: float | None
    raw: str
    detail: str = ""


def _clean(value: float) -> float:
    return round(value, 9)


# Built-in number formats (ECMA-376 18.8.30) that show a date, a time or both; the reader
# names a built-in format "builtin:<id>".
_BUILTIN_DATES = {14: "date", 15: "date", 16: "date", 17: "date", 18: "time", 19: "time",
                  20: "time", 21: "time", 22: "datetime", 45: "time", 46: "time", 47: "time"}
# The built-in formats whose code depends on an East Asian locale (such as 27,
# yyyy"年"m"月" in Chinese) are dates or times too, whatever the language of the Excel.
_BUILTIN_DATES |= {n: "date" for n in (27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58)}
_BUILTIN_DATES |= {n: "time" for n in (32, 33, 34, 35, 55, 56)}
# Elapsed hours, minutes and seconds: [h]:mm, [mm]:ss, [ss].
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]")
_DATE_TOKENS = re.compile(r"y+|m+|d+|h+|s+|am/pm|a/p|\x01")


@functools.lru_cache(maxsize=512)
def format_is_date(code: str) -> str | None:
    """What a number format shows its number as: "date" (d/m/yyyy, builtin:14), "time" (h:mm,
    [h]:mm) or "datetime" (d/m/yyyy h:mm); None for a number ('0.00"d"', '#,##0 \\m', General).
    """
    code = (code or "").strip()
    if code.startswith("builtin:"):
        try:
            return _BUILTIN_DATES.get(int(code[len("builtin:"):]))
        except ValueError:
            return None
    lowered = _ELAPSED.sub(lambda m: "\x01" if m.group(1)[0] == "m" else m.group(1)[0], code.lower())
    # The elapsed-time brackets are read first: format_codes drops every other bracket.
    stripped = format_codes(lowered).replace("general", "")
    tokens = _DATE_TOKENS.findall(stripped)
    has_date = has_time = False
    for i, token in enumerate(tokens):
        if token[0] in "yd":
            has_date = True
        elif token[0] == "m":
            # m is minutes right after hours or right before seconds, otherwise the month.
            after_hours = i > 0 and tokens[i - 1][0] == "h"
            before_seconds = i + 1 < len(tokens) and tokens[i + 1][0] == "s"
            if after_hours or before_seconds:
                has_time = True
            else:
                has_date = True
        else:
            has_time = True
    if has_date and has_time:
        return "datetime"
    return "date" if has_date else "time" if has_time else None


# Serial numbers in Excel's 1900 date system: day 1 is 1 January 1900, and day 60 is the
# 29 February 1900 that Excel keeps for compatibility with Lotus 1-2-3. In the 1904 date system
# (a workbook option, once the Mac default) day 0 is 1 January 1904, with no such day.
_EPOCH_1900 = dt.datetime(1899, 12, 31)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LAST_SERIAL = 2_958_465  # 31 December 9999 (1900 system)
_LAST_SERIAL_1904 = _LAST_SERIAL - 1_462


def _shown_date(serial: float, shows: str, code: str, date1904: bool = False) -> str:
    """A serial number as the cell shows it: 30/09/2017, 20:36 or 30/09/2017 20:36."""
    if not 0 <= serial < (_LAST_SERIAL_1904 if date1904 else _LAST_SERIAL) + 1:
        return plain_number(serial)
    days = int(serial)
    seconds = round((serial - days) * 86_400)
    if seconds == 86_400:
        days, seconds = days + 1, 0
    hours, rest = divmod(seconds, 3_600)
    minutes, secs = divmod(rest, 60)
    if shows == "time" and "[h" in code.lower():
        hours += days * 24  # elapsed hours: [h]:mm shows 30:15 for 1.26
    clock = f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
    if shows == "time":
        return clock
    if date1904:
        day = (_EPOCH_1904 + dt.timedelta(days=days)).strftime("%d/%m/%Y")
    elif days in (0, 60):
        day = "00/01/1900" if days == 0 else "29/02/1900"
    else:
        day = (_EPOCH_1900 + dt.timedelta(days=days - (days > 60))).strftime("%d/%m/%Y")
    return f"{day} {clock}" if shows == "datetime" and seconds else day


def _shown_iso_date(text: str) -> tuple[str, str]:
    """A cell stored as an ISO 8601 date (t="d"): its kind, date or time, and how it shows."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return "date", text
    clock = when.strftime("%H:%M") + (when.strftime(":%S") if when.second else "")
    if when.date() in (dt.date(1899, 12, 30), dt.date(1899, 12, 31)) and when.time() != dt.time():
        return "time", clock
    day = when.strftime("%d/%m/%Y")
    return "date", f"{day} {clock}" if when.time() != dt.time() else day


# What a number in each unit is, for the hints: "type the number of days as a number, e.g. 12".
_UNIT_NUMBER = {"percent": ("the percentage", "93.4"), "count": ("the count", "12"),
                "days": ("the number of days", "12"), "rate": ("the rate", "12.5"),
                "currency": ("the amount in pounds", "1200")}
_UNIT_NAME = {"count": "a count", "days": "a number of days", "rate": "a rate",
              "currency": "an amount in pounds"}


def _date_hint(unit: str, what: str) -> str:
    number, example = _UNIT_NUMBER.get(unit, ("the value", "12"))
    shown_as = "Percentage" if unit == "percent" else "General"
    return (f"The cell is formatted as a {what}: type {number} as a number, e.g. {example}, and "
            f"set the cell's format back to {shown_as}.")


def interpret_actual(cell: Cell, unit: str, *, date1904: bool = False) -> Parsed:
    """Interpret an Actual cell against its indicator's unit. A percent-formatted cell holding
    0.934 is 93.4 points for a percentage; a number formatted as a date, or as a percentage for
    an indicator that is not one, is shown as the owner sees it (dates counted from 1904 when
    `date1904`) and has no value."""
    raw = "" if cell.value is None else str(cell.value)
    if cell.kind == "number":
        value = float(cell.value)  # type: ignore[arg-type]
        shows = format_is_date(cell.number_format)
        if shows is not None:
            kind = "time" if shows == "time" else "date"
            return Parsed(kind, None, _shown_date(value, shows, cell.number_format, date1904),
                          _date_hint(unit, kind))
        if cell.is_percent:
            value *= 100
            if unit in _UNIT_NAME:
                shown = f"{plain_number(_clean(value))}%"
                return Parsed("percent-format", None, shown,
                              f"This indicator is {_UNIT_NAME[unit]}, not a percentage: type the "
                              f"number itself, e.g. {_UNIT_NUMBER[unit][1]}, and set the cell's "
                              "format back to General.")
        return Parsed("number", _clean(value), raw)
    if cell.kind == "formula-no-result":
        return Parsed("formula-no-result", None, cell.formula or "")
    if cell.kind == "error":
        return Parsed("error", None, raw, ERROR_VALUE_HINTS.get(raw, "an error in the formula"))
    if cell.kind == "blank":
        return Parsed("blank", None, raw)
    if cell.kind == "date":
        kind, shown = _shown_iso_date(raw)
        return Parsed(kind, None, shown, _date_hint(unit, kind))
    if cell.kind == "bool":
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
