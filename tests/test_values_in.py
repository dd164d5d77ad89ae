"""Values from data: a DataFrame, a CSV file or an Excel sheet of indicator values is checked,
rated and consolidated as the owners' Excel returns are, with each problem at the table's own
cell; rate_values rates a frame as consolidation does; the register loads from DataFrames."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.consolidation.rate import rate_values
from rbwm_pmf.consolidation.result import ConsolidationResult
from rbwm_pmf.errors import InputError, RegisterError
from rbwm_pmf.reading.cells import interpret_actual, text_of
from rbwm_pmf.reading.returns import read_return
from rbwm_pmf.register.load import framework_from_dict, load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.run import validate
from tests.kit import REPORT_SENTENCE, REPORT_TABLE_1, SAMPLES

RETURNS = SAMPLES / "returns"
LEFT_OUT = ("ASC", "EDU", "REV")  # a Red and an Amber in Q1, a half-yearly indicator, 3 Q2 Ambers
ASC_Q2 = RETURNS / "2017-18-Q2" / "2017-18-Q2-ASC-adult-social-care.xlsx"
RATED = ["period", "indicator_id", "actual", "status", "reason", "direction", "data_status"]


def owner_of(path: Path) -> str:
    return path.name.split("-")[3]


def values_of(paths: list[Path]) -> pd.DataFrame:
    """The values of Excel returns as an analyst would hold them: one row per indicator and
    quarter, a percentage in points."""
    fw = load_framework()
    rows = []
    for path in paths:
        ret = read_return(path)
        for row in ret.rows:
            ind = fw.indicator(row.indicator_id)
            assert ind is not None
            rows.append({
                "indicator_id": row.indicator_id,
                "period": ret.meta["period"],
                "actual": interpret_actual(row.cell(layout.ACTUAL), ind.unit).value,
                "commentary": text_of(row.cell(layout.COMMENTARY)),
                "mitigation": text_of(row.cell(layout.MITIGATION)),
            })
    return pd.DataFrame(rows)


# The Cabinet report's quarter: the 2017/18 Q1 and Q2 returns (the samples hold later ones too).
QUARTERS = [RETURNS / "2017-18-Q1", RETURNS / "2017-18-Q2"]


@pytest.fixture(scope="module")
def all_excel() -> ConsolidationResult:
    return consolidate(QUARTERS, period="2017-18-Q2")


@pytest.fixture(scope="module")
def sample_values() -> pd.DataFrame:
    return values_of(sorted(p for q in QUARTERS for p in q.glob("*.xlsx")))


def some_values(*rows: tuple[Any, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "period", "actual", "commentary", "mitigation"])


def located(report: Any) -> list[tuple[str, str, str]]:
    return [(i.code, i.location, i.indicator_id) for i in report.records]


# -- the same result as the Excel returns ---------------------------------------------------------

def test_values_for_owners_left_out_give_the_same_result(tmp_path: Path,
                                                         all_excel: ConsolidationResult) -> None:
    """The sample returns without three owners' Q1 and Q2 files, and those owners' values in a
    DataFrame: the Cabinet report's Table 1, shares and sentence, and every indicator's status,
    reason and direction in both quarters, as from the Excel returns alone."""
    folder = tmp_path / "returns"
    for quarter in QUARTERS:
        shutil.copytree(quarter, folder / quarter.name)
    left_out = [p for p in sorted(folder.rglob("*.xlsx")) if owner_of(p) in LEFT_OUT]
    assert len(left_out) == 2 * len(LEFT_OUT)
    frame = values_of(left_out)
    for path in left_out:
        path.unlink()

    result = consolidate(folder, period="2017-18-Q2", values=frame)

    assert result.valid and result.report.records == []
    assert [(n, *map(int, result.table1.loc[n].tolist())) for n in result.table1.index] == REPORT_TABLE_1
    assert result.table1.equals(all_excel.table1)
    assert result.shares == all_excel.shares == {"Green": 64, "Amber": 32, "Red": 4}
    assert result.summary == all_excel.summary == REPORT_SENTENCE
    assert len(result.data) == 50
    pd.testing.assert_frame_equal(result.data[RATED], all_excel.data[RATED])
    # The values' cells are the table's: row 2 is the first value, Actual in column C.
    data = result.data.set_index(["indicator_id", "period"])
    first = frame.iloc[0]
    assert data.loc[(first["indicator_id"], first["period"]), "source_cell"] == "values!C2"
    assert data.loc[(first["indicator_id"], first["period"]), "commentary_cell"] == "values!D2"


def test_rate_values_agrees_with_consolidate(all_excel: ConsolidationResult,
                                             sample_values: pd.DataFrame) -> None:
    """Every indicator of the samples in both quarters has the status, reason and direction
    consolidation gives it, and the frame's own columns are kept."""
    rated = rate_values(sample_values)
    assert list(rated.columns) == [*sample_values.columns, "status", "reason", "direction"]
    assert len(rated) == len(all_excel.data) == 50
    ours = rated.set_index(["indicator_id", "period"]).sort_index()
    theirs = all_excel.data.set_index(["indicator_id", "period"]).sort_index()
    for column in ("status", "reason", "direction"):
        assert ours[column].tolist() == theirs[column].tolist(), column


