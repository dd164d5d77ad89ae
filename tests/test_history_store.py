"""The history store (rbwm_pmf.history.store): one SQLite file, written in one transaction a
run, safe with two runs at once, and plain about what it is not."""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import rbwm_pmf.history.store as store_module
from rbwm_pmf.errors import HistoryBusy, HistoryError, OutputError
from rbwm_pmf.history.store import (
    OBSERVATION_COLUMNS,
    SCHEMA_VERSION,
    Change,
    HistoryStore,
)
from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.periods import Period

REPO = Path(__file__).resolve().parents[1]
IDS = tuple(f"1.{n}" for n in range(1, 13))  # twelve indicators
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TABLES = ["changes", "frameworks", "indicators", "observations", "runs", "store_info"]


def framework(year: str = "2018-19", ids: tuple[str, ...] = IDS, version: str = "1") -> Framework:
    """A small framework of `year` with an indicator for each id."""
    indicators = tuple(
        Indicator(id=i, name=f"Indicator {i}", definition=f"Definition of {i}", priority="P1",
                  owner="ASC", panel="ASP", unit="percent", unit_label="%", polarity="higher",
                  frequency="quarterly", measure_type="snapshot", targets=(80.0, 80.0, 85.0, None),
                  tolerance=5.0, data_only=i.endswith("2"), replaces="0.1" if i == ids[0] else "")
        for i in ids)
    return Framework(id=f"rbwm-{year}", name="Performance Management Framework", council="RBWM",
                     year=year, version=version, contact_name="", contact_email="",
                     return_due_days=10, priorities=(), panels=(), owners=(),
                     indicators=indicators, source=f"rbwm-{year}.yaml")


def rows(period: str = "2018-19-Q2", actuals: dict[str, float | None] | None = None,
         file: str = "", sha: str = "a" * 64) -> pd.DataFrame:
    """Observations of `period`: 80.0, 81.0, ... for IDS unless `actuals` says otherwise."""
    if actuals is None:
        actuals = {i: 80.0 + n for n, i in enumerate(IDS)}
    fy = Period.parse(period).fy
    out = []
    for n, (ind, actual) in enumerate(actuals.items()):
        status = "No data" if actual is None else ("Green" if actual >= 80 else "Red")
        out.append({
            "framework_id": f"rbwm-{fy}", "period": period, "indicator_id": ind,
            "actual": actual, "target": 80.0, "status": status, "reason": "",
            "data_status": "Returned" if actual is not None else "No return",
            "commentary": "", "mitigation": "", "source_file": file or f"{period}-ASC.xlsx",
            "source_sha256": sha, "source_cell": f"F{n + 8}"})
    return pd.DataFrame(out, columns=list(OBSERVATION_COLUMNS))


