"""The history store: one SQLite file holding each quarter's values and RAG ratings, year after
year, so a report can compare with the same quarter last year and draw trends.

Tables (tidy: one fact a row; timestamps are UTC, like ``2026-11-27T17:30:05Z``)::

    store_info(key TEXT PRIMARY KEY, value TEXT)
        -- schema_version ("1") and created_at
    frameworks(framework_id TEXT PRIMARY KEY, year, name, council, version, source, recorded_at)
        -- each framework version recorded; recorded_at is when it was last changed
    indicators(year, indicator_id, name, definition, priority, owner, panel, unit, polarity,
               frequency, measure_type, q1_target, q2_target, q3_target, q4_target, tolerance,
               tolerance_type, data_only, replaces, rebased, replaces_note,
               PRIMARY KEY (year, indicator_id))
        -- each year's indicators, in register order; all of a year's rows are replaced when a
        -- framework of that year is recorded
    observations(indicator_id, period, year, quarter, framework_id, actual, target, status,
                 reason, data_status, commentary, mitigation, source_file, source_sha256,
                 source_cell, recorded_at, run_id, PRIMARY KEY (indicator_id, period))
        -- one indicator in one quarter: its value, target, rating and where the value came
        -- from; recorded_at and run_id say when it was last added or changed
    changes(change_id INTEGER PRIMARY KEY, run_id, indicator_id, period, old_actual,
            new_actual, old_status, new_status, old_file, new_file, old_sha256, new_sha256,
            changed_at)
        -- one row for each observation a later run changed, with what it was before
    runs(run_id INTEGER PRIMARY KEY, recorded_at, command, periods, rows)
        -- each record(): the command that ran it, the periods (", " between) and rows given

``period`` is written like ``2018-19-Q2``, ``year`` like ``2018-19`` and ``quarter`` is 1 to 4.
Values and targets are REAL (a float is kept exactly), ``data_only`` and ``rebased`` are 0 or
1, ``status`` is Green, Amber, Red, Not rated or No data. A blank text is stored as NULL.
The file says what it is: ``PRAGMA application_id`` is 0x52425748 ("RBWH") and
``PRAGMA user_version`` is the schema version.

Journal: SQLite's default rollback journal (DELETE mode), not WAL, so the store is always one
file to copy or back up (WAL would leave -wal and -shm files beside it); a ``-journal`` file
exists beside it only while a run is writing. Each `HistoryStore.record` is one transaction
(``BEGIN IMMEDIATE`` ... ``COMMIT``): a failure rolls it back, leaving the store as it was. Two
runs writing at once take turns: the second waits up to ``timeout`` seconds, then raises
HistoryBusy. No lock is held between calls.

The DataFrames read back give missing numbers as NaN (float columns) and missing text as None.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from rbwm_pmf.errors import HistoryBusy, HistoryError, PeriodError
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.status import STATUSES
from rbwm_pmf.model.values import is_missing
from rbwm_pmf.output.files import write_csv as _write_csv
from rbwm_pmf.output.files import write_replacing

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
APPLICATION_ID = 0x52425748  # "RBWH": an rbwm-pmf history store
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "framework_id", "period", "indicator_id", "actual", "target", "status", "reason",
    "data_status", "commentary", "mitigation", "source_file", "source_sha256", "source_cell",
)
# What observations() and export_csv() give: the columns record() takes, then the store's own.
STORED_COLUMNS: tuple[str, ...] = (*OBSERVATION_COLUMNS, "year", "quarter", "recorded_at", "run_id")
CHANGE_COLUMNS: tuple[str, ...] = (
    "change_id", "run_id", "indicator_id", "period", "old_actual", "new_actual", "old_status",
    "new_status", "old_file", "new_file", "old_sha256", "new_sha256", "changed_at",
)
RUN_COLUMNS: tuple[str, ...] = ("run_id", "recorded_at", "command", "periods", "rows")
FRAMEWORK_COLUMNS: tuple[str, ...] = (
    "framework_id", "year", "name", "council", "version", "source", "recorded_at",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "year", "indicator_id", "name", "definition", "priority", "owner", "panel", "unit",
    "polarity", "frequency", "measure_type", "q1_target", "q2_target", "q3_target", "q4_target",
    "tolerance", "tolerance_type", "data_only", "replaces", "rebased", "replaces_note",
)

_SCHEMA = (
    "CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE frameworks (
        framework_id TEXT PRIMARY KEY, year TEXT NOT NULL, name TEXT, council TEXT,
        version TEXT, source TEXT, recorded_at TEXT NOT NULL)""",
    """CREATE TABLE indicators (
        year TEXT NOT NULL, indicator_id TEXT NOT NULL, name TEXT, definition TEXT,
        priority TEXT, owner TEXT, panel TEXT, unit TEXT, polarity TEXT, frequency TEXT,
        measure_type TEXT, q1_target REAL, q2_target REAL, q3_target REAL, q4_target REAL,
        tolerance REAL, tolerance_type TEXT, data_only INTEGER NOT NULL, replaces TEXT,
        rebased INTEGER NOT NULL, replaces_note TEXT,
        PRIMARY KEY (year, indicator_id))""",
    """CREATE TABLE observations (
        indicator_id TEXT NOT NULL, period TEXT NOT NULL, year TEXT NOT NULL,
        quarter INTEGER NOT NULL, framework_id TEXT NOT NULL, actual REAL, target REAL,
        status TEXT NOT NULL, reason TEXT, data_status TEXT, commentary TEXT, mitigation TEXT,
        source_file TEXT, source_sha256 TEXT, source_cell TEXT, recorded_at TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (indicator_id, period))""",
    "CREATE INDEX observations_by_period ON observations (year, quarter)",
    """CREATE TABLE changes (
        change_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, indicator_id TEXT NOT NULL,
        period TEXT NOT NULL, old_actual REAL, new_actual REAL, old_status TEXT,
        new_status TEXT, old_file TEXT, new_file TEXT, old_sha256 TEXT, new_sha256 TEXT,
        changed_at TEXT NOT NULL)""",
    """CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, command TEXT NOT NULL,
        periods TEXT NOT NULL, "rows" INTEGER NOT NULL)""",
)


