"""Importing past outturns into the history store: a tidy table (CSV, Excel sheet or DataFrame)
with indicator_id, period and actual, and optionally target and commentary, checked with the
same rules and cell-level messages as a table of values, then rated and recorded.

A year with a register is checked and rated against it, and a target the table gives must be
the register's. A year without one (the years a council kept in spreadsheets before) is checked
against the earliest later register, with the targets the table gives (none given: not rated).
A table with any error is not imported at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rbwm_pmf.errors import InputError
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.registers import Registers, start_of
from rbwm_pmf.model.status import DataStatus
from rbwm_pmf.reading.cells import text_of
from rbwm_pmf.reading.values import ValueTable, table_returns, value_table
from rbwm_pmf.reading.xlsx import col_letter
from rbwm_pmf.register.years import RegisterSource, load_registers
from rbwm_pmf.validation.issues import Issue, make_issue, row_of

if TYPE_CHECKING:
    import pandas as pd

    from rbwm_pmf.history.store import HistoryStore, RecordSummary
    from rbwm_pmf.reading.values import ValueSource
    from rbwm_pmf.validation.report import ValidationReport

TARGET = "target"
HISTORY_SUFFIX = " (history)"  # ends the id of a year's register made from a later one
# Owners' duties that a past outturn does not carry: commentary and mitigation were written (or
# not) at the time, and a table gives what it has.
NOT_FOR_HISTORY = frozenset({"commentary-missing", "mitigation-missing", "indicator-missing",
                             "period-not-current"})


@dataclass
class HistoryImport:
    """What an import found and did: the problems (none recorded when any is an error), the
    rows recorded by year, and the store's summary of the run."""

    source: str
    issues: list[Issue] = field(default_factory=list)
    recorded: RecordSummary | None = None
    years: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not any(i.is_error for i in self.issues)

    @property
    def sentence(self) -> str:
        if not self.valid:
            errors = sum(i.is_error for i in self.issues)
            return (f"Nothing imported from {self.source}: {errors} "
                    f"{'error' if errors == 1 else 'errors'} to fix first.")
        if self.recorded is None:
            return f"Nothing imported from {self.source}: it has no rows."
        return self.recorded.sentence

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "valid": self.valid, "rows": self.rows,
                "years": self.years, "summary": self.sentence,
                "issues": [i.to_dict() for i in self.issues]}


def import_history(
    source: ValueSource,
    history: str | Path | HistoryStore,
    framework: RegisterSource | Sequence[str | Path] = None,
    *,
    name: str = "",
) -> HistoryImport:
    """Check a table of past outturns and record it in the history store, all or nothing.

    Raises InputError if the table cannot be read or its columns are wrong; problems with its
    values are issues at their cells, and then nothing is recorded.
    """
    registers = load_registers(framework)
    table = value_table(source, name, extra=(TARGET,))
    outcome = HistoryImport(table.name)
    if not table.rows:
        return outcome
    targets, issues = _targets(table)
    years = sorted({p.fy for p in _periods(table)}, key=start_of)
    frameworks = [_register_for(registers, fy, targets) for fy in years]
    returns = table_returns(table, frameworks[0] if frameworks else registers.latest, frameworks)
    reports = _check(returns, frameworks or [registers.latest])
    said = {i.cell for i in issues}  # a target that is not a number is not also "changed"
    issues += [i for r in reports for i in r.records
               if not (i.code == "target-changed" and i.cell in said)]
    outcome.issues = sorted(issues, key=lambda i: (row_of(i.cell), i.cell))
    if not outcome.valid:
        return outcome
    rows = _rows(reports, frameworks, table)
    outcome.rows, outcome.years = len(rows), years
    if not len(rows):
        return outcome
    outcome.recorded = _record(history, rows, frameworks)
    return outcome


def _periods(table: ValueTable) -> list[Period]:
    out = []
    for cells in table.rows:
        try:
            out.append(Period.parse(text_of(cells["period"])))
        except ValueError:
            continue
    return out


