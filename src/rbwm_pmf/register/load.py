"""Loading the framework register from YAML or Excel, checking it, and caching a checked one."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rbwm_pmf import __version__
from rbwm_pmf.errors import RegisterError, RegisterProblem
from rbwm_pmf.model.framework import (
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
from rbwm_pmf.model.values import plain_number
from rbwm_pmf.validation.rules import REGISTER_MESSAGES

DEFAULT_REGISTER = "rbwm-2017-18.yaml"
ROW_KEY = "__row__"  # the sheet row a record came from (Excel form only)


# -- loading -------------------------------------------------------------------------------

def load_framework(source: str | Path | None = None) -> Framework:
    """Load and validate a register from YAML (.yaml/.yml) or Excel (.xlsx); default: RBWM 2017/18.

    A register that has passed validation is remembered (by the SHA-256 of its file) in a cache
    folder, so the next run loads it at once: `RBWM_PMF_CACHE` names the folder (default
    `~/.cache/rbwm-pmf`); set it to an empty string to turn the cache off.
    """
    if source is None:
        # The packaged register is validated by the test suite, so loading it needs neither
        # pandas nor pandera: `rbwm-pmf template` starts fast.
        text = resources.files("rbwm_pmf.data").joinpath(DEFAULT_REGISTER).read_text("utf-8")
        return framework_from_dict(_yaml_tables(text, DEFAULT_REGISTER),
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
    if suffix == ".xlsx":
        tables = _xlsx_tables(path)
    else:
        tables = _yaml_tables(data.decode("utf-8", errors="replace"), str(path))
    framework = framework_from_dict(tables, str(path))
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


def _cache_folder() -> Path | None:
    setting = os.environ.get("RBWM_PMF_CACHE")
    if setting == "":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rbwm-pmf"


def _from_cache(key: str, source: str) -> Framework | None:
    folder = _cache_folder()
    if folder is None:
        return None
    try:
        stored = json.loads((folder / f"register-{key}.json").read_text("utf-8"))
        return framework_from_dict(stored, source, validate=False)
    except (OSError, ValueError, RegisterError, TypeError, KeyError):
        return None  # no cache, or an unreadable one: load the file itself


def _to_cache(key: str, framework: Framework) -> None:
    folder = _cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".register-{key}.{os.getpid()}.json"
        temp.write_text(json.dumps(framework.to_dict()), "utf-8")
        os.replace(temp, folder / f"register-{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time


def _yaml_tables(text: str, source: str) -> dict[str, Any]:
    try:
        # libyaml's C loader is about ten times faster on a large register; same safe subset.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, Mapping):
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", "the YAML must be a mapping of tables")])
    return dict(data)


def _xlsx_tables(path: Path) -> dict[str, Any]:
    from rbwm_pmf.reading.xlsx import Workbook, XlsxOpenError

    source = str(path)
    try:
        with Workbook(path) as wb:
            tables: dict[str, Any] = {}
            for table in ("Framework", "Priorities", "Panels", "Owners", "Indicators"):
                real = wb.find_sheet(table)
                if real is None:
                    raise RegisterError(source, [RegisterProblem(
                        "register-unreadable", table, "", "", "", "the sheet is missing")])
                sheet = wb.read_sheet(real)
                present = [r for r in sheet.by_row() if r > 1]
                if table == "Framework":
                    pairs = [[c.value for c in sheet.row(r, 2)] for r in present]
                    tables["framework"] = {
                        str(k).strip(): v for k, v in pairs if k not in (None, "")
                    }
                    continue
                first = sheet.by_row().get(1, {})
                width = max(first, default=0)
                header = [str(c.value).strip() if c.value is not None else ""
                          for c in sheet.row(1, width)]
                # Empty rows are absent; each row keeps its sheet row number for messages.
                tables[table.lower()] = [
                    {h: v for h, v in zip(header, (c.value for c in sheet.row(r, width)),
                                          strict=True) if h}
                    | {ROW_KEY: r}
                    for r in present
                ]
            return tables
    except XlsxOpenError as exc:
        raise RegisterError(source, [RegisterProblem(
            "register-unreadable", source, "", "", "", f"cannot open the workbook ({exc})")]) from exc


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

    `validate=False` skips the pandera schema of the Indicators table, for a register already
    known to be valid (the packaged one, or one from the cache); the cheap checks still run.
    """
    problems: list[RegisterProblem] = []
    meta = dict(tables.get("framework") or {})
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

    def table(name: str, columns: list[str]) -> list[dict[str, Any]]:
        rows = tables.get(name) or []
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            problems.append(RegisterProblem(
                "register-unreadable", name.title(), "", "", "", "must be a list of rows"))
            return []
        return [{c: r.get(c) for c in columns} | dict(r) for r in rows]

    priorities = table("priorities", PRIORITY_COLUMNS)
    panels = table("panels", PANEL_COLUMNS)
    owners = table("owners", OWNER_COLUMNS)
    indicators = table("indicators", INDICATOR_COLUMNS)
    for name, rows in (("Priorities", priorities), ("Panels", panels), ("Owners", owners)):
        seen: set[str] = set()
        for n, r in enumerate(rows, start=2):
            rid = _text(r.get("id"))
            where = f"row {r.get(ROW_KEY, n)}" + (f" (id {rid})" if rid else "")
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
        if not rows:
            problems.append(RegisterProblem(
                "register-missing-value", name, "", "", "", "the table has no rows"))
    if not indicators:
        problems.append(RegisterProblem(
            "register-missing-value", "Indicators", "", "", "", "the table has no rows"))
    elif validate:
        problems.extend(_check_indicators(indicators, priorities, panels, owners))
    if problems:
        raise RegisterError(source or "(register)", problems)

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
            )
            for r in indicators
        ),
        source=source,
    )


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
        rid = _text(rows[n].get("id"))
        where = f"row {rows[n].get(ROW_KEY, n + 2)}" + (f" (indicator {rid})" if rid else "")
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
