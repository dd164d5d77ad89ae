"""Return templates and the register's Excel form, read back from real files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from rbwm_pmf.errors import PeriodError, PmfError
from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.template.write import make_templates, write_register_xlsx
from tests.kit import convert

GENERATED = dt.datetime(2017, 10, 2, 9, 0, 0)
COLUMN = {label: n for n, label in enumerate(layout.HEADERS, start=1)}


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def q2(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every owner's 2017-18 Q2 template, by owner id."""
    folder = tmp_path_factory.mktemp("q2")
    return {p.name.split("-")[3]: p for p in make_templates(None, "2017-18-Q2", folder, generated=GENERATED)}


def validation_of(ws: Any, ref: str) -> DataValidation | None:
    """The data validation covering one cell, if any."""
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) <= 1, f"{ref} has {len(found)} validations"
    return found[0] if found else None


def metadata(path: Path) -> dict[str, str]:
    ws = load_workbook(path)[layout.META_SHEET]
    return {str(a.value): b.value for a, b in ws.iter_rows(min_col=1, max_col=2)}


def row_of(ws: Any, indicator_id: str) -> int:
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, COLUMN[layout.ID]).value == indicator_id:
            return r
    raise AssertionError(f"no row for {indicator_id}")


# -- files ---------------------------------------------------------------------------------

def test_one_file_per_owner_with_indicators(framework: Framework, tmp_path: Path) -> None:
    """One workbook per owner that has indicators, in register order, named period-owner-slug."""
    out = tmp_path / "to-send" / "nested"  # created when missing
    paths = make_templates(None, "2017-18-Q2", out, generated=GENERATED)
    assert len(paths) == 14
    owners = [o for o in framework.owners if framework.indicators_of(o.id)]
    assert [p.name.split("-")[3] for p in paths] == [o.id for o in owners]
    assert paths[0].name == "2017-18-Q2-ASC-adult-social-care.xlsx"
    assert "2017-18-Q2-CSC-childrens-social-care.xlsx" in {p.name for p in paths}
    # Written atomically: nothing else (no temporary files) is left in the folder.
    assert sorted(out.iterdir()) == sorted(paths)


def test_owners_limits_the_run(tmp_path: Path) -> None:
    """`owners` writes only those owners' templates (ids matched without regard to case)."""
    paths = make_templates(None, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["hou", "ASC"])
    assert [p.name for p in paths] == [
        "2017-18-Q2-ASC-adult-social-care.xlsx", "2017-18-Q2-HOU-housing-services.xlsx",
    ]


def test_unknown_owner_is_an_error(tmp_path: Path) -> None:
    """An owner id the register does not know stops the run and names the known ones."""
    with pytest.raises(PmfError, match=r"Unknown owner 'XYZ'.*ASC"):
        make_templates(None, "2017-18-Q2", tmp_path, owners=["XYZ"])
    assert list(tmp_path.iterdir()) == []


def test_unknown_owners_are_quoted_as_typed(framework: Framework, tmp_path: Path) -> None:
    """Unknown owners are named as the user typed them, each once, in the order given."""
    listed = ", ".join(o.id for o in framework.owners)
    with pytest.raises(PmfError) as raised:
        make_templates(None, "2017-18-Q2", tmp_path, owners=["XYZ", "asc", " Qq ", "xyz"])
    assert str(raised.value) == (
        f"Unknown owner 'XYZ', 'Qq'; the register {framework.id} has: {listed}."
    )


def test_period_aliases_give_the_same_files(tmp_path: Path) -> None:
    """`2017/18 Q2` is the same period as `2017-18-Q2`: same names, same bytes."""
    a = make_templates(None, "2017-18-Q2", tmp_path / "a", generated=GENERATED, owners=["ASC"])
    b = make_templates(None, "2017/18 Q2", tmp_path / "b", generated=GENERATED, owners=["ASC"])
    assert [p.name for p in a] == [p.name for p in b]
    assert a[0].read_bytes() == b[0].read_bytes()


@pytest.mark.parametrize("period", ["2017-18", "Q2", "2017-19-Q2", "2017-18-Q5", ""])
def test_bad_period_raises(period: str, tmp_path: Path) -> None:
    """A period that is not a quarter of a financial year raises PeriodError."""
    with pytest.raises(PeriodError):
        make_templates(None, period, tmp_path)


