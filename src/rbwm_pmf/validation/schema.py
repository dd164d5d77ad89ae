"""pandera checks registered by name, and the runner that applies a schema from schemas/.

This is the one module that imports pandera. Each check is a dataframe-level check with a
`field` statistic naming the column it reports on; the schema's YAML gives each check its rule
code as the check's `error`, so a failure becomes (rule code, field, row) with no guessing.
"""

from __future__ import annotations

import contextvars
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.extensions import register_check_method

from rbwm_pmf.model.status import Status

# Lists a check compares against (the register's priorities, owners, ...), set per run.
_REFERENCE: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "rbwm_pmf_reference", default=None
)


@dataclass(frozen=True)
class Failure:
    """One failed check: the rule code, the column it concerns and the frame row."""

    code: str
    field: str
    index: int
    order: int  # the check's position in the schema: earlier checks win a shared cell


def _blank(s: pd.Series) -> pd.Series:
    """Missing, or text of nothing but spaces.

    A comprehension over the values: pandas' string methods loop in Python for strings not
    stored by pyarrow, and cost several times more here.
    """
    spaces = [isinstance(v, str) and not v.strip() for v in s.to_numpy(dtype=object)]
    return s.isna() | pd.Series(spaces, index=s.index, dtype=bool)


def _number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


# -- checks for the register -------------------------------------------------------------

@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def required_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    return ~_blank(df[field])


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def unique_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    col = df[field].astype("string").str.strip()
    return _blank(df[field]) | ~col.duplicated(keep="first")


@register_check_method(statistics=["field", "table"], supported_types=pd.DataFrame)
def known_reference(df: pd.DataFrame, *, field: str, table: str) -> pd.Series:
    known = set((_REFERENCE.get() or {}).get(table, ()))
    return _blank(df[field]) | df[field].astype("string").str.strip().isin(known)


@register_check_method(statistics=["field", "choices"], supported_types=pd.DataFrame)
def one_of(df: pd.DataFrame, *, field: str, choices: list[str]) -> pd.Series:
    return _blank(df[field]) | df[field].astype("string").str.strip().str.lower().isin(choices)


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def numeric_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    return _blank(df[field]) | _number(df[field]).notna()


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def not_negative(df: pd.DataFrame, *, field: str) -> pd.Series:
    return ~(_number(df[field]) < 0)


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def boolean_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    text = df[field].astype("string").str.strip().str.lower()
    return _blank(df[field]) | text.isin(["true", "false", "yes", "no", "1", "0", "1.0", "0.0"])


@register_check_method(statistics=["field", "quarter"], supported_types=pd.DataFrame)
def target_when_due(df: pd.DataFrame, *, field: str, quarter: int) -> pd.Series:
    freq = df["frequency"].astype("string").str.strip().str.lower()
    due = (freq == "quarterly") | ((freq == "half-yearly") & (quarter in (2, 4)))
    due |= (freq == "annual") & (quarter == 4)
    data_only = df["data_only"].astype("string").str.strip().str.lower().isin(["true", "yes", "1"])
    return ~(due & ~data_only & _blank(df[field]))


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def percent_at_most_100(df: pd.DataFrame, *, field: str) -> pd.Series:
    is_percent = df["unit"].astype("string").str.strip().str.lower() == "percent"
    return ~(is_percent & (_number(df[field]) > 100))


@register_check_method(statistics=["field", "other"], supported_types=pd.DataFrame)
def not_above(df: pd.DataFrame, *, field: str, other: str) -> pd.Series:
    return ~(_number(df[field]) > _number(df[other]))


# -- checks for return rows ----------------------------------------------------------------

@register_check_method(statistics=["field", "kind"], supported_types=pd.DataFrame)
def actual_kind_is_not(df: pd.DataFrame, *, field: str, kind: str) -> pd.Series:
    """Fails where a due indicator's Actual cell is of the given kind (blank, text, error...)."""
    return ~(df["due"].astype(bool) & (df["actual_kind"] == kind))


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def actual_within_bounds(df: pd.DataFrame, *, field: str) -> pd.Series:
    value = _number(df["actual_value"])
    low = _number(df["min_value"])
    high = _number(df["max_value"])
    outside = (value < low) | (value > high)
    return ~(df["due"].astype(bool) & outside.fillna(False))


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def value_only_when_due(df: pd.DataFrame, *, field: str) -> pd.Series:
    return df["due"].astype(bool) | (df["actual_kind"] == "blank")


