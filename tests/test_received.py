"""What arrived from each owner: a return for another quarter is a warning naming the file and
both periods, and the tracker tells apart not received, received for another period, received
but unreadable and received with errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.run import validate
from tests.kit import SAMPLES, fill, header_columns, row_of, templates
from tests.test_cli import run_cli

FW = load_framework()
WRONG_QUARTER = ("The return is for 2017/18 Q1, but the report is for 2017/18 Q2 and Adult "
                 "Social Care has sent no return for 2017/18 Q2.")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This quarter's sample returns, except that: Adult Social Care filled in last quarter's
    template; Housing sent a damaged file; Libraries sent a return with an error; Children's
    Social Care sent nothing; and a damaged file names no owner."""
    root = tmp_path_factory.mktemp("received")
    folder = root / "Q2"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    for owner in ("ASC", "HOU", "CSC"):
        for path in folder.glob(f"*-{owner}-*"):
            path.unlink()
    q1 = templates(root / "q1-templates", "2017-18-Q1")
    said = (90, "Figures for the quarter", "Recovery plan agreed")
    fill(q1["ASC"], {i.id: said for i in FW.indicators_of("ASC")}, folder / "ASC return.xlsx")
    (folder / "2017-18-Q2-HOU-housing-services.xlsx").write_bytes(b"PK\x03\x04 cut short")
    lib = next(folder.glob("*-LIB-*"))
    wb = load_workbook(lib)
    ws = wb["Return"]
    ws.cell(row_of(ws, "2.3"), header_columns(ws)[1]["Actual"]).value = "about 40"
    wb.save(lib)
    (folder / "scan.xlsx").write_bytes(b"not a workbook at all")
    return folder


def test_a_return_for_last_quarter_is_a_warning_naming_both_periods(batch: Path) -> None:
    """The file, the two periods and the owner, as a warning; the figures are not moved."""
    result = consolidate(batch)
    warned = [i for i in result.report.warnings if i.code == "period-not-current"]
    assert [(Path(i.file).name, i.sheet, i.message) for i in warned] == [
        ("ASC return.xlsx", "Return", WRONG_QUARTER)]
    current = result.current.set_index("indicator_id")
    assert current.loc["1.4", "status"] == "No data"
    assert current.loc["1.4", "reason"] == (
        "No data: the return received from Adult Social Care is for 2017/18 Q1")
    q1 = result.data.set_index(["indicator_id", "period"])
    assert q1.loc[("1.4", "2017-18-Q1"), "actual"] == 90


def test_validate_gives_the_same_warning(batch: Path) -> None:
    """validate, with no period given, reports on the latest quarter as consolidate does."""
    report = validate(batch)
    assert [(Path(i.file).name, i.message) for i in report.warnings
            if i.code == "period-not-current"] == [("ASC return.xlsx", WRONG_QUARTER)]


def test_asking_for_a_period_refuses_the_other_one_once(batch: Path) -> None:
    """With --period the other quarter's return is an error (period-mismatch) and not also
    a warning."""
    report = validate(batch, period="2017-18-Q2")
    codes = [i.code for i in report.records if Path(i.file).name == "ASC return.xlsx"]
    assert codes == ["period-mismatch"]


def test_a_return_for_another_period_from_an_owner_who_sent_this_one_is_not_warned(
        tmp_path: Path) -> None:
    """The sample folder holds both quarters for every owner: no warning."""
    report = validate(SAMPLES / "returns")
    assert [i.code for i in report.records] == []


def test_tracker_tells_the_four_states_apart(batch: Path) -> None:
    result = consolidate(batch)
    status = dict(zip(result.tracker["owner"], result.tracker["status"], strict=True))
    assert status["Adult Social Care"] == (
        "Received for another period (2017/18 Q1): check with the owner")
    assert status["Housing Services"] == (
        "Received but unreadable: see the validation log, ask for it again")
    assert status["Library and Resident Services"] == "Received with errors: feedback to send"
    assert status["Children's Social Care"] == "Not received: chase"
    assert status["Not known (scan.xlsx)"] == (
        "Received but unreadable: see the validation log, ask for it again")
    assert status["Education Services"] == "Valid"
    assert list(status.values()).count("Valid") == 10
    assert len(status) == 15


def test_cli_prints_the_warning_and_the_tracker_reaches_the_workbook(batch: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "Q2.xlsx"
    proc = run_cli("validate", str(batch))
    assert proc.returncode == 1, proc.stderr  # the damaged files and the error in LIB
    assert WRONG_QUARTER in " ".join(proc.stdout.split())
    proc = run_cli("consolidate", str(batch), "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "3 errors and 1 warning in the returns" in proc.stdout
    ws = load_workbook(out)["Return tracker"]
    rows = {r[1]: r[-1] for r in ws.iter_rows(values_only=True) if r[1]}
    assert rows["Adult Social Care"] == (
        "Received for another period (2017/18 Q1): check with the owner")
    assert rows["Not known (scan.xlsx)"] == (
        "Received but unreadable: see the validation log, ask for it again")
