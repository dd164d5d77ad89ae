"""Reporting periods: financial years and their quarters (2017-18-Q2), with end dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rbwm_pmf.errors import PeriodError

_PATTERN = re.compile(
    r"^\s*(?:FY\s*)?(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2}|\d{4})\s*[-_ ]?\s*Q(?P<q>[1-4])\s*$",
    re.IGNORECASE,
)
_QUARTER_END = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


@dataclass(frozen=True, order=True)
class Period:
    """A quarter of a UK local-government financial year (April to March)."""

    year: int  # the calendar year in which the financial year starts: 2017 for 2017/18
    quarter: int

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Read `2017-18-Q2`, `2017/18 Q2`, `2017-2018-Q2` or `FY2017-18 Q2`."""
        if isinstance(text, Period):
            return text
        match = _PATTERN.match(str(text))
        if not match:
            raise PeriodError(
                f"'{text}' is not a period; write it like 2017-18-Q2 (financial year and quarter)."
            )
        start = int(match["start"])
        end = int(match["end"])
        expected_end = (start + 1) % 100 if len(match["end"]) == 2 else start + 1
        if end != expected_end:
            raise PeriodError(
                f"'{text}' is not a financial year: {start} is followed by "
                f"{start + 1}, so write {start}-{(start + 1) % 100:02d}-Q{match['q']}."
            )
        return cls(start, int(match["q"]))

    @property
    def fy(self) -> str:
        """The financial year, like `2017-18`."""
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """A human label, like `2017/18 Q2`."""
        return f"{self.year_label} Q{self.quarter}"

    @property
    def year_label(self) -> str:
        """The financial year as a report writes it, like `2017/18`."""
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def end_date(self) -> dt.date:
        """The last day of the quarter (Q2 of 2017-18 ends on 30 September 2017)."""
        month, day = _QUARTER_END[self.quarter]
        year = self.year + 1 if self.quarter == 4 else self.year
        return dt.date(year, month, day)

    @property
    def end_text(self) -> str:
        """The end date as a report writes it: `30 September 2017`."""
        return date_text(self.end_date)

    def previous(self) -> Period | None:
        """The quarter before, within the same financial year (None for Q1)."""
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else None

    def shifted(self, quarters: int) -> Period:
        """The quarter `quarters` later (earlier when negative), across financial years."""
        n = self.year * 4 + self.quarter - 1 + quarters
        return Period(n // 4, n % 4 + 1)

    def last_year(self) -> Period:
        """The same quarter of the financial year before."""
        return Period(self.year - 1, self.quarter)

    def quarters_to(self, count: int) -> list[Period]:
        """The `count` quarters ending with this one, oldest first."""
        return [self.shifted(n) for n in range(1 - count, 1)]

    def year_to_date(self) -> list[Period]:
        """Every quarter of this financial year up to and including this one."""
        return [Period(self.year, q) for q in range(1, self.quarter + 1)]

    def __str__(self) -> str:
        return f"{self.fy}-Q{self.quarter}"


_YEAR = re.compile(r"^\s*(?:FY\s*)?(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2}|\d{4})\s*$", re.IGNORECASE)


def parse_report_period(text: str | Period) -> tuple[Period, bool]:
    """The period a report is for, and whether it is the annual report: `2017-18-Q2` is a
    quarter; `2017-18` (or `2017/18`) is the year, reported at its fourth quarter."""
    if isinstance(text, Period):
        return text, False
    match = _YEAR.match(str(text))
    if match is None:
        return Period.parse(text), False
    fourth = Period.parse(f"{match['start']}-{match['end']}-Q4")
    return fourth, True


def date_text(day: dt.date) -> str:
    """A date as a report writes it: `30 September 2017`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
