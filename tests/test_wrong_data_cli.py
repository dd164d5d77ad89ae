"""Every kind of wrong data a careless owner sends, through the command line: each case is a real
return made from a template, and `rbwm-pmf validate --format json` must give the rule code at the
cell, and the exit status (1 for an error, 0 when the return is usable with warnings)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.template import spec as layout
from tests.kit import SAMPLES, fill, header_columns, row_of, templates
from tests.test_cli import run_cli
from tests.test_layout import _as_strict

Q2 = SAMPLES / "returns" / "2017-18-Q2"


def _sample(owner: str) -> Path:
    return next(Q2.glob(f"*-{owner}-*.xlsx"))


def _edit(owner: str, indicator: str, label: str, value: Any, number_format: str | None = None,
          kind: str | None = None, epoch: dt.datetime | None = None) -> Callable[[Path], Path]:
    """A case: one cell of an owner's good Q2 sample return changed as Excel would store it."""
    def make(folder: Path) -> Path:
        wb = load_workbook(_sample(owner))
        if epoch is not None:
            wb.epoch = epoch
        ws = wb[layout.RETURN_SHEET]
        _, cols = header_columns(ws)
        cell = ws.cell(row_of(ws, indicator), cols[label])
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format
        if kind is not None:
            cell.data_type = kind
        out = folder / f"{owner}.xlsx"
        wb.save(out)
        return out
    return make


def _sheet(owner: str, change: Callable[[Worksheet], Any]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        wb = load_workbook(_sample(owner))
        change(wb[layout.RETURN_SHEET])
        out = folder / f"{owner}.xlsx"
        wb.save(out)
        return out
    return make


def _second_actual(ws: Worksheet) -> None:
    header, _ = header_columns(ws)
    ws.cell(header, 9).value = "Actual"


def _strict(folder: Path) -> Path:
    return _as_strict(_sample("ASC"), folder / "ASC.xlsx")


def _twice(folder: Path) -> Path:
    """The same return sent twice, the second copy with a remark typed beside the table."""
    first = shutil.copy(_sample("HOU"), folder / "HOU.xlsx")
    _sheet("HOU", lambda ws: ws.cell(20, 2, "Sent again"))(folder / "again")
    return Path(first)


def _last_quarter(folder: Path) -> Path:
    """Last quarter's template filled in with this quarter's figures, beside one good return."""
    made = templates(folder.parent / "q1-templates", "2017-18-Q1")
    shutil.copy(_sample("HOU"), folder / "HOU.xlsx")
    return fill(made["LIB"], {"2.3": (471200, "Visits in the quarter.", "")},
                folder / "LIB-return.xlsx")


def _too_long(folder: Path) -> Path:
    """32,000 characters, 2,000 of them emoji, which Excel counts twice: over its 32,767."""
    return _edit("WST", "4.3", layout.MITIGATION, "Recovery plan \U0001F4C8 " * 2000)(folder)


CASES: dict[str, tuple[Callable[[Path], Path], str, str, int]] = {
    # (make the case, rule code, where, exit status)
    "date-in-count": (_edit("LIB", "2.3", layout.ACTUAL, dt.date(2017, 9, 30), "dd/mm/yyyy"),
                      "actual-date-typed", "Return!F6", 1),
    "time-in-days": (_edit("REV", "5.2", layout.ACTUAL, dt.time(20, 36), "h:mm"),
                     "actual-date-typed", "Return!F6", 1),
    "1904-date": (_edit("LIB", "2.3", layout.ACTUAL, dt.date(2017, 9, 30), "dd/mm/yyyy",
                        epoch=CALENDAR_MAC_1904), "actual-date-typed", "Return!F6", 1),
    "percent-in-count": (_edit("LIB", "2.3", layout.ACTUAL, 0.5, "0%"),
                         "actual-percent-in-number", "Return!F6", 1),
    "103-percent": (_edit("ASC", "1.4", layout.ACTUAL, 1.03, "0.0%"),
                    "actual-out-of-bounds", "Return!F7", 1),
    "error-in-commentary": (_edit("WST", "4.3", layout.COMMENTARY, "#REF!", kind="e"),
                            "commentary-error-value", "Return!G6", 1),
    "error-in-mitigation": (_edit("WST", "4.3", layout.MITIGATION, "#N/A", kind="e"),
                            "mitigation-error-value", "Return!H6", 1),
    "error-in-id": (_edit("LIB", "2.3", layout.ID, "#REF!", kind="e"),
                    "indicator-id-error-value", "Return!A6", 1),
    "error-in-name": (_edit("LIB", "2.3", layout.NAME, "#N/A", kind="e"),
                      "name-error-value", "Return!B6", 1),
    "error-in-target": (_edit("LIB", "2.3", layout.TARGET, "#VALUE!", kind="e"),
                        "target-error-value", "Return!E6", 1),
    "two-actual-columns": (_sheet("ASC", _second_actual), "header-duplicate", "Return!I5", 1),
    "merged-mitigation": (_sheet("ASC", lambda ws: ws.merge_cells("H6:H8")),
                          "table-merged-cells", "Return!H6:H8", 1),
    "strict-open-xml": (_strict, "file-strict-xml", "", 1),
    "text-too-long": (_too_long, "text-too-long", "Return!H6", 0),
    "identical-values-twice": (_twice, "value-repeated", "Return!F6", 0),
    "blank-actual-explained": (lambda folder: shutil.copy(
        SAMPLES / "with_mistakes" / "2017-18-Q2-HTR-blank-actual-explained.xlsx",
        folder / "HTR.xlsx"), "actual-missing-explained", "Return!F6", 0),
    "blank-actual-unexplained": (lambda folder: shutil.copy(
        SAMPLES / "with_mistakes" / "2017-18-Q2-HOU-blank-actual.xlsx", folder / "HOU.xlsx"),
        "actual-missing", "Return!F8", 1),
    "last-quarters-template": (_last_quarter, "period-not-current", "Return", 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_wrong_data_gives_its_code_cell_and_exit_status(tmp_path: Path, case: str) -> None:
    make, code, where, exit_status = CASES[case]
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "again").mkdir()
    make(folder)
    proc = run_cli("validate", str(folder), "--format", "json")
    assert proc.returncode == exit_status, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    found = [(i["code"], f"{i['sheet']}!{i['cell']}" if i["cell"] else i["sheet"])
             for i in report["issues"]]
    assert (code, where) in found, found
    if exit_status == 0:
        assert report["valid"] and all(i["severity"] == "warning" for i in report["issues"])
