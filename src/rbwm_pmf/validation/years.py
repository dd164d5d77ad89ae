"""Returns of several years in one batch: each is checked against the register of its own year
(the one its template names, else the one of the year it is for)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.registers import Registers, start_of
from rbwm_pmf.reading.files import FROM_TABLE
from rbwm_pmf.reading.returns import ReturnFile
from rbwm_pmf.validation.records import ROW_COLUMNS, ReadBatch, read_all


@dataclass
class YearBatch:
    """The returns that belong to one register, read against it."""

    framework: Framework
    batch: ReadBatch


def register_for(registers: Registers, period: Period | None) -> Framework:
    """The register a report for `period` uses (default: the latest); InputError if none."""
    return registers.for_report(period)


def read_by_year(
    files: list[Path],
    registers: Registers,
    first: Framework,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], object] | None = None,
    tables: Sequence[ReturnFile] = (),
    until: Period | None = None,
) -> dict[str, YearBatch]:
    """Every file read and reduced against the register of its own year, by financial year.

    All are read against `first` (the register most of them are expected to use); the few that
    belong to another year's register are read again against theirs. Returns made from tables
    of values go with the register they were made for. Returns that name no register given and
    no year with one stay with `first`, whose checks say what is wrong with them. Returns of a
    year after `until` are not read again: a report for `until` does not use them.
    """
    def own(ret: ReturnFile) -> Framework:
        return registers.for_return(ret.framework_id, ret.period) or first

    batch = read_all(files, first, progress, jobs, meanwhile=meanwhile,
                     tables=[t for t in tables if own(t) is first])
    groups: dict[str, list[int]] = {}
    for n, ret in enumerate(batch.returns):
        groups.setdefault(first.year if ret.meta.get(FROM_TABLE) else own(ret).year, []).append(n)
    for table in tables:
        groups.setdefault(own(table).year, [])
    out: dict[str, YearBatch] = {}
    for year, indices in groups.items():
        fw = registers.for_year(year) or first
        theirs = [t for t in tables if own(t) is fw and fw is not first]
        later = until is not None and start_of(year) > until.year and not theirs
        if fw is first or later:
            out[year] = YearBatch(fw, batch.subset(indices))
        else:
            paths = [batch.returns[n].path for n in indices]
            out[year] = YearBatch(fw, read_all(paths, fw, jobs=jobs, tables=theirs))
    return out


def latest_period(batches: dict[str, YearBatch]) -> Period | None:
    """The latest period any return says it is for, in its own register's year."""
    found = [r.period for yb in batches.values() for r in yb.batch.returns
             if r.period is not None and r.period.fy == yb.framework.year]
    return max(found) if found else None


def gather_unplaced(years: dict[str, YearBatch], first: Framework, main: Framework) -> None:
    """Move the returns that say no period (unreadable ones, which have no rows) from the
    group of `first`, where they were read, to the group of `main`, the year reported."""
    if first is main or first.year not in years:
        return
    group = years[first.year]
    unplaced = [n for n, r in enumerate(group.batch.returns) if r.period is None]
    if not unplaced:
        return
    kept = [n for n in range(len(group.batch.returns)) if n not in set(unplaced)]
    moved = group.batch.subset(unplaced)
    group.batch = group.batch.subset(kept)
    if not group.batch.returns:
        del years[first.year]
    target = years.setdefault(main.year, YearBatch(main, ReadBatch()))
    for n in range(len(moved.returns)):
        ret = moved.returns[n]
        target.batch.returns.append(target.batch.add((ret, {c: [] for c in ROW_COLUMNS}), main))
