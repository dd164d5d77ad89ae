"""Validating a batch of returns: find the files, read them with worker processes, then check
every row against the register in one pass."""

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
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.validation.records import read_all

if TYPE_CHECKING:
    from rbwm_pmf.validation.report import ValidationReport


def validate(
    paths: str | Path | Iterable[str | Path],
    framework: Framework | str | Path | None = None,
    period: str | Period | None = None,
    *,
    periods: Sequence[Period] | None = None,
    newest_wins: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate returns (files, folders or a list) against a register (default: RBWM 2017/18).

    With `period`, every return must be for that period; `periods` allows several (used by
    consolidation for the year to date). Raises InputError if the paths hold no return.
    """
    if not isinstance(paths, (str, Path)):
        paths = list(paths)  # read twice: to find the files, and to say where none were found
    with gc_paused():
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
        wanted = Period.parse(period) if period is not None else None
        allowed = list(periods) if periods is not None else ([wanted] if wanted else None)
        files, skipped = collect_paths(paths)
        if not files:
            raise InputError(nothing_found(paths, skipped, "nothing to check"))
        # The row checks need pandas and pandera (most of a second to import): import them
        # while the workers read.
        returns = read_all(files, fw, progress, jobs, meanwhile=_import_checks)
        from rbwm_pmf.validation.report import check_returns

        return check_returns(returns, fw, wanted, allowed, skipped, newest_wins)


def _import_checks() -> None:
    importlib.import_module("rbwm_pmf.validation.report")
    importlib.import_module("rbwm_pmf.validation.schema")


def nothing_found(paths: str | Path | Iterable[str | Path], skipped: list[SkippedFile],
                  outcome: str) -> str:
    """The sentence for paths that hold no return: where, and the files skipped, if any."""
    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    where = f" in {', '.join(str(p) for p in given)}" if given else ""
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
