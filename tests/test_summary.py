"""Table 1 and the narrative sentences, built from counts."""

from __future__ import annotations

import pandas as pd
import pytest

from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.summary import narrative, number_word, shares, table1
from rbwm_pmf.register.load import load_framework


def statuses(counts: dict[str, list[str]]) -> pd.DataFrame:
    rows = [{"priority": p, "status": s} for p, ss in counts.items() for s in ss]
    return pd.DataFrame(rows)


def test_number_words() -> None:
    """Numbers below ten are words; ten and above are digits."""
    assert [number_word(n) for n in (0, 1, 8, 9, 10, 16, 1234)] == [
        "zero", "one", "eight", "nine", "10", "16", "1,234"]


def test_report_sentence_and_shares() -> None:
    """The report's own counts give its own sentence, word for word, and 64/32/4."""
    fw = load_framework()
    data = statuses({
        "healthy": ["Green"] * 4 + ["Amber"] * 3, "safe": ["Green"] * 2 + ["Amber"] * 2,
        "economy": ["Green"] * 4, "borough": ["Green"] * 2 + ["Amber", "Red"],
        "customer": ["Green"] * 2 + ["Amber"] * 2, "resources": ["Green"] * 2,
    })
    t1 = table1(data, fw)
    assert list(t1.columns) == ["Green", "Amber", "Red", "Total"]
    assert t1.loc["Total"].tolist() == [16, 8, 1, 25]
    assert t1.loc["Attractive and well-connected borough"].tolist() == [2, 1, 1, 4]
    assert shares(t1) == {"Green": 64, "Amber": 32, "Red": 4}
    said = narrative(t1, Period(2017, 2), 25)
    assert said.summary == (
        "As at 30 September 2017, 16 of the 25 indicators were performing at or above target, "
        "eight indicators were just short of target and one indicator was below target.")
    assert said.notes == ()


@pytest.mark.parametrize(("g", "a", "r", "nd", "expected"), [
    (1, 0, 0, 0, "As at 30 June 2017, the one indicator was performing at or above target."),
    (0, 1, 0, 0, "As at 30 June 2017, the one indicator was just short of target."),
    (0, 0, 1, 2, "As at 30 June 2017, the one indicator rated was below target. Two indicators "
                 "had no data for the quarter."),
    (1, 0, 0, 1, "As at 30 June 2017, the one indicator rated was performing at or above "
                 "target. One indicator had no data for the quarter."),
    (1, 1, 0, 0, "As at 30 June 2017, one of the two indicators was performing at or above "
                 "target, one indicator was just short of target and no indicators were below "
                 "target."),
    (2, 0, 0, 0, "As at 30 June 2017, two of the two indicators were performing at or above "
                 "target, no indicators were just short of target and no indicators were below "
                 "target."),
    (0, 0, 0, 1, "As at 30 June 2017, no indicators could be rated. One indicator had no data "
                 "for the quarter."),
    (2, 1, 2, 1, "As at 30 June 2017, two of the five indicators rated were performing at or "
                 "above target, one indicator was just short of target and two indicators were "
                 "below target. One indicator had no data for the quarter."),
    (0, 3, 0, 0, "As at 30 June 2017, none of the three indicators were performing at or above "
                 "target, three indicators were just short of target and no indicators were "
                 "below target."),
])
def test_sentences_singular_plural_and_words(g: int, a: int, r: int, nd: int,
                                              expected: str) -> None:
    """Singular and plural agree with the counts; No data gets its own sentence."""
    fw = load_framework()
    data = statuses({"healthy": ["Green"] * g + ["Amber"] * a + ["Red"] * r + ["No data"] * nd})
    t1 = table1(data, fw)
    assert narrative(t1, Period(2017, 1), g + a + r + nd).paragraph == expected
    if nd:
        assert "No data" in t1.columns and t1.loc["Total", "No data"] == nd
