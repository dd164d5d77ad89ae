"""Loading the framework register from YAML or Excel, checking it, and caching a checked one."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from rbwm_pmf import __version__
from rbwm_pmf.errors import RegisterError, RegisterProblem
from rbwm_pmf.model.framework import (
    FRAMEWORK_FIELDS,
    INDICATOR_COLUMNS,
    OWNER_COLUMNS,
    PANEL_COLUMNS,
    PRIORITY_COLUMNS,
    UNIT_WORDS,
    UNITS,
    Framework,
    Indicator,
    Owner,
    Panel,
    Priority,
)
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.values import is_missing, plain_number
from rbwm_pmf.validation.rules import REGISTER_MESSAGES
from rbwm_pmf.validation.rules.register import REGISTER_ID_NUMBER_YAML

if TYPE_CHECKING:
    from rbwm_pmf.reading.xlsx import Cell

DEFAULT_REGISTER = "rbwm-2017-18.yaml"
ROW_KEY = "__row__"  # the sheet row a record came from (Excel form only)

# The tables of a register: YAML key -> sheet name. Panels may be left out.
SHEETS = {
    "framework": "Framework",
    "priorities": "Priorities",
    "panels": "Panels",
    "owners": "Owners",
    "indicators": "Indicators",
}
OPTIONAL_TABLES = frozenset({"panels"})
TABLE_COLUMNS = {
    "priorities": PRIORITY_COLUMNS,
    "panels": PANEL_COLUMNS,
    "owners": OWNER_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
}
# A problem with one cell's value: other problems with the same cell are its consequences.
_CELL_CODES = frozenset({"register-error-value", "register-id-number"})


# -- loading -------------------------------------------------------------------------------

def load_framework(source: str | Path | Mapping[str, Any] | None = None) -> Framework:
    """Load and validate a register from YAML (.yaml/.yml) or Excel (.xlsx), or from its tables
    (a dict of DataFrames or lists of rows, as `framework_from_dict` takes); default: RBWM 2017/18.

    A register file that has passed validation is remembered (by the SHA-256 of its file) in a
    cache folder, so the next run loads it at once: `RBWM_PMF_CACHE` names the folder (default
    `~/.cache/rbwm-pmf`); set it to an empty string to turn the cache off.
    """
    if isinstance(source, Mapping):
        return framework_from_dict(source)
    if not isinstance(source, (str, Path, type(None))):
        raise TypeError(_not_a_register(source))
    if source is None:
        # The packaged register is validated by the test suite, so loading it needs neither
        # pandas nor pandera: `rbwm-pmf template` starts fast.
        text = resources.files("rbwm_pmf.data").joinpath(DEFAULT_REGISTER).read_text("utf-8")
        return framework_from_dict(yaml_tables(text, DEFAULT_REGISTER),
                                   f"(packaged) {DEFAULT_REGISTER}", validate=False)
    path = Path(source)
    if not path.exists():
        raise RegisterError(str(path), [RegisterProblem(
            "register-missing-file", str(path), "", "", "", "the file does not exist")])
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".xlsx"}:
        raise RegisterError(str(path), [RegisterProblem(
            "register-format", str(path), "", "", "",
            "a register must be a .yaml, .yml or .xlsx file")])
    data = path.read_bytes()
    key = hashlib.sha256(data + cache_salt()).hexdigest()
    cached = _from_cache(key, str(path))
    if cached is not None:
        return cached
    found: list[RegisterProblem] = []
    if suffix == ".xlsx":
        tables, found = _xlsx_tables(path)
    else:
        tables = yaml_tables(data.decode("utf-8", errors="replace"), str(path))
    framework = _build(tables, str(path), validate=True, found=found)
    _to_cache(key, framework)
    return framework


@functools.cache
def cache_salt() -> bytes:
    """What a cached register depends on besides its file: the package's version and the
    schemas it was checked with. A change to either makes every cached register stale."""
    digest = hashlib.sha256(f"rbwm-pmf {__version__} register cache".encode())
    folder = resources.files("rbwm_pmf.schemas")
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")):
        digest.update(name.encode() + b"\0" + folder.joinpath(name).read_bytes() + b"\0")
    return digest.digest()


def cache_folder() -> Path | None:
    """Where checked registers are cached: `RBWM_PMF_CACHE` (empty: no cache), else
    `$XDG_CACHE_HOME/rbwm-pmf` or `~/.cache/rbwm-pmf`; None when off or there is no home."""
    setting = os.environ.get("RBWM_PMF_CACHE")
    if setting == "":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder: run without a cache
            return None
    return Path(base) / "rbwm-pmf"


def _from_cache(key: str, source: str) -> Framework | None:
    folder = cache_folder()
    if folder is None:
        return None
    try:
        stored = json.loads((folder / f"register-{key}.json").read_text("utf-8"))
        return framework_from_dict(stored, source, validate=False)
    except (OSError, ValueError, RegisterError, TypeError, KeyError):
        return None  # no cache, or an unreadable one: load the file itself


def _to_cache(key: str, framework: Framework) -> None:
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".register-{key}.{os.getpid()}.json"
        temp.write_text(json.dumps(framework.to_dict()), "utf-8")
        os.replace(temp, folder / f"register-{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time


def yaml_tables(text: str, source: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # libyaml's C loader is about ten times faster on a large register; same safe subset.
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, Mapping):
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", "the YAML must be a mapping of tables")])
    tables = dict(data)
    if any(isinstance(r, Mapping) and isinstance(r.get("id"), float)
           for name in TABLE_COLUMNS if isinstance(tables.get(name), list)
           for r in tables[name]):
        _keep_written_ids(tables, yaml.compose(text, Loader=loader))
    return tables


class _WrittenFloat(float):
    """A number YAML read from an unquoted id, with the id as it was written (`1.10`)."""

    written: str


def _keep_written_ids(tables: dict[str, Any], document: Any) -> None:
    """Give each id YAML read as a float the text it was written as, for the message (only
    called when there is one: composing a large register again is slow)."""
    if not isinstance(document, yaml.MappingNode):
        return
    for key, value in document.value:
        rows = tables.get(key.value) if isinstance(key, yaml.ScalarNode) else None
        if not isinstance(rows, list) or not isinstance(value, yaml.SequenceNode):
            continue
        for row, node in zip(rows, value.value, strict=False):
            number = row.get("id") if isinstance(row, dict) else None
            if not isinstance(number, float) or not isinstance(node, yaml.MappingNode):
                continue
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "id" and isinstance(v, yaml.ScalarNode):
                    kept = _WrittenFloat(number)
                    kept.written = v.value
                    row["id"] = kept


def _xlsx_tables(path: Path) -> tuple[dict[str, Any], list[RegisterProblem]]:
    """The tables of an Excel register, and the problems only the workbook shows: unknown or
    repeated headers, error values, ids stored as numbers. Headers are matched to the columns
    without regard to case, spaces and underscores."""
    from rbwm_pmf.reading.xlsx import Workbook, XlsxOpenError

    source = str(path)
    problems: list[RegisterProblem] = []
    try:
        with Workbook(path) as wb:
            real = {name: wb.find_sheet(sheet) for name, sheet in SHEETS.items()}
            missing = [RegisterProblem("register-unreadable", sheet, "", "", "", "the sheet is missing")
                       for name, sheet in SHEETS.items()
                       if real[name] is None and name not in OPTIONAL_TABLES]
            if missing:
                raise RegisterError(source, missing)
            tables: dict[str, Any] = {}
            for name, sheet in SHEETS.items():
                found = real[name]
                if found is None:
                    continue
                cells = wb.read_sheet(found).by_row()
                if name == "framework":
                    tables[name] = _xlsx_fields(cells, problems)
                else:
                    tables[name] = _xlsx_rows(sheet, TABLE_COLUMNS[name], cells, problems)
            return tables, problems
    except XlsxOpenError as exc:
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", f"cannot open the workbook ({exc})")]) from exc


def _xlsx_fields(cells: Mapping[int, Mapping[int, Cell]], problems: list[RegisterProblem]) -> dict[str, Any]:
    """The Framework sheet: the field in column A, its value in column B, from row 2."""
    canonical = {_norm(k): k for k in FRAMEWORK_FIELDS}
    meta: dict[str, Any] = {}
    where: dict[str, str] = {}
    for r, row in cells.items():
        key = row.get(1)
        label = "" if r == 1 or key is None else _text(key.value)
        if not label:
            continue
        ref = f"A{r}"
        name = canonical.get(_norm(label))
        if name is None:
            problems.append(_unknown("Framework", f"cell {ref}", label, FRAMEWORK_FIELDS))
            continue
        if name in where:
            problems.append(_duplicate("Framework", where[name], ref, label, name, "field"))
            continue
        where[name] = ref
        cell = row.get(2)
        value = None if cell is None else cell.value
        if cell is not None and cell.kind == "error":
            problems.append(RegisterProblem("register-error-value", "Framework", "", name, str(value),
                                            REGISTER_MESSAGES["register-error-value"].format(value=value)))
            value = None
        meta[name] = value
    return meta


def _xlsx_rows(
    sheet: str,
    columns: Sequence[str],
    cells: Mapping[int, Mapping[int, Cell]],
    problems: list[RegisterProblem],
) -> list[dict[str, Any]]:
    """A table sheet: the column names in row 1, one record per row below (empty rows are
    absent; each record keeps its sheet row number, under ROW_KEY, for messages)."""
    from rbwm_pmf.reading.xlsx import col_letter

    canonical = {_norm(c): c for c in columns}
    names: dict[int, str] = {}  # sheet column -> column name
    where: dict[str, str] = {}  # column name -> its header cell
    for col, cell in cells.get(1, {}).items():
        label = _text(cell.value)
        if not label:
            continue
        ref = f"{col_letter(col)}1"
        name = canonical.get(_norm(label))
        if name is None:
            problems.append(_unknown(sheet, f"cell {ref}", label, columns))
        elif name in where:
            problems.append(_duplicate(sheet, where[name], ref, label, name, "column"))
        else:
            names[col] = name
            where[name] = ref
    id_col = next((c for c, name in names.items() if name == "id"), 0)
    records = []
    for r, row in cells.items():
        if r == 1:
            continue
        record: dict[str, Any] = {}
        errors: list[tuple[str, Any]] = []
        for col, cell in row.items():
            name = names.get(col)
            if name is None:
                continue
            if cell.kind == "error":
                errors.append((name, cell.value))
                record[name] = None
            else:
                record[name] = cell.value
        id_cell = row.get(id_col)
        numeric_id = id_cell is not None and id_cell.kind == "number"
        if numeric_id:
            record["id"] = plain_number(record["id"])
        if errors or numeric_id:
            place = _where(sheet, r, _text(record.get("id")))
            if numeric_id:
                problems.append(RegisterProblem(
                    "register-id-number", sheet, place, "id", record["id"],
                    REGISTER_MESSAGES["register-id-number"].format(value=record["id"])))
            problems.extend(
                RegisterProblem("register-error-value", sheet, place, name, str(value),
                                REGISTER_MESSAGES["register-error-value"].format(value=value))
                for name, value in errors)
        record[ROW_KEY] = r
        records.append(record)
    return records


def _norm(name: str) -> str:
    """A column name as headers are matched: `Q2 Target`, `q2_target` and `q2target` alike."""
    return _SPACING.sub("", name).casefold()


_SPACING = re.compile(r"[\s_]+")


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    by_norm = {_norm(k): k for k in known}
    close = difflib.get_close_matches(_norm(name), list(by_norm), n=1)
    return f" (did you mean '{by_norm[close[0]]}'?)" if close else ""


def _unknown(table: str, where: str, name: str, known: Iterable[str], rows: int = 1) -> RegisterProblem:
    """`name` is not a column (field, table) of `table`; `rows` is how many rows have it."""
    if table == "Register":
        what = "a table of the register"
    elif table == "Framework":
        what = "a field of the Framework table"
    else:
        what = f"a column of the {table} table"
    message = REGISTER_MESSAGES["register-unknown-column"].format(
        value=name, what=what, suggestion=_did_you_mean(name, known),
        rows=f"; {rows} rows have it" if rows > 1 else "")
    return RegisterProblem("register-unknown-column", table, where,
                           "" if table == "Register" else name, name, message)


def _duplicate(table: str, first: str, second: str, label: str, name: str, kind: str) -> RegisterProblem:
    message = REGISTER_MESSAGES["register-duplicate-column"].format(
        first=first, second=second, kind=kind, value=name)
    return RegisterProblem("register-duplicate-column", table, f"cell {second}", name, label, message)


def _where(table: str, row: Any, rid: str) -> str:
    """Where a row is, for messages: `row 5 (indicator 1.4)`, `row 3 (id ASC)`."""
    noun = "indicator" if table == "Indicators" else "id"
    return f"row {row}" + (f" ({noun} {rid})" if rid else "")


def _text(value: Any) -> str:
    if type(value) is str:  # the usual case, first: a register has many thousands of cells
        return value.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return plain_number(value)
    return str(value).strip()


def _num(value: Any) -> float | None:
    if type(value) in (int, float):
        return None if value != value else float(value)
    text = _text(value)
    if text == "":
        return None
    return float(text)


def _bool(value: Any) -> bool:
    return _text(value).lower() in {"true", "yes", "1", "1.0"}


def framework_from_dict(
    tables: Mapping[str, Any], source: str = "", *, validate: bool = True
) -> Framework:
    """Build and validate a Framework from its tables (the YAML form's shape).

    `framework` is a mapping of fields (or a pandas Series, or a DataFrame of one row), and
    each other table a list of rows or a DataFrame (its empty cells, NaN, are left blank).
    A table, framework field or column that is not one of the register's is a problem, as is an
    id given as a float; the panels table may be left out.
    `validate=False` skips the pandera schema of the Indicators table, for a register already
    known to be valid (the packaged one, or one from the cache); the cheap checks still run.
    """
    if not isinstance(tables, Mapping):
        raise TypeError(_not_a_register(tables))
    return _build({name: _plain_table(name, table) for name, table in tables.items()}, source,
                  validate=validate)


def _not_a_register(given: object) -> str:
    what = type(given).__name__
    one_table = (" A DataFrame is one table of a register: pass it as the indicators of a dict of "
                 "the tables." if what == "DataFrame" else "")
    return (f"A register is the path of a .yaml, .yml or .xlsx file, or a dict of its tables, "
            f"not a {what}.{one_table} For example {{'framework': {{'id': ..., 'name': ..., "
            "'year': '2017-18'}, 'priorities': priorities, 'owners': owners, "
            "'indicators': indicators}, each table a DataFrame or a list of rows.")


def _plain_table(name: object, table: Any) -> Any:
    """A pandas table as the YAML form has it: a DataFrame as a list of rows, the framework's
    Series or one-row DataFrame as a mapping; NaN, NaT and NA as None. Anything else as it is."""
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return table  # no pandas imported, so no DataFrame given
    if isinstance(table, pandas.Series):
        return {str(k): None if is_missing(v) else v for k, v in table.items()}
    if not isinstance(table, pandas.DataFrame):
        return table
    rows = [{str(k): None if is_missing(v) else v for k, v in row.items()}
            for row in table.to_dict("records")]
    if name == "framework" and len(rows) == 1:
        return rows[0]
    return rows  # a framework of several rows is reported as not a mapping of fields


def _build(
    tables: Mapping[str, Any], source: str, *, validate: bool,
    found: Sequence[RegisterProblem] = (),
) -> Framework:
    """framework_from_dict, with the problems already `found` in the file (Excel form)."""
    problems: list[RegisterProblem] = list(found)
    problems.extend(_unknown("Register", "", str(key), SHEETS)
                    for key in tables if key not in SHEETS)
    meta: dict[Any, Any] = {}
    given = tables.get("framework") or {}
    if isinstance(given, Mapping):
        meta = dict(given)
        problems.extend(_unknown("Framework", "", str(key), FRAMEWORK_FIELDS)
                        for key in meta if key not in FRAMEWORK_FIELDS)
    else:
        problems.append(RegisterProblem(
            "register-unreadable", "Framework", "", "", "", "must be a mapping of fields"))
    for key in ("id", "name", "year"):
        if _text(meta.get(key)) == "":
            problems.append(RegisterProblem(
                "register-missing-value", "Framework", "", key, "", "a value is required"))
    year = _text(meta.get("year"))
    if year:
        try:
            Period.parse(f"{year}-Q1")
        except ValueError:
            problems.append(RegisterProblem(
                "register-bad-choice", "Framework", "", "year", year,
                f"'{year}' is not a financial year like 2017-18"))
    wording, wrong_wording = Framework.read_wording(meta)
    problems.extend(wrong_wording)

    def table(name: str) -> list[dict[str, Any]]:
        rows = tables.get(name) or []
        sheet = SHEETS[name]
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            problems.append(RegisterProblem(
                "register-unreadable", sheet, "", "", "", "must be a list of rows"))
            return []
        columns = TABLE_COLUMNS[name]
        problems.extend(_unknown_columns(sheet, rows, columns))
        problems.extend(_float_ids(sheet, rows))
        return [{c: r.get(c) for c in columns} | dict(r) for r in rows]

    priorities = table("priorities")
    panels = table("panels")
    owners = table("owners")
    indicators = table("indicators")
    for name, rows in (("Priorities", priorities), ("Panels", panels), ("Owners", owners)):
        seen: set[str] = set()
        for n, r in enumerate(rows, start=2):
            rid = _text(r.get("id"))
            where = _where(name, r.get(ROW_KEY, n), rid)
            if not rid:
                problems.append(RegisterProblem(
                    "register-missing-value", name, where, "id", "", "a value is required"))
            elif rid in seen:
                problems.append(RegisterProblem(
                    "register-duplicate-id", name, where, "id", rid,
                    f"the id '{rid}' is used more than once"))
            seen.add(rid)
            if not _text(r.get("name")):
                problems.append(RegisterProblem(
                    "register-missing-value", name, where, "name", "", "a value is required"))
        if not rows and name != "Panels":  # a register may have no scrutiny panels
            problems.append(RegisterProblem(
                "register-missing-value", name, "", "", "", "the table has no rows"))
    if not indicators:
        problems.append(RegisterProblem(
            "register-missing-value", "Indicators", "", "", "", "the table has no rows"))
    elif validate:
        problems.extend(_check_indicators(indicators, priorities, panels, owners))
    if problems:
        raise RegisterError(source or "(register)", _one_per_cell(problems))

    # A central collection's register repeats the same priorities, owners, units, targets and
    # definitions across many thousands of rows: each distinct value is held once.
    common: dict[tuple[type, Any], Any] = {}

    def one(value: Any) -> Any:
        return common.setdefault((type(value), value), value)

    def defaulted(r: Mapping[str, Any], key: str, default: str) -> str:
        return one(_text(r.get(key)).lower() or default)

    return Framework(
        id=_text(meta["id"]),
        name=_text(meta["name"]),
        council=_text(meta.get("council")),
        year=year,
        version=_text(meta.get("version")) or "1",
        contact_name=_text(meta.get("contact_name")),
        contact_email=_text(meta.get("contact_email")),
        return_due_days=int(_num(meta.get("return_due_days")) or 21),
        priorities=tuple(
            Priority(_text(r["id"]), _text(r["name"]), int(_num(r.get("order")) or n))
            for n, r in enumerate(priorities, start=1)
        ),
        panels=tuple(Panel(_text(r["id"]), _text(r["name"])) for r in panels),
        owners=tuple(
            Owner(_text(r["id"]), _text(r["name"]), _text(r.get("contact_name")),
                  _text(r.get("contact_email")))
            for r in owners
        ),
        indicators=tuple(
            Indicator(
                id=_text(r["id"]),
                name=_text(r["name"]),
                definition=one(_text(r.get("definition"))),
                priority=one(_text(r["priority"])),
                owner=one(_text(r["owner"])),
                panel=one(_text(r.get("panel"))),
                unit=defaulted(r, "unit", "count"),
                unit_label=one(_text(r.get("unit_label"))
                               or UNIT_WORDS[defaulted(r, "unit", "count")]),
                polarity=defaulted(r, "polarity", "higher"),
                frequency=defaulted(r, "frequency", "quarterly"),
                measure_type=defaulted(r, "measure_type", "snapshot"),
                targets=one(tuple(one(_num(r.get(f"q{q}_target"))) for q in (1, 2, 3, 4))),
                tolerance=one(5.0 if _num(r.get("tolerance")) is None
                              else float(_num(r.get("tolerance")) or 0)),
                tolerance_type=defaulted(r, "tolerance_type", "relative"),
                data_only=_bool(r.get("data_only")),
                min_value=one(_num(r.get("min_value"))),
                max_value=one(_num(r.get("max_value"))),
                replaces=_text(r.get("replaces")),
                rebased=_bool(r.get("rebased")),
                replaces_note=_text(r.get("replaces_note")),
            )
            for r in indicators
        ),
        source=source,
        wording=wording,
    )


def _unknown_columns(
    sheet: str, rows: Sequence[Mapping[Any, Any]], columns: Sequence[str]
) -> list[RegisterProblem]:
    """Each key of the rows that is not a column of the table, once, at the first row that has
    it, saying how many rows have it."""
    known = {*columns, ROW_KEY}
    first: dict[str, int] = {}
    count: dict[str, int] = {}
    for n, r in enumerate(rows):
        if known.issuperset(r):  # the usual row: no allocation
            continue
        for key in r:
            if key not in known:
                name = str(key)
                first.setdefault(name, n)
                count[name] = count.get(name, 0) + 1
    return [
        _unknown(sheet, _where(sheet, rows[n].get(ROW_KEY, n + 2), _text(rows[n].get("id"))),
                 name, columns, count[name])
        for name, n in first.items()
    ]


def _float_ids(sheet: str, rows: Sequence[Mapping[Any, Any]]) -> list[RegisterProblem]:
    """An id YAML read as a number with a fraction (unquoted 1.10 is 1.1): ask for quotes.
    A whole number (3) is kept as it is: nothing of it was lost."""
    problems = []
    for n, r in enumerate(rows):
        number = r.get("id")
        if isinstance(number, float):
            value = _text(number)
            written = getattr(number, "written", value)
            problems.append(RegisterProblem(
                "register-id-number", sheet, _where(sheet, r.get(ROW_KEY, n + 2), value), "id", value,
                REGISTER_ID_NUMBER_YAML.format(value=value, written=written)))
    return problems


def _one_per_cell(problems: list[RegisterProblem]) -> list[RegisterProblem]:
    """Drop what follows from a cell already reported as an error value or a numeric id (an
    error in `name` is not also a missing name)."""
    cells = {(p.sheet, p.row, p.field) for p in problems if p.code in _CELL_CODES}
    if not cells:
        return problems
    return [p for p in problems
            if p.code in _CELL_CODES or (p.sheet, p.row, p.field) not in cells]


def _check_indicators(
    rows: list[dict[str, Any]],
    priorities: Iterable[Mapping[str, Any]],
    panels: Iterable[Mapping[str, Any]],
    owners: Iterable[Mapping[str, Any]],
) -> list[RegisterProblem]:
    import pandas as pd

    from rbwm_pmf.validation.schema import run_schema

    # Column by column: a dict per row would hold a large register a third time.
    frame = pd.DataFrame(
        {c: pd.Series([_text(r.get(c)) or None for r in rows], dtype="object")
         for c in INDICATOR_COLUMNS},
        columns=INDICATOR_COLUMNS,
    )
    reference = {
        "priorities": [_text(p.get("id")) for p in priorities],
        "panels": [_text(p.get("id")) for p in panels],
        "owners": [_text(o.get("id")) for o in owners],
    }
    choices = {
        "unit": list(UNITS),
        "polarity": ["higher", "lower"],
        "frequency": ["quarterly", "half-yearly", "annual"],
        "measure_type": ["snapshot", "cumulative", "rolling"],
        "tolerance_type": ["relative", "absolute"],
    }
    problems = []
    failures = sorted(run_schema("register", frame, reference), key=lambda f: f.index)
    for failure in failures:
        n = failure.index
        where = _where("Indicators", rows[n].get(ROW_KEY, n + 2), _text(rows[n].get("id")))
        value = _text(rows[n].get(failure.field))
        options = choices.get(failure.field, [])
        close = difflib.get_close_matches(value.lower(), options, n=1)
        message = REGISTER_MESSAGES[failure.code].format(
            value=value,
            choices=", ".join(options),
            suggestion=f" (did you mean '{close[0]}'?)" if close else "",
            quarter=failure.field[:2].upper(),
        )
        problems.append(RegisterProblem(failure.code, "Indicators", where, failure.field, value, message))
    return problems