def test_period_outside_the_register_year_raises(tmp_path: Path) -> None:
    """A quarter of another financial year than the register's is refused."""
    with pytest.raises(PeriodError, match="2017-18"):
        make_templates(None, "2018-19-Q2", tmp_path)


def test_same_inputs_give_byte_identical_files(tmp_path: Path) -> None:
    """Two runs with the same inputs and the same `generated` write byte-identical workbooks."""
    first = make_templates(None, "2017-18-Q3", tmp_path / "one", generated=GENERATED)
    second = make_templates(None, "2017-18-Q3", tmp_path / "two", generated=GENERATED)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    later = make_templates(None, "2017-18-Q3", tmp_path / "three", owners=["ASC"],
                           generated=GENERATED + dt.timedelta(seconds=1))
    assert later[0].read_bytes() != first[0].read_bytes()


def test_document_properties_come_from_the_inputs(q2: dict[str, Path]) -> None:
    """Title, author and created time come from the register, the owner and `generated`."""
    props = load_workbook(q2["ASC"]).properties
    assert props.creator == "Royal Borough of Windsor and Maidenhead"
    assert props.title is not None and "Adult Social Care" in props.title and "2017/18 Q2" in props.title
    assert props.created == GENERATED


def test_generated_defaults_to_now_to_the_second(tmp_path: Path) -> None:
    """Without `generated`, the metadata holds the current UTC time, to the second."""
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    path = make_templates(None, "2017-18-Q2", tmp_path, owners=["ASC"])[0]
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stamp = dt.datetime.fromisoformat(metadata(path)["generated"])
    assert before <= stamp <= after
    assert stamp.microsecond == 0


def test_time_zone_aware_generated_is_written_as_utc(tmp_path: Path) -> None:
    """An aware `generated` is converted to UTC before it is written."""
    bst = dt.timezone(dt.timedelta(hours=1))
    path = make_templates(None, "2017-18-Q2", tmp_path, owners=["ASC"],
                          generated=dt.datetime(2017, 10, 2, 10, 0, 0, 123, tzinfo=bst))[0]
    assert metadata(path)["generated"] == "2017-10-02T09:00:00"


def test_owner_id_cannot_leave_the_folder(framework: Framework, tmp_path: Path) -> None:
    """An owner id with path separators still names a file inside the output folder."""
    owner = dataclasses.replace(framework.owners[0], id="../A/S C")
    indicators = tuple(
        dataclasses.replace(i, owner=owner.id) if i.owner == "ASC" else i for i in framework.indicators
    )
    fw = dataclasses.replace(framework, owners=(owner, *framework.owners[1:]), indicators=indicators)
    path = make_templates(fw, "2017-18-Q2", tmp_path / "out", generated=GENERATED, owners=[owner.id])[0]
    assert path.parent == tmp_path / "out"
    assert path.name == "2017-18-Q2-.._A_S_C-adult-social-care.xlsx"
    assert metadata(path)["owner_id"] == "../A/S C"


# -- the Return sheet ----------------------------------------------------------------------

def test_sheets_in_order_and_return_is_active(q2: dict[str, Path]) -> None:
    """Instructions, Return, then Metadata; the workbook opens on Return."""
    wb = load_workbook(q2["ASC"])
    assert wb.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.RETURN_SHEET, layout.META_SHEET]
    assert wb.active is not None and wb.active.title == layout.RETURN_SHEET


def test_return_header_and_rows_for_adult_social_care(framework: Framework, q2: dict[str, Path]) -> None:
    """Row 5 holds the layout's headers, then Status; rows 6.. the owner's indicators in register
    order."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    header = [c.value for c in ws[layout.HEADER_ROW]]
    assert tuple(header) == (*layout.HEADERS, layout.STATUS)
    assert ws.cell(layout.HEADER_ROW, len(header) + 1).value is None
    assert ws["A1"].value == "Adult Social Care: performance return for 2017/18 Q2"
    assert ws["A2"].value == "Framework: Council Plan 2017-21 performance management framework (rbwm-2017-18)"
    expected = framework.indicators_of("ASC")
    ids = [ws.cell(r, 1).value for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == [i.id for i in expected] == ["1.3", "1.4", "1.5", "1.7", "2.2"]
    names = [ws.cell(r, 2).value for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)]
    assert names == [i.name for i in expected]
    assert ws.freeze_panes == f"A{layout.FIRST_DATA_ROW}"


def test_percent_target_is_a_fraction_in_percent_format(q2: dict[str, Path]) -> None:
    """1.4's target 85 is stored 0.85 and shown as a percentage; its unit reads %."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    r = row_of(ws, "1.4")
    target = ws.cell(r, COLUMN[layout.TARGET])
    assert target.value == pytest.approx(0.85)
    assert "%" in target.number_format
    assert ws.cell(r, COLUMN[layout.UNIT]).value == "%"
    assert ws.cell(r, COLUMN[layout.POLARITY]).value == "Higher"


