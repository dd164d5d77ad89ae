"""Periods: parsing, labels and end dates."""

from __future__ import annotations

import datetime as dt

import pytest

from rbwm_pmf.errors import PeriodError
from rbwm_pmf.model.periods import Period


@pytest.mark.parametrize("text", ["2017-18-Q2", "2017/18 Q2", "2017-2018-Q2", "FY2017-18 Q2",
                                  " 2017/18q2 "])
def test_parse_accepts_common_forms(text: str) -> None:
    """Periods typed the ways officers write them all mean 2017/18 Q2."""
    assert Period.parse(text) == Period(2017, 2)


@pytest.mark.parametrize("text", ["2017-19-Q2", "2017-18-Q5", "Q2", "", "2017-18"])
def test_parse_rejects_nonsense(text: str) -> None:
    """A bad period is a PeriodError that shows the expected form."""
    with pytest.raises(PeriodError, match=r"2017-18-Q2|write it like"):
        Period.parse(text)


def test_end_dates_and_labels() -> None:
    """Q2 ends on 30 September; Q4 ends on 31 March of the next calendar year."""
    assert Period(2017, 2).end_date == dt.date(2017, 9, 30)
    assert Period(2017, 2).end_text == "30 September 2017"
    assert Period(2017, 4).end_date == dt.date(2018, 3, 31)
    assert Period(2017, 2).label == "2017/18 Q2"
    assert str(Period(2017, 2)) == "2017-18-Q2"
    assert Period(2017, 3).year_to_date() == [Period(2017, 1), Period(2017, 2), Period(2017, 3)]
    assert Period(2017, 1).previous() is None
