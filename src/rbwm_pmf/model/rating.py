"""Red/Amber/Green rating of an indicator's value against its target, and direction of travel."""

from __future__ import annotations

from dataclasses import dataclass

from rbwm_pmf.model.framework import Indicator
from rbwm_pmf.model.status import (
    AMBER,
    DECLINING,
    GREEN,
    IMPROVING,
    NO_CHANGE,
    NO_DATA,
    NOT_COMPARABLE,
    NOT_RATED,
    RED,
    Status,
)

_PLACES = 9  # compare to 9 decimal places so 95 vs 100 at 5% is exactly on the boundary


@dataclass(frozen=True)
class Rating:
    """A status with the one-line reason a reader sees beside it."""

    status: Status
    reason: str


def format_value(value: float, unit: str) -> str:
    """A value as a report prints it: 82.9%, 128,900, 20.6 days, £1,200, 4.4."""
    if unit == "percent":
        return f"{_trim(value, 1)}%"
    if unit == "count":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit == "currency":
        return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"
    if unit == "days":
        return f"{_trim(value, 1)} days"
    return _trim(value, 2)


def _trim(value: float, places: int) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tolerance_text(indicator: Indicator) -> str:
    """`5% tolerance` or `2-point tolerance` or `tolerance of 2 days`."""
    tol = _trim(indicator.tolerance, 2)
    if indicator.tolerance_type == "relative":
        return f"{tol}% tolerance"
    if indicator.unit == "percent":
        return f"{tol}-point tolerance"
    return f"tolerance of {format_value(indicator.tolerance, indicator.unit)}"


def _not_rated(indicator: Indicator, quarter: int, actual: float | None) -> Rating | None:
    """The rating when no comparison can be made, else None."""
    if indicator.data_only:
        return Rating(NOT_RATED, "Data only: shown for information, no target is set")
    if not indicator.is_due(quarter):
        return Rating(NOT_RATED, f"Not due in Q{quarter} ({indicator.frequency} indicator)")
    if indicator.target(quarter) is None:
        return Rating(NOT_RATED, f"No target is set for Q{quarter}")
    if actual is None:
        return Rating(NO_DATA, f"No valid value was returned for Q{quarter}")
    return None


def _shortfall(indicator: Indicator, target: float, actual: float) -> tuple[float, float]:
    """How far the actual is on the wrong side of the target, and how far the tolerance allows."""
    lower = indicator.polarity == "lower"
    shortfall = round((actual - target) if lower else (target - actual), _PLACES)
    if indicator.tolerance_type == "relative":
        allowed = round(abs(target) * indicator.tolerance / 100, _PLACES)
    else:
        allowed = round(indicator.tolerance, _PLACES)
    return shortfall, allowed


def status(indicator: Indicator, quarter: int, actual: float | None) -> str:
    """The status `rate` gives, without building its reason (for rating many rows)."""
    target = indicator.target(quarter)
    if indicator.data_only or target is None or not indicator.is_due(quarter):
        return NOT_RATED
    if actual is None:
        return NO_DATA
    shortfall, allowed = _shortfall(indicator, target, actual)
    if shortfall <= 0:
        return GREEN
    return AMBER if shortfall <= allowed else RED


def rate(indicator: Indicator, quarter: int, actual: float | None) -> Rating:
    """Rate a value for a quarter exactly as PRODUCT section 5 says.

    Higher is better: Green when actual >= target; Amber when short by no more than the
    tolerance (the boundary itself is Amber: the report calls it "just short of target");
    Red beyond. Lower is better mirrors this.
    """
    not_rated = _not_rated(indicator, quarter, actual)
    if not_rated is not None:
        return not_rated
    target = indicator.target(quarter)
    assert target is not None and actual is not None
    unit = indicator.unit
    lower = indicator.polarity == "lower"
    shortfall, allowed = _shortfall(indicator, target, actual)
    head = f"{format_value(actual, unit)} vs target {format_value(target, unit)}"
    if lower:
        head += " (lower is better)"
    if shortfall <= 0:
        return Rating(GREEN, f"{head}: {'on target' if shortfall == 0 else 'better than target'}")

    side = "above target" if lower else "short"
    if indicator.tolerance_type == "absolute" or target == 0:
        gap = format_value(shortfall, unit) if unit != "percent" else f"{_trim(shortfall, 1)} points"
    else:
        gap = f"{_trim(shortfall / abs(target) * 100, 1)}%"
    tol = tolerance_text(indicator)
    if shortfall <= allowed:
        return Rating(AMBER, f"{head}: {gap} {side}, within {tol}")
    return Rating(RED, f"{head}: {gap} {side}, beyond {tol}")


def direction_of_travel(
    indicator: Indicator,
    quarter: int,
    actual: float | None,
    previous: float | None,
) -> str:
    """Improving, Declining or No change against the previous quarter, knowing which way is better.

    A cumulative (year-to-date) value always grows, so it is compared as a share of its
    profiled target; other measures compare the values themselves.
    """
    if actual is None or previous is None or quarter < 2:
        return NOT_COMPARABLE
    now, before = actual, previous
    if indicator.measure_type == "cumulative":
        t_now, t_before = indicator.target(quarter), indicator.target(quarter - 1)
        if t_now and t_before:
            now, before = actual / t_now, previous / t_before
    change = round(now - before, _PLACES)
    if change == 0:
        return NO_CHANGE
    better = change < 0 if indicator.polarity == "lower" else change > 0
    return IMPROVING if better else DECLINING