@dataclass(frozen=True)
class Change:
    """One observation a record changed: what it was and what it is now."""

    indicator_id: str
    period: str
    old_actual: float | None
    new_actual: float | None
    old_status: str | None
    new_status: str | None
    old_file: str | None
    new_file: str | None
    old_sha256: str | None
    new_sha256: str | None


@dataclass(frozen=True)
class RecordSummary:
    """What one `HistoryStore.record` did: how many observations it added, changed (`replaced`)
    and found unchanged, and each change."""

    run_id: int
    added: int
    replaced: int
    unchanged: int
    changes: tuple[Change, ...]
    periods: tuple[str, ...]  # the periods recorded, oldest first, like 2018-19-Q2
    path: Path

    @property
    def rows(self) -> int:
        return self.added + self.replaced + self.unchanged

    @property
    def sentence(self) -> str:
        """"Recorded 25 values for 2018/19 Q2 in h.sqlite: 3 added, 1 changed, 21 unchanged."."""
        labels = [Period.parse(p).label for p in self.periods]
        span = "" if not labels else f" for {labels[0]}" if len(labels) == 1 else (
            f" for {labels[0]} to {labels[-1]}")
        noun = "value" if self.rows == 1 else "values"
        return (f"Recorded {self.rows} {noun}{span} in {self.path.name}: {self.added} added, "
                f"{self.replaced} changed, {self.unchanged} unchanged.")

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "periods": list(self.periods), "added": self.added,
                "changed": self.replaced, "unchanged": self.unchanged,
                "changes": [asdict(c) for c in self.changes], "summary": self.sentence}


class _Row(NamedTuple):
    """One observation as the store keeps it (without recorded_at and run_id)."""

    framework_id: str
    period: str
    year: str
    quarter: int
    indicator_id: str
    actual: float | None
    target: float | None
    status: str
    reason: str | None
    data_status: str | None
    commentary: str | None
    mitigation: str | None
    source_file: str | None
    source_sha256: str | None
    source_cell: str | None


_ROW_FIELDS = ", ".join(_Row._fields)


