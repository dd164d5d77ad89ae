"""The documentation: every example runs, the officer's quarter runs as written, the CLI and rule
references are complete and current, the worked examples match the code, and every picture
exists."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer

import rbwm_pmf as pmf
from rbwm_pmf.cli import app
from rbwm_pmf.model.framework import Indicator
from rbwm_pmf.validation.rules import REGISTER_MESSAGES, RULES

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
EXAMPLES = DOCS / "examples"
GENERATED_PAGES = {"rules.md", "cli.md"}
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name not in GENERATED_PAGES)
OFFICER_GUIDE = DOCS / "officer-guide.md"
SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$')
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<path>[^)\s]+\.png)\)")
ERRORS_SHOWN = re.compile(r"\b[1-9][\d,]* errors?\b")


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its language, its lines and the line it starts on."""

    lang: str
    lines: list[str]
    line: int

    @property
    def snippet(self) -> str | None:
        """The file a `--8<--` block includes, or None."""
        body = [x for x in self.lines if x.strip()]
        match = SNIPPET.match(body[0].strip()) if len(body) == 1 else None
        return match["path"] if match else None


def fences(text: str) -> list[Fence]:
    found: list[Fence] = []
    lines = text.splitlines()
    n = 0
    while n < len(lines):
        opening = re.match(r"^```(\S*)", lines[n])
        if opening:
            start = n
            n += 1
            body = []
            while n < len(lines) and not lines[n].startswith("```"):
                body.append(lines[n])
                n += 1
            found.append(Fence(opening[1], body, start + 1))
        n += 1
    return found


def load_script(name: str) -> ModuleType:
    """A script of scripts/ as a module (registered, as dataclasses need)."""
    key = f"_docs_script_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO / "scripts" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def norm(line: str) -> str:
    return " ".join(line.split())


