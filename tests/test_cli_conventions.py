"""The command line keeps the conventions analysts and scheduled jobs expect: help with metavars
and the reference page equal to it, `--version`, JSON errors with `--format json`, exit codes as
documented, words where a person expects them (the chase list, what was written), a register
cache that never stops a run, and `register convert` and `register new`."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from openpyxl import load_workbook

import rbwm_pmf
from rbwm_pmf.cli import app
from rbwm_pmf.errors import RegisterError
from rbwm_pmf.register.load import load_framework
from tests.kit import SAMPLES, convert

REPO = Path(__file__).resolve().parents[1]
CLI_DOCS = REPO / "docs" / "cli.md"
REGISTER_YAML = SAMPLES / "register" / "rbwm-2017-18-register.yaml"
PYTHON_TYPES = ["list[", "<str>", "<bool>", "<int", "<path>", "Path]", "{paths}", "x>=1"]


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """rbwm-pmf, run as a user runs it, in a terminal 200 columns wide."""
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "rbwm_pmf", *args], capture_output=True,
                          text=True, env=full, timeout=300, cwd=cwd)


def command_words() -> list[list[str]]:
    """The words after `rbwm-pmf` of every command and command group, the program first."""
    def walk(command: Any, words: list[str]) -> Iterator[list[str]]:
        yield words
        for name, sub in getattr(command, "commands", {}).items():
            if not sub.hidden:
                yield from walk(sub, [*words, name])

    return list(walk(typer.main.get_command(app), []))


def bad_register(folder: Path) -> Path:
    """A register that loads to problems: its framework has only an id."""
    path = folder / "bad.yaml"
    path.write_text("framework:\n  id: x\n", "utf-8")
    return path


def q2_without_asc(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "returns" / "2017-18-Q2", folder)
    for path in folder.glob("*-ASC-*"):
        path.unlink()
    return folder


# -- help -----------------------------------------------------------------------------------

@pytest.mark.parametrize("words", command_words(), ids=lambda w: " ".join(w) or "rbwm-pmf")
def test_help_has_metavars_not_python_types(words: list[str]) -> None:
    """Every command's --help names values as the docs do (PATH..., PERIOD, FILE, DIR, N, OWNER,
    [table|json]) and shows no Python type."""
    proc = run_cli(*words, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: rbwm-pmf {' '.join(words)}".rstrip() + " ")
    for word in PYTHON_TYPES:
        assert word not in proc.stdout, (words, word)
    expected = {
        "validate": ["validate [OPTIONS] [PATH...]", "--values FILE", "--period PERIOD",
                     "--register FILE", "--format [table|json]", "--feedback-dir DIR", "--jobs N"],
        "consolidate": ["consolidate [OPTIONS] [PATH...]", "--docx FILE", "--values FILE",
                        "--out FILE", "--csv DIR", "--jobs N", "--format [table|json]"],
        "template": ["--period PERIOD", "--out-dir DIR", "--owner OWNER", "--register FILE"],
        "rules": ["--format [table|json]"],
        "check-register": ["check-register [OPTIONS] REGISTER"],
        "register convert": ["convert [OPTIONS] SOURCE DEST"],
        "register new": ["new [OPTIONS] DEST"],
        "": ["--version", "--verbose", "--no-cache"],
    }
    for text in expected.get(" ".join(words), []):
        assert text in proc.stdout, (words, text)


def help_blocks(text: str) -> dict[str, str]:
    """The page's help blocks: the first `text` block after each `rbwm-pmf` heading, by the
    command's words (the program's own: the first block of the page, under key '')."""
    blocks = {"": re.search(r"```text\n(.*?)\n```", text, re.S)[1]}  # type: ignore[index]
    for match in re.finditer(r"^#{2,3} rbwm-pmf ([^\n]+)\n(.*?)```text\n(.*?)\n```", text, re.M | re.S):
        blocks[match[1]] = match[3]
    return blocks


def test_cli_reference_shows_what_help_prints() -> None:
    """docs/cli.md shows, for the program and each of its commands, exactly what --help prints,
    and has a section for every command (regenerate it with scripts/gen_cli_docs.py)."""
    blocks = help_blocks(CLI_DOCS.read_text("utf-8"))
    names = [" ".join(words) for words in command_words()]
    assert sorted(blocks) == sorted(names)
    for words in command_words():
        live = run_cli(*words, "--help").stdout.rstrip("\n")
        assert blocks[" ".join(words)] == live, f"rbwm-pmf {' '.join(words)} --help differs from docs/cli.md"


def test_help_needs_neither_pandas_nor_rich() -> None:
    """`rbwm-pmf --help` imports none of the heavy modules, so it answers at once."""
    code = ("import sys, io, contextlib\nfrom rbwm_pmf.cli import run_command_line\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    run_command_line(['--help'])\n"
            "print(sorted(m for m in ('pandas', 'pandera', 'openpyxl', 'xlsxwriter', 'rich', "
            "'pydantic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- version and the cache ----------------------------------------------------------------------

def test_version(tmp_path: Path) -> None:
    """--version prints the version; with --verbose, also Python's and the cache folder, or that
    the cache is off."""
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout == f"rbwm-pmf {rbwm_pmf.__version__}\n"
    assert rbwm_pmf.__version__ == "0.1.0"
    cache = tmp_path / "cache"
    proc = run_cli("--version", "--verbose", env={"RBWM_PMF_CACHE": str(cache)})
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0] == "rbwm-pmf 0.1.0" and lines[1].startswith("Python 3.")
    assert lines[2] == f"Register cache: {cache}"
    env = {k: v for k, v in os.environ.items() if k != "RBWM_PMF_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    proc = subprocess.run([sys.executable, "-m", "rbwm_pmf", "--version", "--verbose"],
                          capture_output=True, text=True, env=env, check=True)
    assert f"Register cache: {tmp_path / 'xdg' / 'rbwm-pmf'}\n" in proc.stdout
    proc = run_cli("--no-cache", "--version", "--verbose", env={"RBWM_PMF_CACHE": str(cache)})
    assert "Register cache: off" in proc.stdout


def test_no_cache_writes_no_cache(tmp_path: Path) -> None:
    """--no-cache: a register is checked without reading or writing the cache folder."""
    cache = tmp_path / "cache"
    proc = run_cli("--no-cache", "check-register", str(REGISTER_YAML), env={"RBWM_PMF_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr
    assert not cache.exists()
    proc = run_cli("check-register", str(REGISTER_YAML), env={"RBWM_PMF_CACHE": str(cache)})
    assert proc.returncode == 0 and len(list(cache.glob("register-*.json"))) == 1


def test_a_cache_that_cannot_be_written_never_stops_a_run(tmp_path: Path) -> None:
    """A cache folder inside a read-only folder, under a file (which no one, root included, can
    make a folder in), or in a read-only home folder: the register loads, twice, and nothing is
    left behind."""
    locked = tmp_path / "locked"
    locked.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    home = tmp_path / "home"
    home.mkdir()
    plain = {k: v for k, v in os.environ.items() if k not in ("RBWM_PMF_CACHE", "XDG_CACHE_HOME")}
    settings = [
        {**os.environ, "RBWM_PMF_CACHE": str(locked / "cache")},
        {**os.environ, "RBWM_PMF_CACHE": str(blocker / "cache")},
        {**plain, "HOME": str(home)},
    ]
    for folder in (locked, home):
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        for env in settings:
            for _ in range(2):
                proc = subprocess.run(
                    [sys.executable, "-m", "rbwm_pmf", "check-register", str(REGISTER_YAML)],
                    capture_output=True, text=True, env=env, timeout=300)
                assert proc.returncode == 0, (env.get("RBWM_PMF_CACHE"), proc.stderr)
                assert "25 indicators" in proc.stdout
        # The checks above mean something only where the folders really are read-only; root
        # may write in them (the path under a file fails for root too).
        if not os.access(locked, os.W_OK):
            assert list(locked.iterdir()) == [] and list(home.iterdir()) == []
        assert blocker.read_text("utf-8") == "not a folder"
    finally:
        for folder in (locked, home):
            folder.chmod(stat.S_IRWXU)


# -- errors, as JSON too -------------------------------------------------------------------------

def json_error_cases(tmp: Path) -> dict[str, list[str]]:
    returns = str(SAMPLES / "returns")
    return {
        "missing path": ["validate", str(tmp / "missing"), "--format", "json"],
        "bad --format value": ["validate", returns, "--format", "JSON"],
        "--format json, then a bad one": ["rules", "--format", "json", "--format", "xml"],
        "bad --period": ["consolidate", returns, "--period", "Q9", "-f", "json"],
        "unknown option": ["validate", returns, "--bogus", "--format=json"],
        "missing argument": ["consolidate", "-fjson"],
        "bad --jobs": ["validate", returns, "--jobs", "0", "--format", "json"],
        "bad --register": ["validate", returns, "--register", str(tmp / "none.yaml"), "-f", "json"],
        "--out not a workbook": ["consolidate", returns, "-f", "json", "--out", str(tmp / "x.csv")],
    }


@pytest.mark.parametrize("case", list(json_error_cases(Path("/tmp"))))
def test_every_usage_error_is_json_with_format_json(case: str, tmp_path: Path) -> None:
    """With --format json on the command line, whatever stops the run, Click's usage errors
    included, is a JSON object on stdout, exactly {"error", "exit_code": 2}, and the message on
    stderr; exit 2."""
    proc = run_cli(*json_error_cases(tmp_path)[case])
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    data = json.loads(proc.stdout)
    assert set(data) == {"error", "exit_code"} and data["exit_code"] == 2
    assert data["error"] and f"Error: {data['error']}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_without_json_leave_stdout_empty() -> None:
    """Without --format json, a usage error says what is wrong and how to get help, on stderr."""
    proc = run_cli("validate", str(SAMPLES / "returns"), "--format", "xml")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Try 'rbwm-pmf validate --help' for help." in proc.stderr
    assert "Error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json'." in proc.stderr


# -- exit codes as the docs say --------------------------------------------------------------------

def exit_code_cases(tmp: Path) -> list[tuple[int, str, list[str]]]:
    returns, q2 = str(SAMPLES / "returns"), str(SAMPLES / "returns" / "2017-18-Q2")
    mistakes = SAMPLES / "with_mistakes"
    bad, no_xlsx = str(tmp / "bad.yaml"), str(tmp / "no.xlsx")
    empty = tmp / "empty"
    return [
        (0, "rules", ["rules"]),
        (0, "check-register", ["check-register", str(REGISTER_YAML)]),
        (0, "warnings only", ["validate", str(mistakes / "2017-18-Q2-HTR-blank-actual-explained.xlsx")]),
        (1, "validate", ["validate", str(mistakes)]),
        (1, "consolidate", ["consolidate", str(mistakes), "--strict", "--out", no_xlsx]),
        (1, "check-register", ["check-register", bad]),
        (1, "register check", ["register", "check", bad]),
        (1, "register convert", ["register", "convert", bad, no_xlsx]),
        (2, "unknown command", ["nosuch"]),
        (2, "bad option value", ["validate", returns, "--format", "xml"]),
        (2, "missing argument", ["validate"]),
        (2, "path that does not exist", ["check-register", str(tmp / "none.yaml")]),
        (2, "--register not valid", ["consolidate", returns, "--register", bad]),
        (2, "no returns found", ["validate", str(empty)]),
        (2, "none for the period", ["consolidate", q2, "--period", "2017-18-Q1"]),
        (2, "period cannot be read", ["consolidate", returns, "--period", "Q9"]),
        (2, "output cannot be written",
         ["register", "convert", str(REGISTER_YAML), str(tmp / "no" / "r.xlsx")]),
    ]


def test_exit_codes_are_what_the_docs_say(tmp_path: Path) -> None:
    """Each exit code docs/cli.md lists, for each command it names, is the code the command
    exits with; and an exit 1 or 2 writes nothing it was asked to."""
    text = CLI_DOCS.read_text("utf-8")
    rows = dict(re.findall(r"^\| (\d) \| (.+) \|$", text, re.M))
    assert sorted(rows) == ["0", "1", "2"]
    cases = exit_code_cases(tmp_path)
    named = set(re.findall(r"`([a-z][a-z -]+)`", rows["1"])) - {"--strict"}
    assert named == {label for code, label, _ in cases if code == 1}
    bad_register(tmp_path)
    (tmp_path / "empty").mkdir()
    for code, label, args in cases:
        proc = run_cli(*args)
        assert proc.returncode == code, (label, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, label
    assert not (tmp_path / "no.xlsx").exists() and not (tmp_path / "no").exists()


# -- words where a person expects them ---------------------------------------------------------------

def test_chase_list_under_table_1(tmp_path: Path) -> None:
    """consolidate lists the owners whose return is missing (or not valid) under Table 1; with
    every return in, it says there is none to chase."""
    proc = run_cli("consolidate", str(q2_without_asc(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    start = lines.index("Returns to chase (1):")
    assert lines[start + 1] == "  ASC  Adult Social Care: Not received: chase"
    assert next(n for n, line in enumerate(lines) if "Table 1" in line) < start
    full = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2")
    assert full.returncode == 0
    assert "Returns to chase: none." in full.stdout.splitlines()
    assert "Returns to chase (" not in full.stdout


def test_consolidate_says_what_it_wrote(tmp_path: Path) -> None:
    """Without --out: a word on stderr that no workbook was written; --csv lists its files."""
    csv = tmp_path / "csv"
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2", "--csv", str(csv))
    assert proc.returncode == 0, proc.stderr
    assert "No workbook written: give --out FILE to write one." in proc.stderr.splitlines()
    listed = [line.removeprefix("CSV written: ") for line in proc.stdout.splitlines()
              if line.startswith("CSV written: ")]
    assert sorted(listed) == sorted(str(p) for p in csv.iterdir()) and len(listed) == 6
    proc = run_cli("consolidate", str(SAMPLES / "returns"), "--period", "2017-18-Q2", "--csv",
                   str(csv), "--format", "json")
    json.loads(proc.stdout)  # stdout stays JSON: the list goes to stderr
    assert proc.stderr.count("CSV written: ") == 6


# -- register convert and register new ----------------------------------------------------------------

def test_register_convert_round_trip(tmp_path: Path) -> None:
    """YAML -> Excel -> YAML gives the same register, in the packaged register's shape."""
    xlsx, back = tmp_path / "register.xlsx", tmp_path / "register.yaml"
    proc = run_cli("register", "convert", str(REGISTER_YAML), str(xlsx))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Register written: {xlsx}\n"
    proc = run_cli("register", "convert", str(xlsx), str(back))
    assert proc.returncode == 0, proc.stderr
    assert load_framework(back).to_dict() == load_framework(REGISTER_YAML).to_dict()
    original, written = (yaml.safe_load(p.read_text("utf-8")) for p in (REGISTER_YAML, back))
    assert list(written) == list(original)
    for table in ("priorities", "panels", "owners", "indicators"):
        assert [list(row) for row in written[table]] == [list(row) for row in original[table]]
    # Every framework field is written, those the original leaves to their defaults too.
    assert list(written["framework"])[:len(original["framework"])] == list(original["framework"])
    assert {k: written["framework"][k] for k in original["framework"]} == original["framework"]
    assert all(isinstance(row["id"], str) for row in written["indicators"])


