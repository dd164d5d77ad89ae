"""Table 1 (RAG counts by priority) and the report's narrative sentences, from the counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from rbwm_pmf.model.framework import ON_TARGET_RULES, Framework, Wording
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.status import AMBER, GREEN, NO_DATA, NOT_RATED, RED

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TOTAL = "Total"
TOTAL_RATED = "Total rated"  # Table 1's Total column, as labelled when some are not rated
MET, UNMET = "Met", "Unmet"
RATED = (GREEN, AMBER, RED)
STATES = {GREEN: "performing at or above target", AMBER: "just short of target", RED: "below target"}


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
    """Whole-percent shares of the rated indicators (rounding may stop them summing to 100);
    empty when nothing is rated, as there is nothing to share out."""
    total = _at(table, TOTAL, TOTAL)
    if total == 0:
        return {}
    return {s: round_half_up(100 * _at(table, TOTAL, s) / total) for s in RATED}


def priority_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Table 1's shares: for each priority and the Total row, the whole-percent share of its
    rated indicators that are Green, Amber and Red (missing where none of it is rated)."""
    rows = {}
    for label in table.index:
        rated = _at(table, label, TOTAL)
        rows[label] = {s: (round_half_up(100 * _at(table, label, s) / rated) if rated else None)
                       for s in RATED}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(RATED)).astype("Int64")
    frame.index.name = table.index.name
    return frame


def total_label(table: pd.DataFrame) -> str:
    """What Table 1's Total column is called in print: "Total" when every indicator is rated
    (the report's own table), "Total rated" beside Not rated and No data columns, so that
    nobody takes it for the number of all indicators."""
    return TOTAL if list(table.columns) == [*RATED, TOTAL] else TOTAL_RATED


def printed_columns(table: pd.DataFrame) -> list[str]:
    """Table 1's count columns in the order they are printed: the Total column last."""
    return [*RATED, *(c for c in table.columns if c not in (*RATED, TOTAL)), TOTAL]


def _at(table: pd.DataFrame, row: Any, column: str) -> int:
    value: Any = table.loc[row, column]
    return int(value)


def round_half_up(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def _count(n: int, noun: str = "indicator") -> str:
    return f"{number_word(n)} {noun}{'' if n == 1 else 's'}"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


@dataclass(frozen=True)
class KeyImplication:
    """The report's key-implications row: the outcome, its Unmet and Met levels, and whether it
    is met this quarter. It is Met when every strategic priority is on target."""

    outcome: str  # "The council is on target to deliver its strategic priorities"
    unmet: str  # the level at which it is unmet: "Below 100%"
    met: str  # "100%"
    result: str  # Met or Unmet
    on_target: int  # priorities on target
    priorities: int
    rule: str  # what makes a priority on target, in words

    @property
    def share(self) -> int:
        """The whole-percent share of priorities on target."""
        return round_half_up(100 * self.on_target / self.priorities) if self.priorities else 0

    @property
    def position(self) -> str:
        """The result with its numbers: "Unmet: 2 of 6 priorities on target (33%)"."""
        return (f"{self.result}: {self.on_target} of {self.priorities} "
                f"{'priority' if self.priorities == 1 else 'priorities'} on target ({self.share}%)")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share": self.share, "position": self.position}


def priorities_on_target(table: pd.DataFrame, rule: str = "all-green") -> list[str]:
    """The priorities of Table 1 that are on target under `rule` (see ON_TARGET_RULES): at least
    one indicator rated, and every rated one Green ("all-green") or none Red ("no-red"). A
    priority with nothing rated is not on target: nothing shows that it is."""
    if rule not in ON_TARGET_RULES:
        raise ValueError(f"{rule!r} is not one of {', '.join(ON_TARGET_RULES)}")
    off = (AMBER, RED) if rule == "all-green" else (RED,)
    return [str(label) for label in table.index if label != TOTAL
            and _at(table, label, TOTAL) > 0 and not any(_at(table, label, s) for s in off)]


def key_implication(table: pd.DataFrame, wording: Wording | None = None) -> KeyImplication:
    """The key-implications outcome from Table 1: Met when every priority is on target."""
    wording = wording or Wording()
    priorities = sum(1 for label in table.index if label != TOTAL)
    on_target = len(priorities_on_target(table, wording.priority_on_target))
    met = priorities > 0 and on_target == priorities
    return KeyImplication(
        outcome=wording.key_outcome, unmet="Below 100%", met="100%", result=MET if met else UNMET,
        on_target=on_target, priorities=priorities, rule=ON_TARGET_RULES[wording.priority_on_target])


@dataclass(frozen=True)
class Sentences:
    """The report's sentences, made from Table 1's counts in the register's wording.

    `summary` is the Report Summary ("As at 30 September 2017, 16 of the 25 indicators were
    ..."), `notes` the sentences on indicators not rated or with no data that follow it,
    `position` the sentence with shares ("As end of quarter 2, 30 September 2017, 16
    indicators, 64%, ..."), `appendix3` the pointer to the commentary, and `outcome` the
    key-implications result, Met or Unmet.
    """

    summary: str
    position: str
    appendix3: str
    outcome: str
    notes: tuple[str, ...] = ()
    wording: Wording = field(default_factory=Wording, repr=False, compare=False)
    # "A year earlier, at 2017/18 Q2, 16 of the 25 indicators were performing at or above
    # target." when an earlier year is known; "" when it is not.
    last_year: str = ""
    # At the fourth quarter: "For 2017/18 as a whole, 15 of the 22 indicators with an annual
    # target met it." ("" at other quarters).
    year_end: str = ""

    @property
    def paragraph(self) -> str:
        """The Report Summary with its notes (and last year's position and the year end, when
        known), as one paragraph."""
        return " ".join(s for s in (self.summary, *self.notes, self.last_year, self.year_end) if s)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "position": self.position, "appendix3": self.appendix3,
                "outcome": self.outcome, "notes": list(self.notes), "last_year": self.last_year,
                "year_end": self.year_end}