def cli_command() -> list[str]:
    """`rbwm-pmf` as a user types it: the installed script beside this Python, if there is one."""
    script = Path(sys.executable).parent / "rbwm-pmf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rbwm_pmf"]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def repo_copy(tmp_path: Path) -> Path:
    """A folder laid out like the repository, with the files the docs' commands read."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "sample_workbooks", root / "sample_workbooks")
    shutil.copytree(EXAMPLES, root / "docs" / "examples")
    return root


@dataclass(frozen=True)
class Command:
    """A `$ rbwm-pmf ...` line of a console block and the output shown under it."""

    page: str
    line: int
    text: str
    shown: list[str]

    @property
    def expected_exit(self) -> int:
        """1 when the output shown reports errors, otherwise 0."""
        return 1 if any(ERRORS_SHOWN.search(x) for x in self.shown) else 0


def console_commands(page: Path) -> list[Command]:
    found = []
    for fence in fences(page.read_text("utf-8")):
        if fence.lang != "console":
            continue
        current: tuple[int, str] | None = None
        shown: list[str] = []
        for offset, line in enumerate(fence.lines, start=1):
            if line.startswith("$ "):
                if current:
                    found.append(Command(page.name, current[0], current[1], shown))
                current, shown = (fence.line + offset, line[2:].strip()), []
            elif line.strip():
                shown.append(line)
        if current:
            found.append(Command(page.name, current[0], current[1], shown))
    return found


def run_command(command: Command, cwd: Path) -> None:
    """Run a documented command; check its exit code and that the output shown is what it prints
    (a line `...` stands for lines left out)."""
    args = shlex.split(command.text)
    assert args[0] == "rbwm-pmf", f"{command.page}:{command.line}: not an rbwm-pmf command"
    proc = run([*cli_command(), *args[1:]], cwd)
    where = f"{command.page}:{command.line}: $ {command.text}"
    assert proc.returncode == command.expected_exit, (
        f"{where}\nexit {proc.returncode}, the docs imply {command.expected_exit}\n"
        f"{proc.stdout}\n{proc.stderr}")
    printed = {norm(x) for x in (proc.stdout + "\n" + proc.stderr).splitlines()}
    for line in command.shown:
        if norm(line) in ("...", "…"):
            continue
        assert norm(line) in printed, f"{where}\nthe docs show a line it does not print:\n{line}\n" \
                                      f"it printed:\n{proc.stdout}\n{proc.stderr}"


# -- the officer's quarter ---------------------------------------------------------------------

def test_officer_guide_quarter_runs_as_written(tmp_path: Path) -> None:
    """The performance officer's guide, followed in a fresh folder: the set-up block makes the
    year's folder, then every rbwm-pmf command of the guide runs in order with the exit code and
    the output the guide shows, and leaves the files the guide says it writes."""
    if shutil.which("bash") is None:
        pytest.skip("the guide's set-up block is a shell script")
    root = repo_copy(tmp_path)
    text = OFFICER_GUIDE.read_text("utf-8")
    [setup] = [f for f in fences(text) if f.lang == "sh"]
    made = subprocess.run(["bash", "-e", "-c", "\n".join([*setup.lines, "pwd"])], cwd=root,
                          capture_output=True, text=True, check=True)
    year = Path(made.stdout.strip().splitlines()[-1])
    assert (year / "register.xlsx").exists() and (year / "returned" / "2017-18-Q2").is_dir()

    commands = console_commands(OFFICER_GUIDE)
    verbs = [shlex.split(c.text)[1] for c in commands]
    assert verbs == ["check-register", "template", "validate", "validate", "consolidate"]
    for command in commands:
        run_command(command, year)

    assert len(list((year / "to-send").glob("2017-18-Q2-*.xlsx"))) == 14
    assert (year / "feedback" / "2017-18-Q2-ASC-text-in-actual - feedback.xlsx").exists()
    assert (year / "Q2 performance.xlsx").stat().st_size > 10_000


@pytest.mark.parametrize("page", [p for p in PAGES if p != OFFICER_GUIDE and console_commands(p)],
                         ids=lambda p: p.name)
def test_console_examples_run(page: Path, tmp_path: Path) -> None:
    """Every command shown on the other pages runs from the repository's folder with the exit
    code and output shown."""
    root = repo_copy(tmp_path)
    for command in console_commands(page):
        run_command(command, root)


# -- the Python examples -------------------------------------------------------------------------

def shown_outputs() -> dict[str, list[str]]:
    """Example file -> the output the library guide shows for it (the text block after it)."""
    outputs: dict[str, list[str]] = {}
    last: str | None = None
    for fence in fences((DOCS / "library.md").read_text("utf-8")):
        if fence.lang == "python":
            last = fence.snippet
        elif fence.lang == "text" and last:
            outputs[Path(last).name] = fence.lines
            last = None
    return outputs


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_runs(example: Path, tmp_path: Path) -> None:
    """Each example file runs from the repository's folder (a copy: some write files) and prints
    what the library guide shows."""
    root = repo_copy(tmp_path)
    proc = run([sys.executable, str(root / "docs" / "examples" / example.name)], root)
    assert proc.returncode == 0, proc.stderr
    printed = {norm(x) for x in proc.stdout.splitlines()}
    for line in shown_outputs().get(example.name, []):
        assert norm(line) in printed, f"{example.name} does not print:\n{line}\n\n{proc.stdout}"


def test_python_and_yaml_in_the_docs_are_tested_files() -> None:
    """Every Python or YAML block of the hand-written pages includes a file: a whole file from
    docs/examples (so it runs in the tests) or a marked section of the package's source (so it
    is the code that runs); and every example file is shown on some page."""
    included = set()
    for page in [*PAGES, REPO / "README.md"]:
        for fence in fences(page.read_text("utf-8")):
            if fence.lang in ("python", "py", "yaml", "yml"):
                where = f"{page.name}:{fence.line}"
                assert fence.snippet, f"{where}: code not included from a file"
                path, _, section = fence.snippet.partition(":")
                assert (REPO / path).is_file(), where
                if section:
                    assert path.startswith("src/"), f"{where}: only source files are included in part"
                    text = (REPO / path).read_text("utf-8")
                    assert f"--8<-- [start:{section}]" in text and f"--8<-- [end:{section}]" in text, where
                else:
                    assert path.startswith("docs/examples/"), f"{where}: code not from docs/examples"
                    included.add(Path(path).name)
    assert included == {p.name for p in EXAMPLES.iterdir() if p.suffix in (".py", ".yaml")}


def test_example_register_has_every_kind_of_indicator() -> None:
    """The example register loads, and has each kind of indicator the reference describes."""
    fw = pmf.load_framework(EXAMPLES / "register.yaml")
    kinds = {(i.measure_type, i.frequency, i.tolerance_type, i.data_only) for i in fw.indicators}
    assert {k[0] for k in kinds} == {"snapshot", "cumulative", "rolling"}
    assert {k[1] for k in kinds} == {"quarterly", "half-yearly", "annual"}
    assert {k[2] for k in kinds} == {"relative", "absolute"}
    assert {k[3] for k in kinds} == {True, False}


# -- references complete and current -----------------------------------------------------------

def test_cli_reference_is_current() -> None:
    """docs/cli.md is what scripts/gen_cli_docs.py makes from the CLI (regenerate it if this
    fails)."""
    assert (DOCS / "cli.md").read_text("utf-8") == load_script("gen_cli_docs").render()


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    ctx = group.make_context("rbwm-pmf", [], resilient_parsing=True)
    out = {}
    for name in group.list_commands(ctx):
        command = group.commands[name]
        sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        out[name] = [p for p in command.get_params(sub) if p.name != "help"]
    return out


def test_every_command_and_option_is_documented() -> None:
    """Each command of the CLI has a section in the CLI reference, listing each of its options
    and arguments."""
    text = (DOCS / "cli.md").read_text("utf-8")
    sections = dict(re.findall(r"^## rbwm-pmf (\S+)\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    commands = _commands()
    assert set(sections) == set(commands)
    for name, params in commands.items():
        for param in params:
            if param.param_type_name == "argument":
                assert f"`{param.name.upper()}`" in sections[name], (name, param.name)
            for opt in [*param.opts, *param.secondary_opts]:
                if param.param_type_name == "option":
                    assert f"`{opt}`" in sections[name], (name, opt)


def test_every_rule_code_is_documented() -> None:
    """Each rule code has its section in the rule catalogue and a link from the owner's guide."""
    rules = (DOCS / "rules.md").read_text("utf-8")
    owners = (DOCS / "owner-guide.md").read_text("utf-8")
    for code in RULES:
        assert f"\n## {code}\n" in rules, code
        assert f"(rules.md#{code})" in owners, code