class HistoryStore:
    """One SQLite file holding the framework's history.

    Opening checks that the file is a history store this version reads (a missing file is
    created with its tables unless `create` is False); `timeout` is how many seconds a call
    waits for another run's write to finish before raising HistoryBusy. Every problem is a
    HistoryError of one sentence naming the file.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0, create: bool = True) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = _open(self.path, timeout, create)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r})"

    def close(self) -> None:
        """Close the file (calling it again does nothing)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- writing ------------------------------------------------------------------------------

    def record(self, observations: pd.DataFrame, frameworks: Sequence[Framework], *,
               command: str = "") -> RecordSummary:
        """Record `observations` (the OBSERVATION_COLUMNS; others are ignored) and `frameworks`
        in one transaction, and say what changed.

        A given observation replaces the store's one for the same indicator and period; if any
        of its values differ, the change is logged. Observations not given are left alone; the
        indicators of each framework's year are replaced by the framework's. Raises
        HistoryError, recording nothing, for a row without an indicator, period, status or a
        known framework, or if the file cannot be written.
        """
        conn = self._connection()
        rows = _rows(observations)
        given = _frameworks(frameworks)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from exc
        stamp = _now()  # once the store is this run's: run ids and times go up together
        try:
            summary = self._record(conn, rows, given, command, stamp)
            conn.execute("COMMIT")
        except BaseException as exc:
            _rollback(conn)
            if isinstance(exc, sqlite3.Error):
                raise _problem(self.path, exc) from exc
            raise
        return summary

    def _record(self, conn: sqlite3.Connection, rows: list[_Row], given: Sequence[Framework],
                command: str, stamp: str) -> RecordSummary:
        periods = sorted({r.period for r in rows}, key=Period.parse)
        cursor = conn.execute(
            'INSERT INTO runs (recorded_at, command, periods, "rows") VALUES (?, ?, ?, ?)',
            (stamp, command, ", ".join(periods), len(rows)))
        run_id = int(cursor.lastrowid or 0)
        for fw in given:
            _save_framework(conn, fw, stamp)
        known = {fid for (fid,) in conn.execute("SELECT framework_id FROM frameworks")}
        for number, row in enumerate(rows, start=1):
            if row.framework_id not in known:
                raise HistoryError(
                    f"Row {number} of the observations to record names the framework "
                    f"'{row.framework_id}', which is neither given nor recorded in {self.path}; "
                    "nothing was recorded.")
        marks = ", ".join("?" * len(periods))
        before = {(r.indicator_id, r.period): r for r in map(_Row._make, conn.execute(
            f"SELECT {_ROW_FIELDS} FROM observations WHERE period IN ({marks})", periods))}
        counts = {"added": 0, "replaced": 0, "unchanged": 0}
        changes: list[Change] = []
        for row in rows:
            old = before.get((row.indicator_id, row.period))
            outcome = _save(conn, row, old, stamp, run_id)
            counts[outcome] += 1
            if old is not None and outcome == "replaced":
                changes.append(Change(row.indicator_id, row.period, old.actual, row.actual,
                                      old.status, row.status, old.source_file, row.source_file,
                                      old.source_sha256, row.source_sha256))
        return RecordSummary(run_id, counts["added"], counts["replaced"], counts["unchanged"],
                             tuple(changes), tuple(periods), self.path)

    # -- reading ------------------------------------------------------------------------------

    def observations(self, indicator_ids: Iterable[str] | None = None,
                     periods: Iterable[str] | None = None) -> pd.DataFrame:
        """The observations recorded (of these indicators and periods, if given), ordered by
        period then indicator id: the OBSERVATION_COLUMNS, then year, quarter, recorded_at and
        run_id (STORED_COLUMNS)."""
        where: list[str] = []
        params: list[Any] = []
        if indicator_ids is not None:
            ids = [str(i) for i in indicator_ids]
            where.append(f"indicator_id IN ({', '.join('?' * len(ids))})")
            params += ids
        if periods is not None:
            try:
                names = [str(Period.parse(p)) for p in periods]
            except PeriodError as exc:
                raise HistoryError(str(exc)) from exc
            where.append(f"period IN ({', '.join('?' * len(names))})")
            params += names
        sql = (f"SELECT {', '.join(STORED_COLUMNS)} FROM observations"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY year, quarter, indicator_id")
        return _frame(self._select(sql, params), STORED_COLUMNS, floats={"actual", "target"},
                      ints={"quarter", "run_id"})

    def changes(self) -> pd.DataFrame:
        """Every change logged, oldest first (CHANGE_COLUMNS)."""
        rows = self._select(f"SELECT {', '.join(CHANGE_COLUMNS)} FROM changes ORDER BY change_id")
        return _frame(rows, CHANGE_COLUMNS, floats={"old_actual", "new_actual"},
                      ints={"change_id", "run_id"})

    def runs(self) -> pd.DataFrame:
        """Every record() run, oldest first (RUN_COLUMNS)."""
        rows = self._select('SELECT run_id, recorded_at, command, periods, "rows" FROM runs '
                            "ORDER BY run_id")
        return _frame(rows, RUN_COLUMNS, ints={"run_id", "rows"})

    def frameworks(self) -> pd.DataFrame:
        """The framework versions recorded, by year (FRAMEWORK_COLUMNS)."""
        rows = self._select(f"SELECT {', '.join(FRAMEWORK_COLUMNS)} FROM frameworks "
                            "ORDER BY year, framework_id")
        return _frame(rows, FRAMEWORK_COLUMNS)

    def indicators(self, year: str | None = None) -> pd.DataFrame:
        """The indicators recorded (of one year, like 2018-19, if given), by year in register
        order (INDICATOR_COLUMNS; data_only and rebased as booleans)."""
        sql = f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicators"
        params = [] if year is None else [year]
        if year is not None:
            sql += " WHERE year = ?"
        rows = self._select(sql + " ORDER BY year, rowid", params)
        targets = {f"q{q}_target" for q in range(1, 5)}
        return _frame(rows, INDICATOR_COLUMNS, floats={*targets, "tolerance"},
                      bools={"data_only", "rebased"})

    def series(self, indicator_id: str) -> pd.DataFrame:
        """One indicator's observations, oldest first, followed back through the ids it
        `replaces` in the registers recorded (see `observations` for the columns)."""
        links = self._select("SELECT indicator_id, replaces FROM indicators "
                             "WHERE replaces IS NOT NULL AND replaces != ''")
        ids = [indicator_id]
        while True:
            more = [old for new, old in links if new in ids and old not in ids]
            if not more:
                break
            ids += more
        return self.observations(ids)

    def periods(self) -> list[str]:
        """The periods with observations, oldest first, like 2016-17-Q1."""
        found = [p for (p,) in self._select("SELECT DISTINCT period FROM observations")]
        return sorted(found, key=Period.parse)

    def export_csv(self, path: str | Path) -> Path:
        """Write every observation to a tidy CSV file (UTF-8 with a BOM, CRLF line ends, a
        header row; a text starting like a formula gets a leading '), replacing `path` only
        once it is whole. Raises OutputError if it cannot be written."""
        frame = self.observations()
        return write_replacing(Path(path), partial(_write_csv, frame))

    # -- helpers ------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError(f"The history store {self.path} has been closed.")
        return self._conn

    def _select(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from exc


# -- opening -----------------------------------------------------------------------------------

def _open(path: Path, timeout: float, create: bool) -> sqlite3.Connection:
    """A connection to the store at `path`, created first if missing and `create` is True."""
    if path.is_dir():
        raise HistoryError(f"{path} is a folder, not an rbwm-pmf history store.")
    if not path.exists():
        if not create:
            raise HistoryError(f"There is no history store at {path}.")
        if not path.parent.is_dir():
            raise HistoryError(f"Cannot create the history store {path}: there is no folder "
                               f"{path.parent}.")
    try:
        # Autocommit: record() begins and ends its own transaction.
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise _problem(path, exc) from exc
    try:
        _check(conn, path, create)
    except BaseException:
        conn.close()
        raise
    return conn


def _check(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    """Raise HistoryError unless `conn` is a store of this schema; create an empty one's tables."""
    try:
        state = _state(conn)
        if state == (0, 0, False) and create:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _state(conn) == (0, 0, False):  # not made by another run meanwhile
                    _create(conn)
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            state = _state(conn)
    except sqlite3.Error as exc:
        raise _problem(path, exc) from exc
    app, version, tables = state
    if app == APPLICATION_ID and version == SCHEMA_VERSION:
        return
    if app == APPLICATION_ID and version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path} is a history store of a newer rbwm-pmf (schema version {version}; this "
            f"version reads {SCHEMA_VERSION}): upgrade rbwm-pmf to use it.")
    why = ("it is an empty database" if not tables and app == 0 else
           "it is an SQLite database of another program")
    raise HistoryError(f"{path} is not an rbwm-pmf history store: {why}.")


def _state(conn: sqlite3.Connection) -> tuple[int, int, bool]:
    """The file's application id, its user version, and whether it holds any table: read in
    one statement, so all three are of the same moment (another run may be creating it)."""
    app, version, tables = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id), "
        "(SELECT user_version FROM pragma_user_version), "
        "(SELECT count(*) FROM sqlite_master)").fetchone()
    return int(app), int(version), bool(tables)


