"""Rating a table of values without returns: each value's status, reason and direction of
travel, as consolidation gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from rbwm_pmf.errors import InputError, PeriodError
from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.rating import direction_of_travel, rate
from rbwm_pmf.reading.cells import interpret_actual, text_of
from rbwm_pmf.reading.values import cell_of, find_columns
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.issues import make_issue

RATING_COLUMNS = ("status", "reason", "direction")


def rate_values(
    frame: pd.DataFrame,
    framework: Framework | str | Path | None = None,
    period: str | Period | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with the columns status, reason and direction added, one rating a row.

    `frame` has the columns indicator_id, period (like 2017-18-Q2) and actual (a percentage in
    points: 93.4 for 93.4%); its other columns are kept. `period` is the period of the rows that
    give none (the frame may then have no period column). Each value is rated against the
    register's target for its quarter, as `consolidate` rates it, and its direction of travel is
    against the same indicator's value for the quarter before, when the frame has it. The values
    are not checked (`validate(values=frame)` checks them): a value that is not a number is No
    data, and a row whose indicator or period is not the register's has no status, with the
    reason in its reason column.
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    default = Period.parse(period) if period is not None else None
    required = ("indicator_id", "actual") if default is not None else ("indicator_id", "period", "actual")
    columns = find_columns("The frame", list(frame.columns), required=required, others=True,
                           index=[str(n) for n in frame.index.names if n is not None])
    ids = frame.iloc[:, columns["indicator_id"] - 1].tolist()
    actuals = frame.iloc[:, columns["actual"] - 1].tolist()
    given = (frame.iloc[:, columns["period"] - 1].tolist() if "period" in columns
             else [None] * len(frame))

    # First each row's indicator, quarter and value (or why it has none), then the ratings:
    # the direction needs the value of the quarter before, wherever it is in the frame.
    rows: list[tuple[Indicator, Period, float | None] | str] = []
    values: dict[tuple[str, Period], float | None] = {}
    for label, raw_id, raw_period, raw_actual in zip(frame.index, ids, given, actuals, strict=True):
        row = _row(fw, default, raw_id, raw_period, raw_actual, label)
        rows.append(row)
        if not isinstance(row, str):
            values.setdefault((row[0].id, row[1]), row[2])
    statuses: list[Any] = []
    reasons: list[str] = []
    directions: list[str | None] = []
    for row in rows:
        if isinstance(row, str):
            statuses.append(None)
            reasons.append(row)
            directions.append(None)
            continue
        ind, quarter, actual = row
        rating = rate(ind, quarter.quarter, actual)
        previous = quarter.previous()
        before = values.get((ind.id, previous)) if previous is not None else None
        statuses.append(rating.status)
        reasons.append(rating.reason)
        directions.append(direction_of_travel(ind, quarter.quarter, actual, before))
    out = frame.copy()
    out["status"] = statuses
    out["reason"] = reasons
    out["direction"] = directions
    return out


def _row(fw: Framework, default: Period | None, raw_id: object, raw_period: object,
         raw_actual: object, label: object) -> tuple[Indicator, Period, float | None] | str:
    """A row's indicator, quarter and value as consolidation would take it (None when it is
    not a number, or not due), or the sentence saying why it cannot be rated."""
    ind_id = text_of(cell_of(raw_id, 0, 1))
    ind = fw.indicator(ind_id)
    if ind is None:
        return make_issue("indicator-unknown" if ind_id else "indicator-id-missing", "",
                          value=ind_id).message
    text = text_of(cell_of(raw_period, 0, 2))
    try:
        quarter = Period.parse(text) if text else default
    except PeriodError as exc:
        return str(exc)
    if quarter is None:
        raise InputError(f"The row {label!r} of the frame gives no period; give one, or the "
                         "period of such rows (period=\"2017-18-Q2\").")
    if quarter.fy != fw.year:
        return f"{quarter.label} is not in the register's financial year, {fw.year}."
    parsed = interpret_actual(cell_of(raw_actual, 0, 3), ind.unit)
    usable = parsed.kind in ("number", "text-number") and ind.is_due(quarter.quarter)
    return ind, quarter, parsed.value if usable else None