def test_every_register_problem_code_is_documented() -> None:
    """Each code a bad register can give is in the register reference."""
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "src" / "rbwm_pmf" / "register").glob("*.py"))
    codes = set(REGISTER_MESSAGES) | set(re.findall(r'"(register-[a-z-]+)"', source))
    text = (DOCS / "register-and-template.md").read_text("utf-8")
    for code in sorted(codes):
        assert f"| `{code}` |" in text, code


def test_every_page_is_in_the_site() -> None:
    """Every page of docs/ is in the site's navigation, and every page there exists (the
    Security page may be written separately)."""
    import yaml

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))
    nav = [next(iter(item.values())) for item in config["nav"]]
    assert set(nav) >= {p.name for p in DOCS.glob("*.md")}
    for page in nav:
        assert (DOCS / page).exists(), page


# -- worked examples match the code --------------------------------------------------------------

def table_after(text: str, heading: str) -> list[list[str]]:
    """The rows (without the header) of the first table after a heading."""
    part = text[text.index(f"\n{heading}\n"):]
    rows = []
    for line in part.splitlines()[1:]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:] if len(rows) > 1 and set(rows[1][0]) <= {"-", ":"} else rows[1:]


def indicator(unit: str, polarity: str, targets: tuple[float | None, ...], tolerance: float = 5,
              tolerance_type: str = "relative", frequency: str = "quarterly",
              data_only: bool = False) -> Indicator:
    return Indicator(
        id="x", name="x", definition="", priority="p", owner="o", panel="", unit=unit,
        unit_label="", polarity=polarity, frequency=frequency, measure_type="snapshot",
        targets=targets, tolerance=tolerance, tolerance_type=tolerance_type,  # type: ignore[arg-type]
        data_only=data_only,
    )


def test_rag_worked_examples_are_what_rate_gives() -> None:
    """Each worked example in the register reference has the status and reason rate() gives."""
    text = (DOCS / "register-and-template.md").read_text("utf-8")
    rows = table_after(text, "### Worked examples")
    assert len(rows) >= 15
    statuses = set()
    for unit, good, target, tolerance, actual, status, reason in rows:
        relative = "of target" in tolerance
        amount = float(re.match(r"[\d.]+", tolerance)[0])  # type: ignore[index]
        ind = indicator(unit, good.lower(), (float(target),) * 4, amount,
                        "relative" if relative else "absolute")
        rating = pmf.rate(ind, 2, float(actual))
        assert (rating.status, rating.reason) == (status, reason)
        statuses.add(status)
    assert statuses == {"Green", "Amber", "Red"}


def test_not_rated_and_no_data_reasons_are_what_rate_gives() -> None:
    """The reasons for Not rated and No data in the register reference are the code's."""
    text = (DOCS / "register-and-template.md").read_text("utf-8")
    rows = {case: (status, reason) for case, status, reason in
            table_after(text, "### Not rated and No data")}
    cases = {
        "A data-only indicator": pmf.rate(indicator("percent", "higher", (None,) * 4,
                                                    data_only=True), 2, 50.0),
        "A half-yearly indicator in Q1": pmf.rate(indicator("percent", "higher",
                                                            (None, 90, None, 91),
                                                            frequency="half-yearly"), 1, None),
        "Due in Q2, but no valid value": pmf.rate(indicator("percent", "higher", (85,) * 4), 2,
                                                  None),
    }
    assert set(rows) == set(cases)
    for case, rating in cases.items():
        assert rows[case] == (rating.status, rating.reason), case