def test_count_and_rate_targets_hold_the_number(tmp_path: Path) -> None:
    """A count target (2.3 library visits, Q2 480,000) and a rate (1.5, 560) are plain numbers."""
    paths = make_templates(None, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["LIB", "ASC"])
    by_owner = {p.name.split("-")[3]: p for p in paths}
    lib = load_workbook(by_owner["LIB"])[layout.RETURN_SHEET]
    cell = lib.cell(row_of(lib, "2.3"), COLUMN[layout.TARGET])
    assert cell.value == 480000
    assert "%" not in cell.number_format
    assert lib.cell(row_of(lib, "2.3"), COLUMN[layout.UNIT]).value == "number"
    asc = load_workbook(by_owner["ASC"])[layout.RETURN_SHEET]
    r = row_of(asc, "1.5")
    assert asc.cell(r, COLUMN[layout.TARGET]).value == 560
    assert asc.cell(r, COLUMN[layout.UNIT]).value == "per 100,000 aged 65+"
    assert asc.cell(r, COLUMN[layout.POLARITY]).value == "Lower"


def test_every_template_matches_the_register(framework: Framework, q2: dict[str, Path]) -> None:
    """For every owner: ids, names, units, polarity and Q2 targets as the register says."""
    for owner_id, path in q2.items():
        ws = load_workbook(path)[layout.RETURN_SHEET]
        expected = framework.indicators_of(owner_id)
        rows = list(range(layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + len(expected)))
        assert ws.max_row == rows[-1], owner_id
        for r, ind in zip(rows, expected, strict=True):
            values = [ws.cell(r, c).value for c in range(1, 5)]
            unit = "%" if ind.unit == "percent" else ind.unit_label
            assert values == [ind.id, ind.name, unit, ind.polarity_text], (owner_id, ind.id)
            target = ws.cell(r, COLUMN[layout.TARGET]).value
            if not ind.is_due(2):
                assert target == layout.NOT_DUE_TEXT
            else:
                issued = ind.target(2)
                assert issued is not None
                scale = 100 if ind.unit == "percent" else 1
                assert target == pytest.approx(issued / scale), (owner_id, ind.id)


def test_reference_cells_locked_input_cells_unlocked(q2: dict[str, Path]) -> None:
    """A–E are locked and grey; Actual, Commentary and Mitigation are unlocked; the sheet is protected."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        for c in range(1, 6):
            cell = ws.cell(r, c)
            assert cell.protection.locked, cell.coordinate
            assert cell.fill.fgColor.rgb.endswith("F2F2F2"), cell.coordinate
        for c in range(6, 9):
            cell = ws.cell(r, c)
            assert not cell.protection.locked, cell.coordinate
            assert cell.value is None, cell.coordinate
    assert ws.cell(layout.HEADER_ROW, 1).protection.locked
    assert ws.protection.sheet
    assert ws.protection.password is None
    # Allowed to owners (False means "not protected" in the file format).
    for allowed in ("insertRows", "insertColumns", "formatColumns", "formatRows"):
        assert getattr(ws.protection, allowed) is False, allowed
    for refused in ("deleteRows", "deleteColumns", "formatCells"):
        assert getattr(ws.protection, refused) is True, refused


def test_actual_cells_validate_numbers_within_bounds(framework: Framework, q2: dict[str, Path]) -> None:
    """Each Actual cell allows a decimal between the register's bounds (percent as fractions)."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    for ind in framework.indicators_of("ASC"):
        ref = f"F{row_of(ws, ind.id)}"
        dv = validation_of(ws, ref)
        assert dv is not None, ref
        assert dv.type == "decimal"
        assert dv.operator in (None, "between")
        low, high = ind.bounds
        assert high is not None and low is not None
        scale = 100 if ind.unit == "percent" else 1
        assert float(dv.formula1) == pytest.approx(low / scale), ref
        assert float(dv.formula2) == pytest.approx(high / scale), ref
        assert dv.errorStyle in (None, "stop")
        assert dv.showErrorMessage and dv.showInputMessage
        assert dv.error and "Commentary" in dv.error
        number_format = ws[ref].number_format
        assert ("%" in number_format) == (ind.unit == "percent"), ref


