"""Helpers for tests: generate real templates and fill them in as an owner would (openpyxl)."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rbwm_pmf.register.load import load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.template.write import make_templates

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


# -- files made once per run ----------------------------------------------------------------------

def made_once(factory: pytest.TempPathFactory, name: str,
              build: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """The files `build(folder)` writes (a dict of paths in `folder`), made once per test run.

    Under pytest-xdist the first worker to ask makes them, in a folder all workers of the run
    share, and the others wait for it: each worker has its own temporary folder, so nothing is
    written twice or by two workers at once."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(factory.mktemp(name))
    root = factory.getbasetemp().parent / name
    manifest = root / "manifest.json"
    try:
        root.mkdir()  # atomic: the one worker that creates the folder makes the files
    except FileExistsError:
        waited = 0.0
        while not manifest.exists():
            assert waited < 600, f"another worker has not made {name} in 10 minutes"
            time.sleep(0.2)
            waited += 0.2
        made = json.loads(manifest.read_text("utf-8"))
        assert "error" not in made, f"another worker failed to make {name}: {made['error']}"
        return {key: root / rel for key, rel in made["files"].items()}
    try:
        files = build(root)
    except BaseException as exc:
        _write_atomic(manifest, {"error": repr(exc)})
        raise
    _write_atomic(manifest, {"files": {key: str(path.relative_to(root)) for key, path in files.items()}})
    return files


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    tmp.replace(path)


# -- LibreOffice ----------------------------------------------------------------------------------

SOFFICE_MISSING = ("LibreOffice's soffice is not on the PATH: "
                   "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils")
_profiles: dict[int, Path] = {}


def in_ci() -> bool:
    """True in CI (CI=true), where every test must run: nothing is skipped for a missing tool."""
    return os.environ.get("CI") == "true"


def require_soffice(*also: str) -> str:
    """The path of LibreOffice's soffice (and check `also`, e.g. "pdftoppm", are there too).

    Without them the calling test is skipped, saying how to install them; in CI (CI=true) it
    fails instead, so a CI machine without LibreOffice cannot pass by skipping."""
    missing = [tool for tool in ("soffice", *also) if shutil.which(tool) is None]
    if missing:
        if in_ci():
            pytest.fail(f"CI=true and {', '.join(missing)} missing. {SOFFICE_MISSING}", pytrace=False)
        pytest.skip(SOFFICE_MISSING)
    return str(shutil.which("soffice"))


def _profile() -> Path:
    """This process's LibreOffice profile: made on first use, kept for the next calls (starting
    with a new profile costs seconds), removed at exit. Each pytest-xdist worker is a process of
    its own, so workers never share a profile (LibreOffice would hand the job to the other's
    running instance)."""
    pid = os.getpid()
    if pid not in _profiles:
        _profiles[pid] = Path(tempfile.mkdtemp(prefix="rbwm-pmf-lo-profile-"))
        atexit.register(shutil.rmtree, _profiles[pid], ignore_errors=True)
    return _profiles[pid]


def soffice(*args: str, cwd: Path) -> None:
    """Run LibreOffice headless with this process's private profile (see `require_soffice` for
    what happens when it is missing)."""
    exe = require_soffice()
    subprocess.run([exe, f"-env:UserInstallation={_profile().as_uri()}", "--headless", *args],
                   cwd=cwd, check=True, capture_output=True, timeout=240)


def convert(files: Sequence[Path], fmt: str, out_dir: Path) -> list[Path]:
    """Save `files` as `fmt` (xls, ods, xlsx, pdf...) into `out_dir` with one LibreOffice call."""
    out_dir.mkdir(parents=True, exist_ok=True)
    soffice("--convert-to", fmt, "--outdir", str(out_dir), *map(str, files), cwd=out_dir)
    out = [out_dir / f"{Path(f).stem}.{fmt.split(':')[0]}" for f in files]
    for path in out:
        assert path.exists(), f"LibreOffice did not write {path}"
    return out