def dump(path: Path) -> dict[str, Any]:
    """Every table's rows (with rowids), the schema and the pragmas: the store's whole content."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {
            "schema": con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
            "pragmas": [con.execute(f"PRAGMA {p}").fetchone()
                        for p in ("application_id", "user_version", "journal_mode")],
        }
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            out[table] = con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        con.close()


def recorded(path: Path, *frames: pd.DataFrame, fw: Framework | None = None) -> None:
    with HistoryStore(path) as store:
        for frame in frames:
            store.record(frame, [fw or framework()])


# -- the file ------------------------------------------------------------------------------------

def test_a_new_store_is_one_file_with_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        assert store.path == path
        store.record(rows(), [framework()])
    content = dump(path)
    assert sorted(k for k in content if k not in ("schema", "pragmas")) == TABLES
    assert content["pragmas"] == [(0x52425748,), (SCHEMA_VERSION,), ("delete",)]
    info = dict(row[1:] for row in content["store_info"])
    assert set(info) == {"schema_version", "created_at"}
    assert info["schema_version"] == "1" and STAMP.match(info["created_at"])
    # The default rollback journal: nothing is left beside the store.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite"]


def test_opening_a_store_again_reads_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows())
    with HistoryStore(path, create=False) as store:
        assert store.periods() == ["2018-19-Q2"]
        assert len(store.observations()) == 12


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        pass
    store.close()  # again: nothing happens
    with pytest.raises(HistoryError) as info:
        store.periods()
    assert str(info.value) == f"The history store {path} has been closed."


# -- recording and reading ---------------------------------------------------------------------

def test_record_stores_values_exactly_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    given = rows(actuals={"1.1": 85.49, "1.2": None, "1.3": 0.1 + 0.2})
    given.loc[2, "commentary"] = "Up on last quarter"
    given.loc[2, "target"] = float("nan")
    with HistoryStore(path) as store:
        summary = store.record(given, [framework()], command="rbwm-pmf consolidate --period 2018-19-Q2")
        assert summary.sentence == ("Recorded 3 values for 2018/19 Q2 in h.sqlite: 3 added, 0 changed, "
                                    "0 unchanged.")
        assert (summary.added, summary.replaced, summary.unchanged, summary.changes) == (3, 0, 0, ())
        assert summary.periods == ("2018-19-Q2",) and summary.path == path
        got = store.observations()
        runs = store.runs()
    assert list(got.columns) == [
        "framework_id", "period", "indicator_id", "actual", "target", "status", "reason",
        "data_status", "commentary", "mitigation", "source_file", "source_sha256", "source_cell",
        "year", "quarter", "recorded_at", "run_id"]
    assert got["indicator_id"].tolist() == ["1.1", "1.2", "1.3"]
    assert got["actual"].dtype == "float64" and got["target"].dtype == "float64"
    assert got["actual"].iloc[0] == 85.49  # the exact float, not a near one
    assert got["actual"].iloc[2] == 0.30000000000000004
    assert math.isnan(got["actual"].iloc[1]) and math.isnan(got["target"].iloc[2])
    assert got["commentary"].tolist() == [None, None, "Up on last quarter"]  # blank text: None
    assert got["reason"].tolist() == [None, None, None]
    assert got["year"].tolist() == ["2018-19"] * 3 and got["quarter"].tolist() == [2, 2, 2]
    assert got["status"].tolist() == ["Green", "No data", "Red"]
    assert got["source_cell"].tolist() == ["F8", "F9", "F10"]
    assert all(STAMP.match(s) for s in got["recorded_at"])
    assert got["run_id"].tolist() == [summary.run_id] * 3
    assert runs.to_dict(orient="records") == [{
        "run_id": summary.run_id, "recorded_at": got["recorded_at"].iloc[0],
        "command": "rbwm-pmf consolidate --period 2018-19-Q2", "periods": "2018-19-Q2", "rows": 3}]
    con = sqlite3.connect(path)
    assert con.execute("SELECT typeof(actual), actual FROM observations WHERE indicator_id = '1.1'"
                       ).fetchone() == ("real", 85.49)
    con.close()


def test_record_again_replaces_and_logs_each_change(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    first = rows(actuals={"1.1": 85.49, "1.2": 70.0, "1.3": 90.0, "1.4": 75.0})
    second = rows(actuals={"1.1": 85.49, "1.2": 81.5, "1.3": 90.0, "1.5": 60.0},
                  file="2018-19-Q2-ASC-resent.xlsx", sha="b" * 64)
    second.loc[second["indicator_id"] != "1.2", ["source_file", "source_sha256"]] = [
        "2018-19-Q2-ASC.xlsx", "a" * 64]
    with HistoryStore(path) as store:
        one = store.record(first, [framework()])
        two = store.record(second, [framework()])
        got = store.observations()
        changes = store.changes()
        runs = store.runs()
    assert (two.added, two.replaced, two.unchanged) == (1, 1, 2)
    assert two.sentence == "Recorded 4 values for 2018/19 Q2 in h.sqlite: 1 added, 1 changed, 2 unchanged."
    assert two.changes == (Change("1.2", "2018-19-Q2", 70.0, 81.5, "Red", "Green",
                                  "2018-19-Q2-ASC.xlsx", "2018-19-Q2-ASC-resent.xlsx",
                                  "a" * 64, "b" * 64),)
    assert changes.drop(columns=["change_id", "changed_at"]).to_dict(orient="records") == [{
        "run_id": two.run_id, "indicator_id": "1.2", "period": "2018-19-Q2", "old_actual": 70.0,
        "new_actual": 81.5, "old_status": "Red", "new_status": "Green",
        "old_file": "2018-19-Q2-ASC.xlsx", "new_file": "2018-19-Q2-ASC-resent.xlsx",
        "old_sha256": "a" * 64, "new_sha256": "b" * 64}]
    assert STAMP.match(changes["changed_at"].iloc[0])
    # 1.4 was not given again: it is left as it was.
    assert got["indicator_id"].tolist() == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert got["actual"].tolist() == [85.49, 81.5, 90.0, 75.0, 60.0]
    # An unchanged row keeps the run that wrote it; a changed or added one has the new run's.
    assert got["run_id"].tolist() == [one.run_id, two.run_id, one.run_id, one.run_id, two.run_id]
    assert runs["rows"].tolist() == [4, 4]


def test_an_identical_record_changes_nothing_but_adds_a_run(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows())
    before = dump(path)
    with HistoryStore(path) as store:
        summary = store.record(rows(), [framework()], command="again")
    assert (summary.added, summary.replaced, summary.unchanged, summary.changes) == (0, 0, 12, ())
    assert summary.sentence == ("Recorded 12 values for 2018/19 Q2 in h.sqlite: 0 added, 0 changed, "
                                "12 unchanged.")
    after = dump(path)
    assert len(after["runs"]) == 2 and after["runs"][1][3:] == ("again", "2018-19-Q2", 12)
    for table in ("changes", "frameworks", "observations", "store_info"):
        assert after[table] == before[table], table
    assert [r[1:] for r in after["indicators"]] == [r[1:] for r in before["indicators"]]


def test_several_periods_in_one_record(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    frames = [rows(p, {"1.1": 80.0, "1.2": 81.0}) for p in ("2016/17 Q3", "2016-17-Q1", "2016-17-Q4")]
    frames.append(rows("2016-17-Q2", {"1.1": 82.0}))
    with HistoryStore(path) as store:
        summary = store.record(pd.concat(frames, ignore_index=True), [framework("2016-17")])
        assert summary.sentence == ("Recorded 7 values for 2016/17 Q1 to 2016/17 Q4 in h.sqlite: "
                                    "7 added, 0 changed, 0 unchanged.")
        assert summary.periods == ("2016-17-Q1", "2016-17-Q2", "2016-17-Q3", "2016-17-Q4")
        store.record(rows("2015-16-Q4", {"1.1": None}), [framework("2015-16")])
        one = store.record(rows("2017-18-Q1", {"1.1": 1.0}), [framework("2017-18")])
        assert one.sentence == "Recorded 1 value for 2017/18 Q1 in h.sqlite: 1 added, 0 changed, 0 unchanged."
        assert store.periods() == ["2015-16-Q4", "2016-17-Q1", "2016-17-Q2", "2016-17-Q3",
                                   "2016-17-Q4", "2017-18-Q1"]
        got = store.observations()
        assert list(zip(got["period"], got["indicator_id"], strict=True))[:5] == [
            ("2015-16-Q4", "1.1"), ("2016-17-Q1", "1.1"), ("2016-17-Q1", "1.2"),
            ("2016-17-Q2", "1.1"), ("2016-17-Q3", "1.1")]
        picked = store.observations(indicator_ids=["1.2"], periods=["2016/17 Q3", "2016-17-Q4"])
        assert list(zip(picked["period"], picked["actual"], strict=True)) == [
            ("2016-17-Q3", 81.0), ("2016-17-Q4", 81.0)]
        assert len(store.observations(indicator_ids=[])) == 0
        assert store.runs()["periods"].iloc[0] == "2016-17-Q1, 2016-17-Q2, 2016-17-Q3, 2016-17-Q4"
        with pytest.raises(HistoryError) as info:
            store.observations(periods=["Q5"])
        assert str(info.value).startswith("'Q5' is not a period")


def test_frameworks_and_their_indicators(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        store.record(rows("2017-18-Q4", {"1.1": 90.0}), [framework("2017-18")])
        store.record(rows(), [framework()])
        first = store.frameworks()
        # A new version of 2018-19's framework, without 1.12: the year's indicators become its.
        store.record(rows(), [framework(ids=IDS[:11], version="2")])
        fws = store.frameworks()
        ind = store.indicators("2018-19")
        every = store.indicators()
    assert first["recorded_at"].iloc[1] <= fws["recorded_at"].iloc[1]
    assert fws.drop(columns="recorded_at").to_dict(orient="records") == [
        {"framework_id": "rbwm-2017-18", "year": "2017-18", "name": "Performance Management Framework",
         "council": "RBWM", "version": "1", "source": "rbwm-2017-18.yaml"},
        {"framework_id": "rbwm-2018-19", "year": "2018-19", "name": "Performance Management Framework",
         "council": "RBWM", "version": "2", "source": "rbwm-2018-19.yaml"}]
    assert ind["indicator_id"].tolist() == list(IDS[:11])  # register order, not text order
    assert len(every) == 12 + 11 and every["year"].tolist() == ["2017-18"] * 12 + ["2018-19"] * 11
    top = ind.iloc[0].to_dict()
    assert math.isnan(top.pop("q4_target"))
    assert top == {
        "year": "2018-19", "indicator_id": "1.1", "name": "Indicator 1.1",
        "definition": "Definition of 1.1", "priority": "P1", "owner": "ASC", "panel": "ASP",
        "unit": "percent", "polarity": "higher", "frequency": "quarterly",
        "measure_type": "snapshot", "q1_target": 80.0, "q2_target": 80.0, "q3_target": 85.0,
        "tolerance": 5.0, "tolerance_type": "relative", "data_only": False, "replaces": "0.1",
        "rebased": False, "replaces_note": None}
    assert ind["data_only"].tolist()[:3] == [False, True, False]


def test_the_packaged_register_records(tmp_path: Path) -> None:
    from rbwm_pmf.register.load import load_framework

    fw = load_framework()
    given = rows("2017-18-Q2", {i.id: 50.0 for i in fw.indicators})
    given["framework_id"] = fw.id
    with HistoryStore(tmp_path / "h.sqlite") as store:
        assert store.record(given, [fw]).added == len(fw.indicators)
        assert store.indicators("2017-18")["indicator_id"].tolist() == [i.id for i in fw.indicators]


# -- rows that cannot be recorded ---------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "message"), [
    ("period", "nonsense", "has the period 'nonsense', which is not a period like 2018-19-Q2"),
    ("period", None, "has no period"),
    ("indicator_id", "  ", "has no indicator_id"),
    ("indicator_id", None, "has no indicator_id"),
    ("framework_id", "", "has no framework_id"),
    ("status", "Purple",
     "has the status 'Purple', which is not one of Green, Amber, Red, Not rated, No data"),
    ("status", None, "has no status"),
    ("actual", "12%", "has the actual '12%', which is not a number"),
    ("target", float("inf"), "has the target 'inf', which is not a number"),
])
def test_a_bad_row_records_nothing(tmp_path: Path, column: str, value: Any, message: str) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before, data = dump(path), path.read_bytes()
    given = rows()
    given[column] = given[column].astype(object)
    given.loc[9, column] = value  # the 10th row
    with HistoryStore(path) as store, pytest.raises(HistoryError) as info:
        store.record(given, [framework(version="2")])
    assert str(info.value) == f"Row 10 of the observations to record {message}; nothing was recorded."
    assert dump(path) == before and path.read_bytes() == data


def test_other_inputs_that_record_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before = dump(path)
    twice = pd.concat([rows(), rows("2018/19 Q2", {"1.3": 1.0})], ignore_index=True)
    unknown = rows("2019-20-Q1")
    cases = [
        (rows().drop(columns=["source_cell", "reason"]),
         "The observations to record have no reason, source_cell columns; nothing was recorded."),
        (twice, "Row 13 of the observations to record repeats indicator 1.3 for 2018-19-Q2 "
                "(row 3); nothing was recorded."),
        (unknown, "Row 1 of the observations to record names the framework 'rbwm-2019-20', "
                  f"which is neither given nor recorded in {path}; nothing was recorded."),
    ]
    with HistoryStore(path) as store:
        for frame, message in cases:
            with pytest.raises(HistoryError) as info:
                store.record(frame, [framework(version="2")])
            assert str(info.value) == message
        with pytest.raises(HistoryError) as info:
            store.record(rows(), [framework(version="2"), framework(version="3")])
        assert str(info.value) == ("Two frameworks for 2018-19 were given to record (rbwm-2018-19 "
                                   "and rbwm-2018-19); nothing was recorded.")
    assert dump(path) == before


# -- one transaction ----------------------------------------------------------------------------

@pytest.mark.parametrize("error", [sqlite3.OperationalError("disk I/O error"), RuntimeError("boom")])
def test_a_failure_part_way_leaves_the_store_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before, data = dump(path), path.read_bytes()
    real = store_module._save
    calls: list[str] = []

    def save_then_fail(*args: Any) -> str:
        if len(calls) == 9:
            raise error
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(store_module, "_save", save_then_fail)
    # Every Q1 value changes (each logged) and Q2 is new, with a new version of the framework.
    changed = rows("2018-19-Q1", {i: 50.0 for i in IDS}, sha="c" * 64)
    given = pd.concat([changed, rows("2018-19-Q2")], ignore_index=True)
    with HistoryStore(path) as store:
        with pytest.raises(HistoryError if isinstance(error, sqlite3.Error) else type(error)) as info:
            store.record(given, [framework(ids=IDS[:3], version="2")])
        assert calls == ["replaced"] * 9  # nine rows were written before the failure
        if isinstance(error, sqlite3.Error):
            assert str(info.value) == f"The history store {path} cannot be used: disk I/O error."
        assert dump(path) == before and path.read_bytes() == data
        assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite"]  # no journal left
        monkeypatch.setattr(store_module, "_save", real)
        assert store.record(given, [framework()]).sentence == (
            "Recorded 24 values for 2018/19 Q1 to 2018/19 Q2 in h.sqlite: 12 added, 12 changed, "
            "0 unchanged.")
    with HistoryStore(path) as store:
        assert len(store.changes()) == 12


# -- two runs at once ---------------------------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from rbwm_pmf.history.store import HistoryStore
from tests.test_history_store import framework, rows

path, year, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
ids = tuple(str(n) for n in range(300))
frames = [rows(f"{year}-Q{q}", {i: q + n / 7 for n, i in enumerate(ids)}) for q in range(1, 5)]
(folder / f"ready-{year}").touch()
deadline = time.monotonic() + 60
while not (folder / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.005)
for n in range(20):  # both runs create each of these stores at the same moment
    HistoryStore(folder / f"new-{n}.sqlite", timeout=60).close()
for frame in frames:
    with HistoryStore(path, timeout=60) as store:
        store.record(frame, [framework(year, ids)], command=f"child {year}")
"""