def test_actual_input_message_names_the_target(q2: dict[str, Path]) -> None:
    """The Actual cell's input message names the period, the target and which way is better."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    dv = validation_of(ws, f"F{row_of(ws, '1.4')}")
    assert dv is not None
    assert dv.promptTitle == "Actual, %"
    assert dv.prompt is not None
    assert "2017/18 Q2" in dv.prompt and "Target 85.0%" in dv.prompt and "Higher is better" in dv.prompt
    assert "0% to 100%" in (dv.error or "")
    rate = validation_of(ws, f"F{row_of(ws, '1.5')}")
    assert rate is not None and rate.prompt is not None
    assert "Target 560" in rate.prompt and "Lower is better" in rate.prompt


def test_commentary_and_mitigation_have_input_messages(q2: dict[str, Path]) -> None:
    """Commentary and Mitigation actions cells prompt the owner and wrap text."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    r = layout.FIRST_DATA_ROW
    for col in ("G", "H"):
        dv = validation_of(ws, f"{col}{r}")
        assert dv is not None and dv.prompt, col
        assert "short of target" in dv.prompt
        assert ws[f"{col}{r}"].alignment.wrap_text


def test_print_setup(q2: dict[str, Path]) -> None:
    """Landscape A4, one page wide, the header row repeated on every page."""
    ws = load_workbook(q2["ASC"])[layout.RETURN_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    # fitToWidth is left out of the file when it is 1, the default.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${layout.HEADER_ROW}:${layout.HEADER_ROW}"


def test_half_yearly_indicator_not_due_at_q1(tmp_path: Path) -> None:
    """1.2 (half-yearly, EDU) says "Not due" at Q1, its Actual locked and unvalidated; at Q2 it has a
    target."""
    q1 = make_templates(None, "2017-18-Q1", tmp_path / "q1", generated=GENERATED, owners=["EDU"])[0]
    ws = load_workbook(q1)[layout.RETURN_SHEET]
    r = row_of(ws, "1.2")
    assert ws.cell(r, COLUMN[layout.TARGET]).value == layout.NOT_DUE_TEXT
    actual = ws.cell(r, COLUMN[layout.ACTUAL])
    assert actual.protection.locked
    assert actual.fill.fgColor.rgb.endswith("F2F2F2")
    assert validation_of(ws, actual.coordinate) is None
    assert not ws.cell(r, COLUMN[layout.COMMENTARY]).protection.locked

    q2 = make_templates(None, "2017-18-Q2", tmp_path / "q2", generated=GENERATED, owners=["EDU"])[0]
    ws = load_workbook(q2)[layout.RETURN_SHEET]
    r = row_of(ws, "1.2")
    assert ws.cell(r, COLUMN[layout.TARGET]).value == pytest.approx(0.90)
    assert not ws.cell(r, COLUMN[layout.ACTUAL]).protection.locked
    assert validation_of(ws, f"F{r}") is not None


def test_cumulative_targets_follow_the_profile(tmp_path: Path) -> None:
    """A cumulative indicator's target is that quarter's point on the profile (3.1: 25, 50, 75, 100)."""
    seen = []
    for q in (1, 2, 3, 4):
        path = make_templates(None, f"2017-18-Q{q}", tmp_path / f"q{q}", generated=GENERATED,
                              owners=["HOU"])[0]
        ws = load_workbook(path)[layout.RETURN_SHEET]
        seen.append(ws.cell(row_of(ws, "3.1"), COLUMN[layout.TARGET]).value)
    assert seen == [25, 50, 75, 100]


def replace_indicator(fw: Framework, indicator_id: str, **changes: Any) -> Framework:
    indicators: tuple[Indicator, ...] = tuple(
        dataclasses.replace(i, **changes) if i.id == indicator_id else i for i in fw.indicators
    )
    return dataclasses.replace(fw, indicators=indicators)


def test_data_only_indicator_has_no_target_but_takes_a_value(framework: Framework, tmp_path: Path) -> None:
    """A data-only indicator's Target says "Data only"; its Actual is still open and validated."""
    fw = replace_indicator(framework, "1.4", data_only=True)
    path = make_templates(fw, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["ASC"])[0]
    ws = load_workbook(path)[layout.RETURN_SHEET]
    r = row_of(ws, "1.4")
    assert ws.cell(r, COLUMN[layout.TARGET]).value == "Data only"
    assert not ws.cell(r, COLUMN[layout.ACTUAL]).protection.locked
    dv = validation_of(ws, f"F{r}")
    assert dv is not None and dv.prompt is not None and "not rated" in dv.prompt


def test_open_ended_bound_uses_at_least(framework: Framework, tmp_path: Path) -> None:
    """With no maximum in the register, the Actual cell only requires a number >= the minimum."""
    fw = replace_indicator(framework, "1.5", max_value=None)
    path = make_templates(fw, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["ASC"])[0]
    ws = load_workbook(path)[layout.RETURN_SHEET]
    dv = validation_of(ws, f"F{row_of(ws, '1.5')}")
    assert dv is not None
    assert (dv.type, dv.operator, float(dv.formula1)) == ("decimal", "greaterThanOrEqual", 0.0)
    assert dv.formula2 is None


def test_register_text_is_never_a_formula(framework: Framework, tmp_path: Path) -> None:
    """Register text that looks like a formula, a link or a number is written as text."""
    fw = replace_indicator(framework, "1.4", name="=HYPERLINK(\"http://x\")")
    fw = replace_indicator(fw, "1.5", name="http://example.com", unit_label="1e3")
    path = make_templates(fw, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["ASC"])[0]
    ws = load_workbook(path)[layout.RETURN_SHEET]
    for ref in (f"B{row_of(ws, '1.4')}", f"B{row_of(ws, '1.5')}", f"C{row_of(ws, '1.5')}"):
        assert ws[ref].data_type == "s", ref
    assert ws.cell(row_of(ws, "1.4"), 2).value == "=HYPERLINK(\"http://x\")"
    assert not ws._hyperlinks


# -- Metadata and Instructions -------------------------------------------------------------

def test_metadata_sheet_is_very_hidden_and_complete(q2: dict[str, Path]) -> None:
    """Metadata is very hidden and protected, and names framework, owner, period and versions."""
    wb = load_workbook(q2["ASC"])
    ws = wb[layout.META_SHEET]
    assert ws.sheet_state == "veryHidden"
    assert ws.protection.sheet
    keys = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert tuple(keys) == layout.META_KEYS
    assert metadata(q2["ASC"]) == {
        "framework_id": "rbwm-2017-18",
        "framework_version": "1.0",
        "owner_id": "ASC",
        "owner_name": "Adult Social Care",
        "period": "2017-18-Q2",
        "template_version": layout.TEMPLATE_VERSION,
        "generated": "2017-10-02T09:00:00",
    }
    assert all(ws.cell(r, 2).data_type == "s" for r in range(1, ws.max_row + 1))


def test_instructions_name_owner_deadline_contact_and_definitions(
    framework: Framework, q2: dict[str, Path]
) -> None:
    """Instructions: title, owner, the deadline (quarter end + 21 days), the contact, the rules and
    a definitions table with every indicator of the owner."""
    ws = load_workbook(q2["ASC"])[layout.INSTRUCTIONS_SHEET]
    assert ws["A1"].value == (
        "Royal Borough of Windsor and Maidenhead: quarterly performance return, 2017/18 Q2"
    )
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for phrase in ("Adult Social Care", "21 October 2017", "Performance team", "performance@example.gov.uk",
                   "type 93.4 for 93.4%", "n/a", "Mitigation actions", "grey cells",
                   "columns to the right of the table"):
        assert phrase in text, phrase
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Indicator ID")
    assert [ws.cell(header, c).value for c in range(1, 7)] == [
        "Indicator ID", "Indicator", "Definition", "Measure", "Frequency", "Tolerance",
    ]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 7)]
            for r in range(header + 1, ws.max_row + 1)}
    assert list(rows) == [i.id for i in framework.indicators_of("ASC")]
    assert rows["1.3"][2:] == ["Rolling 12 months", "Quarterly", "3 percentage points"]
    assert rows["1.4"][2:] == ["Snapshot", "Quarterly", "5% of target"]
    definition_cell = ws.cell(header + 1, 3)
    assert definition_cell.alignment.wrap_text
    assert ws.row_dimensions[header + 1].height is not None


