"""The rbwm-pmf command line: parse, make one library call, render, set the exit code."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from rbwm_pmf import PmfError, RegisterError, __version__

PROG = "rbwm-pmf"
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_FILES = 20
VALID = "Valid"  # the Return tracker's status of an owner with nothing to chase


class Format(StrEnum):
    """What a command prints: a table for people, or JSON for scripts."""

    TABLE = "table"
    JSON = "json"


FORMAT_METAVAR = "[" + "|".join(f.value for f in Format) + "]"


class Command(TyperCommand):
    """A command whose usage line and help name its arguments by their metavars (`PATH...`), as
    Click programs do, rather than by their Python types."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                word = _argument_word(param)
                pieces.append(word if param.required else f"[{word}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)
        arguments = [(_argument_word(p), getattr(p, "help", None) or "")
                     for p in params if p.param_type_name == "argument"]
        options = [record for p in params if p.param_type_name == "option"
                   and (record := p.get_help_record(ctx)) is not None]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _argument_word(param: Any) -> str:
    """`PATH...`, `REGISTER`: an argument as its usage line and help show it."""
    word = param.metavar or param.name.upper()
    return word + ("..." if param.nargs != 1 else "")


app = typer.Typer(
    name=PROG,
    help="Quarterly performance returns for councils: templates, validation, RAG and Table 1.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, as Click programs print it: rich's help renderer alone takes twice as long as
    # the rest of --help.
    rich_markup_mode=None,
)


def _group(name: str, summary: str) -> typer.Typer:
    """A group of subcommands (`rbwm-pmf NAME ...`), with the main program's plain help."""
    group = typer.Typer(name=name, help=summary, no_args_is_help=True, add_completion=False,
                        pretty_exceptions_enable=False, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


register_app = _group("register", "Check, convert and start framework registers.")
history_app = _group("history",
                     "Import, show and export the history store: values and ratings over the years.")


def _format(value: str | Format) -> Format:
    """`--format`'s value as a Format; any other word is a usage error, exit 2."""
    if isinstance(value, Format):
        return value
    try:
        return Format(value)
    except ValueError:
        choices = ", ".join(f"'{f.value}'" for f in Format)
        raise typer.BadParameter(f"'{value}' is not one of {choices}.") from None


def _workers(value: str | int) -> int:
    """`--jobs`'s value: a whole number, 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a whole number.") from None
    if number < 1:
        raise typer.BadParameter(f"{number} is too few: give 1 or more.")
    return number


RegisterOpt = Annotated[
    list[Path] | None,
    typer.Option("--register", "-r", metavar="FILE",
                 help="Framework register (.yaml or .xlsx), or a folder of them; repeat it for the registers of several years. Default: the packaged RBWM 2017/18 and 2018/19 registers."),
]
HistoryOpt = Annotated[Path, typer.Option("--history", metavar="FILE", help="The history store (an SQLite file).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", metavar=FORMAT_METAVAR, parser=_format, help="Output: 'table' for people, 'json' for scripts.")]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", metavar="N", parser=_workers,
                 help="Worker processes reading the returns, 1 or more (default: one per core)."),
]
PathsArg = Annotated[list[Path] | None, typer.Argument(metavar="PATH", help="Return files and/or folders (searched recursively).")]
ValuesOpt = Annotated[list[Path] | None, typer.Option("--values", metavar="FILE", help="A .csv or .xlsx table of values (indicator_id, period, actual, commentary, mitigation) checked like the returns; may be given more than once.")]
NewestWinsOpt = Annotated[bool, typer.Option("--newest-wins", help="When two returns give the same value, use the newest file.")]


@app.callback(invoke_without_command=True)
def _global_options(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help=f"Print the version of {PROG} and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="With --version: also the Python version and the register cache folder.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the register cache this run (as RBWM_PMF_CACHE='' does).")] = False,
) -> None:
    """Options for every command, given before it: rbwm-pmf --no-cache validate ..."""
    if no_cache:
        # Read by load_framework on each load, in this process and in the worker processes.
        os.environ["RBWM_PMF_CACHE"] = ""
    if version:
        _print_version(verbose)
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        ctx.fail("Missing command.")


def _print_version(verbose: bool) -> None:
    typer.echo(f"{PROG} {__version__}")
    if not verbose:
        return
    from rbwm_pmf import register_cache_folder

    typer.echo(f"Python {platform.python_version()} ({sys.executable})")
    try:
        folder = register_cache_folder()
    except RuntimeError as exc:  # no home folder to put it in
        typer.echo(f"Register cache: off ({exc})")
        return
    if folder is None:
        typer.echo("Register cache: off (RBWM_PMF_CACHE is empty)")
    else:
        typer.echo(f"Register cache: {folder}")


def _fail(message: str, fmt: str = Format.TABLE) -> typer.Exit:
    """Say what stopped the run on stderr; with --format json, also as JSON on stdout."""
    typer.echo(f"Error: {message}", err=True)
    if fmt == Format.JSON:
        _print_json({"error": message, "exit_code": EXIT_USAGE})
    return typer.Exit(EXIT_USAGE)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _note(message: str, fmt: str) -> None:
    """A line about what was written: on stdout for people, on stderr beside JSON."""
    typer.echo(message, err=fmt == Format.JSON)


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


@app.command(cls=Command)
def template(
    period: Annotated[str, typer.Option("--period", "-p", metavar="PERIOD", help="Period, like 2017-18-Q2.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", metavar="DIR", help="Folder to write the templates to.")],
    register: RegisterOpt = None,
    owner: Annotated[list[str] | None, typer.Option("--owner", metavar="OWNER", help="Only this owner id (repeatable).")] = None,
) -> None:
    """Write one return template per owner for a period.

    The templates are made from the register of the period's year.
    """
    from rbwm_pmf import Period, load_registers, make_templates

    try:
        fw = load_registers(register or None).for_report(Period.parse(period))
        paths = make_templates(fw, period, out_dir, owners=owner or None)
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"{_plural(len(paths), 'template')} written to {out_dir}", err=True)


@app.command(cls=Command)
def validate(
    path: PathsArg = None,
    period: Annotated[str | None, typer.Option("--period", "-p", metavar="PERIOD", help="Expected period of every return, like 2017-18-Q2.")] = None,
    register: RegisterOpt = None,
    fmt: FormatOpt = Format.TABLE,
    feedback_dir: Annotated[Path | None, typer.Option("--feedback-dir", metavar="DIR", help="Write an annotated feedback copy of each return with problems here.")] = None,
    values: ValuesOpt = None,
    newest_wins: NewestWinsOpt = False,
    jobs: JobsOpt = None,
) -> None:
    """Check returns: which cell is wrong and how to fix it."""
    from rbwm_pmf import validate as run

    paths = _given(path, values, fmt)
    removed: list[Path] = []
    try:
        with _progress(paths) as progress:
            report = run(paths, register or None, period, values=list(values) if values else None,
                         newest_wins=newest_wins, progress=progress, jobs=jobs)
        written: list[Path] = []
        if feedback_dir is not None:
            from rbwm_pmf import write_feedback

            written = write_feedback(report, feedback_dir)
            removed = written.removed
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == Format.JSON:
        _print_json(report.to_dict())
    else:
        _render_report(report)
    for written_path in written:
        _note(f"Feedback written: {written_path}", fmt)
    for removed_path in removed:
        _note(f"Feedback removed (the return has no problem now): {removed_path}", fmt)
    raise typer.Exit(EXIT_OK if report.valid else EXIT_PROBLEMS)


def _given(path: list[Path] | None, values: list[Path] | None, fmt: Format) -> list[Path]:
    """The paths to read; with neither paths nor --values there is nothing to do."""
    if not path and not values:
        raise _fail("Give the returns to read (PATH...), or a table of values (--values FILE).",
                    fmt)
    return list(path or [])


@app.command(cls=Command)
def consolidate(
    path: PathsArg = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help="The consolidated workbook to write (.xlsx).")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", metavar="PERIOD", help="Reporting period, like 2017-18-Q2 (default: the latest found), or a year, like 2017-18, for the annual report.")] = None,
    register: RegisterOpt = None,
    fmt: FormatOpt = Format.TABLE,
    csv_dir: Annotated[Path | None, typer.Option("--csv", metavar="DIR", help="Also write the tidy tables as CSV files to this folder.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", metavar="FILE", help="Also write the report's sentences and tables as a Word document (.docx).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any return has errors.")] = False,
    history: Annotated[Path | None, typer.Option("--history", metavar="FILE", help="A history store (SQLite file, made if missing): earlier periods are read from it, and the period reported is recorded in it when no return has errors.")] = None,
    values: ValuesOpt = None,
    newest_wins: NewestWinsOpt = False,
    jobs: JobsOpt = None,
) -> None:
    """Rate the returns, print Table 1 and write the workbook.

    Merges the returns for the period with the earlier quarters', rates every indicator, and
    prints Table 1, the summary sentence and the returns still to chase. Returns of earlier
    years (checked against their own year's register) and the history store give the same
    quarter last year and the trends.
    """
    from rbwm_pmf import consolidate as run

    if out is not None and out.suffix.lower() != ".xlsx":
        raise _fail(f"--out must be an .xlsx file, not '{out.name}'.", fmt)
    if docx is not None and docx.suffix.lower() != ".docx":
        raise _fail(f"--docx must be a .docx file, not '{docx.name}'.", fmt)
    paths = _given(path, values, fmt)
    written: list[Path] = []
    recorded = None
    try:
        store = _open_store(history) if history is not None else None
        with _progress(paths) as progress:
            result = run(paths, register or None, period, values=list(values) if values else None,
                         history=store, newest_wins=newest_wins, progress=progress, jobs=jobs)
        blocked = strict and not result.valid
        if not blocked:
            if out is not None:
                result.write(out)
            if docx is not None:
                result.write_docx(docx)
            if csv_dir is not None:
                written = result.to_csv(csv_dir)
            # Recorded last, once every output is written: a run that fails records nothing.
            if store is not None and result.valid:
                recorded = result.record(store, command=f"consolidate --period {result.period}")
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == Format.JSON:
        data = result.to_dict()
        if store is not None:
            data["history"] = {"store": str(history),
                               "recorded": recorded.to_dict() if recorded else None}
        _print_json(data)
    else:
        _render_result(result)
    if blocked:
        typer.echo("Nothing written: --strict and some returns have errors.", err=True)
    else:
        if out is not None:
            _note(f"Workbook written: {out}", fmt)
        else:
            typer.echo("No workbook written: give --out FILE to write one.", err=True)
        if docx is not None:
            _note(f"Word document written: {docx}", fmt)
        for csv_path in written:
            _note(f"CSV written: {csv_path}", fmt)
    if recorded is not None:
        _note(recorded.sentence, fmt)
    elif store is not None:
        _note(f"Not recorded in {history}: "
              + ("nothing was written (--strict)." if blocked else
                 "some returns have errors; fix them and run again to record the quarter."), fmt)
    raise typer.Exit(EXIT_OK if result.valid else EXIT_PROBLEMS)


def _open_store(path: Path) -> Any:
    """The history store at `path` (made if missing), checked before anything is read."""
    from rbwm_pmf import HistoryStore

    return HistoryStore(path)


@app.command(cls=Command)
def rules(fmt: FormatOpt = Format.TABLE) -> None:
    """List every validation rule: code, severity and title.

    With --format json, each rule also has its message, fix hint and example.
    """
    from rbwm_pmf import RULES

    if fmt == Format.JSON:
        _print_json([r.to_dict() for r in RULES.values()])
        return
    for r in RULES.values():
        typer.echo(f"{r.code:28} {r.severity:8} {r.title}")


RegisterArg = Annotated[Path, typer.Argument(metavar="REGISTER", help="Register file (.yaml or .xlsx).")]


@app.command("check-register", cls=Command)
def check_register(register: RegisterArg) -> None:
    """Check a framework register and summarise it."""
    from rbwm_pmf import load_framework

    if not register.exists():
        raise _fail(f"{register} does not exist.")
    try:
        fw = load_framework(register)
    except RegisterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_PROBLEMS) from exc
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{_summary(fw)}. OK.")


register_app.command("check", cls=Command, help=check_register.__doc__)(check_register)


@register_app.command("convert", cls=Command)
def register_convert(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="The register to convert (.yaml or .xlsx).")],
    dest: Annotated[Path, typer.Argument(metavar="DEST", help="The file to write: .xlsx for the Excel form, .yaml or .yml for YAML.")],
) -> None:
    """Convert a register between its YAML and Excel forms.

    The register is checked first: one that is not valid is not converted, and its problems are
    listed as check-register lists them.
    """
    from rbwm_pmf import convert_register

    if not source.exists():
        raise _fail(f"{source} does not exist.")
    try:
        fw = convert_register(source, dest)
    except RegisterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_PROBLEMS) from exc
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Register written: {dest}")
    typer.echo(f"{_summary(fw)}.", err=True)


@register_app.command("new", cls=Command)
def register_new(
    dest: Annotated[Path, typer.Argument(metavar="DEST", help="The Excel register to write (.xlsx); it must not exist yet.")],
) -> None:
    """Write an empty Excel register to fill in.

    It has an Instructions sheet, the Framework sheet with a start for its values, and a sheet
    for each table with its column names and a list wherever the values are choices.
    """
    from rbwm_pmf import new_register_xlsx

    if dest.exists():
        raise _fail(f"{dest} already exists: give the name of a new file.")
    try:
        new_register_xlsx(dest)
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Register written: {dest}")
    typer.echo(f"Fill it in, then check it: {PROG} check-register {dest}", err=True)


@history_app.command("import", cls=Command)
def history_import(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Past outturns: .csv or .xlsx tables with indicator_id, period and actual, and optionally target and commentary.")],
    history: HistoryOpt,
    register: RegisterOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Check past outturns and record them in the history store.

    Each table is checked with the same rules as a return, against the register of its year
    (a year with no register: against the next year's, with the table's own targets). A table
    with any error is not imported at all: each problem is listed at its cell.
    """
    from rbwm_pmf import import_history

    done = []
    try:
        store = _open_store(history)
        with store:
            for file in files:
                done.append(import_history(file, store, register or None))
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == Format.JSON:
        _print_json({"store": str(history), "imports": [d.to_dict() for d in done]})
    else:
        console = _console()
        for outcome in done:
            for i in outcome.issues:
                mark = "error  " if i.is_error else "warning"
                console.print(f"  {i.location or '(file)':14} {mark} {i.code}: {i.message}", markup=False)
                console.print(f"  {'':14}         Fix: {i.hint}", markup=False)
            console.print(outcome.sentence, markup=False)
    raise typer.Exit(EXIT_OK if all(d.valid for d in done) else EXIT_PROBLEMS)


@history_app.command("show", cls=Command)
def history_show(
    indicator: Annotated[str, typer.Argument(metavar="INDICATOR", help="The indicator id, like 1.1.")],
    history: HistoryOpt,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Show one indicator's values and ratings over the years.

    The series follows the indicator back through the ids it replaces.
    """
    from rbwm_pmf import HistoryStore

    try:
        with HistoryStore(history, create=False) as store:
            series = store.series(indicator)
    except PmfError as exc:
        raise _fail(str(exc), fmt) from exc
    if fmt == Format.JSON:
        records = [{k: None if isinstance(v, float) and v != v else v for k, v in row.items()}
                   for row in series.to_dict(orient="records")]  # JSON has no NaN: null
        _print_json({"indicator_id": indicator, "series": records})
        raise typer.Exit(EXIT_OK if len(series) else EXIT_PROBLEMS)
    if not len(series):
        typer.echo(f"{history} holds no value for indicator {indicator}.", err=True)
        raise typer.Exit(EXIT_PROBLEMS)
    from rich.table import Table

    table = Table(title=f"Indicator {indicator}: {_plural(len(series), 'period')}")
    columns = ["period", "indicator_id", "actual", "target", "status", "source_file"]
    for column in columns:
        table.add_column(column, justify="right" if column in ("actual", "target") else "left")
    for row in series[columns].itertuples(index=False):
        table.add_row(*("" if v is None or v != v else f"{v:,.15g}" if isinstance(v, float) else str(v)
                        for v in row))
    _console().print(table)


@history_app.command("export", cls=Command)
def history_export(
    history: HistoryOpt,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="The CSV file to write.")],
) -> None:
    """Export every value and rating in the store as one tidy CSV, for BI tools."""
    from rbwm_pmf import HistoryStore

    if out.suffix.lower() != ".csv":
        raise _fail(f"--out must be a .csv file, not '{out.name}'.")
    try:
        with HistoryStore(history, create=False) as store:
            written = store.export_csv(out)
    except PmfError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"CSV written: {written}")


# -- rendering ----------------------------------------------------------------------------

def _plural(n: int, noun: str, plural: str = "") -> str:
    """`1 return`, `2 returns`, `3 priorities`."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _summary(fw: Any) -> str:
    """`Name (id, year): 6 priorities, 6 panels, 14 owners, 25 indicators`."""
    counts = ", ".join(_plural(len(rows), noun, plural) for rows, noun, plural in (
        (fw.priorities, "priority", "priorities"), (fw.panels, "panel", ""),
        (fw.owners, "owner", ""), (fw.indicators, "indicator", "")))
    return f"{fw.name} ({fw.id}, {fw.year}): {counts}"


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
    if result.shares:
        shares = ", ".join(f"{k} {v}%" for k, v in result.shares.items())
        console.print(f"Shares of rated indicators: {shares} (rounded; may not sum to 100).",
                      markup=False)
    else:
        console.print("No indicator could be rated, so there are no shares to give.", markup=False)
    for line in _chase_lines(result.tracker):
        console.print(line, markup=False)
    report = result.report
    later = [s for s in report.skipped if "after the period reported" in s.reason]
    if later:
        console.print(f"{_plural(len(later), 'return')} for later periods not used in this "
                      "report (listed in the workbook's Validation log).", markup=False)
    if report.records:
        console.print(f"{_plural(len(report.errors), 'error')} and {_plural(len(report.warnings), 'warning')} in the "
                      "returns: run 'rbwm-pmf validate' for details.", markup=False)


def _chase_lines(tracker: Any) -> list[str]:
    """The chase list: each owner of the Return tracker whose return is not simply valid, with
    what to do next."""
    rows = [(str(r.owner_id), str(r.owner), str(r.status))
            for r in tracker.itertuples(index=False) if r.status != VALID]
    if not rows:
        return ["Returns to chase: none."]
    width = max(len(owner_id) for owner_id, _, _ in rows)
    return [f"Returns to chase ({len(rows)}):",
            *(f"  {owner_id:{width}}  {owner}: {status}" for owner_id, owner, status in rows)]


# -- running ------------------------------------------------------------------------------

def _json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (`--format json`, `-f json`, `--format=json`,
    `-fjson`, in any case), read from its words, so that an error in parsing them is JSON too."""
    for n, word in enumerate(args):
        if word == "--":
            break
        if word in ("--format", "-f"):
            value = args[n + 1] if n + 1 < len(args) else ""
        elif word.startswith("--format="):
            value = word.partition("=")[2]
        elif word.startswith("-f") and not word.startswith("--"):
            value = word[2:]
        else:
            continue
        if value.lower() == Format.JSON:
            return True
    return False


def run_command_line(args: Sequence[str]) -> int:
    """Run the command line `args` (without the program's name); return the exit code.

    A usage error (a mistyped option or value, a missing argument) exits 2 with Click's message
    on stderr and, when the command line asks for JSON, `{"error": ..., "exit_code": 2}` on
    stdout, as every other error that stops a run does.
    """
    try:
        done = app(args=list(args), prog_name=PROG, standalone_mode=False)
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        return EXIT_PROBLEMS
    except typer.TyperException as exc:  # Click's usage errors
        code = int(getattr(exc, "exit_code", EXIT_PROBLEMS))
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {exc.format_message()}", err=True)
        if code == EXIT_USAGE and _json_requested(args):
            _print_json({"error": exc.format_message(), "exit_code": code})
        return code
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            return EXIT_PROBLEMS
        return stop.code or EXIT_OK
    return done if isinstance(done, int) else EXIT_OK


def main() -> None:
    """Entry point for the console script."""
    code = run_command_line(sys.argv[1:])
    # Every output is written and closed by now: leave without freeing a large batch's
    # objects and pandas' modules one by one, which costs a tenth of a second or more.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
