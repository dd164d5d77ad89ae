"""The return tracker (the chase list) and the sources list, from a validation report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.validation.report import ValidationReport

NOT_RECEIVED = "Not received: chase"
OTHER_PERIOD = "Received for another period ({period}): check with the owner"
UNREADABLE = "Received but unreadable: see the validation log, ask for it again"
WITH_ERRORS = "Received with errors: feedback to send"
VALID = "Valid"
VALID_AND_ERRORS = "Valid return, but another copy has errors"
FROM_TABLES = "Values from a table: no return needed"
PART_FROM_TABLES = "Not received: chase (a table gave {given} of {due} values)"
NOT_KNOWN = "Not known ({file})"
TRACKER_COLUMNS = ["owner_id", "owner", "contact", "indicators_due", "returns_received",
                   "returns_valid", "values_accepted", "errors", "warnings", "status"]


def tracker(report: ValidationReport, fw: Framework, period: Period) -> pd.DataFrame:
    """One row per owner with indicators: what was due, what arrived and what to do next. A
    file that could not be read is put against the owner its name names (like the template's
    `2017-18-Q2-ASC-adult-social-care.xlsx`); one whose owner is not known gets a row of its own."""
    unreadable = [f.path for f in report.files
                  if f.source == "return" and (f.status == "unreadable" or not f.owner_id)]
    unreadable += [s.path for s in report.skipped if s.reason.startswith("not a spreadsheet")]
    owner_ids = {o.id.casefold(): o.id for o in fw.owners}
    named: dict[str, list[str]] = {}
    unknown: list[str] = []
    for path in unreadable:
        found = {owner_ids[t] for t in _words(path) if t in owner_ids}
        if len(found) == 1:
            named.setdefault(found.pop(), []).append(path)
        else:
            unknown.append(path)
    rows = []
    for owner in fw.owners:
        due = [i for i in fw.indicators_of(owner.id) if i.is_due(period.quarter)]
        if not fw.indicators_of(owner.id):
            continue
        theirs = [f for f in report.files if f.owner_id == owner.id and f.status != "unreadable"
                  and f.source == "return"]
        mine = [f for f in theirs if f.period == str(period)]
        tables = [f for f in report.files if f.owner_id == owner.id and f.source == "table"
                  and f.period == str(period)]
        from_tables = sum(f.rows_accepted for f in tables)
        others = sorted({f.period for f in theirs if f.period and f.period != str(period)})
        valid = [f for f in mine if f.status in ("valid", "warnings")]
        errors = sum(f.errors for f in mine)
        warnings = sum(f.warnings for f in mine)
        if valid:
            status = VALID if not errors else VALID_AND_ERRORS
        elif mine:
            status = WITH_ERRORS
        elif tables and from_tables >= len(due):
            status = FROM_TABLES
        elif tables:
            status = PART_FROM_TABLES.format(given=from_tables, due=len(due))
        elif others:
            status = OTHER_PERIOD.format(period=", ".join(Period.parse(p).label for p in others))
        elif owner.id in named:
            status = UNREADABLE
        else:
            status = NOT_RECEIVED
        rows.append({
            "owner_id": owner.id,
            "owner": owner.name,
            "contact": ", ".join(x for x in (owner.contact_name, owner.contact_email) if x),
            "indicators_due": len(due),
            "returns_received": len(mine),
            "returns_valid": len(valid),
            "values_accepted": sum(f.rows_accepted for f in mine) + from_tables,
            "errors": errors,
            "warnings": warnings,
            "status": status,
        })
    for path in unknown:
        rows.append({
            "owner_id": "", "owner": NOT_KNOWN.format(file=Path(path).name), "contact": "",
            "indicators_due": 0, "returns_received": 0, "returns_valid": 0, "values_accepted": 0,
            "errors": 0, "warnings": 0, "status": UNREADABLE,
        })
    return pd.DataFrame(rows, columns=TRACKER_COLUMNS)



def _words(path: str) -> list[str]:
    """The words of a file's name, folded for comparing with owner ids."""
    return [w.casefold() for w in re.split(r"[^0-9A-Za-z]+", Path(path).stem) if w]


def sources(report: ValidationReport) -> pd.DataFrame:
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
