"""The consolidation's result: the data, Table 1, the sentences, the tracker and the sources,
as named records and DataFrames, with their JSON and CSV forms."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rbwm_pmf.consolidation.trends import TREND_COLUMNS, observations
from rbwm_pmf.errors import OutputError
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.summary import KeyImplication, Sentences, key_implication, narrative, priority_shares
from rbwm_pmf.model.values import is_missing
from rbwm_pmf.output.files import os_problem, write_all_replacing, write_csv

if TYPE_CHECKING:
    from rbwm_pmf.history.store import HistoryStore, RecordSummary
    from rbwm_pmf.validation.report import ValidationReport


@dataclass
class ConsolidationResult:
    """Everything the consolidated report needs, as DataFrames and sentences."""

    framework: Framework
    period: Period
    data: pd.DataFrame  # one row per indicator and quarter of the year to date
    table1: pd.DataFrame
    shares: dict[str, int]  # empty when nothing is rated
    sentences: Sentences
    tracker: pd.DataFrame
    sources: pd.DataFrame
    report: ValidationReport = field(repr=False)
    # The last eight quarters: indicators known, rated, Green, Amber, Red and the share on target.
    trend: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TREND_COLUMNS)))
    # At the fourth quarter: each indicator's annual outturn against its annual target.
    year_end: pd.DataFrame | None = None
    annual: bool = False  # the annual report (asked for as a year, like 2017-18)

    def __post_init__(self) -> None:
        # The sentences follow from Table 1 in the register's wording: sentences made in other
        # words (the report's, by default) are made again in the council's own.
        if self.sentences.wording != self.framework.wording:
            self.sentences = replace(
                narrative(self.table1, self.period, len(self.framework.indicators),
                          self.framework.wording),
                last_year=self.sentences.last_year, year_end=self.sentences.year_end)

    def record(self, history: str | Path | HistoryStore, *, command: str = "") -> RecordSummary:
        """Record the period reported (every indicator's value, rating and source) in a history
        store, replacing what it held for that period and logging each change. Raises
        HistoryError (leaving the store as it was) if it cannot be written."""
        from rbwm_pmf.history.store import HistoryStore

        sha = {f.path: f.sha256 for f in self.report.files}
        rows = observations(self.data, self.framework, sha, [str(self.period)])
        if isinstance(history, HistoryStore):
            return history.record(rows, [self.framework], command=command)
        with HistoryStore(history) as store:
            return store.record(rows, [self.framework], command=command)

    @property
    def summary(self) -> str:
        """The Report Summary paragraph: "As at 30 September 2017, 16 of the 25 indicators ..."."""
        return self.sentences.paragraph

    @property
    def table1_shares(self) -> pd.DataFrame:
        """Table 1's shares: for each priority and the Total row, the whole-percent share of its
        rated indicators that are Green, Amber and Red (missing where none is rated)."""
        return priority_shares(self.table1)

    @property
    def key_implications(self) -> KeyImplication:
        """The key-implications outcome: Met when every strategic priority is on target."""
        return key_implication(self.table1, self.framework.wording)

    @property
    def current(self) -> pd.DataFrame:
        """The reporting period's rows of `data`: one per indicator."""
        return self.data[self.data["period"] == str(self.period)].reset_index(drop=True)

    @property
    def issues(self) -> pd.DataFrame:
        return self.report.issues

    @property
    def valid(self) -> bool:
        return self.report.valid

    def to_dict(self) -> dict[str, Any]:
        t1 = self.table1.reset_index()
        return {
            "framework": self.framework.id,
            "period": str(self.period),
            "summary": self.summary,
            "sentences": self.sentences.to_dict(),
            "table1": _records(t1),
            "table1_shares": _records(self.table1_shares.reset_index()),
            "shares": self.shares,
            "key_implications": self.key_implications.to_dict(),
            "annual": self.annual,
            "data": _records(self.data),
            "trend": _records(self.trend),
            "year_end": None if self.year_end is None else _records(self.year_end),
            "tracker": _records(self.tracker),
            "sources": _records(self.sources),
            "validation": self.report.to_dict(),
        }

    def to_csv(self, out_dir: str | Path) -> list[Path]:
        """Write the tidy tables for BI tools: data, table1, issues, tracker, sources, trend,
        and year_end at the fourth quarter. In data, `series` is the last eight quarters'
        values, oldest first, separated by `;` (blank where unknown).

        Each is UTF-8 with a byte-order mark (so Excel reads "↑" and "£" right) and CRLF line
        ends. All are written under temporary names first and renamed only when every one
        is written, so a failure leaves an earlier export whole. A text cell starting with = + -
        @, a tab or a carriage return gets a leading ' so a spreadsheet does not run it as a
        formula (OWASP's advice on CSV injection); `to_dict` keeps the text as typed. Raises
        OutputError if a file or the folder cannot be written.
        """
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(os_problem(out, exc)) from exc
        tables = {
            "data": self.data.assign(series=self.data["series"].map(series_text)),
            "table1": self.table1.reset_index(),
            "issues": self.issues,
            "tracker": self.tracker,
            "sources": self.sources,
            "trend": self.trend,
        }
        if self.year_end is not None:
            tables["year_end"] = self.year_end
        # All or none: a failure part of the way leaves the earlier export as it was.
        return write_all_replacing([(out / f"{name}.csv", partial(write_csv, frame))
                                    for name, frame in tables.items()])

    def write(self, path: str | Path, **options: Any) -> Path:
        """Write the consolidated workbook (see `write_workbook`)."""
        from rbwm_pmf.output.workbook import write_workbook

        return write_workbook(self, path, **options)

    def write_docx(self, path: str | Path, **options: Any) -> Path:
        """Write the report's sentences and tables as a Word document (see `write_docx`)."""
        from rbwm_pmf.output.docx import write_docx

        return write_docx(self, path, **options)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in rec.items()})
    return out


def _plain(value: Any) -> Any:
    """A cell as JSON holds it: None for a missing value, a list for a series."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return None if is_missing(value) else value


def series_text(series: Any) -> str:
    """A series as one CSV cell: the values oldest first, `;` between, blank where unknown."""
    return ";".join("" if is_missing(v) else format(v, ".15g") for v in series)
