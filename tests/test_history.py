"""The framework over the years: registers of several years, the same quarter last year, the
eight-quarter series, `replaces` links, and past outturns imported into the history store."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rbwm_pmf import (
    HistoryStore,
    consolidate,
    framework_from_dict,
    import_history,
    load_framework,
    load_registers,
)
from rbwm_pmf.errors import RegisterError
from rbwm_pmf.model.periods import Period, parse_report_period

COLUMNS = ["indicator_id", "period", "actual", "commentary", "mitigation"]


def next_year(changes: dict[str, dict[str, Any]] | None = None) -> Any:
    """The packaged 2017/18 register as a 2018/19 one, with indicators changed by id."""
    tables = copy.deepcopy(load_framework().to_dict())
    tables["framework"].update(id="test-2018-19", year="2018-19")
    for row in tables["indicators"]:
        row.update((changes or {}).get(row["id"], {}))
    return framework_from_dict(tables, "test-2018-19")


def values(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([(i, p, a, "Commentary.", "Actions.") for i, p, a in rows],
                        columns=COLUMNS)


def row(result: Any, indicator_id: str, period: str) -> dict[str, Any]:
    data = result.data
    found = data[(data["indicator_id"] == indicator_id) & (data["period"] == period)]
    assert len(found) == 1
    return dict(found.iloc[0])


def test_report_periods_and_their_neighbours() -> None:
    """A year asks for the annual report, made at its fourth quarter; quarters step across
    financial years."""
    assert parse_report_period("2017-18") == (Period(2017, 4), True)
    assert parse_report_period("2017/18") == (Period(2017, 4), True)
    assert parse_report_period("2018-19-Q2") == (Period(2018, 2), False)
    assert Period(2018, 1).shifted(-1) == Period(2017, 4)
    assert Period(2018, 2).last_year() == Period(2017, 2)
    assert [str(p) for p in Period(2018, 2).quarters_to(8)] == [
        "2016-17-Q3", "2016-17-Q4", "2017-18-Q1", "2017-18-Q2", "2017-18-Q3", "2017-18-Q4",
        "2018-19-Q1", "2018-19-Q2"]


def test_replaces_links_a_renamed_indicator_and_stops_at_a_rebased_one() -> None:
    """1.1 renamed to 1.1a (replaces 1.1) keeps its series and is compared with last year;
    5.2 re-based as 5.5 shows last year's figure but is not compared, and its older values are
    left out of the series."""
    later = next_year({
        "1.1": {"id": "1.1a", "replaces": "1.1", "replaces_note": "Renamed; measured as before."},
        "5.2": {"id": "5.5", "replaces": "5.2", "rebased": True,
                "replaces_note": "Now counted from the date the claim is complete."},
    })
    given = values(("1.1", "2017-18-Q2", 93.4), ("5.2", "2017-18-Q2", 20.6),
                   ("1.1a", "2018-19-Q2", 95.0), ("5.5", "2018-19-Q2", 18.0))
    result = consolidate(values=given, framework=[load_framework(), later], period="2018-19-Q2")
    renamed = row(result, "1.1a", "2018-19-Q2")
    assert renamed["same_quarter_last_year"] == 93.4
    assert renamed["direction_on_last_year"] == "Improving"
    assert renamed["series"] == (None, None, None, 93.4, None, None, None, 95.0)
    assert renamed["history_note"] == "Replaces 1.1. Renamed; measured as before."
    rebased = row(result, "5.5", "2018-19-Q2")
    assert rebased["same_quarter_last_year"] == 20.6
    assert rebased["direction_on_last_year"] == "Not comparable"
    assert rebased["series"] == (None,) * 7 + (18.0,)
    assert rebased["history_note"] == (
        "Re-based: replaces 5.2, whose figures are not compared. Now counted from the date the "
        "claim is complete.")
    # The 2017/18 values were checked against the 2017/18 register: no problem with either year.
    assert result.valid, result.issues


def test_direction_on_last_year_knows_which_way_is_better() -> None:
    """Higher is better (1.1) and lower is better (1.5, permanent admissions), each way."""
    cases = [("1.1", 90.0, 93.4, "Improving"), ("1.1", 95.0, 93.4, "Declining"),
             ("1.5", 590.0, 540.0, "Improving"), ("1.5", 540.0, 590.0, "Declining"),
             ("1.5", 540.0, 540.0, "No change")]
    for ind, before, now, expected in cases:
        given = values((ind, "2017-18-Q2", before), (ind, "2018-19-Q2", now))
        result = consolidate(values=given, framework=[load_framework(), next_year()],
                             period="2018-19-Q2")
        found = row(result, ind, "2018-19-Q2")
        assert (found["same_quarter_last_year"], found["direction_on_last_year"]) == (
            before, expected), (ind, before, now)


def test_q1_direction_compares_with_last_years_q4_except_for_cumulative_measures() -> None:
    """At Q1 the quarter before is last year's Q4; a year-to-date count restarts in April."""
    given = values(("1.1", "2017-18-Q4", 91.0), ("1.1", "2018-19-Q1", 92.5),
                   ("1.6", "2017-18-Q4", 410.0), ("1.6", "2018-19-Q1", 120.0))
    result = consolidate(values=given, framework=[load_framework(), next_year()],
                         period="2018-19-Q1")
    assert row(result, "1.1", "2018-19-Q1")["direction"] == "Improving"
    assert row(result, "1.6", "2018-19-Q1")["direction"] == "Not comparable"


