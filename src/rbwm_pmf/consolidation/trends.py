"""The report against earlier years: the same quarter last year, direction on last year, the
last eight quarters of each indicator, the share on target quarter by quarter, and the year end.

The values of earlier periods come from the returns of earlier years read in the same run and
from the history store; an indicator's series follows its id back through each year's
`replaces`, and stops at a re-based one (its earlier values are measured differently)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rbwm_pmf.model.framework import MEASURE_WORDS, Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.rating import compare
from rbwm_pmf.model.registers import Link, Registers
from rbwm_pmf.model.status import AMBER, GREEN, NOT_COMPARABLE, RED
from rbwm_pmf.model.summary import number_word
from rbwm_pmf.model.values import is_missing

SERIES_QUARTERS = 8
CUMULATIVE = MEASURE_WORDS["cumulative"]  # restarts each April: no Q1 direction on last Q4
TREND_COLUMNS = ("period", "label", "indicators", "rated", "green", "amber", "red",
                 "on_target_share")
YEAR_END_COLUMNS = ("indicator_id", "indicator", "priority", "unit", "annual_outturn",
                    "annual_target", "status", "met")


@dataclass(frozen=True)
class Known:
    """What is known of one indicator in one earlier (or this) period."""

    actual: float | None
    status: str
    source: str  # "return", "earlier return" or "history"


Past = dict[tuple[str, str], Known]


def known_from(frame: pd.DataFrame | None, source: str, into: Past | None = None) -> Past:
    """The values and statuses of a frame with indicator_id, period, actual and status columns,
    added to `into` where it has nothing yet for that indicator and period (the first source
    given wins)."""
    into = {} if into is None else into
    if frame is None or not len(frame):
        return into
    columns = [frame[c].to_numpy(dtype=object).tolist()
               for c in ("indicator_id", "period", "actual", "status")]
    for ind_id, period, actual, status in zip(*columns, strict=True):
        key = (str(ind_id), str(period))
        if key not in into:
            value = None if is_missing(actual) else float(actual)
            into[key] = Known(value, "" if is_missing(status) else str(status), source)
    return into


def add_trends(data: pd.DataFrame, registers: Registers, past: Past) -> pd.DataFrame:
    """`data` with same_quarter_last_year, direction_on_last_year, series and history_note
    filled in for every row, and direction on the previous quarter at Q1 (last year's Q4),
    for measures that do not restart each year."""
    rows = zip(*(data[c].to_numpy(dtype=object).tolist()
                 for c in ("indicator_id", "period", "actual", "polarity", "measure_type",
                           "direction")), strict=True)
    same, on_year, series, notes, directions = [], [], [], [], []
    # An indicator's links depend on its year only, and its periods repeat row after row: each
    # is worked out once (a central collection has tens of thousands of rows).
    periods: dict[str, tuple[Period, list[Period]]] = {}
    linked: dict[tuple[str, str], dict[str, Link]] = {}
    for ind_id, period_text, actual, polarity, measure, direction in rows:
        if period_text not in periods:
            parsed = Period.parse(str(period_text))
            periods[period_text] = (parsed, parsed.quarters_to(SERIES_QUARTERS))
        period, quarters = periods[period_text]
        value = None if is_missing(actual) else float(actual)
        key = (str(ind_id), period.fy)
        links = linked.get(key)
        if links is None:
            years = {q.fy for q in quarters} | {period.last_year().fy}
            links = linked[key] = {fy: registers.link(key[0], period.fy, fy) for fy in years}
        last = period.last_year()
        link = links[last.fy]
        same.append(_value(past, links, last, comparable_only=False))
        on_year.append(compare(str(polarity), value, same[-1]) if link.comparable
                       else NOT_COMPARABLE)
        series.append(tuple(_value(past, links, q) for q in quarters))
        notes.append(_note(str(ind_id), link.id, link.comparable, link.note))
        if period.quarter == 1 and direction == NOT_COMPARABLE and measure != CUMULATIVE:
            direction = compare(str(polarity), value, _value(past, links, period.shifted(-1)))
        directions.append(direction)
    out = data.copy()
    out["same_quarter_last_year"] = same
    out["direction_on_last_year"] = on_year
    out["series"] = series
    out["history_note"] = notes
    out["direction"] = directions
    return out


def _value(past: Past, links: Mapping[str, Link], q: Period, *,
           comparable_only: bool = True) -> float | None:
    """The value known for quarter `q` of the series, following its link to that year."""
    link = links[q.fy]
    if comparable_only and not link.comparable:
        return None
    found = past.get((link.id, str(q)))
    return found.actual if found else None


def _note(ind_id: str, old_id: str, comparable: bool, note: str) -> str:
    if old_id == ind_id:
        return ""
    head = (f"Replaces {old_id}" if comparable else
            f"Re-based: replaces {old_id}, whose figures are not compared")
    return f"{head}. {note}".strip() if note else f"{head}."


def trend(period: Period, past: Past) -> pd.DataFrame:
    """For each of the last eight quarters to `period`: how many indicators were known, how
    many rated Green, Amber and Red, and the share of those rated that were on target."""
    counts: dict[str, dict[str, int]] = {str(q): {} for q in period.quarters_to(SERIES_QUARTERS)}
    for (_, when), found in past.items():
        if when in counts:
            tally = counts[when]
            tally["indicators"] = tally.get("indicators", 0) + 1
            tally[found.status] = tally.get(found.status, 0) + 1
    rows = []
    for q in period.quarters_to(SERIES_QUARTERS):
        tally = counts[str(q)]
        g, a, r = (tally.get(s, 0) for s in (GREEN, AMBER, RED))
        rated = g + a + r
        rows.append((str(q), q.label, tally.get("indicators", 0), rated, g, a, r,
                     round(g / rated * 100, 1) if rated else None))
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def last_year_sentence(period: Period, trends: pd.DataFrame) -> str:
    """"A year earlier, 14 of the 23 indicators were performing at or above target." (or ""
    when nothing was rated that quarter)."""
    row = trends[trends["period"] == str(period.last_year())]
    if not len(row) or not int(row["rated"].iloc[0]):
        return ""
    green, total = int(row["green"].iloc[0]), int(row["indicators"].iloc[0])
    were = "was" if green == 1 else "were"
    lead = number_word(green) if green else "none"
    return (f"A year earlier, at {period.last_year().label}, {lead} of the {total} indicators "
            f"{were} performing at or above target.")


def year_end(data: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """At the fourth quarter, each indicator's annual outturn (its Q4 value: the year's total
    for a cumulative measure, the year-end figure for the others) against its annual target
    (the Q4 target), and whether it met it."""
    rows = data[data["quarter"] == 4]
    out: list[tuple[Any, ...]] = []
    for rec in rows.to_dict(orient="records"):
        status = str(rec["status"])
        met = True if status == GREEN else (False if status in (AMBER, RED) else None)
        target = None if is_missing(rec["target"]) else rec["target"]
        actual = None if is_missing(rec["actual"]) else rec["actual"]
        out.append((rec["indicator_id"], rec["indicator"], rec["priority"], rec["unit"], actual,
                    target, status, met))
    return pd.DataFrame(out, columns=list(YEAR_END_COLUMNS))


def year_end_sentence(period: Period, table: pd.DataFrame) -> str:
    """"For 2017/18 as a whole, 15 of the 22 indicators with an annual target met it."."""
    rated = table[table["met"].map(lambda m: m is True or m is False)]
    if not len(rated):
        return ""
    met = int(sum(m is True for m in rated["met"]))
    year = period.year_label
    sentence = (f"For {year} as a whole, {number_word(met)} of the {len(rated)} indicators with "
                f"an annual target met it")
    short = len(rated) - met
    return sentence + (f"; {number_word(short)} did not." if short else ".")


def observations(data: pd.DataFrame, fw: Framework, sha256: Mapping[str, str],
                 periods: Iterable[str]) -> pd.DataFrame:
    """The rows of `periods` as the history store records them."""
    wanted = set(periods)
    rows = data[data["period"].isin(wanted)]
    return pd.DataFrame({
        "framework_id": fw.id,
        "period": rows["period"].to_numpy(),
        "indicator_id": rows["indicator_id"].to_numpy(),
        "actual": rows["actual"].to_numpy(),
        "target": rows["target"].to_numpy(),
        "status": rows["status"].to_numpy(),
        "reason": rows["reason"].to_numpy(),
        "data_status": rows["data_status"].to_numpy(),
        "commentary": rows["commentary"].to_numpy(),
        "mitigation": rows["mitigation"].to_numpy(),
        "source_file": rows["source_file"].to_numpy(),
        "source_sha256": [sha256.get(str(f), "") for f in rows["source_file"]],
        "source_cell": rows["source_cell"].to_numpy(),
    })
