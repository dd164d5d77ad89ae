"""Messages never round a figure onto or across the limit they explain."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbwm_pmf.model.rating import format_apart, format_exact
from rbwm_pmf.validation.run import validate
from tests.kit import fill, templates


def _out_of_range(tmp_path: Path, actual: float) -> list[str]:
    """The actual-out-of-bounds messages for a return giving indicator 1.1 (a percentage) the
    value an owner typing `actual` into its percent-formatted cell stores."""
    made = templates(tmp_path / "templates")
    path = fill(made["PH"], {"1.1": (actual, "Because.", "")}, tmp_path / "PH.xlsx")
    report = validate(path, period="2017-18-Q2")
    return [i.message for i in report.records if i.code == "actual-out-of-bounds"]


def test_a_value_just_over_100_percent_is_not_shown_as_100(tmp_path: Path) -> None:
    """1.0000001 in a percent cell is 100.00001%, shown so: not the 100% of the range's end."""
    assert _out_of_range(tmp_path, 100.00001) == [
        "100.00001% is outside the possible range for this indicator (0% to 100%)."
    ]


def test_a_value_just_under_0_percent_is_not_shown_as_0(tmp_path: Path) -> None:
    """A tiny negative percentage is shown with the decimals that make it negative."""
    assert _out_of_range(tmp_path, -0.0004) == [
        "-0.0004% is outside the possible range for this indicator (0% to 100%)."
    ]


def test_an_ordinary_value_out_of_range_keeps_its_one_decimal(tmp_path: Path) -> None:
    assert _out_of_range(tmp_path, 140.26) == [
        "140.3% is outside the possible range for this indicator (0% to 100%)."
    ]


@pytest.mark.parametrize(("value", "unit", "refs", "better", "exact", "shown"), [
    (85.49, "percent", [85.5], 0, False, "85.49%"),
    (85.44, "percent", [85.5], 0, False, "85.4%"),
    (85.5, "percent", [85.5], 0, False, "85.5%"),
    (80.75, "percent", [80.75], 1, False, "80.8%"),       # equal: may round to its better side
    (80.75, "percent", [80.75], -1, False, "80.75%"),    # ...but not to its worse side
    (99.999, "percent", [100.0], 0, False, "99.999%"),
    (100.0000000001, "percent", [100.0], 0, False, "100%"),   # equal to 9 places, as rated
    (100.0000000001, "percent", [100.0], 0, True, "100.0000000001%"),
    (1199.999, "currency", [1200.0], 0, False, "£1,199.999"),
    (1200.0, "currency", [1200.5], 0, False, "£1,200"),
    (0.999, "days", [1.0], 0, False, "0.999 days"),
    (1.0, "days", [2.0], 0, False, "1 day"),
    (4.4449, "rate", [4.44], 0, False, "4.445"),
    (499.6, "count", [500.0], 0, False, "499.6"),
])
def test_format_apart(value: float, unit: str, refs: list[float], better: int, exact: bool,
                      shown: str) -> None:
    """The fewest extra decimals that keep a value on its own side of each limit."""
    assert format_apart(value, unit, refs, better=better, exact=exact) == shown


def test_format_apart_stops_at_15_significant_digits() -> None:
    assert format_apart(100 + 1e-13, "percent", [100.0], exact=True) == "100%"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (85.0, "percent", "85%"), (85.25, "percent", "85.25%"), (480000.0, "count", "480,000"),
    (2.5, "days", "2.5 days"), (1.0, "days", "1 day"), (1200.125, "currency", "£1,200.125"),
])
def test_format_exact(value: float, unit: str, shown: str) -> None:
    """Register figures (targets, tolerances, bounds) are shown with every decimal they have."""
    assert format_exact(value, unit) == shown
