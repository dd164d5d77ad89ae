"""pandera: the register's checks registered by name, the rows' schema made from the row rules,
and the runner that applies a schema.

This is the one module that imports pandera. Each check is a dataframe-level check with a
`field` statistic naming the column it reports on and its rule code as the check's `error`, so
a failure becomes (rule code, field, row) with no guessing.
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

from rbwm_pmf.validation.rules import ROW_RULES, Rule
from rbwm_pmf.validation.rules.frame import blank, number

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


# -- checks for the register -------------------------------------------------------------

@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def required_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    return ~blank(df[field])


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def unique_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    col = df[field].astype("string").str.strip()
    return blank(df[field]) | ~col.duplicated(keep="first")


@register_check_method(statistics=["field", "table"], supported_types=pd.DataFrame)
def known_reference(df: pd.DataFrame, *, field: str, table: str) -> pd.Series:
    known = set((_REFERENCE.get() or {}).get(table, ()))
    return blank(df[field]) | df[field].astype("string").str.strip().isin(known)


@register_check_method(statistics=["field", "choices"], supported_types=pd.DataFrame)
def one_of(df: pd.DataFrame, *, field: str, choices: list[str]) -> pd.Series:
    return blank(df[field]) | df[field].astype("string").str.strip().str.lower().isin(choices)


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def numeric_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    return blank(df[field]) | number(df[field]).notna()


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def not_negative(df: pd.DataFrame, *, field: str) -> pd.Series:
    return ~(number(df[field]) < 0)


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def boolean_value(df: pd.DataFrame, *, field: str) -> pd.Series:
    text = df[field].astype("string").str.strip().str.lower()
    return blank(df[field]) | text.isin(["true", "false", "yes", "no", "1", "0", "1.0", "0.0"])


@register_check_method(statistics=["field", "quarter"], supported_types=pd.DataFrame)
def target_when_due(df: pd.DataFrame, *, field: str, quarter: int) -> pd.Series:
    freq = df["frequency"].astype("string").str.strip().str.lower()
    due = (freq == "quarterly") | ((freq == "half-yearly") & (quarter in (2, 4)))
    due |= (freq == "annual") & (quarter == 4)
    data_only = df["data_only"].astype("string").str.strip().str.lower().isin(["true", "yes", "1"])
    return ~(due & ~data_only & blank(df[field]))


@register_check_method(statistics=["field"], supported_types=pd.DataFrame)
def percent_at_most_100(df: pd.DataFrame, *, field: str) -> pd.Series:
    is_percent = df["unit"].astype("string").str.strip().str.lower() == "percent"
    return ~(is_percent & (number(df[field]) > 100))


@register_check_method(statistics=["field", "other"], supported_types=pd.DataFrame)
def not_above(df: pd.DataFrame, *, field: str, other: str) -> pd.Series:
    return ~(number(df[field]) > number(df[other]))


# -- the rows of returns: one pandera check per row rule ------------------------------------

def _register_row_rule(rule: Rule) -> str:
    """Register a row rule's check with pandera under a name made from its code."""
    name = "rule_" + rule.code.replace("-", "_")
    check = rule.check
    assert check is not None

    def run(df: pd.DataFrame, *, field: str) -> pd.Series:
        return check(df)

    run.__name__ = name
    run.__doc__ = f"Row rule {rule.code}: {rule.title}."
    register_check_method(statistics=["field"], supported_types=pd.DataFrame)(run)
    return name


def row_schema() -> pa.DataFrameSchema:
    """The schema of a batch's rows, made from the row rules in catalogue order: each check's
    `error` is its rule code and `field` the cell it reports on."""
    return _row_schema()


@functools.cache
def _row_schema() -> pa.DataFrameSchema:
    checks = [
        getattr(pa.Check, _register_row_rule(rule))(field=rule.field, error=rule.code, ignore_na=False)
        for rule in ROW_RULES
    ]
    columns = {
        "indicator_id": pa.Column(required=True, nullable=True),
        "actual_kind": pa.Column(required=True, nullable=False),
        "due": pa.Column(required=True, nullable=False),
    }
    return pa.DataFrameSchema(columns=columns, checks=checks)


def row_schema_yaml() -> str:
    """The row schema as YAML: what schemas/return.yaml holds (see scripts/gen_schemas.py)."""
    header = (
        "# pandera schema for the rows of returned templates, one frame for a whole batch.\n"
        "# Written by scripts/gen_schemas.py from the row rules declared in\n"
        "# src/rbwm_pmf/validation/rules/: do not edit by hand. Each check is named after its rule;\n"
        "# `error` is the rule code reported and `field` the cell it points at. Where two rules\n"
        "# meet in one cell, the earlier one is reported (one problem per cell).\n"
    )
    return header + str(row_schema().to_yaml())


# -- running a schema ----------------------------------------------------------------------

@functools.cache
def load_schema(name: str) -> pa.DataFrameSchema:
    """The schema `schemas/<name>.yaml`, as installed with the package; the rows' schema is made
    from the row rules themselves."""
    if name == "return":
        return row_schema()
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
    for check_no, index in zip(cases["check_number"], cases["index"], strict=True):
        if check_no is None or pd.isna(check_no) or index is None or pd.isna(index):
            # Only registered dataframe checks are expected; anything else is a schema bug.
            raise RuntimeError(f"schema {name} failed outside its checks:\n{cases}")
        check = checks[int(check_no)]
        code, field = str(check.error), str(check.statistics.get("field"))
        if not _CODE.match(code):
            raise RuntimeError(f"schema {name}: check {check_no} has no rule code: {code}")
        # A dataframe-level check reports a failure once per non-null column of the row
        # (never for the null cell itself), so the check's own field names the cell.
        key = (int(check_no), int(index))
        if key not in seen:
            seen.add(key)
            out.append(Failure(code, field, int(index), int(check_no)))
    return out
