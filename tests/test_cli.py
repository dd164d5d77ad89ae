"""The command line: the consolidate command, JSON equal to the library's dict, exit codes,
--strict and --csv, help for every command, `python -m rbwm_pmf`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rbwm_pmf.consolidation.merge import consolidate
from tests.kit import REPORT_SENTENCE, SAMPLES


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "rbwm_pmf", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=cwd)


def test_consolidate_prints_table_1_and_writes_the_workbook(tmp_path: Path) -> None:
    """The README's main command: Table 1 and the sentence on stdout, the workbook written."""
    out = tmp_path / "Q2 performance.xlsx"
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2",
                   "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert REPORT_SENTENCE in " ".join(proc.stdout.split())
    assert "Healthy, skilled and independent residents" in proc.stdout
    assert out.exists() and out.stat().st_size > 10_000


def test_consolidate_json_equals_result_to_dict() -> None:
    """`--format json` prints exactly result.to_dict()."""
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2",
                   "--format", "json")
    assert proc.returncode == 0, proc.stderr
    expected = consolidate(SAMPLES / "returns", period="2017-18-Q2").to_dict()
    got = json.loads(proc.stdout)
    assert got == json.loads(json.dumps(expected, default=str))
    assert got["summary"] == REPORT_SENTENCE
    assert got["shares"] == {"Green": 64, "Amber": 32, "Red": 4}


def test_errors_exit_1_but_the_workbook_is_still_written(tmp_path: Path) -> None:
    """Returns with errors: exit 1, workbook written with the errors in its log; --strict writes
    nothing."""
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    shutil.copy(SAMPLES / "with_mistakes" / "2017-18-Q2-ASC-text-in-actual.xlsx", folder)
    for p in folder.glob("2017-18-Q2-ASC-adult*"):
        p.unlink()
    out = tmp_path / "out.xlsx"
    proc = run_cli("consolidate", str(folder), "--period", "2017-18-Q2", "--out", str(out))
    assert proc.returncode == 1 and out.exists()
    strict = tmp_path / "strict.xlsx"
    proc = run_cli("consolidate", str(folder), "--period", "2017-18-Q2", "--out", str(strict),
                   "--strict", "--csv", str(tmp_path / "csv"))
    assert proc.returncode == 1
    assert not strict.exists() and not (tmp_path / "csv").exists()
    assert "Nothing written" in proc.stderr


def test_csv_export(tmp_path: Path) -> None:
    """--csv writes the tidy tables for BI tools."""
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2",
                   "--csv", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data.csv", "issues.csv", "sources.csv", "table1.csv", "tracker.csv", "trend.csv"]
    raw = (tmp_path / "data.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfperiod,")  # UTF-8 with a BOM, for Excel
    data = raw.decode("utf-8-sig").splitlines()
    assert len(data) == 1 + 50  # 25 indicators x Q1 and Q2


def no_returns_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.txt").write_text("read me", "utf-8")
    (folder / "plan.docx").write_bytes(b"PK")
    return folder


def test_a_folder_without_returns_exits_2(tmp_path: Path) -> None:
    """validate and consolidate on a folder holding no return: exit 2, the sentence on stderr,
    nothing on stdout; no workbook of "No data"."""
    folder = no_returns_folder(tmp_path)
    out = tmp_path / "out.xlsx"
    for command, outcome, extra in (("validate", "nothing to check", ()),
                                    ("consolidate", "nothing to consolidate", ("--out", str(out)))):
        proc = run_cli(command, str(folder), *extra)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert proc.stdout == ""
        assert proc.stderr == (
            f"Error: No returns were found in {folder}: {outcome}. Give the folder or files of "
            "the returns (.xlsx). 2 other files were skipped, such as 'notes.txt': not a "
            "spreadsheet (.txt).\n")
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli("validate", str(empty))
    assert proc.returncode == 2
    assert proc.stderr == (f"Error: No returns were found in {empty}: nothing to check. Give the "
                           "folder or files of the returns (.xlsx).\n")


def test_errors_are_json_with_format_json(tmp_path: Path) -> None:
    """With --format json, what stops a run is also printed on stdout as JSON."""
    folder = no_returns_folder(tmp_path)
    for command in ("validate", "consolidate"):
        proc = run_cli(command, str(folder), "--format", "json")
        assert proc.returncode == 2
        sentence = proc.stderr.removeprefix("Error: ").rstrip("\n")
        assert sentence.startswith("No returns were found in ")
        assert json.loads(proc.stdout) == {"error": sentence, "exit_code": 2}
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--format", "json", "--out",
                   str(tmp_path / "x.csv"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {"error": "--out must be an .xlsx file, not 'x.csv'.",
                                       "exit_code": 2}


def test_consolidate_with_no_return_for_the_year_to_date_exits_2() -> None:
    """Returns for Q2 only, consolidated for Q1: exit 2, saying which period they are for."""
    proc = run_cli("consolidate", str(SAMPLES / "returns" / "2017-18-Q2"), "--period",
                   "2017-18-Q1")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "Error: None of the 14 returns found is for 2017-18-Q1: they are for 2017-18-Q2. Give "
        "the period they are for, like 2017-18-Q2, or the returns for 2017-18-Q1.\n")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """Bad period, missing path, bad --out, bad register: exit 2 with a message, no traceback."""
    cases = [
        ("consolidate", str(SAMPLES / "returns"), "--period", "Q9"),
        ("consolidate", str(tmp_path / "missing")),
        ("consolidate", str(SAMPLES / "returns"), "--out", str(tmp_path / "x.csv")),
        ("validate", str(SAMPLES / "returns"), "--register", str(tmp_path / "none.yaml")),
        ("validate", str(SAMPLES / "returns"), "--format", "xml"),
        ("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2", "--out",
         str(tmp_path / "no-such-folder" / "x.xlsx")),
    ]
    for args in cases:
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.strip(), args


