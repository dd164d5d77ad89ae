"""The rbwm-pmf command line: parse, make one library call, render, set the exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from rbwm_pmf import PmfError

app = typer.Typer(
    name="rbwm-pmf",
    help="Quarterly performance returns for councils: templates, validation, RAG and Table 1.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_FILES = 20

RegisterOpt = Annotated[
    Path | None,
    typer.Option("--register", "-r", help="Framework register (.yaml or .xlsx). Default: the packaged RBWM 2017/18 register."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: 'table' for people, 'json' for scripts.")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes reading the returns (default: one per core).")]
PathsArg = Annotated[list[Path], typer.Argument(help="Return files and/or folders (searched recursively).")]


def _fail(message: str, fmt: str = "table") -> typer.Exit:
    """Say what stopped the run on stderr; with --format json, also as JSON on stdout."""
    typer.echo(f"Error: {message}", err=True)
    if fmt == "json":
        _print_json({"error": message, "exit_code": EXIT_USAGE})
    return typer.Exit(EXIT_USAGE)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise _fail(f"--format must be 'table' or 'json', not '{fmt}'.")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def _progress(total_hint: list[Path]) -> Iterator[Callable[[Path], None] | None]:
    """A progress bar on stderr for long batches in a terminal; nothing otherwise."""
    from rbwm_pmf import collect_paths

    if not sys.stderr.isatty():
        yield None
        return
    try:
        files, _ = collect_paths(total_hint)
    except PmfError:
        yield None
        return
    if len(files) < PROGRESS_MIN_FILES:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_console(stderr=True)) as bar:
        task = bar.add_task("Reading returns", total=len(files))
        yield lambda _path: bar.advance(task)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@app.command()
def template(
    period: Annotated[str, typer.Option("--period", "-p", help="Period, like 2017-18-Q2.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder to write the templates to.")],
    register: RegisterOpt = None,
    owner: Annotated[list[str] | None, typer.Option("--owner", help="Only this owner id (repeatable).")] = None,
) -> None:
    """Write one return template per owner for a period."""
    from rbwm_pmf import load_framework, make_templates

    try:
        fw = load_framework(register)
        paths = make_templates(fw, period, out_dir, owners=owner or None)
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"{_plural(len(paths), 'template')} written to {out_dir}", err=True)


@app.command()
def validate(
    paths: PathsArg,
    period: Annotated[str | None, typer.Option("--period", "-p", help="Expected period of every return, like 2017-18-Q2.")] = None,
    register: RegisterOpt = None,
    fmt: FormatOpt = "table",
    feedback_dir: Annotated[Path | None, typer.Option("--feedback-dir", help="Write an annotated feedback copy of each return with problems here.")] = None,
    newest_wins: Annotated[bool, typer.Option("--newest-wins", help="When two returns give the same value, use the newest file.")] = False,
    jobs: JobsOpt = None,
) -> None:
    """Check returns and say exactly which cell is wrong and how to fix it."""
    from rbwm_pmf import validate as run

    _check_format(fmt)
    try:
        with _progress(paths) as progress:
            report = run(paths, register, period, newest_wins=newest_wins, progress=progress, jobs=jobs)
        written = []
        if feedback_dir is not None:
            from rbwm_pmf import write_feedback

            written = write_feedback(report, feedback_dir)
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == "json":
        _print_json(report.to_dict())
    else:
        _render_report(report)
        for path in written:
            typer.echo(f"Feedback written: {path}")
    raise typer.Exit(EXIT_OK if report.valid else EXIT_PROBLEMS)


@app.command()
def consolidate(
    paths: PathsArg,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The consolidated workbook to write (.xlsx).")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="Reporting period, like 2017-18-Q2 (default: the latest found).")] = None,
    register: RegisterOpt = None,
    fmt: FormatOpt = "table",
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Also write the tidy tables as CSV files to this folder.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any return has errors.")] = False,
    newest_wins: Annotated[bool, typer.Option("--newest-wins", help="When two returns give the same value, use the newest file.")] = False,
    jobs: JobsOpt = None,
) -> None:
    """Merge the returns, rate every indicator, print Table 1 and write the workbook."""
    from rbwm_pmf import consolidate as run

    _check_format(fmt)
    if out is not None and out.suffix.lower() != ".xlsx":
        raise _fail(f"--out must be an .xlsx file, not '{out.name}'.", fmt)
    try:
        with _progress(paths) as progress:
            result = run(paths, register, period, newest_wins=newest_wins, progress=progress, jobs=jobs)
        blocked = strict and not result.valid
        if not blocked:
            if out is not None:
                result.write(out)
            if csv_dir is not None:
                result.to_csv(csv_dir)
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == "json":
        _print_json(result.to_dict())
    else:
        _render_result(result)
        if blocked:
            typer.echo("Nothing written: --strict and some returns have errors.", err=True)
        elif out is not None:
            typer.echo(f"Workbook written: {out}")
    raise typer.Exit(EXIT_OK if result.valid else EXIT_PROBLEMS)


@app.command()
def rules(fmt: FormatOpt = "table") -> None:
    """List every validation rule: code, severity, message and fix hint."""
    from rbwm_pmf import RULES

    _check_format(fmt)
    if fmt == "json":
        _print_json([r.to_dict() for r in RULES.values()])
        return
    for r in RULES.values():
        typer.echo(f"{r.code:28} {r.severity:8} {r.title}")


@app.command("check-register")
def check_register(register: Annotated[Path, typer.Argument(help="Register file (.yaml or .xlsx).")]) -> None:
    """Check a framework register and summarise it."""
    from rbwm_pmf import load_framework

    if not register.exists():
        raise _fail(f"{register} does not exist.")
    try:
        fw = load_framework(register)
    except PmfError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_PROBLEMS) from exc
    counts = ", ".join(_plural(len(rows), noun, plural) for rows, noun, plural in (
        (fw.priorities, "priority", "priorities"), (fw.panels, "panel", ""),
        (fw.owners, "owner", ""), (fw.indicators, "indicator", "")))
    typer.echo(f"{fw.name} ({fw.id}, {fw.year}): {counts}. OK.")


# -- rendering ----------------------------------------------------------------------------

def _plural(n: int, noun: str, plural: str = "") -> str:
    """`1 return`, `2 returns`, `3 priorities`."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _render_report(report: Any) -> None:
    console = _console()
    by_file: dict[str, list[Any]] = {}
    for issue in report.records:
        by_file.setdefault(issue.file, []).append(issue)
    for outcome in report.files:
        issues = by_file.get(outcome.path, [])
        label = {"valid": "OK", "warnings": "OK with warnings", "errors": "ERRORS",
                 "unreadable": "CANNOT BE READ", "duplicate": "DUPLICATE"}.get(outcome.status, outcome.status)
        who = f" ({outcome.owner_id}, {outcome.period})" if outcome.owner_id else ""
        console.print(f"[bold]{outcome.path}[/bold]{who}: {label}", markup=True)
        for i in issues:
            where = i.location or "(file)"
            mark = "error  " if i.is_error else "warning"
            console.print(f"  {where:14} {mark} {i.code}: {i.message}", markup=False)
            console.print(f"  {'':14}         Fix: {i.hint}", markup=False)
    for s in report.skipped:
        console.print(f"Skipped {s.path}: {s.reason}", markup=False)
    errors, warnings = len(report.errors), len(report.warnings)
    console.print(
        f"{_plural(len(report.files), 'return')} checked: {_plural(errors, 'error')}, "
        f"{_plural(warnings, 'warning')}, {_plural(len(report.skipped), 'file')} skipped.", markup=False)


def _render_result(result: Any) -> None:
    console = _console()
    from rich.table import Table

    table = Table(title=f"Table 1: {result.period.label}", show_lines=False)
    frame = result.table1
    table.add_column("Priority")
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for name, row in frame.iterrows():
        table.add_row(str(name), *(str(int(v)) for v in row.tolist()))
    console.print(table)
    console.print(result.summary, markup=False)
    shares = ", ".join(f"{k} {v}%" for k, v in result.shares.items())
    console.print(f"Shares of rated indicators: {shares} (rounded; may not sum to 100).", markup=False)
    report = result.report
    if report.records:
        console.print(f"{_plural(len(report.errors), 'error')} and {_plural(len(report.warnings), 'warning')} in the "
                      "returns: run 'rbwm-pmf validate' for details.", markup=False)


def main() -> None:
    """Entry point for the console script."""
    try:
        app()
    except SystemExit as done:
        code = done.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            code = 1
        # Every output is written and closed by now: leave without freeing a large batch's
        # objects and pandas' modules one by one, which costs a tenth of a second or more.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
