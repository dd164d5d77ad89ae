"""Helpers for tests: generate real templates and fill them in as an owner would (openpyxl)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from rbwm_pmf.register.load import load_framework
from rbwm_pmf.template.write import make_templates
from rbwm_pmf.template import spec as layout

GENERATED = dt.datetime(2017, 10, 2, 9, 0, 0)

# PRODUCT.md section 1: Table 1 of the RBWM Cabinet report of 23 November 2017, and its sentence.
REPORT_TABLE_1 = [
    ("Healthy, skilled and independent residents", 4, 3, 0, 7),
    ("Safe and vibrant communities", 2, 2, 0, 4),
    ("Growing economy, affordable housing", 4, 0, 0, 4),
    ("Attractive and well-connected borough", 2, 1, 1, 4),
    ("An excellent customer experience", 2, 2, 0, 4),
    ("Well-managed resources delivering value for money", 2, 0, 0, 2),
    ("Total", 16, 8, 1, 25),
]
REPORT_SENTENCE = (
    "As at 30 September 2017, 16 of the 25 indicators were performing at or above target, "
    "eight indicators were just short of target and one indicator was below target."
)
REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_workbooks"


def templates(folder: Path, period: str = "2017-18-Q2") -> dict[str, Path]:
    """Generate every owner's template into `folder`; map owner id -> path."""
    paths = make_templates(None, period, folder, generated=GENERATED)
    return {p.name.split("-")[3]: p for p in paths}


def header_columns(ws: Any) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(min_row=1, max_row=50):
        labels = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if layout.ID in labels and layout.ACTUAL in labels:
            return row[0].row, labels
    raise AssertionError("no header row")


def row_of(ws: Any, indicator_id: str) -> int:
    header, cols = header_columns(ws)
    for r in range(header + 1, ws.max_row + 1):
        if str(ws.cell(r, cols[layout.ID]).value).strip() == indicator_id:
            return r
    raise AssertionError(f"no row for {indicator_id}")


def fill(path: Path, values: dict[str, tuple[Any, str, str]], out: Path | None = None) -> Path:
    """Type values as an owner would: a number for a percent indicator is stored as a fraction,
    as Excel does when 93.4 is typed into a percent-formatted cell; text is typed as text."""
    fw = load_framework()
    wb = load_workbook(path)
    ws = wb[layout.RETURN_SHEET]
    _, cols = header_columns(ws)
    for ind_id, (actual, commentary, mitigation) in values.items():
        r = row_of(ws, ind_id)
        ind = fw.indicator(ind_id)
        cell = ws.cell(r, cols[layout.ACTUAL])
        if isinstance(actual, (int, float)) and ind is not None and ind.unit == "percent":
            cell.value = actual / 100
        else:
            cell.value = actual
        ws.cell(r, cols[layout.COMMENTARY]).value = commentary or None
        ws.cell(r, cols[layout.MITIGATION]).value = mitigation or None
    target = out or path
    wb.save(target)
    return target


def soffice(*args: str, cwd: Path) -> None:
    """Run LibreOffice headless with a private profile; fail clearly if it is missing."""
    exe = shutil.which("soffice")
    assert exe, "LibreOffice (soffice) is required for this test; .ci/run installs it."
    profile = Path("/tmp") / f"lo-profile-{uuid.uuid4().hex}"
    try:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", *args],
                       cwd=cwd, check=True, capture_output=True, timeout=240)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