def test_output_equal_to_an_input_is_refused(tmp_path: Path) -> None:
    """The workbook may never overwrite a return."""
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    victim = next(folder.glob("*.xlsx"))
    before = victim.read_bytes()
    proc = run_cli("consolidate", str(folder), "--period", "2017-18-Q2", "--out", str(victim))
    assert proc.returncode == 2
    assert victim.read_bytes() == before


def test_every_command_has_help() -> None:
    """Each command answers --help with its description."""
    top = run_cli("--help")
    assert top.returncode == 0
    for command in ("template", "validate", "consolidate", "rules", "check-register"):
        assert command in top.stdout
        proc = run_cli(command, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout, command


def test_template_command(tmp_path: Path) -> None:
    """`rbwm-pmf template` writes one workbook per owner."""
    proc = run_cli("template", "--period", "2017/18 Q3", "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert len(list(tmp_path.glob("2017-18-Q3-*.xlsx"))) == 14


def test_check_register_command() -> None:
    """check-register summarises a good register and exits 0."""
    proc = run_cli("check-register", str(SAMPLES / "register" / "rbwm-2017-18-register.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert "25 indicators" in proc.stdout


def test_jobs_2_and_jobs_1_give_identical_reports(tmp_path: Path) -> None:
    """Reading with two worker processes gives exactly the report of one, in the same order."""
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "returns", folder / "returns")
    shutil.copytree(SAMPLES / "with_mistakes", folder / "with_mistakes")
    assert len(list(folder.rglob("*.xlsx"))) >= 16  # enough files for the workers to start
    one = run_cli("validate", str(folder), "--format", "json", "--jobs", "1")
    two = run_cli("validate", str(folder), "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    c1 = run_cli("consolidate", str(folder / "returns"), "--format", "json", "--jobs", "1")
    c2 = run_cli("consolidate", str(folder / "returns"), "--format", "json", "--jobs", "2")
    assert json.loads(c1.stdout) == json.loads(c2.stdout)


def test_reading_a_batch_does_not_wait_for_pandas() -> None:
    """Finding, reading and reducing returns (`rbwm_pmf.reading` and
    `rbwm_pmf.validation.records`) imports neither pandas nor pandera, so worker processes start
    reading while the main process imports them; nor do `--help` and `template`."""
    modules = ["rbwm_pmf.reading.files", "rbwm_pmf.reading.pool", "rbwm_pmf.reading.returns",
               "rbwm_pmf.validation.records", "rbwm_pmf.cli", "rbwm_pmf.template.write"]
    code = (f"import sys, {', '.join(modules)}; "
            "print(sorted(m for m in ('pandas', 'pandera') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_values_from_a_csv_are_checked_from_the_command_line(tmp_path: Path) -> None:
    """`validate --values FILE` with no returns: the table's cell, the code and exit 1; with
    neither returns nor values, a one-line usage error and exit 2."""
    table = tmp_path / "revenues.csv"
    table.write_text("indicator_id,period,actual,commentary,mitigation\n"
                     "5.2,2017-18-Q2,20.6,Two assessors left.,Replacements started.\n"
                     "6.1,2017-18-Q2,about 57,,\n", "utf-8")
    proc = run_cli("validate", "--values", str(table), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    issues = json.loads(proc.stdout)["issues"]
    assert [(i["code"], i["sheet"], i["cell"]) for i in issues] == [
        ("actual-not-a-number", "revenues.csv", "C3")]
    nothing = run_cli("validate")
    assert nothing.returncode == 2
    assert nothing.stderr.strip().splitlines() == [
        "Error: Give the returns to read (PATH...), or a table of values (--values FILE)."]


def test_consolidate_writes_the_word_document(tmp_path: Path) -> None:
    """`--docx FILE` writes the report's document beside the workbook and says so."""
    out, doc = tmp_path / "Q2.xlsx", tmp_path / "Q2.docx"
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2",
                   "--out", str(out), "--docx", str(doc))
    assert proc.returncode == 0, proc.stderr
    assert f"Word document written: {doc}" in proc.stdout + proc.stderr
    assert doc.read_bytes()[:2] == b"PK" and out.exists()
    wrong = run_cli("consolidate", str(SAMPLES / "returns"), "--docx", str(tmp_path / "Q2.doc"))
    assert wrong.returncode == 2 and "--docx must be a .docx file" in wrong.stderr
