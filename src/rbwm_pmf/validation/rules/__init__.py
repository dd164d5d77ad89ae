"""The rule catalogue: every problem rbwm-pmf can report, each declared once in the module of its
family (files, rows, values, text, history), in the order the catalogue lists them.

The pandera schema of the rows, `rbwm-pmf rules`, the docs' rule table and the feedback comments
are all made from these declarations.
"""

from __future__ import annotations

from types import ModuleType

from rbwm_pmf.validation.rules import files, history, rows, text, values
from rbwm_pmf.validation.rules.register import REGISTER_MESSAGES
from rbwm_pmf.validation.rules.rule import ERROR, WARNING, Rule
from rbwm_pmf.validation.rules.values import (
    DEFAULT_NOT_A_NUMBER_HINT,
    ERROR_VALUE_HINTS,
    NOT_A_NUMBER_HINTS,
)

FAMILIES: tuple[ModuleType, ...] = (files, rows, values, text, history)


def _declared(module: ModuleType) -> list[Rule]:
    """The rules a family module declares, in the order it declares them."""
    return [v for v in vars(module).values() if isinstance(v, Rule)]


RULES: dict[str, Rule] = {r.code: r for family in FAMILIES for r in _declared(family)}
ROW_RULES: tuple[Rule, ...] = tuple(r for r in RULES.values() if r.is_row_rule)

__all__ = [
    "DEFAULT_NOT_A_NUMBER_HINT",
    "ERROR",
    "ERROR_VALUE_HINTS",
    "FAMILIES",
    "NOT_A_NUMBER_HINTS",
    "REGISTER_MESSAGES",
    "ROW_RULES",
    "RULES",
    "WARNING",
    "Rule",
]