@register_check_method(statistics=["field", "column"], supported_types=pd.DataFrame)
def text_when_off_target(df: pd.DataFrame, *, field: str, column: str) -> pd.Series:
    off = df["status"].isin([Status.AMBER, Status.RED])
    return ~(off & _blank(df[column]))


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def percent_not_fraction(df: pd.DataFrame, *, field: str) -> pd.Series:
    """A percent value below 1 in a cell without a percent format, against a target of 10+."""
    value = _number(df["actual_value"])
    target = _number(df["target"])
    suspect = (
        (df["unit"] == "percent")
        & ~df["actual_percent_format"].fillna(False).astype(bool)
        & (df["actual_kind"] == "number")
        & (value > 0) & (value < 1) & (target >= 10)
    )
    return ~suspect.fillna(False)


@register_check_method(statistics=["field", "threshold"], supported_types=pd.DataFrame)
def change_within(df: pd.DataFrame, *, field: str, threshold: float) -> pd.Series:
    value = _number(df["actual_value"])
    expected = _number(df["expected_from_previous"])
    change = (value - expected).abs() / expected.abs()
    return ~((change > threshold) & (expected != 0)).fillna(False)


@register_check_method(statistics=["field", "group"], supported_types=pd.DataFrame)
def unique_within(df: pd.DataFrame, *, field: str, group: str) -> pd.Series:
    """The first row of each value within a group passes; later copies fail."""
    key = df[field].astype("string").str.strip()
    return _blank(df[field]) | ~pd.DataFrame({"g": df[group], "k": key}).duplicated(keep="first")


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def owned_by_return_owner(df: pd.DataFrame, *, field: str) -> pd.Series:
    known = df["indicator_owner"].notna() & (df["indicator_owner"] != "")
    return ~known | (df["indicator_owner"] == df["return_owner"])


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def target_as_issued(df: pd.DataFrame, *, field: str) -> pd.Series:
    """The Target cell still holds what the template issued (a number, or 'Not due')."""
    issued = _number(df["target_issued"])
    read = _number(df["target_read"])
    same_number = (read - issued).abs() <= 1e-6 * issued.abs().clip(lower=1)
    text_read = df["target_read"].astype("string").str.strip().str.casefold()
    same_text = issued.isna() & (text_read == df["target_issued_text"].astype("string").str.casefold())
    known = df["indicator_owner"].notna()
    return ~known | same_number.fillna(False) | same_text.fillna(False)


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def name_as_issued(df: pd.DataFrame, *, field: str) -> pd.Series:
    """The Indicator name still reads as issued (spacing and case aside)."""
    def norm(s: pd.Series) -> pd.Series:
        return s.astype("string").str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()

    known = df["indicator_owner"].notna()
    same = (df["name"] == df["name_issued"]).fillna(False).astype(bool)
    differ = known & ~same  # only these need the slower comparison
    if differ.any():
        rows = df[differ]
        same[differ] = (norm(rows["name"]) == norm(rows["name_issued"])).fillna(False).astype(bool)
    return ~known | same


# -- running a schema ----------------------------------------------------------------------

@functools.cache
def load_schema(name: str) -> pa.DataFrameSchema:
    """The schema `schemas/<name>.yaml`, as installed with the package."""
    text = resources.files("rbwm_pmf.schemas").joinpath(f"{name}.yaml").read_text("utf-8")
    return pa.DataFrameSchema.from_yaml(text)


def schema_codes(name: str) -> list[tuple[str, str]]:
    """(rule code, field) of every check in a schema, in order."""
    return [(str(c.error), str(c.statistics.get("field"))) for c in load_schema(name).checks]


_CODE = re.compile(r"^[a-z0-9-]+$")


def run_schema(name: str, frame: pd.DataFrame, reference: dict[str, Any] | None = None) -> list[Failure]:
    """Validate `frame` lazily against a schema; return every failure as a record."""
    schema = load_schema(name)
    token = _REFERENCE.set(reference or {})
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    finally:
        _REFERENCE.reset(token)
    checks = schema.checks
    out: list[Failure] = []
    seen: set[tuple[int, int]] = set()
    for number, index in zip(cases["check_number"], cases["index"], strict=True):
        if number is None or pd.isna(number) or index is None or pd.isna(index):
            # Only registered dataframe checks are expected; anything else is a schema bug.
            raise RuntimeError(f"schema {name} failed outside its checks:\n{cases}")
        check = checks[int(number)]
        code, field = str(check.error), str(check.statistics.get("field"))
        if not _CODE.match(code):
            raise RuntimeError(f"schema {name}: check {number} has no rule code: {code}")
        # A dataframe-level check reports a failure once per non-null column of the row
        # (never for the null cell itself), so the check's own field names the cell.
        key = (int(number), int(index))
        if key not in seen:
            seen.add(key)
            out.append(Failure(code, field, int(index), int(number)))
    return out
