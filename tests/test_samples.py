"""The committed sample workbooks: Table 1 of the Cabinet report, the off-target text, the register,
the returns with mistakes, and that they still match what scripts/make_samples.py generates."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.rating import AMBER, GREEN, RED, rate
from rbwm_pmf.reading.cells import interpret_actual, text_of
from rbwm_pmf.reading.returns import ReturnFile, read_return
from rbwm_pmf.register.load import DEFAULT_REGISTER, load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.run import validate

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_workbooks"
SCRIPT = REPO / "scripts" / "make_samples.py"
Q2 = SAMPLES / "returns" / "2017-18-Q2"
MISTAKES = SAMPLES / "with_mistakes"

# Table 1 of the RBWM Cabinet report of 23 November 2017: priority -> (Green, Amber, Red).
TABLE_1 = {
    "Healthy, skilled and independent residents": (4, 3, 0),
    "Safe and vibrant communities": (2, 2, 0),
    "Growing economy, affordable housing": (4, 0, 0),
    "Attractive and well-connected borough": (2, 1, 1),
    "An excellent customer experience": (2, 2, 0),
    "Well-managed resources delivering value for money": (2, 0, 0),
}


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def q2_returns() -> list[ReturnFile]:
    paths = sorted(Q2.glob("*.xlsx"))
    assert len(paths) == 14, "one Q2 return per owner"
    returns = [read_return(p) for p in paths]
    for ret in returns:
        assert not ret.issues, (ret.path.name, ret.issues)
    return returns


def q2_ratings(framework: Framework, returns: list[ReturnFile]) -> list[dict[str, Any]]:
    """Every indicator row of the Q2 returns with its Actual (as read) rated against the register."""
    out = []
    for ret in returns:
        for row in ret.rows:
            ind = framework.indicator(row.indicator_id)
            assert ind is not None, (ret.path.name, row.indicator_id)
            value = interpret_actual(row.cell(layout.ACTUAL), ind.unit).value
            out.append({
                "id": ind.id,
                "priority": framework.priority(ind.priority).name,  # type: ignore[union-attr]
                "status": rate(ind, 2, value).status,
                "commentary": text_of(row.cell(layout.COMMENTARY)),
                "mitigation": text_of(row.cell(layout.MITIGATION)),
                "file": ret.path.name,
                "row": row.row,
            })
    return out


def test_q2_returns_give_table_1(framework: Framework, q2_returns: list[ReturnFile]) -> None:
    """Rating each Q2 sample Actual against the register gives the report's Table 1 exactly:
    the split by priority and 16 Green, 8 Amber, 1 Red in all, each indicator once."""
    rated = q2_ratings(framework, q2_returns)
    assert sorted(r["id"] for r in rated) == sorted(i.id for i in framework.indicators)
    counts: dict[str, Counter[str]] = {name: Counter() for name in TABLE_1}
    for r in rated:
        counts[r["priority"]][r["status"]] += 1
    got = {name: (c[GREEN], c[AMBER], c[RED]) for name, c in counts.items()}
    assert got == TABLE_1
    total = Counter(r["status"] for r in rated)
    assert (total[GREEN], total[AMBER], total[RED]) == (16, 8, 1)
    assert sum(total.values()) == 25


def test_q2_off_target_values_have_commentary_and_mitigation(
    framework: Framework, q2_returns: list[ReturnFile]
) -> None:
    """Every Amber or Red Q2 value carries both Commentary and Mitigation actions, as the
    Cabinet report's Appendix 3 needs; every Green value has Commentary too."""
    rated = q2_ratings(framework, q2_returns)
    off = [r for r in rated if r["status"] in (AMBER, RED)]
    assert len(off) == 9
    for r in off:
        assert r["commentary"], f"{r['file']} row {r['row']} ({r['id']}): no commentary"
        assert r["mitigation"], f"{r['file']} row {r['row']} ({r['id']}): no mitigation"
    for r in rated:
        assert r["commentary"], f"{r['file']} row {r['row']} ({r['id']}): no commentary"


@pytest.mark.parametrize("period", ["2017-18-Q1", "2017-18-Q2"])
def test_sample_returns_validate_clean(period: str) -> None:
    """Each quarter's 14 sample returns validate with no errors and no warnings."""
    report = validate(SAMPLES / "returns" / period, period=period)
    assert len(report.files) == 14
    assert [(i.code, Path(i.file).name, i.location) for i in report.records] == []
    assert all(f.rows_rejected == 0 for f in report.files)


def test_register_samples_equal_the_packaged_register(framework: Framework) -> None:
    """The register in sample_workbooks/register loads, from Excel and from YAML, equal to the
    packaged one, and the YAML is a byte copy of it."""
    folder = SAMPLES / "register"
    assert load_framework(folder / "rbwm-2017-18-register.xlsx") == framework
    assert load_framework(folder / "rbwm-2017-18-register.yaml") == framework
    packaged = resources.files("rbwm_pmf.data").joinpath(DEFAULT_REGISTER).read_bytes()
    assert (folder / "rbwm-2017-18-register.yaml").read_bytes() == packaged


def expected_mistakes() -> set[tuple[str, str, str]]:
    """(file, cell, code) for every problem listed in with_mistakes/README.md."""
    expected = set()
    text = (MISTAKES / "README.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cols = [c.strip() for c in line.strip("|").split("|")]
        file = cols[0].strip("`")
        cells = cols[2].split("<br>")
        codes = [re.match(r"`([a-z0-9-]+)`", c).group(1) for c in cols[3].split("<br>")]  # type: ignore[union-attr]
        assert len(cells) == len(codes), line
        expected |= {(file, cell, code) for cell, code in zip(cells, codes, strict=True)}
    return expected


def test_with_mistakes_give_exactly_the_listed_problems() -> None:
    """Validating with_mistakes/ reports exactly the codes at the cells its README lists, one
    file per mistake, and nothing else (README.md itself is skipped as not a spreadsheet)."""
    expected = expected_mistakes()
    files = sorted(p.name for p in MISTAKES.glob("*.xlsx"))
    assert len(files) >= 12
    assert sorted({f for f, _, _ in expected}) == files
    report = validate(MISTAKES, period="2017-18-Q2")
    got = {(Path(i.file).name, i.location, i.code) for i in report.records}
    assert got == expected
    assert len(report.records) == len(expected)
    assert [Path(s.path).name for s in report.skipped] == ["README.md"]


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values (visible or not), row by row."""
    wb = load_workbook(path)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, cwd=REPO,
                   capture_output=True, timeout=300)
    return out


def test_regenerated_samples_match_the_committed_ones(regenerated: Path) -> None:
    """Running scripts/make_samples.py into a temporary folder gives the same files, with the same
    cell values in every sheet (Return, Instructions, Metadata, register tables), and the same
    READMEs: the committed samples are in step with the template generator and the script."""
    committed = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert fresh == committed
    workbooks = [p for p in committed if p.suffix == ".xlsx"]
    # Two registers, six quarters of the 14 owners' returns (2017/18 Q1-Q4, 2018/19 Q1-Q2).
    assert len(workbooks) == 2 + 6 * 14 + len(list(MISTAKES.glob("*.xlsx")))
    for rel in workbooks:
        assert sheet_values(regenerated / rel) == sheet_values(SAMPLES / rel), str(rel)
    for rel in committed:
        if rel.suffix in (".md", ".yaml"):
            assert (regenerated / rel).read_text("utf-8") == (SAMPLES / rel).read_text("utf-8"), rel