def test_register_convert_writes_nothing_it_cannot_finish(tmp_path: Path) -> None:
    """An output that cannot be written, of another kind, or the source itself: one line, exit 2,
    nothing left behind; a register that is not valid: its problems, exit 1."""
    (tmp_path / "a-file").write_text("x", "utf-8")
    copy = tmp_path / "copy.yaml"
    shutil.copy(REGISTER_YAML, copy)
    for dest in (tmp_path / "a-file" / "r.xlsx", tmp_path / "missing" / "r.yaml",
                 tmp_path / "r.csv", copy):
        proc = run_cli("register", "convert", str(copy), str(dest))
        assert proc.returncode == 2, (dest, proc.stderr)
        assert proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "copy.yaml"]
    assert copy.read_bytes() == REGISTER_YAML.read_bytes()
    proc = run_cli("register", "convert", str(bad_register(tmp_path)), str(tmp_path / "r.xlsx"))
    assert proc.returncode == 1 and "register-missing-value" in proc.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_register_new(tmp_path: Path) -> None:
    """`register new` writes an Excel register that is refused only because its tables have no
    rows, with an Instructions sheet, text ids and lists for the choices; it never overwrites."""
    path = tmp_path / "register-2018-19.xlsx"
    proc = run_cli("register", "new", str(path))
    assert proc.returncode == 0, proc.stderr
    with pytest.raises(RegisterError) as caught:
        load_framework(path)
    problems = {(p.code, p.sheet, p.message) for p in caught.value.problems}
    assert problems == {("register-missing-value", sheet, "the table has no rows")
                        for sheet in ("Priorities", "Owners", "Indicators")}
    wb = load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Framework", "Priorities", "Panels", "Owners", "Indicators"]
    assert "rbwm-pmf check-register register-2018-19.xlsx" in str(wb["Instructions"]["A3"].value)
    ws = wb["Indicators"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["id", "name", "definition"] and "tolerance_type" in headers
    lists = {ws.cell(1, next(iter(dv.sqref.ranges)).min_col).value: dv.formula1
             for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["unit"] == '"percent,count,rate,days,currency"'
    assert lists["polarity"] == '"higher,lower"'
    assert lists["owner"].startswith("'Owners'!$A$2")
    assert set(lists) >= {"priority", "owner", "panel", "frequency", "measure_type", "tolerance_type",
                          "data_only"}
    assert all(wb[sheet].column_dimensions["A"].number_format == "@"  # ids typed as text
               for sheet in ("Priorities", "Panels", "Owners", "Indicators"))
    before = path.read_bytes()
    proc = run_cli("register", "new", str(path))
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert path.read_bytes() == before
    for dest in (tmp_path / "missing" / "r.xlsx", tmp_path / "r.yaml"):
        proc = run_cli("register", "new", str(dest))
        assert proc.returncode == 2 and proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.soffice()
def test_new_register_opens_in_libreoffice(tmp_path: Path) -> None:
    """LibreOffice opens the new register (saving it as .ods)."""
    path = tmp_path / "new.xlsx"
    assert run_cli("register", "new", str(path)).returncode == 0
    [ods] = convert([path], "ods", tmp_path / "ods")
    assert ods.stat().st_size > 1_000