def test_rate_values_with_one_period_and_rows_it_cannot_rate() -> None:
    """`period` stands for a missing period column; an unknown indicator or a period of another
    year has no status and says why; text that is not a number is No data."""
    frame = pd.DataFrame({"indicator_id": ["1.4", "9.9", "6.1"], "actual": [80.7, 3, "about 40"],
                          "note": ["a", "b", "c"]})
    rated = rate_values(frame, period="2017-18-Q2")
    assert rated["status"].tolist()[0] == "Red"
    assert rated["reason"].tolist()[1] == "'9.9' is not an indicator of the framework register."
    assert pd.isna(rated["status"].tolist()[1])
    assert rated["status"].tolist()[2] == "No data"
    assert rated["note"].tolist() == ["a", "b", "c"]
    other_year = rate_values(pd.DataFrame({"indicator_id": ["1.4"], "period": ["2016-17-Q2"],
                                           "actual": [86]}))
    assert other_year["reason"].tolist() == ["2016/17 Q2 is not in the register's financial year, 2017-18."]
    with pytest.raises(InputError, match="no column 'period'"):
        rate_values(frame)


# -- tables from files ---------------------------------------------------------------------------

def test_csv_file_of_values(tmp_path: Path, sample_values: pd.DataFrame) -> None:
    """A CSV file is a table of values: REV's figures from one replace REV's returns, each from
    its row of the file."""
    csv = tmp_path / "revenues.csv"
    rev = sample_values[sample_values["indicator_id"].isin(["5.2", "6.1", "6.2"])]
    rev.to_csv(csv, index=False)
    folder = tmp_path / "returns"
    for quarter in QUARTERS:
        shutil.copytree(quarter, folder / quarter.name)
    for path in folder.rglob("*-REV-*.xlsx"):
        path.unlink()

    result = consolidate(folder, period="2017-18-Q2", values=csv)

    assert result.valid
    assert result.summary == REPORT_SENTENCE
    current = result.current.set_index("indicator_id")
    q2_rows = [n + 2 for n, p in enumerate(rev["period"]) if p == "2017-18-Q2"]
    assert current.loc["6.1", "actual"] == 57.9
    assert current.loc[["5.2", "6.1", "6.2"], "source_cell"].tolist() == [
        f"revenues.csv!C{r}" for r in q2_rows]
    parts = [Path(f.path).name for f in result.report.files if f.owner_id == "REV"]
    assert parts == ["revenues (REV, 2017-18-Q1).csv", "revenues (REV, 2017-18-Q2).csv"]


