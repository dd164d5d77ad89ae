"""The RAG engine and direction of travel (PRODUCT section 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rbwm_pmf.model.framework import Indicator
from rbwm_pmf.model.rating import (
    AMBER,
    DECLINING,
    GREEN,
    IMPROVING,
    NO_CHANGE,
    NO_DATA,
    NOT_COMPARABLE,
    NOT_RATED,
    RED,
    direction_of_travel,
    rate,
    status,
)


def ind(**kw: object) -> Indicator:
    base = Indicator(
        id="9.9", name="Test", definition="", priority="p", owner="o", panel="x", unit="count",
        unit_label="number", polarity="higher", frequency="quarterly", measure_type="snapshot",
        targets=(100.0, 100.0, 100.0, 100.0), tolerance=5.0, tolerance_type="relative",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


CASES = [
    # (description, indicator, quarter, actual, status, reason)
    ("exactly on target", ind(), 2, 100.0, GREEN, "100 vs target 100: on target"),
    ("better than target", ind(), 2, 120.0, GREEN, "120 vs target 100: better than target"),
    ("on the tolerance boundary is Amber", ind(), 2, 95.0, AMBER,
     "95 vs target 100: 5% short, within 5% tolerance"),
    ("just beyond the boundary is Red", ind(), 2, 94.9, RED,
     "94.9 vs target 100: 5.1% short, beyond 5% tolerance"),
    ("lower is better, under target", ind(polarity="lower"), 2, 90.0, GREEN,
     "90 vs target 100 (lower is better): better than target"),
    ("lower is better, on the boundary", ind(polarity="lower"), 2, 105.0, AMBER,
     "105 vs target 100 (lower is better): 5% above target, within 5% tolerance"),
    ("lower is better, beyond", ind(polarity="lower"), 2, 105.1, RED,
     "105.1 vs target 100 (lower is better): 5.1% above target, beyond 5% tolerance"),
    ("target of 0, met", ind(polarity="lower", targets=(0.0, 0.0, 0.0, 0.0)), 2, 0.0, GREEN,
     "0 vs target 0 (lower is better): on target"),
    ("target of 0, missed: a relative tolerance of zero allows nothing",
     ind(polarity="lower", targets=(0.0, 0.0, 0.0, 0.0)), 2, 1.0, RED,
     "1 vs target 0 (lower is better): 1 above target, beyond 5% tolerance"),
    ("absolute tolerance in points, boundary",
     ind(unit="percent", tolerance=2.0, tolerance_type="absolute",
         targets=(50.0, 50.0, 50.0, 50.0)), 2, 48.0, AMBER,
     "48% vs target 50%: 2 points short, within 2-point tolerance"),
    ("absolute tolerance in points, beyond",
     ind(unit="percent", tolerance=2.0, tolerance_type="absolute",
         targets=(50.0, 50.0, 50.0, 50.0)), 2, 47.9, RED,
     "47.9% vs target 50%: 2.1 points short, beyond 2-point tolerance"),
    ("the report's own example", ind(unit="percent", targets=(85.0, 85.0, 85.0, 85.0)), 2, 82.9,
     AMBER, "82.9% vs target 85%: 2.5% short, within 5% tolerance"),
    ("data-only", ind(data_only=True), 2, 50.0, NOT_RATED,
     "Data only: shown for information, no target is set"),
    ("not due", ind(frequency="half-yearly"), 1, None, NOT_RATED,
     "Not due in Q1 (half-yearly indicator)"),
    ("no data", ind(), 2, None, NO_DATA, "No valid value was returned for Q2"),
    ("days, lower is better", ind(unit="days", polarity="lower",
                                   targets=(20.0, 20.0, 20.0, 20.0)), 2, 20.6, AMBER,
     "20.6 days vs target 20 days (lower is better): 3% above target, within 5% tolerance"),
    # No figure is rounded onto or across the target or boundary it is read against.
    ("just beyond a boundary of 85.5 is not shown as 85.5",
     ind(unit="percent", targets=(90.0, 90.0, 90.0, 90.0)), 2, 85.49, RED,
     "85.49% vs target 90%: 5.01% short, beyond 5% tolerance"),
    ("just inside a boundary of 85.5 is not shown as 85.5",
     ind(unit="percent", targets=(90.0, 90.0, 90.0, 90.0)), 2, 85.51, AMBER,
     "85.51% vs target 90%: 4.99% short, within 5% tolerance"),
    ("on a boundary of 85.5", ind(unit="percent", targets=(90.0, 90.0, 90.0, 90.0)), 2, 85.5,
     AMBER, "85.5% vs target 90%: 5% short, within 5% tolerance"),
    ("a hair short of target is not shown on target",
     ind(unit="percent", targets=(100.0, 100.0, 100.0, 100.0)), 2, 99.999, AMBER,
     "99.999% vs target 100%: 0.001% short, within 5% tolerance"),
    ("a hair better than target is not shown on target",
     ind(unit="percent", polarity="lower", targets=(10.0, 10.0, 10.0, 10.0)), 2, 9.99, GREEN,
     "9.99% vs target 10% (lower is better): better than target"),
    ("a hair beyond an absolute tolerance",
     ind(unit="percent", tolerance=2.0, tolerance_type="absolute",
         targets=(50.0, 50.0, 50.0, 50.0)), 2, 47.96, RED,
     "47.96% vs target 50%: 2.04 points short, beyond 2-point tolerance"),
    ("one point is singular",
     ind(unit="percent", tolerance=2.0, tolerance_type="absolute",
         targets=(50.0, 50.0, 50.0, 50.0)), 2, 49.0, AMBER,
     "49% vs target 50%: 1 point short, within 2-point tolerance"),
    ("one day is singular",
     ind(unit="days", polarity="lower", tolerance=1.0, tolerance_type="absolute",
         targets=(20.0, 20.0, 20.0, 20.0)), 2, 21.0, AMBER,
     "21 days vs target 20 days (lower is better): 1 day above target, within tolerance of 1 day"),
    ("a target and tolerance are shown with every decimal they have",
     ind(unit="percent", tolerance=2.5, tolerance_type="absolute",
         targets=(85.25, 85.25, 85.25, 85.25)), 2, 85.2, AMBER,
     "85.2% vs target 85.25%: 0.1 points short, within 2.5-point tolerance"),
]


@pytest.mark.parametrize(("indicator", "quarter", "actual", "status", "reason"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rate(indicator: Indicator, quarter: int, actual: float | None, status: str,
              reason: str) -> None:
    """Each case gives exactly its status and its one-line reason."""
    result = rate(indicator, quarter, actual)
    assert (result.status, result.reason) == (status, reason)


@pytest.mark.parametrize(("indicator", "now", "before", "expected"), [
    (ind(), 110.0, 100.0, IMPROVING),
    (ind(), 90.0, 100.0, DECLINING),
    (ind(), 100.0, 100.0, NO_CHANGE),
    (ind(polarity="lower"), 90.0, 100.0, IMPROVING),
    (ind(polarity="lower"), 110.0, 100.0, DECLINING),
    (ind(measure_type="cumulative", targets=(100.0, 200.0, 300.0, 400.0)), 190.0, 100.0,
     DECLINING),
    (ind(measure_type="cumulative", targets=(100.0, 200.0, 300.0, 400.0)), 210.0, 100.0,
     IMPROVING),
    (ind(), 100.0, None, NOT_COMPARABLE),
])
def test_direction_of_travel(indicator: Indicator, now: float, before: float | None,
                             expected: str) -> None:
    """Direction knows which way is better; cumulative values compare as a share of target."""
    assert direction_of_travel(indicator, 2, now, before) == expected


@settings(max_examples=300, deadline=None)
@given(
    polarity=st.sampled_from(["higher", "lower"]),
    tolerance_type=st.sampled_from(["relative", "absolute"]),
    frequency=st.sampled_from(["quarterly", "half-yearly", "annual"]),
    data_only=st.booleans(),
    target=st.one_of(st.none(), st.floats(-1000, 1000, allow_nan=False)),
    tolerance=st.floats(0, 50, allow_nan=False),
    quarter=st.integers(1, 4),
    actual=st.one_of(st.none(), st.floats(-2000, 2000, allow_nan=False)),
)
def test_status_alone_is_the_status_rate_gives(
    polarity: str, tolerance_type: str, frequency: str, data_only: bool, target: float | None,
    tolerance: float, quarter: int, actual: float | None,
) -> None:
    """`status`, used to rate every row of a batch, never disagrees with `rate` and its reason,
    including on the tolerance boundary and for indicators not due or without a target."""
    indicator = ind(polarity=polarity, tolerance_type=tolerance_type, frequency=frequency,
                    data_only=data_only, targets=(target,) * 4, tolerance=tolerance)
    assert status(indicator, quarter, actual) == rate(indicator, quarter, actual).status
    boundary = ind(targets=(80.0,) * 4, tolerance=5.0)  # 76 is exactly 5% short: Amber
    assert status(boundary, 2, 76.0) == rate(boundary, 2, 76.0).status == AMBER
