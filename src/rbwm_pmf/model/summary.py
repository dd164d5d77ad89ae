"""Table 1 (RAG counts by priority) and the report's narrative sentences, from the counts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.status import AMBER, GREEN, NO_DATA, NOT_RATED, RED

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TOTAL = "Total"


def number_word(n: int) -> str:
    """Numbers below ten as words, the rest as digits (house style of the report)."""
    return _WORDS[n] if 0 <= n < 10 else f"{n:,}"


def table1(statuses: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Counts of Green/Amber/Red per priority in register order, with totals.

    `statuses` has one row per indicator with columns `priority` (id) and `status`. Not rated
    and No data columns appear when any indicator has that status, so every indicator is
    counted once.
    """
    columns: list[str] = [GREEN, AMBER, RED]
    extra: list[str] = [s for s in (NOT_RATED, NO_DATA) if (statuses["status"] == s).any()]
    rows = []
    for p in framework.ordered_priorities:
        mine = statuses[statuses["priority"] == p.id]["status"]
        counts = {c: int((mine == c).sum()) for c in columns + extra}
        rows.append({"Priority": p.name, **{c: counts[c] for c in columns},
                     TOTAL: sum(counts[c] for c in columns), **{c: counts[c] for c in extra}})
    frame = pd.DataFrame(rows, columns=["Priority", *columns, TOTAL, *extra])
    totals = {"Priority": TOTAL, **{c: int(frame[c].sum()) for c in frame.columns[1:]}}
    frame = pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)
    return frame.set_index("Priority")


def shares(table: pd.DataFrame) -> dict[str, int]:
    """Whole-percent shares of the rated indicators (rounding may stop them summing to 100)."""
    total = _at(table, TOTAL, TOTAL)
    if total == 0:
        return {GREEN: 0, AMBER: 0, RED: 0}
    return {s: int(round_half_up(100 * _at(table, TOTAL, s) / total)) for s in (GREEN, AMBER, RED)}


def _at(table: pd.DataFrame, row: str, column: str) -> int:
    value: Any = table.loc[row, column]
    return int(value)


def round_half_up(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def _count(n: int, noun: str = "indicator") -> str:
    return f"{number_word(n)} {noun}{'' if n == 1 else 's'}"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def narrative(table: pd.DataFrame, period: Period, indicators: int) -> list[str]:
    """The summary sentences, like the report's: "As at 30 September 2017, 16 of the 25 ..."."""
    g, a, r = (_at(table, TOTAL, s) for s in (GREEN, AMBER, RED))
    rated = g + a + r
    if rated == 0:
        first = f"As at {period.end_text}, no indicators could be rated."
    elif rated == 1:
        which = "" if indicators == 1 else " rated"
        state = ("performing at or above target" if g else "just short of target" if a
                 else "below target")
        first = f"As at {period.end_text}, the one indicator{which} was {state}."
    else:
        group = f"the {number_word(rated)} indicators" + ("" if rated == indicators else " rated")
        lead = number_word(g) if g else "none"
        parts = [
            f"{lead} of {group} {_were(g) if g else 'were'} performing at or above target",
            f"{_count(a) if a else 'no indicators'} {_were(a)} just short of target",
            f"{_count(r) if r else 'no indicators'} {_were(r)} below target",
        ]
        first = f"As at {period.end_text}, {parts[0]}, {parts[1]} and {parts[2]}."
    sentences = [first]
    nr = _at(table, TOTAL, NOT_RATED) if NOT_RATED in table.columns else 0
    nd = _at(table, TOTAL, NO_DATA) if NO_DATA in table.columns else 0
    if nd:
        sentences.append(f"{_count(nd).capitalize()} had no data for the quarter.")
    if nr:
        sentences.append(
            f"{_count(nr).capitalize()} {_were(nr)} not rated (not due this quarter, or data only).")
    return sentences