def test_excel_sheet_of_values(tmp_path: Path) -> None:
    """An Excel sheet of values is read as Excel shows it: 57.9 typed in a percentage cell is
    57.9%, and so is 57.9 in a General one; column names may be the template's labels."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Revenues"
    ws.append(["Indicator ID", "Period", "Actual", "Commentary"])
    ws.append(["6.1", "2017-18-Q2", 0.579, "Collected."])
    ws.append(["6.2", "2017-18-Q2", 58.6, "Collected."])
    ws["C2"].number_format = "0.0%"
    path = tmp_path / "revenues.xlsx"
    wb.save(path)

    result = consolidate([], period="2017-18-Q2", values=path)

    current = result.current.set_index("indicator_id")
    assert current.loc[["6.1", "6.2"], "actual"].tolist() == [57.9, 58.6]
    assert current.loc[["6.1", "6.2"], "status"].tolist() == ["Green", "Green"]
    assert current.loc["6.1", "source_cell"] == "Revenues!C2"
    # A table gives what it has: REV's 5.2 is not missing from it, only not received.
    assert result.report.valid
    assert current.loc["5.2", "status"] == "No data"


# -- problems at the table's cells -------------------------------------------------------------

def test_text_value_is_reported_at_its_cell() -> None:
    """Text in actual goes through the rules for text typed in Actual, at the table's cell; a
    number typed as text is used, with a warning; the other rows are accepted."""
    frame = some_values(("6.1", "2017-18-Q2", 57.9, "", ""),
                        ("6.2", "2017-18-Q2", "about 40", "", ""),
                        ("5.2", "2017-18-Q2", "19.5", "", ""))
    report = validate(values=frame)
    assert located(report) == [("actual-not-a-number", "values!C3", "6.2"),
                               ("actual-text-number", "values!C4", "5.2")]
    assert report.records[0].message == '"about 40" is not a number.'
    assert report.records[0].column == layout.ACTUAL
    assert report.rows["accepted"].tolist() == [True, False, True]
    assert [(f.path, f.owner_id, f.status) for f in report.files] == [
        ("values (REV, 2017-18-Q2)", "REV", "errors")]


def test_unknown_indicator_and_bad_periods_are_records_at_their_cells(tmp_path: Path) -> None:
    """An indicator not in the register, a row without one, and a period that is not a quarter
    of the register's year are errors at their cells; every other row is used."""
    csv = tmp_path / "values.csv"
    csv.write_text("indicator_id,period,actual\n"
                   "6.1,2017-18-Q2,57.9\n"
                   "9.9,2017-18-Q2,12\n"
                   "6.2,2016-17-Q2,58.6\n"
                   "6.2,Q2,58.6\n"
                   ",2017-18-Q2,5\n", "utf-8")
    report = validate(values=csv)
    assert located(report) == [("indicator-unknown", "'values.csv'!A3", "9.9"),
                               ("period-mismatch", "'values.csv'!B4", "6.2"),
                               ("period-mismatch", "'values.csv'!B5", "6.2"),
                               ("indicator-id-missing", "'values.csv'!A6", "")]
    messages = [i.message for i in report.records]
    assert messages[0] == "'9.9' is not an indicator of the framework register."
    # The packaged registers are for 2017/18 and 2018/19: a row may be for either year.
    assert messages[1] == "The return is for 2016/17 Q2, not a quarter of 2017-18 or 2018-19."
    assert messages[2] == ("The return is for Q2, not a quarter of 2017-18 or 2018-19, written "
                           "like 2018-19-Q2.")
    outcomes = {Path(f.path).name: (f.rows_read, f.rows_accepted, f.rows_rejected) for f in report.files}
    assert outcomes == {"values (REV, 2017-18-Q2).csv": (1, 1, 0), "values.csv": (4, 0, 4)}


def test_period_not_the_one_asked_for(tmp_path: Path) -> None:
    """A value for Q1 when Q2 is asked for: its owner's quarter is the wrong period, as an Excel
    return for Q1 would be."""
    frame = some_values(("6.1", "2017-18-Q1", 30.1, "", ""), ("6.1", "2017-18-Q2", 57.9, "", ""))
    report = validate(period="2017-18-Q2", values=frame)
    assert [(i.code, i.file, i.message) for i in report.records] == [
        ("period-mismatch", "values (REV, 2017-18-Q1)", "The return is for 2017/18 Q1, not 2017/18 Q2.")]


@pytest.mark.parametrize(("columns", "says"), [
    (["indicator_id", "period"], "values has no column 'actual'."),
    (["indicator_id", "period", "value"],
     "values has no column 'actual'; it has a column that is not read: 'value'."),
    (["indicator_id", "period", "actual", "comentary", "notes"],
     "values has columns that are not read: 'comentary' (did you mean 'commentary'?), 'notes'."),
    (["indicator_id", "Period", "actual", "PERIOD"],
     "values has the column 'period' twice, in columns B and D; keep one."),
])
def test_columns_not_those_of_a_table_of_values(columns: list[str], says: str) -> None:
    """A missing column, an unknown one or one given twice stops the run with a sentence."""
    frame = pd.DataFrame([["6.1", "2017-18-Q2", 57.9, "x", "y"][:len(columns)]], columns=columns)
    with pytest.raises(InputError) as raised:
        validate(values=frame)
    assert str(raised.value).startswith(says)


def test_indicator_id_as_the_index_is_pointed_out() -> None:
    frame = some_values(("6.1", "2017-18-Q2", 57.9, "", "")).set_index("indicator_id")
    with pytest.raises(InputError, match=r"it is the DataFrame's index: use frame.reset_index\(\)"):
        validate(values=frame)


def test_nothing_to_check(tmp_path: Path) -> None:
    """No returns and an empty table: the same kind of error as an empty folder."""
    with pytest.raises(InputError, match="The values given hold no rows"):
        validate([], values=some_values())
    with pytest.raises(InputError, match="does not exist"):
        validate([], values=tmp_path / "nowhere.csv")


# -- with the Excel returns ----------------------------------------------------------------------

def test_same_value_as_an_excel_return_is_repeated() -> None:
    """A value also in the owner's Excel return: used once, with a note at the table's cell;
    a table of some indicators leaves none of the owner's others missing."""
    frame = some_values(("1.4", "2017-18-Q2", 82.9, "Short.", "Reviewing."))
    report = validate(ASC_Q2, values=frame)
    assert report.valid
    assert located(report) == [("value-repeated", "values!C2", "1.4")]
    assert "is also given in 2017-18-Q2-ASC-adult-social-care.xlsx F7" in report.records[0].message


