"""The return tracker (the chase list) and the sources list, from a validation report."""

from __future__ import annotations

import pandas as pd

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.validation.report import ValidationReport


def tracker(report: ValidationReport, fw: Framework, period: Period) -> pd.DataFrame:
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
