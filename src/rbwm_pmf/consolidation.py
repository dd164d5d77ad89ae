"""Consolidation: merge the valid values of every return, rate each indicator and quarter,
and build Table 1, the narrative, the return tracker and the sources list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import layout
from .batch import collect_paths, gc_paused, read_all
from .errors import InputError
from .periods import Period
from .rag import NO_DATA, direction_of_travel, format_value, rate
from .register import MEASURE_WORDS, Framework, load_framework
from .summary import TOTAL, narrative, shares, table1
from .validation import ValidationReport, check_returns

DATA_COLUMNS = [
    "period", "quarter", "priority_order", "priority", "indicator_id", "indicator", "owner_id",
    "owner", "panel", "unit", "unit_label", "polarity", "measure_type", "frequency", "actual",
    "target", "tolerance", "status", "reason", "direction", "data_status", "commentary",
    "mitigation", "source_file", "source_cell", "commentary_cell", "mitigation_cell",
]


@dataclass
class ConsolidationResult:
    """Everything the consolidated report needs, as DataFrames and sentences."""

    framework: Framework
    period: Period
    data: pd.DataFrame  # one row per indicator and quarter of the year to date
    table1: pd.DataFrame
    shares: dict[str, int]
    sentences: list[str]
    tracker: pd.DataFrame
    sources: pd.DataFrame
    report: ValidationReport = field(repr=False)

    @property
    def summary(self) -> str:
        """The narrative paragraph: "As at 30 September 2017, 16 of the 25 indicators ..."."""
        return " ".join(self.sentences)

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
            "sentences": self.sentences,
            "table1": _records(t1),
            "shares": self.shares,
            "data": _records(self.data),
            "tracker": _records(self.tracker),
            "sources": _records(self.sources),
            "validation": self.report.to_dict(),
        }

    def to_csv(self, out_dir: str | Path) -> list[Path]:
        """Write the tidy tables for BI tools: data, table1, issues, tracker, sources."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "data": self.data,
            "table1": self.table1.reset_index(),
            "issues": self.issues,
            "tracker": self.tracker,
            "sources": self.sources,
        }
        written = []
        for name, frame in tables.items():
            path = out / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8")
            written.append(path)
        return written

    def write(self, path: str | Path, **options: Any) -> Path:
        """Write the consolidated workbook (see `write_workbook`)."""
        from .workbook import write_workbook

        return write_workbook(self, path, **options)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({str(k): (None if _is_missing(v) else v) for k, v in rec.items()})
    return out


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def consolidate(
    paths: str | Path | Iterable[str | Path],
    framework: Framework | str | Path | None = None,
    period: str | Period | None = None,
    *,
    newest_wins: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> ConsolidationResult:
    """Validate and merge returns for the year to date of `period` (default: the latest found).

    `jobs` worker processes read the files (default: one per core); the result is the same.
    """
    with gc_paused():
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
        wanted = Period.parse(period) if period is not None else None
        files, skipped = collect_paths(paths)
        returns = read_all(files, fw, progress, jobs)
        if wanted is None:
            found = [r.period for r in returns.returns if r.period and r.period.fy == fw.year]
            if not found:
                raise InputError("No return says which period it is for; give the period (like "
                                 f"{fw.year}-Q2).")
            wanted = max(p for p in found if p is not None)
        report = check_returns(returns, fw, wanted, wanted.year_to_date(), skipped, newest_wins)
        return build_result(report, fw, wanted)


def build_result(report: ValidationReport, fw: Framework, period: Period) -> ConsolidationResult:
    """Rate every indicator for every quarter to date from the validated rows."""
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
    received = {(f.owner_id, f.period) for f in report.files if f.period}
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
            if rec is not None and rec["actual_value"] is not None and not _is_missing(rec["actual_value"]):
                actual = float(rec["actual_value"])
            values[(ind.id, quarter)] = actual
            rating = rate(ind, quarter, actual)
            reason = rating.reason
            if rating.status == NO_DATA:
                if (ind.owner, key_period) not in received:
                    reason = f"No data: no return received from {owner.name if owner else ind.owner}"
                elif (ind.id, key_period) in rejected_reason:
                    reason = f"No data: {rejected_reason[(ind.id, key_period)]}"
            due = ind.is_due(quarter)
            if rec is not None:
                data_status = "Returned"
            elif not due or ind.data_only:
                data_status = "Not due" if not due else "Data only"
            elif (ind.owner, key_period) not in received:
                data_status = "No return"
            else:
                data_status = "Rejected"
            row = (
                key_period, quarter, prio.order if prio else 0, prio.name if prio else ind.priority,
                ind.id, ind.name, ind.owner, owner.name if owner else ind.owner,
                panel.name if panel else ind.panel, ind.unit, ind.unit_label, ind.polarity,
                MEASURE_WORDS.get(ind.measure_type, ind.measure_type), ind.frequency, actual,
                ind.target(quarter) if due else None, ind.tolerance, rating.status, one(reason, reason),
                direction_of_travel(ind, quarter, actual, values.get((ind.id, quarter - 1))),
                data_status,
                rec["commentary"] if rec else "",
                rec["mitigation"] if rec else "",
                rec["file"] if rec else "",
                *((one(cell, cell) for cell in (
                    f"{rec['sheet']}!{ref(rec, layout.ACTUAL)}",
                    f"{rec['sheet']}!{ref(rec, layout.COMMENTARY)}",
                    f"{rec['sheet']}!{ref(rec, layout.MITIGATION)}",
                )) if rec else ("", "", "")),
            )
            for column, value in zip(DATA_COLUMNS, row, strict=True):
                cols[column].append(value)
    del values, accepted, texts
    data = pd.DataFrame(index=pd.RangeIndex(len(cols["period"])))
    for column in DATA_COLUMNS:
        data[column] = cols.pop(column)
    current = data[data["period"] == str(period)]
    t1 = table1(current.assign(priority=[fw.indicator(i).priority for i in current["indicator_id"]]),  # type: ignore[union-attr]
                fw)
    sentences = narrative(t1, period, len(fw.indicators))
    return ConsolidationResult(
        framework=fw,
        period=period,
        data=data,
        table1=t1,
        shares=shares(t1),
        sentences=sentences,
        tracker=_tracker(report, fw, period),
        sources=_sources(report),
        report=report,
    )


def _tracker(report: ValidationReport, fw: Framework, period: Period) -> pd.DataFrame:
    rows = []
    for owner in fw.owners:
        due = [i for i in fw.indicators_of(owner.id) if i.is_due(period.quarter)]
        if not fw.indicators_of(owner.id):
            continue
        mine = [f for f in report.files if f.owner_id == owner.id and f.period == str(period)]
        valid = [f for f in mine if f.status in ("valid", "warnings")]
        errors = sum(f.errors for f in mine)
        warnings = sum(f.warnings for f in mine)
        if not mine:
            status = "Not received: chase"
        elif valid:
            status = "Valid" if not errors else "Valid return, but another copy has errors"
        else:
            status = "Errors: feedback to send"
        rows.append({
            "owner_id": owner.id,
            "owner": owner.name,
            "contact": ", ".join(x for x in (owner.contact_name, owner.contact_email) if x),
            "indicators_due": len(due),
            "returns_received": len(mine),
            "returns_valid": len(valid),
            "values_accepted": sum(f.rows_accepted for f in mine),
            "errors": errors,
            "warnings": warnings,
            "status": status,
        })
    return pd.DataFrame(rows)


def _sources(report: ValidationReport) -> pd.DataFrame:
    rows = [
        {
            "file": f.path, "sha256": f.sha256, "owner_id": f.owner_id, "period": f.period,
            "status": f.status, "rows_read": f.rows_read, "rows_accepted": f.rows_accepted,
            "rows_rejected": f.rows_rejected, "errors": f.errors, "warnings": f.warnings,
        }
        for f in report.files
    ]
    rows += [
        {"file": s.path, "sha256": "", "owner_id": "", "period": "", "status": f"skipped: {s.reason}",
         "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0, "errors": 0, "warnings": 0}
        for s in report.skipped
    ]
    return pd.DataFrame(rows, columns=["file", "sha256", "owner_id", "period", "status", "rows_read",
                                       "rows_accepted", "rows_rejected", "errors", "warnings"])


__all__ = ["TOTAL", "ConsolidationResult", "build_result", "consolidate", "format_value"]