def _create(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.executemany("INSERT INTO store_info (key, value) VALUES (?, ?)",
                     [("schema_version", str(SCHEMA_VERSION)), ("created_at", _now())])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back the transaction, if one is open (a failed rollback is left to SQLite's
    journal, which the next connection replays)."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _problem(path: Path, exc: sqlite3.Error) -> HistoryError:
    """The HistoryError, of one sentence, for an SQLite error with the store at `path`."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return HistoryBusy(f"Another run is writing to the history store {path}; try again when "
                           "it has finished.")
    if name == "SQLITE_NOTADB":
        return HistoryError(f"{path} is not an rbwm-pmf history store: it is not an SQLite "
                            "database.")
    if name == "SQLITE_READONLY_DIRECTORY":
        return HistoryError(f"Cannot write the history store {path}: its folder is read-only.")
    if name.startswith("SQLITE_READONLY"):
        return HistoryError(f"Cannot write the history store {path}: it is read-only.")
    if name == "SQLITE_FULL":
        return HistoryError(f"Cannot write the history store {path}: the disk is full.")
    if name.startswith("SQLITE_CANTOPEN"):
        return HistoryError(f"Cannot open the history store {path}: the file or its folder "
                            "cannot be read or written.")
    if name.startswith("SQLITE_CORRUPT"):
        return HistoryError(f"The history store {path} is damaged: restore it from a backup.")
    return HistoryError(f"The history store {path} cannot be used: {exc}.")


# -- recording ---------------------------------------------------------------------------------

def _save(conn: sqlite3.Connection, row: _Row, old: _Row | None, stamp: str, run_id: int) -> str:
    """Write one observation over `old` (the store's, if any): "added", "replaced" (and the
    change logged) or "unchanged" (nothing written)."""
    if old is not None and (row == old or (
            row.source_sha256 and row.source_sha256 == old.source_sha256
            and row._replace(source_file=old.source_file) == old)):
        return "unchanged"  # the same file, perhaps read from another folder
    conn.execute(
        f"INSERT OR REPLACE INTO observations ({_ROW_FIELDS}, recorded_at, run_id) "
        f"VALUES ({', '.join('?' * (len(row) + 2))})", (*row, stamp, run_id))
    if old is None:
        return "added"
    conn.execute(
        f"INSERT INTO changes ({', '.join(CHANGE_COLUMNS[1:])}) VALUES ({', '.join('?' * 12)})",
        (run_id, row.indicator_id, row.period, old.actual, row.actual, old.status, row.status,
         old.source_file, row.source_file, old.source_sha256, row.source_sha256, stamp))
    return "replaced"


def _save_framework(conn: sqlite3.Connection, fw: Framework, stamp: str) -> None:
    """Record a framework version (its recorded_at changes only when it does) and make its
    year's indicators its own."""
    values = (fw.year, _text(fw.name), _text(fw.council), _text(fw.version), _text(fw.source))
    old = conn.execute("SELECT year, name, council, version, source FROM frameworks "
                       "WHERE framework_id = ?", (fw.id,)).fetchone()
    if old != values:
        conn.execute("INSERT OR REPLACE INTO frameworks (framework_id, year, name, council, "
                     "version, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (fw.id, *values, stamp))
    conn.execute("DELETE FROM indicators WHERE year = ?", (fw.year,))
    conn.executemany(
        f"INSERT INTO indicators ({', '.join(INDICATOR_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(INDICATOR_COLUMNS))})",
        [(fw.year, i.id, _text(i.name), _text(i.definition), _text(i.priority), _text(i.owner),
          _text(i.panel), _text(i.unit), _text(i.polarity), _text(i.frequency),
          _text(i.measure_type), *i.targets, i.tolerance, _text(i.tolerance_type),
          int(i.data_only), _text(i.replaces), int(i.rebased), _text(i.replaces_note))
         for i in fw.indicators])


def _frameworks(frameworks: Sequence[Framework]) -> list[Framework]:
    """The frameworks given, each once; HistoryError if two are for the same year."""
    out: dict[str, Framework] = {}
    for fw in frameworks:
        other = out.get(fw.year)
        if other is not None and other != fw:
            raise HistoryError(
                f"Two frameworks for {fw.year} were given to record ({other.id} and {fw.id}); "
                "nothing was recorded.")
        out[fw.year] = fw
    return list(out.values())


def _rows(frame: pd.DataFrame) -> list[_Row]:
    """The observations of `frame` as the store keeps them; HistoryError for a bad row."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in frame.columns]
    if missing:
        raise HistoryError(f"The observations to record have no {', '.join(missing)} "
                           f"column{'s' if len(missing) > 1 else ''}; nothing was recorded.")
    seen: dict[tuple[str, str], int] = {}
    rows: list[_Row] = []
    records = frame[list(OBSERVATION_COLUMNS)].to_dict(orient="records")
    for number, rec in enumerate(records, start=1):
        try:
            row = _row(rec)
        except ValueError as exc:
            raise HistoryError(f"Row {number} of the observations to record {exc}; nothing was "
                               "recorded.") from None
        key = (row.indicator_id, row.period)
        if key in seen:
            raise HistoryError(
                f"Row {number} of the observations to record repeats indicator "
                f"{row.indicator_id} for {row.period} (row {seen[key]}); nothing was recorded.")
        seen[key] = number
        rows.append(row)
    return rows


def _row(rec: dict[Any, Any]) -> _Row:
    """One observation from a record of OBSERVATION_COLUMNS; ValueError says what is wrong."""
    framework_id = (_text(rec["framework_id"]) or "").strip()
    indicator_id = (_text(rec["indicator_id"]) or "").strip()
    if not indicator_id:
        raise ValueError("has no indicator_id")
    if not framework_id:
        raise ValueError("has no framework_id")
    text = _text(rec["period"])
    if text is None:
        raise ValueError("has no period")
    try:
        period = Period.parse(text)
    except PeriodError:
        raise ValueError(f"has the period '{text}', which is not a period like 2018-19-Q2") from None
    status = _text(rec["status"])
    if status is None:
        raise ValueError("has no status")
    if status not in STATUSES:
        raise ValueError(f"has the status '{status}', which is not one of {', '.join(STATUSES)}")
    return _Row(framework_id, str(period), period.fy, period.quarter, indicator_id,
                _number(rec["actual"], "actual"), _number(rec["target"], "target"), status,
                *(_text(rec[c]) for c in OBSERVATION_COLUMNS[6:]))


def _number(value: Any, column: str) -> float | None:
    if is_missing(value):
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise ValueError(f"has the {column} '{value}', which is not a number")


def _text(value: Any) -> str | None:
    """A text as stored: None for a missing or empty one."""
    if is_missing(value):
        return None
    text = str(value)
    return text or None


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- reading -----------------------------------------------------------------------------------

def _frame(rows: list[tuple[Any, ...]], columns: Sequence[str], *, floats: Iterable[str] = (),
           ints: Iterable[str] = (), bools: Iterable[str] = ()) -> pd.DataFrame:
    """`rows` as a DataFrame: float columns with NaN for missing, text with None."""
    import pandas as pd

    kinds: dict[str, Any] = {**dict.fromkeys(floats, "float64"), **dict.fromkeys(ints, "int64"),
                             **dict.fromkeys(bools, "bool")}
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    # Built column by column: a text column keeps None (a frame built from rows would make NaN).
    return pd.DataFrame({name: pd.Series(column, dtype=kinds.get(name, object))
                         for name, column in zip(columns, values, strict=True)},
                        columns=list(columns))