def test_owner_guide_messages_are_what_validation_says() -> None:
    """Each common mistake in the owner's guide has the cell, message and fix validation gives
    for the sample return with that mistake."""
    text = (DOCS / "owner-guide.md").read_text("utf-8")
    rows = table_after(text, "## Common mistakes and what the messages say")
    report = pmf.validate(REPO / "sample_workbooks" / "with_mistakes")
    given = {(i.location, norm(i.message), norm(i.hint)) for i in report.records}
    assert len(rows) == len(report.records)
    for _mistake, cell, message, hint in rows:
        assert (cell.strip("`"), norm(message), norm(hint)) in given, (cell, message)


# -- pictures -----------------------------------------------------------------------------------

def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pictures() -> dict[str, list[str]]:
    """Image file name -> the pages that show it."""
    shown: dict[str, list[str]] = {}
    for page in [*DOCS.glob("*.md"), REPO / "README.md"]:
        for match in IMAGE.finditer(page.read_text("utf-8")):
            shown.setdefault(Path(match["path"]).name, []).append(page.name)
    return shown


def test_every_picture_in_the_docs_exists_and_is_made_by_the_script() -> None:
    """Each picture shown in the docs is a PNG in docs/images that the render script makes from
    the sample workbooks, and docs/images holds nothing else."""
    script = load_script("render_docs_images")
    made = {shot.name for shot in script.IMAGES}
    shown = pictures()
    # Every page of the workbook and the Word document, numbered as the script numbers them.
    whole = re.compile(rf"({'|'.join(script.WHOLE.values())})-\d\d\.png$")
    made |= {name for name in shown if whole.match(name)}
    assert shown, "the docs show no pictures"
    for name, pages in shown.items():
        path = DOCS / "images" / name
        assert path.exists(), f"{name}, shown in {pages}: run python scripts/render_docs_images.py"
        width, height = png_size(path)
        assert width > 300 and height > 50, name
        assert name in made, f"{name} is not made by scripts/render_docs_images.py"
    assert {p.name for p in (DOCS / "images").iterdir()} == set(shown)
    for page in [*DOCS.glob("*.md"), REPO / "README.md"]:
        text = page.read_text("utf-8")
        assert "](images/" not in text or page.parent == DOCS
        assert "](docs/images/" not in text or page.name == "README.md"


@pytest.mark.soffice("pdftoppm", "pdftotext")
def test_render_script_makes_every_picture(tmp_path: Path) -> None:
    """scripts/render_docs_images.py prints the current sample workbooks and finds the page of
    every sheet the docs show."""
    proc = run([sys.executable, str(REPO / "scripts" / "render_docs_images.py"), "--out-dir",
                str(tmp_path)], REPO)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    for shot in load_script("render_docs_images").IMAGES:
        width, _ = png_size(tmp_path / shot.name)
        assert width > 300, shot.name
    # It prints every page of the workbook and the document, as the docs show them.
    shown = {n for n in pictures() if n.startswith(("workbook-page-", "document-page-"))}
    assert shown and shown == {p.name for p in tmp_path.glob("*-page-*.png")}


# -- the README and the site ---------------------------------------------------------------------

def test_readme_commands() -> None:
    """The README's first command installs and consolidates the samples; its second is the test
    command CI runs (CI adds -q to quiet pip)."""
    blocks = [f for f in fences((REPO / "README.md").read_text("utf-8")) if f.lang == "sh"]
    first, second = ("\n".join(b.lines).strip() for b in blocks[:2])
    assert "rbwm-pmf consolidate sample_workbooks/returns --period 2017-18-Q2" in first
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    test_line = ci[ci.index("# The README's test command:") + 1]
    assert second == test_line.replace(" -q ", " ")


def test_readme_consolidate_command_runs(tmp_path: Path) -> None:
    """The rbwm-pmf part of the README's first command runs from the repository's folder."""
    first = next(f for f in fences((REPO / "README.md").read_text("utf-8")) if f.lang == "sh")
    command = "\n".join(first.lines).split("&&")[-1].strip()
    args = shlex.split(command)
    assert args[0].endswith("rbwm-pmf")
    root = repo_copy(tmp_path)
    proc = run([*cli_command(), *args[1:]], root)
    assert proc.returncode == 0, proc.stderr
    assert (root / args[args.index("--out") + 1]).exists()


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="needs mkdocs")
def test_site_builds_strict(tmp_path: Path) -> None:
    """`mkdocs build --strict` passes: no broken link, anchor, include or picture."""
    proc = run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                str(tmp_path / "site")], REPO)
    assert proc.returncode == 0, proc.stderr