def test_instructions_frequency_words(tmp_path: Path) -> None:
    """A half-yearly indicator's frequency says when it is due."""
    path = make_templates(None, "2017-18-Q2", tmp_path, generated=GENERATED, owners=["EDU"])[0]
    ws = load_workbook(path)[layout.INSTRUCTIONS_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "1.2")
    assert ws.cell(row, 4).value == "Snapshot"
    assert ws.cell(row, 5).value == "Half-yearly (due at Q2 and Q4)"


# -- the register's Excel form -------------------------------------------------------------

def test_register_round_trip_through_excel(framework: Framework, tmp_path: Path) -> None:
    """The Excel form reads back to a Framework equal to the packaged one."""
    path = write_register_xlsx(framework, tmp_path / "register.xlsx")
    assert path == tmp_path / "register.xlsx"
    assert load_framework(path) == load_framework()
    assert [p.name for p in tmp_path.iterdir()] == ["register.xlsx"]


def test_register_excel_columns_and_cell_types(framework: Framework, tmp_path: Path) -> None:
    """Each sheet's header row is the register's columns; ids are text, flags booleans, numbers numbers."""
    from rbwm_pmf.model import framework as register

    wb = load_workbook(write_register_xlsx(framework, tmp_path / "register.xlsx"))
    assert wb.sheetnames == ["Framework", "Priorities", "Panels", "Owners", "Indicators"]
    expected = {
        "Priorities": register.PRIORITY_COLUMNS, "Panels": register.PANEL_COLUMNS,
        "Owners": register.OWNER_COLUMNS, "Indicators": register.INDICATOR_COLUMNS,
    }
    for name, columns in expected.items():
        assert [c.value for c in wb[name][1]] == columns, name
    meta = wb["Framework"]
    assert [c.value for c in meta[1]] == ["field", "value"]
    assert [meta.cell(r, 1).value for r in range(2, meta.max_row + 1)] == register.FRAMEWORK_FIELDS
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(2, meta.max_row + 1)}
    assert values["version"] == "1.0" and values["return_due_days"] == 21
    ind = wb["Indicators"]
    cols = {c.value: c.column for c in ind[1]}
    first = {k: ind.cell(2, c).value for k, c in cols.items()}
    assert first["id"] == "1.1" and ind.cell(2, cols["id"]).data_type == "s"
    assert first["data_only"] is False
    assert first["q1_target"] == 90
    half = {k: ind.cell(3, c).value for k, c in cols.items()}
    assert half["id"] == "1.2" and half["q1_target"] is None and half["q2_target"] == 90
    assert ind.max_row == len(framework.indicators) + 1


