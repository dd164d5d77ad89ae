"""Reading a batch of returns: finding the files, reading them (with worker processes) and
reducing each return at once to plain columns of what its cells mean.

Nothing here imports pandas or pandera, so the workers start reading while the main process
imports them for the row checks (`validation`).
"""

from __future__ import annotations

import fnmatch
import gc
import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import layout
from .errors import InputError
from .issues import make_issue
from .parallel import map_files
from .periods import Period
from .rag import status
from .reader import ReturnFile, interpret_actual, read_return, target_as_read, text_of
from .register import Framework, Indicator, load_framework

if TYPE_CHECKING:
    from .validation import ValidationReport

RETURN_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm"}
FEEDBACK_SUFFIX = " - feedback.xlsx"
# What reduce_rows gives for each row of a return, column by column.
ROW_COLUMNS = (
    "file", "sheet", "row", "owner", "period", "quarter", "indicator_id", "indicator_owner",
    "return_owner", "name", "name_issued", "unit", "due", "target", "target_issued",
    "target_issued_text", "target_read", "min_value", "max_value", "actual_kind", "actual_raw",
    "actual_value", "actual_detail", "actual_percent_format", "commentary", "mitigation",
    "status", "first_row",
)


@dataclass(frozen=True)
class SkippedFile:
    """A file that was found but is not a return (a lock file, a hidden file, a non-workbook)."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- finding files ------------------------------------------------------------------------

def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not a return, or None if it should be read."""
    name = path.name
    if fnmatch.fnmatch(name, "~$*"):
        return "Excel lock file (the workbook is open somewhere)"
    if fnmatch.fnmatch(name, ".~lock.*#"):
        return "LibreOffice lock file (the workbook is open somewhere)"
    if name.startswith("."):
        return "hidden file"
    if name.endswith(FEEDBACK_SUFFIX):
        return "feedback copy written by rbwm-pmf, not a return"
    if path.suffix.lower() not in RETURN_SUFFIXES:
        return f"not a spreadsheet ({path.suffix or 'no extension'})"
    return None


