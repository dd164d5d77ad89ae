"""What a register file may hold: unknown keys and columns refused with a suggestion, Excel
headers matched without regard to case and spacing, ids Excel or YAML turned into numbers,
Excel error values, and registers without panels."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from rbwm_pmf import load_framework
from rbwm_pmf.errors import RegisterError
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.register.load import framework_from_dict
from rbwm_pmf.template.write import write_register_xlsx
from tests.kit import REPO, SAMPLES

ID_NUMBER = ("the id {} was stored as a number, so Excel may have changed it (1.10 becomes 1.1); "
             "format the id column as Text and type the ids again")

Problem = tuple[str, str, str, str, str]  # code, table, where, field, message


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every register here is read from its file, never from the cache."""
    monkeypatch.setenv("RBWM_PMF_CACHE", "")


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    return load_framework().to_dict()


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def problems_of(source: Path) -> list[Problem]:
    with pytest.raises(RegisterError) as info:
        load_framework(source)
    return [(p.code, p.sheet, p.row, p.field, p.message) for p in info.value.problems]


def excel(tmp_path: Path, edit: Callable[[Any], None]) -> Path:
    """The packaged register in its Excel form, changed by `edit` (an openpyxl workbook)."""
    path = write_register_xlsx(load_framework(), tmp_path / "register.xlsx")
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def without_panels(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    del data["panels"]
    for row in data["indicators"]:
        row["panel"] = None
    return data


# -- unknown keys and columns ---------------------------------------------------------------

def test_misspelt_framework_field_is_refused(tmp_path: Path, good: dict[str, Any]) -> None:
    """A misspelt optional field of the framework is an error, not a silent default."""
    data = copy.deepcopy(good)
    data["framework"]["return_due_dayz"] = data["framework"].pop("return_due_days")
    assert problems_of(write_yaml(tmp_path / "r.yaml", data)) == [(
        "register-unknown-column", "Framework", "", "return_due_dayz",
        "'return_due_dayz' is not a field of the Framework table (did you mean 'return_due_days'?)",
    )]


def test_unknown_indicator_column_is_reported_once(tmp_path: Path, good: dict[str, Any]) -> None:
    """Each unknown column is one problem at the first row that has it, with how many rows
    have it; a suggestion only when a known column is close."""
    data = copy.deepcopy(good)
    data["indicators"][0]["notes"] = "check with finance"
    for n in (1, 3, 4):
        data["indicators"][n]["tolerence"] = data["indicators"][n].pop("tolerance")
    data["indicators"][2]["units"] = "percent"
    assert problems_of(write_yaml(tmp_path / "r.yaml", data)) == [
        ("register-unknown-column", "Indicators", "row 2 (indicator 1.1)", "notes",
         "'notes' is not a column of the Indicators table"),
        ("register-unknown-column", "Indicators", "row 3 (indicator 1.2)", "tolerence",
         "'tolerence' is not a column of the Indicators table (did you mean 'tolerance'?); "
         "3 rows have it"),
        ("register-unknown-column", "Indicators", "row 4 (indicator 1.3)", "units",
         "'units' is not a column of the Indicators table (did you mean 'unit'?)"),
    ]


def test_unknown_columns_of_every_table(tmp_path: Path, good: dict[str, Any]) -> None:
    """Priorities, Panels and Owners refuse unknown keys too."""
    data = copy.deepcopy(good)
    data["priorities"][0]["ordr"] = data["priorities"][0].pop("order")
    data["panels"][1]["title"] = "Children"
    data["owners"][2]["contact_emial"] = "edu@example.gov.uk"
    assert problems_of(write_yaml(tmp_path / "r.yaml", data)) == [
        ("register-unknown-column", "Priorities", "row 2 (id healthy)", "ordr",
         "'ordr' is not a column of the Priorities table (did you mean 'order'?)"),
        ("register-unknown-column", "Panels", "row 3 (id CHI)", "title",
         "'title' is not a column of the Panels table"),
        ("register-unknown-column", "Owners", "row 4 (id EDU)", "contact_emial",
         "'contact_emial' is not a column of the Owners table (did you mean 'contact_email'?)"),
    ]


def test_unknown_table_is_refused(tmp_path: Path, good: dict[str, Any]) -> None:
    """A misspelt table name is named, and the table it was meant to be is empty."""
    data = copy.deepcopy(good)
    data["indicator"] = data.pop("indicators")
    assert problems_of(write_yaml(tmp_path / "r.yaml", data)) == [
        ("register-unknown-column", "Register", "", "",
         "'indicator' is not a table of the register (did you mean 'indicators'?)"),
        ("register-missing-value", "Indicators", "", "", "the table has no rows"),
    ]


def test_cached_form_still_loads(tmp_path: Path, good: dict[str, Any],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Framework.to_dict(), as the cache stores it, has only known keys: it loads back equal,
    and a register loads from the cache without its file being read again."""
    from rbwm_pmf.register import load

    fw = load_framework()
    stored = json.loads(json.dumps(fw.to_dict()))
    assert framework_from_dict(stored, "cached", validate=False) == fw
    assert framework_from_dict(stored, "cached") == fw

    monkeypatch.setenv("RBWM_PMF_CACHE", str(tmp_path / "cache"))
    path = write_register_xlsx(fw, tmp_path / "register.xlsx")
    assert load_framework(path) == fw

    def unread(_path: Path) -> Any:
        raise AssertionError("read again, not taken from the cache")

    monkeypatch.setattr(load, "_xlsx_tables", unread)
    assert load_framework(path) == fw


# -- Excel headers --------------------------------------------------------------------------

def test_excel_headers_ignore_case_spaces_and_underscores(tmp_path: Path) -> None:
    """Headers and framework fields are matched whatever their case, spaces and underscores;
    so are sheet names."""

    def edit(wb: Any) -> None:
        ws = wb["Indicators"]
        for ref, label in {"A1": "Id", "B1": "Name", "H1": " Unit Label ", "L1": "q1target",
                           "M1": "Q2 Target", "Q1": "TOLERANCE_TYPE", "R1": "Data Only"}.items():
            ws[ref] = label
        wb["Framework"]["A8"] = "CONTACT_EMAIL"
        wb["Framework"]["A9"] = "Return Due Days"
        wb["Priorities"]["C1"] = "ORDER"
        wb["Owners"].title = "renamed"  # openpyxl would make OWNERS1 of a direct rename
        wb["renamed"].title = "OWNERS"

    assert load_framework(excel(tmp_path, edit)) == load_framework()


def test_excel_unknown_headers(tmp_path: Path) -> None:
    """An unknown header is one problem at its cell, whatever the rows below hold."""

    def edit(wb: Any) -> None:
        wb["Framework"]["A9"] = "return due dayz"
        ws = wb["Indicators"]
        ws["P1"] = "tolerence"
        ws["U1"] = "Notes"
        ws["U2"] = "check with finance"
        wb["Owners"]["E1"] = "phone"

    assert problems_of(excel(tmp_path, edit)) == [
        ("register-unknown-column", "Framework", "cell A9", "return due dayz",
         "'return due dayz' is not a field of the Framework table (did you mean 'return_due_days'?)"),
        ("register-unknown-column", "Owners", "cell E1", "phone",
         "'phone' is not a column of the Owners table"),
        ("register-unknown-column", "Indicators", "cell P1", "tolerence",
         "'tolerence' is not a column of the Indicators table (did you mean 'tolerance'?)"),
        ("register-unknown-column", "Indicators", "cell U1", "Notes",
         "'Notes' is not a column of the Indicators table"),
    ]


def test_excel_two_headers_for_one_column(tmp_path: Path) -> None:
    """Two headers that name the same column (or two rows the same field) are refused."""

    def edit(wb: Any) -> None:
        wb["Framework"]["A10"] = "ID"
        wb["Framework"]["B10"] = "other-2017-18"
        ws = wb["Indicators"]
        ws["U1"] = "Q2 Target"
        ws["U2"] = 50

    assert problems_of(excel(tmp_path, edit)) == [
        ("register-duplicate-column", "Framework", "cell A10", "id",
         "cells A2 and A10 both name the field 'id'; keep one of them"),
        ("register-duplicate-column", "Indicators", "cell U1", "q2_target",
         "cells M1 and U1 both name the column 'q2_target'; keep one of them"),
    ]


# -- ids stored as numbers ------------------------------------------------------------------

def test_excel_numeric_ids(tmp_path: Path) -> None:
    """Every id cell holding a number is reported, whether or not it now repeats another id
    (the repeat follows from it, so it is not reported as well)."""

    def edit(wb: Any) -> None:
        ws = wb["Priorities"]
        ws.append([7, "Extra priority", 7])
        ws = wb["Indicators"]
        ws["A3"] = 1.2
        ws["A11"] = 1.1  # meant 1.10; 1.1 is in row 2
        assert ws["A11"].data_type == "n"

    assert problems_of(excel(tmp_path, edit)) == [
        ("register-id-number", "Priorities", "row 8 (id 7)", "id", ID_NUMBER.format(7)),
        ("register-id-number", "Indicators", "row 3 (indicator 1.2)", "id", ID_NUMBER.format(1.2)),
        ("register-id-number", "Indicators", "row 11 (indicator 1.1)", "id", ID_NUMBER.format(1.1)),
    ]


def test_yaml_unquoted_decimal_id(tmp_path: Path) -> None:
    """An unquoted 1.20 is the number 1.2 to YAML: refused, quoting the id as written."""
    text = (SAMPLES / "register" / "rbwm-2017-18-register.yaml").read_text("utf-8")
    assert "- id: '1.2'\n" in text
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("- id: '1.2'\n", "- id: 1.20\n"), "utf-8")
    assert problems_of(path) == [(
        "register-id-number", "Indicators", "row 3 (indicator 1.2)", "id",
        "the id 1.20 is not in quotes, so YAML reads it as the number 1.2 (1.10 becomes 1.1); "
        "put the id in quotes, '1.20'",
    )]


def test_yaml_whole_number_id_is_accepted(tmp_path: Path, good: dict[str, Any]) -> None:
    """A whole-number id (7) loses nothing, so it is accepted as the text 7; a float given
    from Python is refused."""
    data = copy.deepcopy(good)
    data["priorities"].append({"id": 7, "name": "Extra priority", "order": 7})
    data["indicators"][0]["priority"] = 7
    fw = load_framework(write_yaml(tmp_path / "r.yaml", data))
    assert fw.priority("7") is not None and fw.indicators[0].priority == "7"

    data["owners"].append({"id": 1.5, "name": "Extra owner"})
    with pytest.raises(RegisterError) as info:
        framework_from_dict(data, "python")
    assert [(p.code, p.sheet, p.row, p.field, p.message) for p in info.value.problems] == [(
        "register-id-number", "Owners", "row 16 (id 1.5)", "id",
        "the id 1.5 is not in quotes, so YAML reads it as the number 1.5 (1.10 becomes 1.1); "
        "put the id in quotes, '1.5'")]


# -- Excel error values ---------------------------------------------------------------------

def test_excel_error_values(tmp_path: Path) -> None:
    """A cell holding an Excel error is one problem, in any table and column; what follows
    from it (a missing name, an unknown priority) is not reported as well."""
    errors = {
        ("Framework", "B5"): "#NAME?",  # year
        ("Priorities", "B3"): "#DIV/0!",  # name of safe
        ("Panels", "B2"): "#NULL!",
        ("Owners", "D2"): "#NUM!",  # contact_email
        ("Indicators", "B4"): "#REF!",  # name of 1.3
        ("Indicators", "M5"): "#N/A",  # q2_target of 1.4
        ("Indicators", "D6"): "#VALUE!",  # priority of 1.5
        ("Indicators", "A7"): "#REF!",  # id of 1.6
    }

    def edit(wb: Any) -> None:
        for (sheet, ref), value in errors.items():
            wb[sheet][ref] = value
            assert wb[sheet][ref].data_type == "e"

    def error(value: str) -> str:
        return f"the cell holds the error {value}; type the value"

    assert problems_of(excel(tmp_path, edit)) == [
        ("register-error-value", "Framework", "", "year", error("#NAME?")),
        ("register-error-value", "Priorities", "row 3 (id safe)", "name", error("#DIV/0!")),
        ("register-error-value", "Panels", "row 2 (id ASH)", "name", error("#NULL!")),
        ("register-error-value", "Owners", "row 2 (id ASC)", "contact_email", error("#NUM!")),
        ("register-error-value", "Indicators", "row 4 (indicator 1.3)", "name", error("#REF!")),
        ("register-error-value", "Indicators", "row 5 (indicator 1.4)", "q2_target", error("#N/A")),
        ("register-error-value", "Indicators", "row 6 (indicator 1.5)", "priority", error("#VALUE!")),
        ("register-error-value", "Indicators", "row 7", "id", error("#REF!")),
    ]


# -- panels are optional --------------------------------------------------------------------

@pytest.mark.parametrize("panels", ["absent", "empty"])
def test_yaml_register_without_panels(tmp_path: Path, good: dict[str, Any], panels: str) -> None:
    """With no panels (no table, or an empty one) and no indicator naming one, it loads."""
    data = without_panels(good)
    if panels == "empty":
        data["panels"] = []
    fw = load_framework(write_yaml(tmp_path / "r.yaml", data))
    assert fw.panels == () and {i.panel for i in fw.indicators} == {""}
    assert len(fw.indicators) == 25


def test_panel_named_but_no_panels(tmp_path: Path, good: dict[str, Any]) -> None:
    """An indicator naming a panel when there are none is still an unknown panel."""
    data = without_panels(good)
    data["indicators"][0]["panel"] = "ASH"
    assert problems_of(write_yaml(tmp_path / "r.yaml", data)) == [(
        "register-unknown-panel", "Indicators", "row 2 (indicator 1.1)", "panel",
        "'ASH' is not a panel in the Panels table",
    )]


def test_excel_register_without_panels_sheet(tmp_path: Path, good: dict[str, Any]) -> None:
    """The Panels sheet may be left out (or left empty); another sheet may not."""
    expected: Framework = framework_from_dict(without_panels(good))

    def edit(wb: Any) -> None:
        del wb["Panels"]
        ws = wb["Indicators"]
        assert ws["F1"].value == "panel"
        for row in range(2, ws.max_row + 1):
            ws.cell(row, 6).value = None

    path = excel(tmp_path, edit)
    assert load_framework(path) == expected

    def header_only(wb: Any) -> None:
        wb.create_sheet("Panels").append(["id", "name"])

    wb = load_workbook(path)
    header_only(wb)
    wb.save(path)
    assert load_framework(path) == expected

    def no_owners(wb: Any) -> None:
        del wb["Owners"]

    assert problems_of(excel(tmp_path, no_owners)) == [
        ("register-unreadable", "Owners", "", "", "the sheet is missing")]


# -- the bundled registers and the command line ---------------------------------------------

@pytest.mark.parametrize("path", [
    SAMPLES / "register" / "rbwm-2017-18-register.yaml",
    SAMPLES / "register" / "rbwm-2017-18-register.xlsx",
    REPO / "docs" / "examples" / "register.yaml",
], ids=["sample-yaml", "sample-xlsx", "docs-example"])
def test_bundled_registers_load_cleanly(path: Path) -> None:
    """The registers shipped with the project pass every new check."""
    assert load_framework(path).indicators


def test_cli_refuses_a_register_with_a_typo(tmp_path: Path, good: dict[str, Any]) -> None:
    """`rbwm-pmf validate --register bad.yaml` stops with exit 2 and names the typo."""
    from rbwm_pmf.cli import app

    data = copy.deepcopy(good)
    data["indicators"][1]["tolerence"] = data["indicators"][1].pop("tolerance")
    bad = write_yaml(tmp_path / "bad.yaml", data)
    result = CliRunner().invoke(app, ["validate", "--register", str(bad), str(SAMPLES / "returns")])
    assert result.exit_code == 2, result.output
    assert (
        "Indicators row 3 (indicator 1.2), field 'tolerence': 'tolerence' is not a column of the "
        "Indicators table (did you mean 'tolerance'?) [register-unknown-column]"
    ) in result.output