def test_two_registers_for_one_year_or_a_broken_link_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as caught:
        load_registers([load_framework(), load_framework()])
    assert "register-duplicate-year" in str(caught.value)
    with pytest.raises(RegisterError) as caught:
        load_registers([load_framework(), next_year({"1.1": {"id": "1.1a", "replaces": "9.9"}})])
    assert str(caught.value.problems[0]) == (
        "Indicators id 1.1a, field 'replaces': '9.9' is not an indicator of the 2017-18 register "
        "((packaged) rbwm-2017-18.yaml) [register-bad-replaces]")


def test_a_return_for_a_later_period_is_listed_not_used(tmp_path: Path) -> None:
    """A folder holding the next quarter's returns too: the report is for the quarter asked
    for, and the later returns are listed as files not used."""
    given = values(("1.1", "2017-18-Q1", 92.1), ("1.1", "2017-18-Q2", 93.4))
    csv = tmp_path / "values.csv"
    given.to_csv(csv, index=False)
    result = consolidate(values=csv, period="2017-18-Q1")
    assert str(result.period) == "2017-18-Q1"
    assert set(result.data["period"]) == {"2017-18-Q1"}


# -- importing past outturns ---------------------------------------------------------------

PAST = ("indicator_id,period,actual,target,commentary\n"
        "1.1,2016-17-Q1,91.0,90,Above target.\n"
        "1.1,2016-17-Q2,89.5,90,Just short.\n"
        "1.5,2016-17-Q2,600,560,Above the ceiling.\n"
        "6.1,2016-17-Q2,55.0,57,Collection behind profile.\n")


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type='table' order by name")]
        return {n: sorted(conn.execute(f"select * from {n}").fetchall(), key=repr) for n in names}


def test_an_import_with_a_bad_row_is_refused_whole_at_its_cell(tmp_path: Path) -> None:
    """One bad value: a message at its cell, and nothing of the file in the store; fixed, every
    row is recorded and rated against the year's targets."""
    store = tmp_path / "h.sqlite"
    bad = tmp_path / "2016-17.csv"
    bad.write_text(PAST.replace("600,560", "about 600,560").replace("55.0,57", "55.0,57 ish"),
                   "utf-8")
    with HistoryStore(store):
        pass
    before = dump(store)
    outcome = import_history(bad, store)
    assert [(i.code, i.cell, i.message) for i in outcome.issues] == [
        ("actual-not-a-number", "C4", '"about 600" is not a number.'),
        ("history-target-not-a-number", "D5", "The target '57 ish' is not a number.")]
    assert outcome.sentence == f"Nothing imported from {bad}: 2 errors to fix first."
    assert dump(store) == before
    bad.write_text(PAST, "utf-8")
    outcome = import_history(bad, store)
    assert outcome.valid and outcome.issues == []
    assert outcome.sentence == (
        "Recorded 4 values for 2016/17 Q1 to 2016/17 Q2 in h.sqlite: 4 added, 0 changed, "
        "0 unchanged.")
    with HistoryStore(store) as opened:
        kept = opened.observations()
    assert list(zip(kept["indicator_id"], kept["period"], kept["actual"], kept["target"],
                    kept["status"], kept["source_cell"], strict=True)) == [
        ("1.1", "2016-17-Q1", 91.0, 90.0, "Green", "2016-17.csv!C2"),
        ("1.1", "2016-17-Q2", 89.5, 90.0, "Amber", "2016-17.csv!C3"),
        ("1.5", "2016-17-Q2", 600.0, 560.0, "Red", "2016-17.csv!C4"),
        ("6.1", "2016-17-Q2", 55.0, 57.0, "Amber", "2016-17.csv!C5")]