def _targets(table: ValueTable) -> tuple[dict[tuple[str, Period], float], list[Issue]]:
    """The targets the table gives, by indicator and quarter, and a problem at each that is not
    a number."""
    found: dict[tuple[str, Period], float] = {}
    issues: list[Issue] = []
    if TARGET not in table.columns:
        return found, issues
    for cells in table.rows:
        cell = cells[TARGET]
        if cell.kind == "blank":
            continue
        try:
            period = Period.parse(text_of(cells["period"]))
        except ValueError:
            continue  # the period's own problem is reported at its cell
        number = _number(cell.value)
        if number is None:
            issues.append(make_issue(
                "history-target-not-a-number", table.name, sheet=table.sheet,
                cell=f"{col_letter(cell.col)}{cell.row}", indicator_id=text_of(cells["indicator_id"]),
                column="Target", value=text_of(cell), detail=period.label))
        else:
            found[(text_of(cells["indicator_id"]), period)] = number
    return found, issues


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _register_for(registers: Registers, fy: str, targets: dict[tuple[str, Period], float]) -> Framework:
    """The register a past year is checked against: its own, or else the earliest later one
    as that year's, with the targets the table gives."""
    own = registers.for_year(fy)
    if own is not None:
        return own
    later = [fw for fw in registers if start_of(fw.year) > start_of(fy)] or [registers.latest]
    base = later[0]
    year = start_of(fy)
    indicators = tuple(
        replace(ind, replaces="", rebased=False, replaces_note="",
                targets=tuple(targets.get((ind.id, Period(year, q))) for q in (1, 2, 3, 4)))  # type: ignore[arg-type]
        for ind in base.indicators)
    return replace(base, id=f"{base.id} as {fy}{HISTORY_SUFFIX}", year=fy,
                   version=f"{base.version} (history)", indicators=indicators,
                   source=f"{base.source or base.id}, for {fy}")


def _check(returns: list[Any], frameworks: list[Framework]) -> list[ValidationReport]:
    """Each year's returns checked against its register (the rows that could not be placed
    in any year, against the first)."""
    from rbwm_pmf.validation.records import read_all
    from rbwm_pmf.validation.report import check_returns

    reports = []
    for n, fw in enumerate(frameworks):
        mine = [r for r in returns if r.framework_id == fw.id
                or (n == 0 and not any(r.framework_id == f.id for f in frameworks))]
        if not mine:
            continue
        batch = read_all([], fw, tables=mine)
        year = Period.parse(f"{fw.year}-Q4").year_to_date()
        # A year with no register has the table's own targets: there is nothing to compare.
        ignore = NOT_FOR_HISTORY | ({"target-changed"} if fw.id.endswith(HISTORY_SUFFIX) else set())
        reports.append(check_returns(batch, fw, None, year, [], current=False,
                                     ignore=frozenset(ignore)))
    return reports


def _rows(reports: list[ValidationReport], frameworks: list[Framework],
          table: ValueTable) -> pd.DataFrame:
    """The rows given, rated, as the store records them (from the table's file)."""
    import pandas as pd

    from rbwm_pmf.consolidation.merge import rated_data
    from rbwm_pmf.consolidation.trends import observations

    frames = []
    for report in reports:
        fw = report.framework
        said = [Period.parse(f.period) for f in report.files if f.period]
        if fw not in frameworks or not said:
            continue
        data = rated_data(report, fw, max(said))
        given = data[data["data_status"].isin([DataStatus.RETURNED, DataStatus.EXPLAINED])]
        sha = {f.path: f.sha256 for f in report.files}
        rows = observations(given, fw, sha, sorted(set(given["period"])))
        rows["source_file"] = table.name
        rows["source_sha256"] = table.digest
        frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _record(history: str | Path | HistoryStore, rows: pd.DataFrame,
            frameworks: list[Framework]) -> RecordSummary:
    from rbwm_pmf.history.store import HistoryStore

    if isinstance(history, HistoryStore):
        return history.record(rows, frameworks, command="history import")
    with HistoryStore(history) as store:
        return store.record(rows, frameworks, command="history import")


__all__ = ["HistoryImport", "InputError", "import_history"]
