"""Validating a batch of returns: find the files, read them with worker processes (and any
tables of values given), then check every row against the register in one pass."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rbwm_pmf.errors import InputError
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.reading.files import SkippedFile, collect_paths
from rbwm_pmf.reading.pool import gc_paused
from rbwm_pmf.reading.values import read_values
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.records import read_all

if TYPE_CHECKING:
    from rbwm_pmf.reading.values import Values
    from rbwm_pmf.validation.report import ValidationReport


def validate(
    paths: str | Path | Iterable[str | Path] = (),
    framework: Framework | str | Path | None = None,
    period: str | Period | None = None,
    *,
    values: Values | None = None,
    periods: Sequence[Period] | None = None,
    newest_wins: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate returns (files, folders or a list) against a register (default: RBWM 2017/18).

    `values` adds tables of values (a DataFrame, a .csv or .xlsx file, or a list of them), each
    checked as the returns of the owners of its indicators; `paths` may then be empty.
    With `period`, every return must be for that period; `periods` allows several (used by
    consolidation for the year to date). Raises InputError if there is nothing to check.
    """
    if not isinstance(paths, (str, Path)):
        paths = list(paths)  # read twice: to find the files, and to say where none were found
    with gc_paused():
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
        wanted = Period.parse(period) if period is not None else None
        allowed = list(periods) if periods is not None else ([wanted] if wanted else None)
        files, skipped = collect_paths(paths)
        tables = read_values(values, fw) if values is not None else []
        if not files and not tables:
            raise InputError(nothing_found(paths, skipped, "nothing to check", values is not None))
        # The row checks need pandas and pandera (most of a second to import): import them
        # while the workers read.
        returns = read_all(files, fw, progress, jobs, meanwhile=_import_checks, tables=tables)
        from rbwm_pmf.validation.report import check_returns

        report = check_returns(returns, fw, wanted, allowed, skipped, newest_wins)
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