def collect_paths(
    paths: str | Path | Iterable[str | Path],
) -> tuple[list[Path], list[SkippedFile]]:
    """Expand files and folders (recursively) into returns to read and files skipped."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    skipped: list[SkippedFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    reason = skip_reason(child)
                    if reason:
                        skipped.append(SkippedFile(str(child), reason))
                    else:
                        found.append(child)
        elif path.is_file():
            # A file named explicitly is read even if its name looks odd, except lock files.
            reason = skip_reason(path)
            if reason and ("lock" in reason):
                skipped.append(SkippedFile(str(path), reason))
            else:
                found.append(path)
        else:
            raise InputError(f"{path} does not exist.")
    return found, skipped


# -- reading and validating ------------------------------------------------------------------

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
    consolidation for the year to date).
    """
    with gc_paused():
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
        wanted = Period.parse(period) if period is not None else None
        allowed = list(periods) if periods is not None else ([wanted] if wanted else None)
        files, skipped = collect_paths(paths)
        # The row checks need pandas and pandera (most of a second to import): import them
        # while the workers read.
        returns = read_all(files, fw, progress, jobs, meanwhile=_import_checks)
        from .validation import check_returns

        return check_returns(returns, fw, wanted, allowed, skipped, newest_wins)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector (in this process and the workers it starts) for a batch.

    A batch builds hundreds of thousands of small objects with no reference cycles; the
    collector would walk them over and over as they grow (a tenth of a run's time) and could
    free none of them. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_checks() -> None:
    importlib.import_module("rbwm_pmf.validation")
    importlib.import_module("rbwm_pmf.checks")


Columns = dict[str, list[Any]]


@dataclass
class ReadBatch:
    """Every return read, in the files' order, and all their rows as one set of columns.

    Each return's rows are added to the columns as it arrives from its worker, so the rows are
    never held a second time in small per-return lists; `spans[n]` is where return n's rows are.
    """

    returns: list[ReturnFile] = field(default_factory=list)
    columns: Columns = field(default_factory=lambda: {name: [] for name in ROW_COLUMNS})
    spans: list[tuple[int, int]] = field(default_factory=list)

    def add(self, result: tuple[ReturnFile, Columns], fw: Framework) -> ReturnFile:
        ret, cols = result
        _share_register_values(cols, fw)
        start = len(self.columns["file"])
        for name in ROW_COLUMNS:
            self.columns[name].extend(cols[name])
        self.spans.append((start, start + len(cols["file"])))
        return ret


def read_all(
    files: list[Path],
    framework: Framework,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> ReadBatch:
    """Read every file and reduce it at once to its rows' columns, in the files' order.

    With more than one job, files are read by worker processes; the results are the same and
    in the same order as with one. Each return is reduced to plain columns before the next is
    read, so memory grows with the rows kept, not with the workbooks read. `meanwhile` is
    called once the workers have started.
    """
    batch = ReadBatch()
    batch.returns = map_files(_read_and_reduce, files, framework, progress, jobs,
                              on_crash=_crashed, meanwhile=meanwhile, arrived=batch.add)
    return batch


def _share_register_values(cols: Columns, fw: Framework) -> None:
    """Point a worker's copies of register values (ids, names, owners, units, targets) back at
    the register's own objects, so that at tens of thousands of returns each is held once."""
    ids, names, issued = cols["indicator_id"], cols["name"], cols["name_issued"]
    owners, units, quarters = cols["indicator_owner"], cols["unit"], cols["quarter"]
    targets, issued_targets = cols["target"], cols["target_issued"]
    for n, ind_id in enumerate(ids):
        ind = fw.indicator(ind_id) if ind_id else None
        if ind is None:
            continue
        ids[n], issued[n], owners[n], units[n] = ind.id, ind.name, ind.owner, ind.unit
        if names[n] == ind.name:
            names[n] = ind.name
        target = ind.target(quarters[n])
        if targets[n] is not None:
            targets[n] = target
        if issued_targets[n] is not None:
            issued_targets[n] = target


def _crashed(path: Path) -> tuple[ReturnFile, Columns]:
    ret = ReturnFile(path=path)
    ret.issues.append(make_issue("file-unreadable", str(path),
                                 detail="the process reading it stopped"))
    return ret, {name: [] for name in ROW_COLUMNS}


def _read_and_reduce(path: Path, framework: Framework) -> tuple[ReturnFile, Columns]:
    ret = read_return(path)
    columns = reduce_rows(ret, framework)
    ret.rows = []  # the cells are no longer needed: their meaning is in the columns
    return ret, columns


def reduce_rows(ret: ReturnFile, fw: Framework) -> Columns:
    """One return's rows as plain columns: what each cell means, checked against the register."""
    period = ret.period
    if not ret.opened or period is None:
        return {name: [] for name in ROW_COLUMNS}
    rows = []
    first_row: dict[str, int] = {}  # where each indicator first appears in this return
    q = period.quarter
    name = str(ret.path)
    for row in ret.rows:
        ind_id = row.indicator_id
        ind = fw.indicator(ind_id)
        unit = ind.unit if ind else ""
        actual_cell = row.cell(layout.ACTUAL)
        parsed = interpret_actual(actual_cell, unit)
        due = bool(ind and ind.owner == ret.owner_id and ind.is_due(q))
        low, high = ind.bounds if ind else (None, None)
        actual = parsed.value
        rated = (status(ind, q, actual) if ind and due and actual is not None and actual == actual
                 and parsed.kind in ("number", "text-number") else None)
        values = (
            name, ret.sheet, row.row, ret.owner_id, str(period), q, ind_id or None,
            ind.owner if ind else None, ret.owner_id, text_of(row.cell(layout.NAME)),
            ind.name if ind else None, unit, due, ind.target(q) if ind and due else None,
            ind.target(q) if ind and ind.is_due(q) else None, _issued_target_text(ind, q),
            target_as_read(row.cell(layout.TARGET)), low, high, parsed.kind, parsed.raw,
            parsed.value, parsed.detail, actual_cell.is_percent,
            text_of(row.cell(layout.COMMENTARY)), text_of(row.cell(layout.MITIGATION)), rated,
            first_row.setdefault(ind_id, row.row) if ind_id else None,
        )
        rows.append(values)
    if not rows:
        return {name: [] for name in ROW_COLUMNS}
    return dict(zip(ROW_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))




def _issued_target_text(ind: Indicator | None, quarter: int) -> str | None:
    """What the template wrote in the Target cell when it wrote no number."""
    if ind is None:
        return None
    if not ind.is_due(quarter):
        return layout.NOT_DUE_TEXT
    return layout.DATA_ONLY_TEXT if ind.data_only else None
