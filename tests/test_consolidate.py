"""Consolidation: the Cabinet report's Table 1 and sentence from the samples, direction of
travel, and the accounting of every row under random batches."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.errors import InputError
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.run import validate
from tests.kit import REPORT_SENTENCE, REPORT_TABLE_1, SAMPLES, fill, soffice, templates


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return consolidate(SAMPLES / "returns", period="2017-18-Q2")


def test_samples_give_the_reports_table_1(result) -> None:  # type: ignore[no-untyped-def]
    """Every cell of the report's Table 1, in the report's order, and its shares."""
    t1 = result.table1
    assert list(t1.columns) == ["Green", "Amber", "Red", "Total"]
    rows = [(name, *map(int, t1.loc[name].tolist())) for name in t1.index]
    assert rows == REPORT_TABLE_1
    assert result.shares == {"Green": 64, "Amber": 32, "Red": 4}


def test_samples_give_the_reports_sentence(result) -> None:  # type: ignore[no-untyped-def]
    """The narrative is the report's own sentence, word for word."""
    assert result.summary == REPORT_SENTENCE
    assert result.valid


def test_year_to_date_holds_both_quarters(result) -> None:  # type: ignore[no-untyped-def]
    """Q1 and Q2 values each go to their own quarter; the half-yearly 1.2 is not due at Q1."""
    data = result.data.set_index(["indicator_id", "period"])
    assert data.loc[("1.1", "2017-18-Q1"), "actual"] == 92.1
    assert data.loc[("1.1", "2017-18-Q2"), "actual"] == 93.4
    assert data.loc[("1.2", "2017-18-Q1"), "status"] == "Not rated"
    assert data.loc[("1.2", "2017-18-Q1"), "data_status"] == "Not due"
    assert len(result.data) == 50
    assert data.loc[("1.4", "2017-18-Q2"), "reason"] == (
        "82.9% vs target 85%: 2.5% short, within 5% tolerance")
    assert data.loc[("1.4", "2017-18-Q2"), "source_cell"] == "Return!F7"


@pytest.mark.parametrize(("indicator", "direction"), [
    ("1.1", "Improving"),   # 92.1 -> 93.4, higher is better
    ("1.4", "Declining"),   # 83.9 -> 82.9, higher is better
    ("1.5", "Improving"),   # 548 -> 541, lower is better
    ("1.2", "Not comparable"),  # half-yearly: no Q1 value
])
def test_direction_of_travel_from_q1(result, indicator: str, direction: str) -> None:  # type: ignore[no-untyped-def]
    """Direction of travel compares with the Q1 returns, knowing which way is better."""
    current = result.current.set_index("indicator_id")
    assert current.loc[indicator, "direction"] == direction


def test_missing_owner_is_no_data_and_on_the_tracker(tmp_path: Path) -> None:
    """An owner who sent nothing makes their indicators No data and is on the chase list."""
    folder = tmp_path / "q2"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    for path in folder.glob("*-ASC-*"):
        path.unlink()
    res = consolidate(folder, period="2017-18-Q2")
    current = res.current.set_index("indicator_id")
    assert current.loc["1.4", "status"] == "No data"
    assert current.loc["1.4", "reason"] == "No data: no return received from Adult Social Care"
    tracker = res.tracker.set_index("owner_id")
    assert tracker.loc["ASC", "status"] == "Not received: chase"
    assert tracker.loc["ASC", "returns_received"] == 0
    assert "No data" in res.table1.columns and int(res.table1.loc["Total", "No data"]) == 5
    assert res.summary.endswith("Five indicators had no data for the quarter.")


def test_sample_return_opens_in_libreoffice(tmp_path: Path) -> None:
    """A sample return converts to PDF in LibreOffice."""
    src = next((SAMPLES / "returns" / "2017-18-Q2").glob("*-ASC-*.xlsx"))
    soffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(src), cwd=tmp_path)
    pdf = tmp_path / (src.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000


# -- the property: every row is accounted for ------------------------------------------------

FW = load_framework()
OWNERS = sorted({i.owner for i in FW.indicators})
_TEMPLATES: dict[str, Path] = {}


def _template(owner: str) -> Path:
    if not _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="rbwm-pmf-templates-"))
        _TEMPLATES.update(templates(folder))
    return _TEMPLATES[owner]


cell_values = st.sampled_from(["good", "good", "good", "n/a", "blank", "huge", "text-number"])


@st.composite
def batches(draw: st.DrawFn) -> list[tuple[str, dict[str, str], str]]:
    """Returns for a random subset of owners; some sent twice (an exact duplicate or with a
    changed value: a conflict); rows with bad values."""
    owners = draw(st.lists(st.sampled_from(OWNERS), min_size=0, max_size=5, unique=True))
    out = []
    for owner in owners:
        values = {i.id: draw(cell_values) for i in FW.indicators_of(owner)}
        out.append((owner, values, "first"))
        again = draw(st.sampled_from(["no", "no", "duplicate", "conflict"]))
        if again != "no":
            out.append((owner, values, again))
    return out


