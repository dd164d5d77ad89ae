"""The rows of a batch: each return reduced at once to named records of what its cells mean,
checked against the register and rated, held as one set of columns for the whole batch.

Nothing here imports pandas or pandera, so the workers start reading while the main process
imports them for the row checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.rating import status
from rbwm_pmf.reading.cells import interpret_actual, target_as_read, text_of
from rbwm_pmf.reading.pool import map_files
from rbwm_pmf.reading.returns import ReturnFile, read_return
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import make_issue


class RowRecord(NamedTuple):
    """One table row of a return: what each of its cells means, against the register.

    Built by keyword in `reduce_rows`; every other place reads its fields by name (as a record,
    or as the columns of the batch's frame, which are these fields in this order).
    """

    file: str
    sheet: str
    row: int
    owner: str
    period: str
    quarter: int
    indicator_id: str | None
    indicator_owner: str | None  # the register's owner of the indicator
    return_owner: str  # the owner the return was issued to
    name: str  # the indicator name as read
    name_issued: str | None
    unit: str
    due: bool  # due this quarter and owned by the return's owner
    target: float | None
    target_issued: float | None  # the number the template wrote in the Target cell
    target_issued_text: str | None  # the words it wrote instead ("Not due", "Data only")
    target_read: float | str | None
    min_value: float | None
    max_value: float | None
    actual_kind: str  # blank, number, text-number, text, error, formula-no-result
    actual_raw: str
    actual_value: float | None  # in report units (percentages in points)
    actual_detail: str
    actual_percent_format: bool
    commentary: str
    mitigation: str
    status: str | None  # the RAG status of a due, numeric value
    first_row: int | None  # where this indicator first appears in the return
    expected_from_previous: float | None = None  # set for the batch, from last quarter's value


ROW_COLUMNS: tuple[str, ...] = RowRecord._fields
# The template column of each cell a rule can point at (a rule's `field`).
FIELD_LABELS = {
    "indicator_id": layout.ID,
    "name": layout.NAME,
    "target": layout.TARGET,
    "actual": layout.ACTUAL,
    "commentary": layout.COMMENTARY,
    "mitigation": layout.MITIGATION,
}
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

    def subset(self, indices: Sequence[int]) -> ReadBatch:
        """The returns at `indices` (in that order) with their rows, as a batch of their own."""
        if list(indices) == list(range(len(self.returns))):
            return self
        part = ReadBatch()
        for n in indices:
            start, stop = self.spans[n]
            first = len(part.columns["file"])
            for name in ROW_COLUMNS:
                part.columns[name].extend(self.columns[name][start:stop])
            part.returns.append(self.returns[n])
            part.spans.append((first, first + stop - start))
        return part


def read_all(
    files: list[Path],
    framework: Framework,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], object] | None = None,
    tables: Sequence[ReturnFile] = (),
) -> ReadBatch:
    """Read every file and reduce it at once to its rows' columns, in the files' order, then
    the returns made from `tables` of values (already read, see `reading.values`).

    With more than one job, files are read by worker processes; the results are the same and
    in the same order as with one. Each return is reduced to plain columns before the next is
    read, so memory grows with the rows kept, not with the workbooks read. `meanwhile` is
    called once the workers have started.
    """
    batch = ReadBatch()
    batch.returns = map_files(_read_and_reduce, files, framework, progress, jobs,
                              on_crash=_crashed, meanwhile=meanwhile, arrived=batch.add)
    for ret in tables:
        batch.returns.append(batch.add((ret, _reduce(ret, framework)), framework))
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
    return ret, _reduce(ret, framework)


def _reduce(ret: ReturnFile, framework: Framework) -> Columns:
    columns = reduce_rows(ret, framework)
    ret.rows = []  # the cells are no longer needed: their meaning is in the columns
    return columns


def reduce_rows(ret: ReturnFile, fw: Framework) -> Columns:
    """One return's rows as plain columns: what each cell means, checked against the register."""
    period = ret.period
    if not ret.opened or period is None:
        return {name: [] for name in ROW_COLUMNS}
    rows: list[RowRecord] = []
    first_row: dict[str, int] = {}  # where each indicator first appears in this return
    q = period.quarter
    name = str(ret.path)
    for row in ret.rows:
        ind_id = row.indicator_id
        ind = fw.indicator(ind_id)
        unit = ind.unit if ind else ""
        actual_cell = row.cell(layout.ACTUAL)
        parsed = interpret_actual(actual_cell, unit, date1904=ret.date1904)
        due = bool(ind and ind.owner == ret.owner_id and ind.is_due(q))
        low, high = ind.bounds if ind else (None, None)
        actual = parsed.value
        rated = (status(ind, q, actual) if ind and due and actual is not None and actual == actual
                 and parsed.kind in ("number", "text-number") else None)
        rows.append(RowRecord(
            file=name, sheet=ret.sheet, row=row.row, owner=ret.owner_id, period=str(period),
            quarter=q, indicator_id=ind_id or None, indicator_owner=ind.owner if ind else None,
            return_owner=ret.owner_id, name=text_of(row.cell(layout.NAME)),
            name_issued=ind.name if ind else None, unit=unit, due=due,
            target=ind.target(q) if ind and due else None,
            target_issued=ind.target(q) if ind and ind.is_due(q) else None,
            target_issued_text=_issued_target_text(ind, q),
            target_read=target_as_read(row.cell(layout.TARGET)), min_value=low, max_value=high,
            actual_kind=parsed.kind, actual_raw=parsed.raw, actual_value=parsed.value,
            actual_detail=parsed.detail, actual_percent_format=actual_cell.is_percent,
            commentary=text_of(row.cell(layout.COMMENTARY)),
            mitigation=text_of(row.cell(layout.MITIGATION)), status=rated,
            first_row=first_row.setdefault(ind_id, row.row) if ind_id else None,
        ))
    if not rows:
        return {name: [] for name in ROW_COLUMNS}
    # The records' fields, transposed: one list per field, in RowRecord's order.
    return dict(zip(ROW_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))


def _issued_target_text(ind: Indicator | None, quarter: int) -> str | None:
    """What the template wrote in the Target cell when it wrote no number."""
    if ind is None:
        return None
    if not ind.is_due(quarter):
        return layout.NOT_DUE_TEXT
    return layout.DATA_ONLY_TEXT if ind.data_only else None