def test_different_value_from_an_excel_return_is_a_conflict() -> None:
    """A different value: an error at both cells, and neither is used."""
    frame = some_values(("1.5", "2017-18-Q2", 530, "", ""))
    report = validate(ASC_Q2, values=frame)
    assert [(i.code, Path(i.file).name, i.location) for i in report.records] == [
        ("value-conflict", ASC_Q2.name, "Return!F8"),
        ("value-conflict", "values (ASC, 2017-18-Q2)", "values!C2")]
    result = consolidate(ASC_Q2, values=frame, period="2017-18-Q2")
    assert result.current.set_index("indicator_id").loc["1.5", "status"] == "No data"


def test_tables_given_by_name() -> None:
    """A mapping names each table; two tables given alike are the same data, reported once."""
    rev = some_values(("6.1", "2017-18-Q2", 57.9, "", ""))
    report = validate(values={"revenues": rev, "nhs": some_values(("1.7", "2017-18-Q2", 4.4, "", ""))})
    assert report.valid
    assert [f.path for f in report.files] == ["revenues (REV, 2017-18-Q2)", "nhs (ASC, 2017-18-Q2)"]
    twice = validate(values=[rev, rev])
    assert [(f.path, f.status) for f in twice.files] == [
        ("values (REV, 2017-18-Q2)", "valid"), ("values 2 (REV, 2017-18-Q2)", "duplicate")]


# -- the register from DataFrames -------------------------------------------------------------

def test_register_from_dataframes_equals_the_yaml_one() -> None:
    """Tables as DataFrames (empty cells NaN) give the register the YAML form gives, with the
    framework's fields as a dict, a Series or a one-row DataFrame."""
    path = SAMPLES / "register" / "rbwm-2017-18-register.yaml"
    tables = yaml.safe_load(path.read_text("utf-8"))
    frames: dict[str, Any] = {k: pd.DataFrame(v) for k, v in tables.items() if k != "framework"}
    expected = load_framework(path).to_dict()
    for fields in (tables["framework"], pd.Series(tables["framework"]),
                   pd.DataFrame([tables["framework"]])):
        assert load_framework({"framework": fields, **frames}).to_dict() == expected
        assert framework_from_dict({"framework": fields, **frames}).to_dict() == expected


def test_register_dataframe_problems_are_register_errors() -> None:
    tables = load_framework().to_dict()
    frames: dict[str, Any] = {k: pd.DataFrame(v) for k, v in tables.items() if k != "framework"}
    frames["indicators"].loc[0, "unit"] = "percentage"
    with pytest.raises(RegisterError, match="did you mean 'percent'"):
        load_framework({"framework": tables["framework"], **frames})


def test_one_dataframe_is_not_a_register() -> None:
    """A single DataFrame says what to pass instead."""
    indicators = pd.DataFrame(load_framework().to_dict()["indicators"])
    with pytest.raises(TypeError, match="A DataFrame is one table of a register: pass it as the "
                                        "indicators of a dict of the tables"):
        load_framework(indicators)  # type: ignore[arg-type]


def test_a_table_is_not_an_owners_return_on_the_tracker(tmp_path: Path) -> None:
    """A table giving one of Revenues and Benefits' three indicators, and no return from them:
    the chase list still chases them, saying how many values the table gave, and their other
    indicators say no return was received. A table giving all three needs no return."""
    folder = tmp_path / "returns"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    for path in folder.glob("*-REV-*"):
        path.unlink()
    one = pd.DataFrame({"indicator_id": ["6.1"], "period": ["2017-18-Q2"], "actual": [57.9]})
    result = consolidate(folder, period="2017-18-Q2", values=one)
    status = dict(zip(result.tracker["owner_id"], result.tracker["status"], strict=True))
    assert status["REV"] == "Not received: chase (a table gave 1 of 3 values)"
    current = result.current.set_index("indicator_id")
    assert current.loc["6.1", "actual"] == 57.9
    assert current.loc["5.2", "reason"] == "No data: no return received from Revenues and Benefits"
    assert "Not known (values)" not in set(result.tracker["owner"])
    every = pd.DataFrame({"indicator_id": ["5.2", "6.1", "6.2"], "period": ["2017-18-Q2"] * 3,
                          "actual": [20.6, 57.9, 58.6],
                          "commentary": ["Two assessors left in July.", "", ""],
                          "mitigation": ["Two replacement assessors started.", "", ""]})
    result = consolidate(folder, period="2017-18-Q2", values=every)
    status = dict(zip(result.tracker["owner_id"], result.tracker["status"], strict=True))
    assert status["REV"] == "Values from a table: no return needed"
