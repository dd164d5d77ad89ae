"""Validating a batch of returns: find the files, read them with worker processes (and any
tables of values given), then check every row against the register in one pass."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rbwm_pmf.errors import InputError
from rbwm_pmf.model.periods import Period
from rbwm_pmf.reading.files import SkippedFile, collect_paths
from rbwm_pmf.reading.pool import gc_paused
from rbwm_pmf.reading.values import read_values
from rbwm_pmf.register.years import RegisterSource, load_registers
from rbwm_pmf.validation.records import ReadBatch
from rbwm_pmf.validation.years import gather_unplaced, latest_period, read_by_year, register_for

if TYPE_CHECKING:
    from rbwm_pmf.reading.values import Values
    from rbwm_pmf.validation.report import ValidationReport


def validate(
    paths: str | Path | Iterable[str | Path] = (),
    framework: RegisterSource | Sequence[str | Path] = None,
    period: str | Period | None = None,
    *,
    values: Values | None = None,
    periods: Sequence[Period] | None = None,
    newest_wins: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate returns (files, folders or a list) against the register of each one's year.

    `framework` is a register (a Framework, a file or its tables), a folder of registers or a
    list of them (default: the packaged RBWM 2017/18 and 2018/19 registers); each return is
    checked against the register its template names, else the one of the year it is for.
    `values` adds tables of values (a DataFrame, a .csv or .xlsx file, or a list of them), each
    checked as the returns of the owners of its indicators; `paths` may then be empty.
    With `period`, every return must be for that period; `periods` allows several (used by
    consolidation for the year to date). Raises InputError if there is nothing to check.
    """
    if not isinstance(paths, (str, Path)):
        paths = list(paths)  # read twice: to find the files, and to say where none were found
    with gc_paused():
        registers = load_registers(framework)
        wanted = Period.parse(period) if period is not None else None
        allowed = list(periods) if periods is not None else ([wanted] if wanted else None)
        first = register_for(registers, wanted)
        files, skipped = collect_paths(paths)
        tables = read_values(values, first, registers) if values is not None else []
        if not files and not tables:
            raise InputError(nothing_found(paths, skipped, "nothing to check", values is not None))
        # The row checks need pandas and pandera (most of a second to import): import them
        # while the workers read.
        years = read_by_year(files, registers, first, progress, jobs, meanwhile=_import_checks,
                             tables=tables)
        from rbwm_pmf.validation.report import check_returns, merge_reports

        main_year = (wanted or latest_period(years) or Period.parse(f"{first.year}-Q1")).fy
        gather_unplaced(years, first, registers.for_year(main_year) or first)
        reports = {
            year: check_returns(yb.batch, yb.framework, wanted if year == main_year else None,
                                allowed, skipped if year == main_year else [], newest_wins,
                                current=year == main_year)
            for year, yb in years.items()
        }
        main = reports.pop(main_year, None)
        if main is None:  # no return is for the year reported: the report is still that year's
            fw = registers.for_year(main_year) or first
            main = check_returns(ReadBatch(), fw, wanted, allowed, skipped, newest_wins)
        report = merge_reports(main, list(reports.values()), files)
        report.inputs = given_paths(paths)
        return report


def given_paths(paths: str | Path | Iterable[str | Path]) -> list[str]:
    """The files and folders a run was given, as text (the report keeps them: feedback is never
    written among them)."""
    return [str(paths)] if isinstance(paths, (str, Path)) else [str(p) for p in paths]


def _import_checks() -> None:
    importlib.import_module("rbwm_pmf.validation.report")
    importlib.import_module("rbwm_pmf.validation.schema")


def nothing_found(paths: str | Path | Iterable[str | Path], skipped: list[SkippedFile],
                  outcome: str, values_given: bool = False) -> str:
    """The sentence for paths that hold no return: where, and the files skipped, if any (and
    that the values given hold no rows, when they were given)."""
    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    where = f" in {', '.join(str(p) for p in given)}" if given else ""
    if values_given:
        message = (f"The values given hold no rows and no returns were found{where}: {outcome}. "
                   "Give values in the rows below the column names, or the returns (.xlsx).")
    else:
        message = (f"No returns were found{where}: {outcome}. Give the folder or files of the "
                   "returns (.xlsx).")
    if skipped:
        first = skipped[0]
        name = Path(first.path).name
        if len(skipped) == 1:
            message += f" 1 other file was skipped, '{name}': {first.reason}."
        else:
            message += (f" {len(skipped)} other files were skipped, such as '{name}': "
                        f"{first.reason}.")
    return message