def test_two_processes_recording_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"  # not there yet: both runs may create it
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), year, str(tmp_path)],
                                 cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for year in ("2016-17", "2017-18")]
    try:
        deadline = time.monotonic() + 60
        while (not all((tmp_path / f"ready-{y}").exists() for y in ("2016-17", "2017-18"))
               and time.monotonic() < deadline and all(c.poll() is None for c in children)):
            time.sleep(0.005)
        (tmp_path / "go").touch()
        results = [c.communicate(timeout=60) for c in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err.decode()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    for n in range(20):
        with HistoryStore(tmp_path / f"new-{n}.sqlite", create=False) as store:
            assert len(store.runs()) == 0
    with HistoryStore(path, create=False) as store:
        assert store.periods() == [f"{y}-Q{q}" for y in ("2016-17", "2017-18") for q in range(1, 5)]
        assert len(store.observations()) == 8 * 300
        assert sorted(store.runs()["command"]) == ["child 2016-17"] * 4 + ["child 2017-18"] * 4
        assert store.observations(["299"], ["2017-18-Q3"])["actual"].iloc[0] == 3 + 299 / 7
        assert len(store.changes()) == 0


def test_a_store_another_run_is_writing_to_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before = dump(path)
    busy = f"Another run is writing to the history store {path}; try again when it has finished."
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with HistoryStore(path, timeout=0.2) as store:  # reading is still possible
            assert store.periods() == ["2018-19-Q1"]
            started = time.monotonic()
            with pytest.raises(HistoryBusy) as info:
                store.record(rows(), [framework()])
            assert 0.15 <= time.monotonic() - started < 10
            assert str(info.value) == busy
            other.execute("ROLLBACK")
            other.execute("BEGIN EXCLUSIVE")  # now not even reading
            with pytest.raises(HistoryBusy) as info:
                store.observations()
            assert str(info.value) == busy
            with pytest.raises(HistoryBusy) as info:
                HistoryStore(path, timeout=0.1)
            assert str(info.value) == busy
            other.execute("ROLLBACK")
            assert dump(path) == before
            assert store.record(rows(), [framework()]).added == 12  # once the other has finished
    finally:
        other.close()


# -- what is not a store -----------------------------------------------------------------------

def test_files_that_are_not_a_store(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("Quarter 2 notes\n" * 100, "utf-8")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    cases = {
        text: f"{text} is not an rbwm-pmf history store: it is not an SQLite database.",
        other: f"{other} is not an rbwm-pmf history store: it is an SQLite database of another program.",
        tmp_path: f"{tmp_path} is a folder, not an rbwm-pmf history store.",
    }
    for path, message in cases.items():
        before = path.read_bytes() if path.is_file() else None
        with pytest.raises(HistoryError) as info:
            HistoryStore(path)
        assert str(info.value) == message
        assert before is None or path.read_bytes() == before
    with pytest.raises(HistoryError) as info:
        HistoryStore(empty, create=False)
    assert str(info.value) == f"{empty} is not an rbwm-pmf history store: it is an empty database."
    with HistoryStore(empty) as store:  # an empty file may become a store
        assert store.periods() == []


def test_a_store_of_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows())
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 2")
    con.close()
    with pytest.raises(HistoryError) as info:
        HistoryStore(path)
    assert str(info.value) == (f"{path} is a history store of a newer rbwm-pmf (schema version 2; "
                               "this version reads 1): upgrade rbwm-pmf to use it.")


def test_places_a_store_cannot_be(tmp_path: Path) -> None:
    missing = tmp_path / "h.sqlite"
    with pytest.raises(HistoryError) as info:
        HistoryStore(missing, create=False)
    assert str(info.value) == f"There is no history store at {missing}."
    nowhere = tmp_path / "no such folder" / "h.sqlite"
    with pytest.raises(HistoryError) as info:
        HistoryStore(nowhere)
    assert str(info.value) == (f"Cannot create the history store {nowhere}: there is no folder "
                               f"{nowhere.parent}.")
    (tmp_path / "a file").write_text("x", "utf-8")
    under_a_file = tmp_path / "a file" / "h.sqlite"
    with pytest.raises(HistoryError) as info:
        HistoryStore(under_a_file)
    assert str(info.value) == (f"Cannot create the history store {under_a_file}: there is no folder "
                               f"{under_a_file.parent}.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that apply (not root)")
def test_a_read_only_store(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before = dump(path)
    path.chmod(0o444)
    try:
        with HistoryStore(path) as store:
            assert store.periods() == ["2018-19-Q1"]
            with pytest.raises(HistoryError) as info:
                store.record(rows(), [framework()])
        assert str(info.value) == f"Cannot write the history store {path}: it is read-only."
        assert dump(path) == before
    finally:
        path.chmod(0o644)


def test_a_store_sqlite_will_not_write(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows("2018-19-Q1"))
    before = dump(path)
    with HistoryStore(path) as store:
        # As SQLite says of a read-only file (which root, running these tests, cannot make).
        store._connection().execute("PRAGMA query_only = ON")
        with pytest.raises(HistoryError) as info:
            store.record(rows(), [framework()])
    assert str(info.value) == f"Cannot write the history store {path}: it is read-only."
    assert dump(path) == before


# -- the CSV export -----------------------------------------------------------------------------

def test_export_csv(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    q1 = rows("2018-19-Q1", {"1.1": 85.49, "1.2": None})
    q1.loc[0, "commentary"] = "=HYPERLINK(\"http://x\")"
    recorded(path, rows("2018-19-Q2"), q1)
    out = tmp_path / "history.csv"
    with HistoryStore(path) as store:
        assert store.export_csv(out) == out
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 15
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends in CRLF
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0] == [
        "framework_id", "period", "indicator_id", "actual", "target", "status", "reason",
        "data_status", "commentary", "mitigation", "source_file", "source_sha256", "source_cell",
        "year", "quarter", "recorded_at", "run_id"]
    assert len(table) == 1 + 14
    assert table[1][:6] == ["rbwm-2018-19", "2018-19-Q1", "1.1", "85.49", "80.0", "Green"]
    assert table[1][8] == "'=HYPERLINK(\"http://x\")"  # inert in a spreadsheet
    assert table[2][3] == "" and table[2][5] == "No data"
    assert table[1][13:15] == ["2018-19", "1"] and table[3][1] == "2018-19-Q2"


def test_a_failed_export_leaves_the_earlier_one_whole(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    recorded(path, rows())
    out = tmp_path / "history.csv"
    with HistoryStore(path) as store:
        store.export_csv(out)
        earlier = out.read_bytes()

        def half_then_full_disk(frame: pd.DataFrame, stream: Any) -> None:
            stream.write(b"framework_id,period\r\n")
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(store_module, "_write_csv", half_then_full_disk)
        with pytest.raises(OutputError) as info:
            store.export_csv(out)
    assert str(info.value) == (f"Cannot write {out}: there is not enough disk space. Nothing was "
                               "changed at that path.")
    assert out.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite", "history.csv"]


# -- start-up -----------------------------------------------------------------------------------

def test_importing_the_store_does_not_import_pandas() -> None:
    code = "import sys, rbwm_pmf.history.store; print('pandas' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"