def test_a_target_unlike_the_registers_is_refused_for_a_year_with_one(tmp_path: Path) -> None:
    past = tmp_path / "2017-18.csv"
    past.write_text("indicator_id,period,actual,target\n1.1,2017-18-Q3,91,92\n", "utf-8")
    outcome = import_history(past, tmp_path / "h.sqlite")
    assert [(i.code, i.cell) for i in outcome.issues] == [("target-changed", "D2")]
    assert not outcome.valid


def test_the_store_gives_last_year_to_the_report(tmp_path: Path) -> None:
    """Last year's Q2 imported into the store is the same quarter last year of this year's Q2,
    and the share on target that quarter is in the trend and the summary."""
    store = tmp_path / "h.sqlite"
    past = tmp_path / "2016-17.csv"
    past.write_text(PAST, "utf-8")
    assert import_history(past, store).valid
    given = values(("1.1", "2017-18-Q2", 93.4), ("1.5", "2017-18-Q2", 540.0))
    result = consolidate(values=given, period="2017-18-Q2", history=store)
    assert row(result, "1.1", "2017-18-Q2")["same_quarter_last_year"] == 89.5
    assert row(result, "1.5", "2017-18-Q2")["direction_on_last_year"] == "Improving"
    last = result.trend[result.trend["period"] == "2016-17-Q2"].iloc[0]
    assert (last["indicators"], last["rated"], last["green"], last["amber"], last["red"]) == (
        3, 3, 0, 2, 1)
    assert result.sentences.last_year == (
        "A year earlier, at 2016/17 Q2, none of the 3 indicators were performing at or above "
        "target.")


def test_a_year_with_no_register_and_no_targets_is_recorded_not_rated(tmp_path: Path) -> None:
    """Past outturns with no target column, for a year no register is for: checked against
    the next register's indicators and recorded, not rated."""
    past = tmp_path / "2015-16.csv"
    past.write_text("indicator_id,period,actual\n1.1,2015-16-Q1,91.0\n1.5,2015-16-Q2,600\n",
                    "utf-8")
    outcome = import_history(past, tmp_path / "h.sqlite")
    assert outcome.valid and outcome.issues == []
    with HistoryStore(tmp_path / "h.sqlite") as opened:
        kept = opened.observations()
    assert list(zip(kept["indicator_id"], kept["actual"], kept["status"], strict=True)) == [
        ("1.1", 91.0, "Not rated"), ("1.5", 600.0, "Not rated")]


def test_the_multi_year_run_from_the_command_line(tmp_path: Path) -> None:
    """The samples at 2018/19 Q2 with a history store: exit 0, the same quarter last year for
    every indicator but the new one, the quarter recorded; run again, nothing changes."""
    import json
    import subprocess
    import sys

    from tests.kit import SAMPLES

    store, out = tmp_path / "h.sqlite", tmp_path / "h.xlsx"
    command = [sys.executable, "-m", "rbwm_pmf", "consolidate", str(SAMPLES / "returns"),
               "--period", "2018-19-Q2", "--history", str(store), "--format", "json",
               "--out", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = [r for r in data["data"] if r["period"] == "2018-19-Q2"]
    known = sorted(r["indicator_id"] for r in rows if r["same_quarter_last_year"] is not None)
    assert len(rows) == 25 and len(known) == 24
    assert [r["indicator_id"] for r in rows if r["same_quarter_last_year"] is None] == ["4.5"]
    assert data["sentences"]["last_year"] == (
        "A year earlier, at 2017/18 Q2, 16 of the 25 indicators were performing at or above "
        "target.")
    assert data["history"]["recorded"]["summary"] == (
        "Recorded 25 values for 2018/19 Q2 in h.sqlite: 25 added, 0 changed, 0 unchanged.")
    assert out.exists()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Recorded 25 values for 2018/19 Q2 in h.sqlite: 0 added, 0 changed, 25 unchanged." in (
        proc.stderr)


def test_history_show_gives_strict_json(tmp_path: Path) -> None:
    """`history show --format json`: one indicator's series, a value not known is null."""
    import json
    import subprocess
    import sys

    past = tmp_path / "2015-16.csv"
    past.write_text("indicator_id,period,actual\n1.1,2015-16-Q1,91.0\n", "utf-8")
    assert import_history(past, tmp_path / "h.sqlite").valid

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    proc = subprocess.run([sys.executable, "-m", "rbwm_pmf", "history", "show", "1.1", "--history",
                           str(tmp_path / "h.sqlite"), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout, parse_constant=refuse)
    assert [(r["period"], r["actual"], r["target"], r["status"]) for r in data["series"]] == [
        ("2015-16-Q1", 91.0, None, "Not rated")]
