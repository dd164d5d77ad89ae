"""The CSV export for BI tools: text that a spreadsheet would run as a formula is made inert,
the files are UTF-8 with a byte-order mark, and a folder that cannot be written is one clear
error with nothing partial left."""

from __future__ import annotations

import csv
import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.consolidation.result import ConsolidationResult
from rbwm_pmf.errors import OutputError
from rbwm_pmf.template import spec as layout
from tests.kit import SAMPLES, header_columns, row_of

NAMES = ["data.csv", "issues.csv", "sources.csv", "table1.csv", "tracker.csv", "trend.csv"]
RISKY = ["=HYPERLINK(\"http://x\")", "+44 1628 683800", "-3 places since Q1", "@SUM(A1)",
         "\tindented", "\rcarriage return"]


@pytest.fixture(scope="module")
def result() -> ConsolidationResult:
    return consolidate(SAMPLES / "returns", period="2017-18-Q2")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_files_are_utf8_with_a_bom(result: ConsolidationResult, tmp_path: Path) -> None:
    """Each file starts with the UTF-8 byte-order mark, so Excel shows "↑" and "£" right."""
    written = result.to_csv(tmp_path / "csv")
    assert sorted(p.name for p in written) == NAMES
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == NAMES  # no temporary left
    for path in written:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = (tmp_path / "csv" / "data.csv").read_bytes()
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert len(read_csv(tmp_path / "csv" / "data.csv")) == 50


def test_arrows_and_pounds_are_utf8(result: ConsolidationResult, tmp_path: Path) -> None:
    """Text beyond ASCII is written as UTF-8 after the byte-order mark."""
    data = result.data.head(2).copy()
    data["commentary"] = ["Up ↑ on Q1", "£1.2m saved"]
    dataclasses.replace(result, data=data).to_csv(tmp_path)
    raw = (tmp_path / "data.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfperiod,")
    assert "Up ↑ on Q1".encode() in raw and "£1.2m saved".encode() in raw
    assert [r["commentary"] for r in read_csv(tmp_path / "data.csv")] == ["Up ↑ on Q1",
                                                                         "£1.2m saved"]


def test_text_starting_like_a_formula_gets_a_quote_in_every_csv(
        result: ConsolidationResult, tmp_path: Path) -> None:
    """= + - @ tab and CR at the start of a text cell: a leading ' in every CSV; numbers,
    negative ones too, are left alone; the JSON keeps the text as typed."""
    n = len(RISKY)
    data = result.data.head(n).copy()
    data["commentary"] = RISKY
    data["actual"] = [-1.5] * n
    table1 = result.table1.rename(index={result.table1.index[0]: "=1+1"})
    tracker = result.tracker.head(n).copy()
    tracker["contact"] = RISKY
    sources = result.sources.head(1).copy()
    sources["file"] = ["@evil.xlsx"]
    crafted = dataclasses.replace(result, data=data, table1=table1, tracker=tracker,
                                  sources=sources)
    out = tmp_path / "csv"
    crafted.to_csv(out)

    rows = read_csv(out / "data.csv")
    assert [r["commentary"] for r in rows] == ["'" + t for t in RISKY]
    assert [r["actual"] for r in rows] == ["-1.5"] * n  # a number stays a number
    assert [r["contact"] for r in read_csv(out / "tracker.csv")] == ["'" + t for t in RISKY]
    assert read_csv(out / "sources.csv")[0]["file"] == "'@evil.xlsx"
    assert read_csv(out / "table1.csv")[0]["Priority"] == "'=1+1"
    assert [r["indicator"] for r in rows] == list(data["indicator"])  # plain text as it was

    as_json = crafted.to_dict()
    assert [r["commentary"] for r in as_json["data"]] == RISKY
    assert [r["contact"] for r in as_json["tracker"]] == RISKY
    assert as_json["sources"][0]["file"] == "@evil.xlsx"
    assert list(crafted.data["commentary"]) == RISKY  # the result itself is not changed


