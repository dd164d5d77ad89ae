"""A blank Actual with the reason in Commentary is No data (explained): a warning, and the reason
in Appendix 1. With no reason (or an Excel error value for one) it stays an error. Indicators the
register gives no panel are listed in Appendix 2 under "No scrutiny panel"."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.consolidation.result import ConsolidationResult
from rbwm_pmf.register.load import framework_from_dict, load_framework
from rbwm_pmf.validation.run import validate
from tests.kit import SAMPLES, header_columns, row_of
from tests.test_workbook import table_cells

REASON = ("The cycle counter contractor has not yet sent the September counts, so the Q2 figure "
          "is not available; it will be reported at Q3.")
EXPLAINED = SAMPLES / "with_mistakes" / "2017-18-Q2-HTR-blank-actual-explained.xlsx"


def _batch(folder: Path, commentary: Any) -> Path:
    """The Q1 and Q2 sample returns, with Highways' Q2 Actual for 4.4 blank and `commentary`."""
    shutil.copytree(SAMPLES / "returns", folder)
    path = next((folder / "2017-18-Q2").glob("*-HTR-*"))
    wb = load_workbook(path)
    ws = wb["Return"]
    _, cols = header_columns(ws)
    r = row_of(ws, "4.4")
    ws.cell(r, cols["Actual"]).value = None
    ws.cell(r, cols["Commentary"]).value = commentary
    wb.save(path)
    return folder


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> ConsolidationResult:
    return consolidate(_batch(tmp_path_factory.mktemp("explained") / "returns", REASON),
                       period="2017-18-Q2")


def test_a_blank_actual_with_a_reason_is_a_warning_at_the_cell() -> None:
    report = validate(EXPLAINED)
    assert report.valid
    assert [(i.code, i.severity, i.location, i.message) for i in report.records] == [(
        "actual-missing-explained", "warning", "Return!F6",
        "No actual value was given for indicator 4.4; Commentary says why, so it is reported as "
        "No data (explained), with the Commentary as the reason.")]


def test_explained_is_no_data_with_the_owners_reason(explained: ConsolidationResult) -> None:
    row = explained.current.set_index("indicator_id").loc["4.4"]
    assert row["status"] == "No data"
    assert row["data_status"] == "No data (explained)"
    assert row["reason"] == f"No data (explained): {REASON}"
    assert row["source_cell"] == "Return!F6"
    assert explained.valid
    assert int(explained.table1.loc["Total", "No data"]) == 1
    assert explained.summary.endswith("One indicator had no data for the quarter.")


def test_appendix_1_shows_explained_and_the_reason(explained: ConsolidationResult,
                                                    tmp_path: Path) -> None:
    out = explained.write(tmp_path / "Q2.xlsx")
    ws = load_workbook(out)["Appendix 1"]
    ids = [c.value for c in table_cells(ws, "Appendix1", "ID")]
    n = ids.index("4.4")
    assert table_cells(ws, "Appendix1", "Q2 actual")[n].value == "No data (explained)"
    q1 = explained.data.set_index(["indicator_id", "period"]).loc[("4.4", "2017-18-Q1"), "actual"]
    assert table_cells(ws, "Appendix1", "Q1 actual")[n].value == q1 == 131400
    assert table_cells(ws, "Appendix1", "Reason")[n].value == f"No data (explained): {REASON}"
    assert table_cells(ws, "Appendix1", "RAG status (Q2)")[n].value == "No data"


@pytest.mark.parametrize("commentary", [None, "   ", "#REF!"])
def test_a_blank_actual_with_no_reason_stays_an_error(tmp_path: Path, commentary: Any) -> None:
    folder = _batch(tmp_path / "returns", commentary)
    report = validate(folder / "2017-18-Q2")
    codes = [(i.code, i.location) for i in report.records]
    expected = [("actual-missing", "Return!F6")]
    if commentary == "#REF!":
        expected.append(("commentary-error-value", "Return!G6"))
    assert codes == expected
    result = consolidate(folder, period="2017-18-Q2")
    row = result.current.set_index("indicator_id").loc["4.4"]
    assert row["data_status"] == "Rejected"
    assert not result.valid


def test_indicators_without_a_panel_are_under_no_scrutiny_panel(tmp_path: Path) -> None:
    fw = load_framework()
    tables = fw.to_dict()
    for ind in tables["indicators"]:
        if ind["id"] in ("4.4", "5.1"):
            ind["panel"] = ""
    result = consolidate(SAMPLES / "returns", framework_from_dict(tables), period="2017-18-Q2")
    ws = load_workbook(result.write(tmp_path / "Q2.xlsx"))["Appendix 2"]
    captions = [c.value for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.endswith(("indicator)", "indicators)"))]
    assert captions[-1] == "No scrutiny panel (2 indicators)"
    assert all(not c.startswith(" (") for c in captions)
    last = sorted(ws.tables)[-1]
    assert [c.value for c in table_cells(ws, last, "ID")] == ["4.4", "5.1"]