def test_register_round_trip_keeps_awkward_values(framework: Framework, tmp_path: Path) -> None:
    """Ids like 1.10, a data-only flag, no maximum and text that looks like a formula survive."""
    fw = replace_indicator(framework, "1.1", id="1.10", data_only=True, max_value=None,
                           name="=SUM(A1)", tolerance=2.5, tolerance_type="absolute")
    path = write_register_xlsx(fw, tmp_path / "register.xlsx")
    back = load_framework(path)
    assert back == fw
    assert back.indicator("1.10") is not None


# -- LibreOffice ---------------------------------------------------------------------------

def test_libreoffice_prints_a_template(q2: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice opens a template and converts it to a non-empty PDF."""
    out = tmp_path / "pdf"
    convert([q2["ASC"]], "pdf", out)
    pdf = out / (q2["ASC"].stem + ".pdf")
    assert pdf.exists()
    assert pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")



def test_template_folder_that_cannot_be_made_is_one_line_exit_2(tmp_path: Path) -> None:
    """`template --out-dir` under a file is a one-line error and exit 2, with no traceback."""
    import subprocess
    import sys

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file", "utf-8")
    done = subprocess.run([sys.executable, "-m", "rbwm_pmf", "template", "--period", "2017-18-Q2",
                           "--out-dir", str(blocker / "to-send")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: Cannot create the folder {blocker / 'to-send'}: Not a directory"]
