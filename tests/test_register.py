"""The framework register: the packaged RBWM register and every bad-register case."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from rbwm_pmf.errors import RegisterError
from rbwm_pmf.register.load import framework_from_dict, load_framework


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    return load_framework().to_dict()


def test_packaged_register_shape() -> None:
    """The packaged 2017/18 register: six priorities in Table 1 order, 25 indicators."""
    fw = load_framework()
    assert [p.name for p in fw.ordered_priorities] == [
        "Healthy, skilled and independent residents",
        "Safe and vibrant communities",
        "Growing economy, affordable housing",
        "Attractive and well-connected borough",
        "An excellent customer experience",
        "Well-managed resources delivering value for money",
    ]
    assert len(fw.indicators) == 25
    assert not any(i.data_only for i in fw.indicators)
    assert all(i.is_due(2) for i in fw.indicators)
    assert [i.id for i in fw.indicators if i.frequency == "half-yearly"] == ["1.2"]
    assert any(i.tolerance_type == "absolute" and i.unit == "percent" for i in fw.indicators)
    assert {i.measure_type for i in fw.indicators} == {"snapshot", "cumulative", "rolling"}
    cumulative = fw.indicator("1.6")
    assert cumulative is not None and cumulative.targets == (100, 200, 300, 400)


def test_yaml_round_trip(tmp_path: Path, good: dict[str, Any]) -> None:
    """A register written to YAML and loaded back is equal to the original."""
    path = tmp_path / "register.yaml"
    path.write_text(yaml.safe_dump(good, sort_keys=False), "utf-8")
    assert load_framework(path) == load_framework()


BAD = [
    # (field to break, index of the indicator, new value, code, row text, message part)
    ("id", 1, "1.1", "register-duplicate-id", "row 3 (indicator 1.1)", "used more than once"),
    ("priority", 2, "nope", "register-unknown-priority", "row 4 (indicator 1.3)",
     "'nope' is not a priority"),
    ("owner", 3, "XX", "register-unknown-owner", "row 5 (indicator 1.4)", "'XX' is not an owner"),
    ("panel", 4, "YY", "register-unknown-panel", "row 6 (indicator 1.5)", "'YY' is not a panel"),
    ("polarity", 5, "hgher", "register-bad-choice", "row 7 (indicator 1.6)",
     "did you mean 'higher'?"),
    ("tolerance", 6, -1, "register-negative", "row 8 (indicator 1.7)", "negative"),
    ("q2_target", 7, None, "register-target-missing", "row 9 (indicator 2.1)",
     "due in Q2 but has no target"),
    ("q3_target", 0, 120, "register-percent-over-100", "row 2 (indicator 1.1)", "over 100"),
]


@pytest.mark.parametrize(("field", "index", "value", "code", "row", "text"), BAD,
                         ids=[b[3] for b in BAD])
def test_bad_register_names_row_and_field(good: dict[str, Any], field: str, index: int,
                                          value: Any, code: str, row: str, text: str) -> None:
    """Each broken register gives one problem naming the row (indicator id) and the field."""
    data = copy.deepcopy(good)
    data["indicators"][index][field] = value
    with pytest.raises(RegisterError) as info:
        framework_from_dict(data, "broken.yaml")
    problems = info.value.problems
    assert [(p.code, p.row, p.field) for p in problems] == [(code, row, field)]
    assert text in problems[0].message
    assert f"field '{field}'" in str(info.value)


def test_all_problems_reported_at_once(good: dict[str, Any]) -> None:
    """Several problems are all reported together, in row order."""
    data = copy.deepcopy(good)
    data["indicators"][5]["polarity"] = "up"
    data["indicators"][2]["owner"] = "ZZ"
    with pytest.raises(RegisterError) as info:
        framework_from_dict(data, "broken.yaml")
    assert [p.row for p in info.value.problems] == ["row 4 (indicator 1.3)", "row 7 (indicator 1.6)"]


def test_half_yearly_needs_targets_only_when_due(good: dict[str, Any]) -> None:
    """A half-yearly indicator needs Q2 and Q4 targets, not Q1 and Q3."""
    data = copy.deepcopy(good)
    row = data["indicators"][1]
    assert row["frequency"] == "half-yearly" and row["q1_target"] is None
    framework_from_dict(data)  # no error
    row["q4_target"] = None
    with pytest.raises(RegisterError, match="due in Q4"):
        framework_from_dict(data)


def test_missing_file_is_a_register_error(tmp_path: Path) -> None:
    """A register path that does not exist is a clear RegisterError, not a traceback."""
    with pytest.raises(RegisterError, match="does not exist"):
        load_framework(tmp_path / "nope.yaml")


def test_excel_register_errors_name_the_sheet_row(tmp_path: Path) -> None:
    """In the Excel form, a problem names the real sheet row even after blank rows."""
    from openpyxl import load_workbook

    from rbwm_pmf.template.write import write_register_xlsx

    path = write_register_xlsx(load_framework(), tmp_path / "register.xlsx")
    wb = load_workbook(path)
    ws = wb["Indicators"]
    ws.insert_rows(3)  # a blank row 3
    unit_col = [c.value for c in ws[1]].index("unit") + 1
    ws.cell(6, unit_col).value = "percnt"
    wb.save(path)
    with pytest.raises(RegisterError) as info:
        load_framework(path)
    problem = info.value.problems[0]
    assert (problem.row, problem.field, problem.code) == (
        "row 6 (indicator 1.4)", "unit", "register-bad-choice")
    assert "did you mean 'percent'?" in problem.message


def test_packaged_register_passes_its_schema() -> None:
    """The packaged register is loaded without the schema for speed, so check it here."""
    from importlib import resources

    from rbwm_pmf.register.load import DEFAULT_REGISTER, yaml_tables

    text = resources.files("rbwm_pmf.data").joinpath(DEFAULT_REGISTER).read_text("utf-8")
    assert framework_from_dict(yaml_tables(text, "x"), "x", validate=True) == load_framework()


def test_validated_register_is_cached_by_content(tmp_path: Path, good: dict[str, Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A register is validated once; the next load comes from the cache; a changed file is
    validated again, and a damaged cache entry is ignored."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RBWM_PMF_CACHE", str(cache))
    path = tmp_path / "register.yaml"
    path.write_text(yaml.safe_dump(good, sort_keys=False), "utf-8")
    first = load_framework(path)
    entries = list(cache.glob("register-*.json"))
    assert len(entries) == 1
    assert load_framework(path) == first
    entries[0].write_text("{not json", "utf-8")
    assert load_framework(path) == first  # rebuilt from the file
    broken = copy.deepcopy(good)
    broken["indicators"][0]["polarity"] = "upwards"
    path.write_text(yaml.safe_dump(broken, sort_keys=False), "utf-8")
    with pytest.raises(RegisterError, match="polarity"):
        load_framework(path)
    monkeypatch.setenv("RBWM_PMF_CACHE", "")  # off: nothing more is written
    path.write_text(yaml.safe_dump(good, sort_keys=False), "utf-8")
    before = sorted(cache.iterdir())
    assert load_framework(path) == first
    assert sorted(cache.iterdir()) == before


def test_cache_key_covers_version_and_schemas(tmp_path: Path, good: dict[str, Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A register cached by another version of rbwm-pmf, or checked with other schemas, is
    checked again: the cache key is salted with the version and every schema file's bytes."""
    from importlib import resources

    from rbwm_pmf.register import load

    cache = tmp_path / "cache"
    monkeypatch.setenv("RBWM_PMF_CACHE", str(cache))
    path = tmp_path / "register.yaml"
    path.write_text(yaml.safe_dump(good, sort_keys=False), "utf-8")
    load_framework(path)
    assert len(list(cache.glob("register-*.json"))) == 1

    monkeypatch.setattr(load, "__version__", "99.0")
    load.cache_salt.cache_clear()
    load_framework(path)
    assert len(list(cache.glob("register-*.json"))) == 2  # not taken from the old entry

    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for part in resources.files("rbwm_pmf.schemas").iterdir():
        if part.name.endswith(".yaml"):
            (schemas / part.name).write_bytes(part.read_bytes())
    monkeypatch.setattr(load.resources, "files", lambda package: schemas)
    load.cache_salt.cache_clear()
    same = load.cache_salt()
    (schemas / "register.yaml").write_bytes((schemas / "register.yaml").read_bytes() + b"\n# changed\n")
    load.cache_salt.cache_clear()
    assert load.cache_salt() != same
    load.cache_salt.cache_clear()
