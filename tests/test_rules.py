"""The rule catalogue: each rule declared once, and the schema, docs and catalogue made from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.records import FIELD_LABELS, RowRecord
from rbwm_pmf.validation.rules import FAMILIES, ROW_RULES, RULES
from rbwm_pmf.validation.rules.rule import FIELD_VALUES
from rbwm_pmf.validation.schema import load_schema, row_schema_yaml, schema_codes

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


def test_schema_file_is_generated_from_the_row_rules() -> None:
    """schemas/return.yaml is exactly what the row rules generate (run
    `python scripts/gen_schemas.py` if this fails)."""
    assert (REPO / "schemas" / "return.yaml").read_text("utf-8") == row_schema_yaml()


def test_schema_file_loads_with_the_same_checks() -> None:
    """The YAML reads back into a pandera schema with one check per row rule, in catalogue
    order, each reporting its rule's code at its rule's cell."""
    import pandera.pandas as pa

    schema = pa.DataFrameSchema.from_yaml((REPO / "schemas" / "return.yaml").read_text("utf-8"))
    found = [(str(c.error), str(c.statistics["field"])) for c in schema.checks]
    assert found == [(r.code, r.field) for r in ROW_RULES]
    assert schema_codes("return") == found
    assert load_schema("return") is load_schema("return")


def test_each_rule_is_declared_once_in_one_family() -> None:
    """A code is declared in exactly one family module, and the catalogue lists the families'
    declarations in order."""
    seen: dict[str, str] = {}
    listed: list[str] = []
    for family in FAMILIES:
        for value in vars(family).values():
            if getattr(value, "code", None) in RULES and value is RULES[value.code]:
                assert value.code not in seen, f"{value.code} in {seen.get(value.code)} and {family}"
                seen[value.code] = family.__name__
                listed.append(value.code)
    assert listed == list(RULES)
    assert len(RULES) == 53
    assert [r.code for r in ROW_RULES][:5] == [
        "indicator-id-error-value", "indicator-unknown", "indicator-duplicate",
        "indicator-other-owner", "indicator-id-missing"]


def test_row_rules_point_at_a_template_cell() -> None:
    """Every row rule names a cell the template has, and a value shown as typed."""
    for rule in ROW_RULES:
        assert rule.field in FIELD_LABELS and rule.field in FIELD_VALUES, rule.code


def _row(**fields: object) -> RowRecord:
    base: dict[str, object] = {name: None for name in RowRecord._fields}
    base.update(file="r.xlsx", sheet="Return", row=9, owner="ASC", period="2017-18-Q2", quarter=2,
                return_owner="ASC", name="", unit="count", due=True, actual_kind="number",
                actual_raw="", actual_detail="", actual_percent_format=False, commentary="",
                mitigation="")
    base.update(fields)
    return RowRecord(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


def test_a_rule_without_a_reporter_shows_its_own_cell(framework: Framework) -> None:
    """The value a rule reports is read from the row by field name, never by column label."""
    row = _row(actual_raw="57", commentary="Because.")
    assert RULES["actual-not-due"].details(row, framework) == {"value": "57"}
    assert RULES["name-changed"].details(_row(name="Renamed"), framework) == {"value": "Renamed"}


def test_reporters_fill_the_message(framework: Framework) -> None:
    """A reporter's values fill its rule's message and hint exactly."""
    from rbwm_pmf.validation.issues import make_issue

    def issue_for(value: float, raw: str) -> tuple[str, str]:
        row = _row(actual_value=value, actual_raw=raw, unit="percent", min_value=0.0,
                   max_value=100.0)
        issue = make_issue("actual-out-of-bounds", row.file, sheet="Return", cell="F9",
                           indicator_id="1.1", column="Actual",
                           **RULES["actual-out-of-bounds"].details(row, framework))
        return issue.message, issue.hint

    # 88.9 pasted into a percent-formatted cell is stored as 88.9, shown as 8890%.
    assert issue_for(8890.0, "88.9") == (
        "8,890% is outside the possible range for this indicator (0% to 100%).",
        "Type the percentage as 88.9 (the cell is formatted as a percentage, so 8890 becomes "
        "8890%).")
    # 140% typed: dividing by 100 would be a guess, so the hint does not suggest 1.4.
    assert issue_for(140.0, "1.4") == (
        "140% is outside the possible range for this indicator (0% to 100%).",
        "Check the figure: this percentage cannot be over 100%. Type the number of percent, such "
        "as 93.4 for 93.4%.")