def narrative(table: pd.DataFrame, period: Period, indicators: int,
              wording: Wording | None = None) -> Sentences:
    """The report's sentences from Table 1's counts, in `wording` (default: the RBWM report's).

    Numbers below ten are words, except in the Appendix 3 pointer, which the report writes in
    digits ("the 9 indicators"); singular and plural follow the counts.
    """
    wording = wording or Wording()
    dates = {"date": period.end_text, "quarter": str(period.quarter), "period": period.label}
    g, a, r = (_at(table, TOTAL, s) for s in RATED)
    nr = _at(table, TOTAL, NOT_RATED) if NOT_RATED in table.columns else 0
    nd = _at(table, TOTAL, NO_DATA) if NO_DATA in table.columns else 0
    notes = []
    if nd:
        notes.append(f"{_count(nd).capitalize()} had no data for the quarter.")
    if nr:
        notes.append(
            f"{_count(nr).capitalize()} {_were(nr)} not rated (not due this quarter, or data only).")
    off = a + r
    if off:
        pointer = wording.fill("appendix3_sentence", **dates, count=str(off),
                               indicators=f"{off} indicator{'' if off == 1 else 's'}",
                               are="is" if off == 1 else "are")
    else:
        pointer = wording.fill("appendix3_none", **dates)
    return Sentences(
        summary=_summary(wording.fill("summary_opening", **dates), (g, a, r), indicators),
        position=_position(wording.fill("quarter_opening", **dates), table, indicators),
        appendix3=pointer,
        outcome=key_implication(table, wording).result,
        notes=tuple(notes),
        wording=wording,
    )


def _summary(opening: str, counts: tuple[int, int, int], indicators: int) -> str:
    """The Report Summary: "As at 30 September 2017, 16 of the 25 indicators were ..."."""
    g, a, r = counts
    rated = g + a + r
    if rated == 0:
        return f"{opening}, no indicators could be rated."
    if rated == 1:
        which = "" if indicators == 1 else " rated"
        state = STATES[GREEN if g else AMBER if a else RED]
        return f"{opening}, the one indicator{which} was {state}."
    group = f"the {number_word(rated)} indicators" + ("" if rated == indicators else " rated")
    lead = number_word(g) if g else "none"
    parts = [
        f"{lead} of {group} {_were(g) if g else 'were'} {STATES[GREEN]}",
        f"{_count(a) if a else 'no indicators'} {_were(a)} {STATES[AMBER]}",
        f"{_count(r) if r else 'no indicators'} {_were(r)} {STATES[RED]}",
    ]
    return f"{opening}, {parts[0]}, {parts[1]} and {parts[2]}."


def _position(opening: str, table: pd.DataFrame, indicators: int) -> str:
    """The position with shares: "As end of quarter 2, 30 September 2017, 16 indicators, 64%,
    were performing at or above target, eight indicators, 32%, were just short of target and
    one indicator, 4%, was below target." """
    pct = shares(table)
    if not pct:
        return f"{opening}, no indicators could be rated, so there are no shares to give."
    rated = sum(_at(table, TOTAL, s) for s in RATED)
    parts = []
    for status in RATED:
        n = _at(table, TOTAL, status)
        if n:
            parts.append(f"{_count(n)}, {pct[status]}%, {_were(n)} {STATES[status]}")
        else:
            parts.append(f"no indicators were {STATES[status]}")
    of = "" if rated == indicators else f" of the {number_word(rated)} indicators rated,"
    return f"{opening},{of} {parts[0]}, {parts[1]} and {parts[2]}."
