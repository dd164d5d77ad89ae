"""Red/Amber/Green rating of an indicator's value against its target, and direction of travel."""

from __future__ import annotations

import math
from collections.abc import Sequence
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
_SIGNIFICANT = 15  # the most digits a figure is shown to, as Excel shows them


@dataclass(frozen=True)
class Rating:
    """A status with the one-line reason a reader sees beside it."""

    status: Status
    reason: str


def format_value(value: float, unit: str) -> str:
    """A value as a report prints it: 82.9%, 128,900, 20.6 days, £1,200, 4.4."""
    return _dress(_number(value, unit, _places(value, unit)), unit)


def format_exact(value: float, unit: str) -> str:
    """A value as `format_value` prints it, with more decimals where it has them (to 15
    significant digits): a target of 85.25% is 85.25%, not 85.3%."""
    return _dress(_digits(value, unit, [value], 0, exact=True), unit)


def format_apart(value: float, unit: str, refs: Sequence[float], *, better: int = 0,
                 exact: bool = False) -> str:
    """A value as `format_value` prints it, with as many more decimals as it takes (to 15
    significant digits) to stay on its own side of each of `refs`: 85.49 beside a boundary of
    85.5 is 85.49%, not 85.5%.

    A value equal to a ref may be shown equal to it or on its `better` side (+1 above, -1
    below). Values closer than 9 decimal places count as equal, as the rating counts them,
    unless `exact`.
    """
    return _dress(_digits(value, unit, refs, better, exact=exact), unit)


def _places(value: float, unit: str) -> int:
    if unit in ("percent", "days"):
        return 1
    if unit == "count":
        return 0 if float(value).is_integer() else 1
    if unit == "currency":
        return 0 if float(value).is_integer() else 2
    return 2


def _number(value: float, unit: str, places: int) -> str:
    text = f"{value:,.{places}f}"
    if unit in ("count", "currency") and places == _places(value, unit):
        return text
    return text.rstrip("0").rstrip(".") if "." in text else text


def _dress(text: str, unit: str) -> str:
    if unit == "percent":
        return f"{text}%"
    if unit == "currency":
        return f"£{text}"
    if unit == "days":
        return f"{text} {'day' if text == '1' else 'days'}"
    return text


def _side(value: float, ref: float, exact: bool) -> int:
    diff = value - ref if exact else round(value - ref, _PLACES)
    return (diff > 0) - (diff < 0)


def _digits(value: float, unit: str, refs: Sequence[float], better: int, *,
            exact: bool = False) -> str:
    """The figure of `format_apart`, without its unit."""
    first = _places(value, unit)
    if not math.isfinite(value):
        return _number(value, unit, first)
    last = max(first, _SIGNIFICANT - len(str(int(abs(value)))))
    places = first
    for places in range(first, last + 1):
        shown = float(f"{value:.{places}f}")
        if all(_apart(value, shown, ref, better, exact) for ref in refs):
            break
    return _number(value, unit, places)


def _apart(value: float, shown: float, ref: float, better: int, exact: bool) -> bool:
    side, seen = _side(value, ref, exact), _side(shown, ref, exact)
    return seen == side if side else seen in (0, better)


def tolerance_text(indicator: Indicator) -> str:
    """`5% tolerance` or `2-point tolerance` or `tolerance of 2 days`."""
    tol = _digits(indicator.tolerance, "number", [indicator.tolerance], 0, exact=True)
    if indicator.tolerance_type == "relative":
        return f"{tol}% tolerance"
    if indicator.unit == "percent":
        return f"{tol}-point tolerance"
    return f"tolerance of {format_exact(indicator.tolerance, indicator.unit)}"


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
    better = -1 if lower else 1
    shortfall, allowed = _shortfall(indicator, target, actual)
    # No figure is rounded onto or across the target or the tolerance boundary it is read
    # against: 85.49 is 85.49% when the boundary is 85.5%.
    boundary = target + allowed if lower else target - allowed
    shown = format_apart(actual, unit, [target, boundary], better=better)
    head = f"{shown} vs target {format_exact(target, unit)}"
    if lower:
        head += " (lower is better)"
    if shortfall <= 0:
        return Rating(GREEN, f"{head}: {'on target' if shortfall == 0 else 'better than target'}")

    side = "above target" if lower else "short"
    if indicator.tolerance_type == "absolute" or target == 0:
        if unit == "percent":
            points = _digits(shortfall, unit, [0, allowed], -1)
            gap = f"{points} {'point' if points == '1' else 'points'}"
        else:
            gap = format_apart(shortfall, unit, [0, allowed], better=-1)
    else:
        share = shortfall / abs(target) * 100
        gap = f"{_digits(share, 'percent', [0, indicator.tolerance], -1)}%"
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
    return compare(indicator.polarity, now, before)


def compare(polarity: str, now: float | None, before: float | None) -> str:
    """Improving, Declining or No change from `before` to `now` for an indicator of `polarity`
    (higher or lower is better); Not comparable when either is missing."""
    if now is None or before is None or now != now or before != before:
        return NOT_COMPARABLE
    change = round(now - before, _PLACES)
    if change == 0:
        return NO_CHANGE
    better = change < 0 if polarity == "lower" else change > 0
    return IMPROVING if better else DECLINING