def _value(kind: str, ind_id: str, bump: bool) -> tuple[object, str, str]:
    ind = FW.indicator(ind_id)
    assert ind is not None
    target = ind.target(2) or 1.0
    if kind == "good":
        return (target + (1 if bump else 0), "On target.", "Plan.")
    if kind == "n/a":
        return ("n/a", "", "")
    if kind == "blank":
        return (None, "", "")
    if kind == "huge":
        return (10_000_000, "x", "y")
    return (f"{int(target):,}", "Typed as text.", "Plan.")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches())
def test_every_row_is_accounted_for(tmp_path_factory: pytest.TempPathFactory,
                                    batch: list[tuple[str, dict[str, str], str]]) -> None:
    """Rows read = accepted + rejected for each file; every rejected row has an error in the
    log, or a value-repeated note when another return's equal value is used; every accepted
    value is in the data; Table 1 + Not rated + No data = 25."""
    folder = tmp_path_factory.mktemp("batch")
    for n, (owner, values, how) in enumerate(batch):
        filled = {k: _value(v, k, how == "conflict") for k, v in values.items()}
        target = folder / f"{n:02d}-{owner}.xlsx"
        if how == "duplicate":
            shutil.copy(folder / f"{n - 1:02d}-{owner}.xlsx", target)
        else:
            fill(_template(owner), filled, target)
    res = consolidate(folder, period="2017-18-Q2") if batch else None
    if res is None:
        return
    rows = res.report.rows
    error_rows = {(i.file, int(re.sub(r"\D", "", i.cell))) for i in res.report.records
                  if (i.is_error or i.code == "value-repeated") and i.cell and ":" not in i.cell}
    for f in res.report.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected
        if f.status in ("duplicate", "unreadable"):
            assert f.rows_accepted == 0
            continue
        mine = rows[rows["file"] == f.path]
        assert len(mine) == f.rows_read
        for rec in mine.to_dict(orient="records"):
            if not rec["accepted"]:
                assert (f.path, rec["row"]) in error_rows, rec
            elif rec["due"] and rec["actual_kind"] in ("number", "text-number"):
                used = res.data[(res.data["source_file"] == f.path)
                                & (res.data["indicator_id"] == rec["indicator_id"])]
                assert len(used) == 1
    t1 = res.table1
    counted = int(t1.loc["Total", "Total"])
    for extra in ("Not rated", "No data"):
        if extra in t1.columns:
            counted += int(t1.loc["Total", extra])
    assert counted == len(FW.indicators)


def test_importing_the_module_keeps_the_function_at_the_top() -> None:
    """`rbwm_pmf.consolidate` is the function however the package was imported: the module that
    holds it has another name, so importing from it cannot put a module in its place."""
    code = ("import rbwm_pmf; from rbwm_pmf.consolidation.result import ConsolidationResult; "
            "print(callable(rbwm_pmf.consolidate), rbwm_pmf.consolidate.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "rbwm_pmf.consolidation.merge"]


# -- nothing to consolidate -----------------------------------------------------------------------

def test_no_returns_found_is_an_input_error(tmp_path: Path) -> None:
    """A folder (or list) holding no return: InputError, not a workbook of "No data"; the same
    for validate."""
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    with pytest.raises(InputError) as caught:
        consolidate(tmp_path, period="2017-18-Q2")
    assert str(caught.value) == (
        f"No returns were found in {tmp_path}: nothing to consolidate. Give the folder or files "
        "of the returns (.xlsx). 1 other file was skipped, 'notes.txt': not a spreadsheet (.txt).")
    with pytest.raises(InputError) as caught:
        validate(iter([tmp_path, tmp_path]))
    assert str(caught.value).startswith(f"No returns were found in {tmp_path}, {tmp_path}: "
                                        "nothing to check. ")
    with pytest.raises(InputError, match=r"^No returns were found: nothing to check\. Give"):
        validate([])


def test_no_return_for_the_year_to_date_is_an_input_error(tmp_path: Path) -> None:
    """Returns found, none of them for the year to date of the period asked for: InputError
    saying which periods they are for."""
    with pytest.raises(InputError) as caught:
        consolidate(SAMPLES / "returns" / "2017-18-Q2", period="2018-19-Q4")
    assert str(caught.value) == (
        "None of the 14 returns found is for 2018-19-Q1 to 2018-19-Q4 (the year to date of "
        "2018-19-Q4): they are for 2017-18-Q2. Give the period they are for, like 2017-18-Q2, "
        "or the returns for 2018-19-Q4.")
    # A year with no register is said so, before anything is read.
    with pytest.raises(InputError) as caught:
        consolidate(SAMPLES / "returns" / "2017-18-Q2", period="2016-17-Q4")
    assert str(caught.value) == (
        "There is no register for 2016-17, the year of 2016-17-Q4: the registers given are for "
        "2017-18, 2018-19. Give the register for 2016-17 with --register.")
    one = next((SAMPLES / "returns" / "2017-18-Q2").glob("*-ASC-*.xlsx"))
    with pytest.raises(InputError) as caught:
        consolidate(one, period="2017-18-Q1")
    assert str(caught.value) == (
        "The return found is not for 2017-18-Q1: it is for 2017-18-Q2. Give the period it is "
        "for, like 2017-18-Q2, or the returns for 2017-18-Q1.")
    # One return of the year to date is enough: Q1's returns consolidated for Q2.
    assert consolidate(SAMPLES / "returns" / "2017-18-Q1", period="2017-18-Q2").period.quarter == 2