def test_issue_text_from_a_real_return_is_made_inert(tmp_path: Path) -> None:
    """A return whose Actual is typed as text starting with '=': the issue's value in
    issues.csv gets a leading ', in the JSON it is as typed; commentary starting with '-' too."""
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    path = next(folder.glob("*-ASC-*.xlsx"))
    wb = load_workbook(path)
    ws = wb[layout.RETURN_SHEET]
    _, cols = header_columns(ws)
    r = row_of(ws, "1.3")
    ws.cell(r, cols[layout.ACTUAL]).value = "=ninety"
    ws.cell(r, cols[layout.ACTUAL]).data_type = "s"
    r = row_of(ws, "1.4")
    ws.cell(r, cols[layout.COMMENTARY]).value = "-2 points on Q1, still above target"
    wb.save(path)

    done = consolidate(folder, period="2017-18-Q2")
    done.to_csv(tmp_path / "csv")
    issues = read_csv(tmp_path / "csv" / "issues.csv")
    assert "'=ninety" in [i["value"] for i in issues]
    assert "=ninety" in [i["value"] for i in done.to_dict()["validation"]["issues"]]
    data = [d for d in read_csv(tmp_path / "csv" / "data.csv") if d["period"] == "2017-18-Q2"]
    by_id = {d["indicator_id"]: d for d in data}
    assert by_id["1.4"]["commentary"] == "'-2 points on Q1, still above target"
    typed = {d["indicator_id"]: d for d in done.to_dict()["data"] if d["period"] == "2017-18-Q2"}
    assert typed["1.4"]["commentary"] == "-2 points on Q1, still above target"


def test_a_folder_that_cannot_be_made_is_an_output_error(
        result: ConsolidationResult, tmp_path: Path) -> None:
    """--csv under a regular file: OutputError, one line, nothing written."""
    blocker = tmp_path / "report.txt"
    blocker.write_text("not a folder", "utf-8")
    with pytest.raises(OutputError) as caught:
        result.to_csv(blocker / "csv")
    message = str(caught.value)
    assert message.startswith(f"Cannot write {blocker / 'csv'}: ") and "\n" not in message
    assert message.endswith("Nothing was changed at that path.")
    assert blocker.read_text("utf-8") == "not a folder"


def test_a_file_that_cannot_be_replaced_is_an_output_error(
        result: ConsolidationResult, tmp_path: Path) -> None:
    """data.csv is a folder: OutputError naming it, and no temporary file left beside it."""
    out = tmp_path / "csv"
    (out / "data.csv").mkdir(parents=True)
    with pytest.raises(OutputError, match=r"^Cannot write .*data\.csv: "):
        result.to_csv(out)
    assert sorted(p.name for p in out.iterdir()) == ["data.csv"]
    assert (out / "data.csv").is_dir()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "rbwm_pmf", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def unwritable_targets(tmp_path: Path) -> list[tuple[Path, Path]]:
    """(--csv folder, what must be left as it was): a folder the OS refuses to write in.
    As root, a read-only folder can still be written, so a path under a regular file and a
    data.csv that is a folder are used as well."""
    targets = []
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    targets.append((blocker / "csv", blocker))
    taken = tmp_path / "taken"
    (taken / "data.csv").mkdir(parents=True)
    targets.append((taken, taken))
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        targets.append((locked, locked))
    return targets


def listing(path: Path) -> list[str]:
    if path.is_file():
        return [path.read_text("utf-8")]
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_cli_csv_to_an_unwritable_folder_exits_2_with_one_line(tmp_path: Path) -> None:
    """`consolidate --csv` where the OS refuses: exit 2, one 'Error:' line, no traceback, no
    partial files."""
    try:
        for target, kept in unwritable_targets(tmp_path):
            before = listing(kept)
            proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2",
                           "--csv", str(target))
            assert proc.returncode == 2, (target, proc.stderr)
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: Cannot write "), lines
            assert lines[0].endswith("Nothing was changed at that path.")
            assert "Traceback" not in proc.stderr
            assert listing(kept) == before
    finally:
        for locked in tmp_path.glob("locked"):
            locked.chmod(stat.S_IRWXU)


_FULL_DISK = """
import dataclasses, resource, signal, sys
from pathlib import Path
import pandas as pd
from rbwm_pmf.consolidation.merge import consolidate
from rbwm_pmf.errors import OutputError

result = consolidate(sys.argv[1], period="2017-18-Q2")
# sources.csv, written last, is made the largest file; no file may grow past 200 kB, as on a
# disk that fills up while the export is written.
big = pd.DataFrame([{"file": "x" * 1000} for _ in range(400)], columns=result.sources.columns)
data = result.data.assign(commentary="Written by the run that fails")  # differs from before
result = dataclasses.replace(result, data=data, sources=big)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
try:
    result.to_csv(sys.argv[2])
except OutputError as exc:
    print(exc)
    raise SystemExit(2)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are a POSIX feature")
def test_an_export_that_fails_part_way_replaces_nothing(result: ConsolidationResult,
                                                        tmp_path: Path) -> None:
    """The last file cannot be written (the process may not write past 200 kB): the earlier
    export's five files keep their bytes, and no temporary file is left."""
    out = tmp_path / "csv"
    result.to_csv(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.run([sys.executable, "-c", _FULL_DISK, str(SAMPLES / "returns"), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.startswith(f"Cannot write {out / 'sources.csv'}: ")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
