"""Consolidation: merge the accepted values of every return, rate each indicator for every
quarter to date, and build Table 1, the narrative, the tracker and the sources."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rbwm_pmf.consolidation.records import DATA_COLUMNS, DataRow
from rbwm_pmf.consolidation.result import ConsolidationResult
from rbwm_pmf.consolidation.tracker import sources, tracker
from rbwm_pmf.consolidation.trends import (
    SERIES_QUARTERS,
    Past,
    add_trends,
    known_from,
    last_year_sentence,
    trend,
    year_end,
    year_end_sentence,
)
from rbwm_pmf.errors import InputError
from rbwm_pmf.model.framework import MEASURE_WORDS, Framework
from rbwm_pmf.model.periods import Period, parse_report_period
from rbwm_pmf.model.rating import direction_of_travel, rate
from rbwm_pmf.model.registers import Registers, start_of
from rbwm_pmf.model.status import NO_DATA, DataStatus
from rbwm_pmf.model.summary import narrative, shares, table1
from rbwm_pmf.model.values import is_missing
from rbwm_pmf.reading.files import SkippedFile, collect_paths
from rbwm_pmf.reading.pool import gc_paused
from rbwm_pmf.reading.returns import ReturnFile
from rbwm_pmf.reading.values import read_values
from rbwm_pmf.register.years import RegisterSource, load_registers
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.records import ReadBatch
from rbwm_pmf.validation.report import ValidationReport, check_returns, merge_reports
from rbwm_pmf.validation.run import given_paths, nothing_found
from rbwm_pmf.validation.years import (
    YearBatch,
    gather_unplaced,
    latest_period,
    read_by_year,
    register_for,
)

if TYPE_CHECKING:
    from rbwm_pmf.history.store import HistoryStore
    from rbwm_pmf.reading.values import Values


def consolidate(
    paths: str | Path | Iterable[str | Path] = (),
    framework: RegisterSource | Sequence[str | Path] = None,
    period: str | Period | None = None,
    *,
    values: Values | None = None,
    history: str | Path | HistoryStore | None = None,
    newest_wins: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> ConsolidationResult:
    """Validate and merge returns for the year to date of `period` (default: the latest found).

    `framework` is a register, a folder of registers or a list of them (default: the packaged
    RBWM 2017/18 and 2018/19 registers). Returns of an earlier year are checked against their
    own year's register and give the same quarter last year and the trends; returns for a
    period after the one reported are not used (they are listed as skipped). `period` may be a
    year (`2017-18`) for the annual report, made at its fourth quarter.

    `history` names a history store (see `rbwm_pmf.history`) to read earlier periods from; the
    run does not write to it (`ConsolidationResult.record` does).
    `values` adds tables of values (a DataFrame, a .csv or .xlsx file, or a list of them),
    checked and merged as the returns of the owners of their indicators; `paths` may then be
    empty. `jobs` worker processes read the files (default: one per core); the result is the
    same. Raises InputError if there is nothing to consolidate, or no return for the year to date.
    """
    if not isinstance(paths, (str, Path)):
        paths = list(paths)  # read twice: to find the files, and to say where none were found
    with gc_paused():
        registers = load_registers(framework)
        wanted, annual = parse_report_period(period) if period is not None else (None, False)
        first = register_for(registers, wanted)
        files, skipped = collect_paths(paths)
        tables = read_values(values, first, registers) if values is not None else []
        if not files and not tables:
            raise InputError(nothing_found(paths, skipped, "nothing to consolidate",
                                           values is not None))
        years = read_by_year(files, registers, first, progress, jobs, tables=tables, until=wanted)
        found = [r for yb in years.values() for r in yb.batch.returns]
        if wanted is None:
            wanted = latest_period(years)
            if wanted is None:
                raise InputError("No return says which period it is for; give the period (like "
                                 f"{first.year}-Q2).")
        fw = register_for(registers, wanted)
        gather_unplaced(years, first, fw)
        main = years.pop(fw.year, None)
        batch = main.batch if main is not None else ReadBatch()
        batch, later = _without_later(batch, wanted)
        skipped = skipped + later
        earlier: dict[str, YearBatch] = {}
        for year, yb in years.items():
            if start_of(year) < wanted.year:
                earlier[year] = yb
            else:
                skipped += _later(yb.batch.returns, wanted)
        _check_year_to_date(found, wanted)
        report = check_returns(batch, fw, wanted, wanted.year_to_date(), skipped, newest_wins)
        report.inputs = given_paths(paths)
        past_reports = []
        past_data = []
        for yb in earlier.values():
            rep = check_returns(yb.batch, yb.framework, None,
                                Period.parse(f"{yb.framework.year}-Q4").year_to_date(), [],
                                newest_wins, current=False)
            past_reports.append(rep)
            said = [r.period for r in yb.batch.returns
                    if r.period is not None and r.period.fy == yb.framework.year]
            if said:
                past_data.append(rated_data(rep, yb.framework, max(said)))
        result = build_result(report, fw, wanted, registers=registers,
                              past=_past(past_data, history, wanted), annual=annual)
        result.report = merge_reports(report, past_reports, files)
        return result


def _without_later(batch: ReadBatch, period: Period) -> tuple[ReadBatch, list[SkippedFile]]:
    """The batch without its returns for a period after `period`, and those as skipped files."""
    keep = [n for n, r in enumerate(batch.returns) if r.period is None or r.period <= period]
    return batch.subset(keep), _later(batch.returns, period)


def _later(returns: Sequence[ReturnFile], period: Period) -> list[SkippedFile]:
    return [SkippedFile(str(r.path), f"the return is for {r.period.label}, after the period "
                                     f"reported ({period.label}): not used in this report")
            for r in returns if r.period is not None and r.period > period]


def _past(data: list[pd.DataFrame], history: str | Path | HistoryStore | None,
          period: Period) -> Past:
    """What is known of earlier periods: the earlier years' returns read in this run first,
    then the history store."""
    past: Past = {}
    for frame in data:
        known_from(frame, "earlier return", past)
    if history is not None:
        from rbwm_pmf.history.store import HistoryStore

        # Only the quarters a report looks back on (the period reported is this run's own).
        earlier = [str(q) for q in period.quarters_to(SERIES_QUARTERS)[:-1]]
        if isinstance(history, HistoryStore):
            stored = history.observations(periods=earlier)
        else:
            with HistoryStore(history, create=False) as store:
                stored = store.observations(periods=earlier)
        known_from(stored, "history", past)
    return past


def _check_year_to_date(returns: Sequence[ReturnFile], period: Period) -> None:
    """Raise InputError if every return that says its period is for one outside the year to
    date of `period`. Returns that say no period (unreadable ones) are left to the validation
    report, which says what is wrong with each."""
    year_to_date = period.year_to_date()
    said = [r.period for r in returns if r.period is not None]
    if not said or any(p in year_to_date for p in said):
        return
    others = sorted(set(said))
    names = ", ".join(str(p) for p in others)
    if len(said) < len(returns):
        unsaid = len(returns) - len(said)
        names += f" ({unsaid} {'says' if unsaid == 1 else 'say'} no period)"
    span = (str(period) if len(year_to_date) == 1
            else f"{year_to_date[0]} to {year_to_date[-1]} (the year to date of {period})")
    if len(returns) == 1:
        found = f"The return found is not for {span}: it is for {names}."
    else:
        found = f"None of the {len(returns)} returns found is for {span}: they are for {names}."
    they = "it is" if len(returns) == 1 else "they are"
    raise InputError(f"{found} Give the period {they} for, like {others[-1]}, or the returns "
                     f"for {period}.")


def build_result(report: ValidationReport, fw: Framework, period: Period, *,
                 registers: Registers | None = None, past: Past | None = None,
                 annual: bool = False) -> ConsolidationResult:
    """Rate every indicator for every quarter to date from the validated rows, and compare
    each with what is known of earlier periods (`past`, following `registers`' links)."""
    data = rated_data(report, fw, period)
    # This run's values first; a quarter whose return was not received here may be known from
    # the history store.
    known = known_from(data[data["data_status"] != DataStatus.NO_RETURN], "return")
    known.update({k: v for k, v in (past or {}).items() if k not in known})
    data = add_trends(data, registers or Registers.of(fw), known)
    trends = trend(period, known)
    current = data[data["period"] == str(period)]
    t1 = table1(current.assign(priority=[fw.indicator(i).priority for i in current["indicator_id"]]),  # type: ignore[union-attr]
                fw)
    ends = year_end(data, fw) if period.quarter == 4 else None
    sentences = replace(narrative(t1, period, len(fw.indicators), fw.wording),
                        last_year=last_year_sentence(period, trends),
                        year_end=year_end_sentence(period, ends) if ends is not None else "")
    return ConsolidationResult(
        framework=fw,
        period=period,
        data=data,
        table1=t1,
        shares=shares(t1),
        sentences=sentences,
        tracker=tracker(report, fw, period),
        sources=sources(report),
        report=report,
        trend=trends,
        year_end=ends,
        annual=annual,
    )


def rated_data(report: ValidationReport, fw: Framework, period: Period) -> pd.DataFrame:
    """One row per indicator and quarter of the year to date of `period`, rated from the
    validated rows of `report` (DataRow's columns)."""
    frame = report.rows
    # The accepted values, by indicator and period (one row each: conflicts were rejected).
    wanted = ["file", "sheet", "row", "indicator_id", "period", "actual_value", "commentary",
              "mitigation"]
    accepted: dict[tuple[str, str], dict[str, Any]] = {}
    if len(frame):
        chosen = frame.loc[frame["accepted"] & frame["due"].astype(bool), wanted]
        for cells in zip(*(chosen[c].to_numpy(dtype=object).tolist() for c in wanted), strict=True):
            kept = dict(zip(wanted, cells, strict=True))
            accepted[(str(kept["indicator_id"]), str(kept["period"]))] = kept
    # Returns received: a table of values stands for no owner's return (it gives what it has).
    received = {(f.owner_id, f.period) for f in report.files if f.period and f.source == "return"}
    # Owners whose return is for another quarter of the year (period-not-current): said so.
    elsewhere = {i.file: i.value for i in report.warnings if i.code == "period-not-current"}
    sent_instead: dict[str, str] = {}
    for f in report.files:
        if f.path in elsewhere:
            sent_instead.setdefault(f.owner_id, elsewhere[f.path])
    period_of_file = {f.path: f.period for f in report.files}
    rejected_reason: dict[tuple[str, str], str] = {}
    for issue in report.errors:
        if not issue.indicator_id or (issue.code != "indicator-missing" and not issue.cell):
            continue
        reason = ("row missing from the return" if issue.code == "indicator-missing"
                  else f"value rejected: {issue.message}")
        rejected_reason.setdefault((issue.indicator_id, period_of_file.get(issue.file, "")), reason)

    def ref(rec: dict[str, Any], label: str) -> str:
        return report.cell_ref(str(rec["file"]), label, int(rec["row"]))

    # Built column by column: at a hundred thousand indicators a dict per row costs far more.
    cols: dict[str, list[Any]] = {c: [] for c in DATA_COLUMNS}
    # Texts that repeat from row to row (cell addresses, "no return received from ...") are
    # held once each.
    texts: dict[str, str] = {}
    one = texts.setdefault
    values: dict[tuple[str, int], float | None] = {}
    for q_period in period.year_to_date():
        key_period = str(q_period)
        quarter = q_period.quarter
        for ind in fw.indicators:
            prio = fw.priority(ind.priority)
            owner = fw.owner(ind.owner)
            panel = fw.panel(ind.panel)
            rec = accepted.get((ind.id, key_period))
            actual = None
            if rec is not None and rec["actual_value"] is not None and not is_missing(rec["actual_value"]):
                actual = float(rec["actual_value"])
            values[(ind.id, quarter)] = actual
            rating = rate(ind, quarter, actual)
            reason = rating.reason
            if rating.status == NO_DATA:
                who = owner.name if owner else ind.owner
                if (ind.owner, key_period) not in received and ind.owner in sent_instead:
                    reason = (f"No data: the return received from {who} is for "
                              f"{sent_instead[ind.owner]}")
                elif (ind.owner, key_period) not in received:
                    reason = f"No data: no return received from {who}"
                elif (ind.id, key_period) in rejected_reason:
                    reason = f"No data: {rejected_reason[(ind.id, key_period)]}"
            due = ind.is_due(quarter)
            if rec is not None and actual is None and due and not ind.data_only:
                # Returned blank, with the reason in Commentary (actual-missing-explained).
                data_status = DataStatus.EXPLAINED
                reason = f"{DataStatus.EXPLAINED}: {rec['commentary']}"
            elif rec is not None:
                data_status = DataStatus.RETURNED
            elif not due or ind.data_only:
                data_status = DataStatus.NOT_DUE if not due else DataStatus.DATA_ONLY
            elif (ind.owner, key_period) not in received:
                data_status = DataStatus.NO_RETURN
            else:
                data_status = DataStatus.REJECTED
            if rec is not None:
                sheet = rec["sheet"]
                refs = [one(c, c) for c in (f"{sheet}!{ref(rec, layout.ACTUAL)}",
                                            f"{sheet}!{ref(rec, layout.COMMENTARY)}",
                                            f"{sheet}!{ref(rec, layout.MITIGATION)}")]
            else:
                refs = ["", "", ""]
            row = DataRow(
                period=key_period, quarter=quarter, priority_order=prio.order if prio else 0,
                priority=prio.name if prio else ind.priority, indicator_id=ind.id,
                indicator=ind.name, owner_id=ind.owner, owner=owner.name if owner else ind.owner,
                panel=panel.name if panel else ind.panel, unit=ind.unit, unit_label=ind.unit_label,
                polarity=ind.polarity,
                measure_type=MEASURE_WORDS.get(ind.measure_type, ind.measure_type),
                frequency=ind.frequency, actual=actual, target=ind.target(quarter) if due else None,
                tolerance=ind.tolerance, status=rating.status, reason=one(reason, reason),
                direction=direction_of_travel(ind, quarter, actual, values.get((ind.id, quarter - 1))),
                data_status=data_status,
                commentary=rec["commentary"] if rec else "",
                mitigation=rec["mitigation"] if rec else "",
                source_file=rec["file"] if rec else "",
                source_cell=refs[0], commentary_cell=refs[1], mitigation_cell=refs[2],
            )
            for column, value in zip(DATA_COLUMNS, row, strict=True):
                cols[column].append(value)
    del values, accepted, texts
    data = pd.DataFrame(index=pd.RangeIndex(len(cols["period"])))
    for column in DATA_COLUMNS:
        data[column] = cols.pop(column)
    return data
