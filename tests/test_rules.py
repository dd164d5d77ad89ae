"""The rule catalogue: complete, documented, and used by the schema."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rbwm_pmf.validation.rules import RULES
from rbwm_pmf.validation.schema import schema_codes

REPO = Path(__file__).resolve().parents[1]


def _render() -> str:
    spec = importlib.util.spec_from_file_location("gen", REPO / "scripts" / "gen_rule_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.render())


def test_rule_docs_are_current() -> None:
    """docs/rules.md is exactly what the catalogue generates (regenerate it if this fails)."""
    assert (REPO / "docs" / "rules.md").read_text("utf-8") == _render()


def test_every_rule_documented_with_message_and_hint() -> None:
    """Each code has a section in the docs, a message and a hint."""
    text = (REPO / "docs" / "rules.md").read_text("utf-8")
    for code, rule in RULES.items():
        assert f"## {code}\n" in text
        assert rule.message and rule.hint and rule.severity in ("error", "warning")


def test_schema_codes_are_in_the_catalogue() -> None:
    """Every check in schemas/return.yaml reports a code from the catalogue."""
    codes = [code for code, _ in schema_codes("return")]
    assert codes and set(codes) <= set(RULES)
