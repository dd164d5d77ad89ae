"""Tables of values: indicator values from a DataFrame, a CSV file or an Excel sheet, made into
returns (one per owner and quarter) that are checked, rated and consolidated as Excel returns are.

A table has the columns indicator_id, period and actual, and may have commentary and mitigation.
Its first row holds the column names, so its first value is in row 2, as Excel shows it, and each
problem is reported at the table's own cell. Nothing here imports pandas: a DataFrame is only
recognised when pandas is already imported (by whoever made the DataFrame).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import difflib
import hashlib
import io
import math
import numbers
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from rbwm_pmf.errors import InputError, PeriodError
from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.values import is_missing
from rbwm_pmf.reading.cells import text_of
from rbwm_pmf.reading.files import FROM_TABLE
from rbwm_pmf.reading.returns import ReturnFile, ReturnRow, sha256_of
from rbwm_pmf.reading.xlsx import Cell, Workbook, XlsxOpenError, col_letter
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import Issue, make_issue

if TYPE_CHECKING:
    import pandas as pd

    ValueSource: TypeAlias = pd.DataFrame | str | Path
    Values: TypeAlias = ValueSource | Sequence[ValueSource] | Mapping[str, ValueSource]

COLUMNS = ("indicator_id", "period", "actual", "commentary", "mitigation")
REQUIRED = ("indicator_id", "period", "actual")
# The template column each column of a table stands for (the period is the return's own).
LABELS = {"indicator_id": layout.ID, "actual": layout.ACTUAL, "commentary": layout.COMMENTARY,
          "mitigation": layout.MITIGATION}
DEFAULT_NAME = "values"
COLUMNS_SENTENCE = ("A table of values has the columns indicator_id, period (like 2017-18-Q2) and "
                    "actual, and may have commentary and mitigation.")


def _norm(name: object) -> str:
    """A column name as it is matched: `Indicator ID`, `indicator_id` and `INDICATORID` alike."""
    return re.sub(r"[\s_]+", "", str(name)).casefold()


# Column names as matched: the table's own, and the template's labels for them.
_NAMES = {_norm(c): c for c in COLUMNS} | {_norm(label): c for c, label in LABELS.items()}
_BLANK = "blank"


@dataclass
class ValueTable:
    """A table of values as cells, before its rows are matched to the register."""

    name: str  # the source: a file's path, or the name given to a DataFrame
    sheet: str  # where its cells are: `values.csv`, an Excel sheet's name, a DataFrame's name
    columns: dict[str, int]  # column name -> its position in the table (1 is column A)
    rows: list[dict[str, Cell]]  # each row with a value: its cells by column name
    digest: str  # SHA-256 of the table's content
    size: int = 0  # bytes, for a file
    date1904: bool = False  # an Excel sheet whose dates count from 1904


# -- reading tables ----------------------------------------------------------------------

def read_values(values: Values, framework: Framework,
                registers: Iterable[Framework] = ()) -> list[ReturnFile]:
    """The returns made from tables of values: a DataFrame, the path of a .csv or .xlsx file,
    a list of them, or a mapping of names to them (a DataFrame is named `values` unless given a
    name). See `table_returns` for what each table gives; a row for a year one of `registers`
    is for is placed with that register, any other with `framework`.

    Raises InputError for a table that cannot be read, or whose columns are not those of a table
    of values; problems with the values themselves are issues, as for an Excel return.
    """
    tables = [value_table(source, name) for name, source in _named(values)]
    return [ret for table in tables for ret in table_returns(table, framework, registers)]


def _named(values: Values) -> list[tuple[str, ValueSource]]:
    """Each table given with a name no other table has (a repeat gets ` 2`, ` 3`...)."""
    given: list[tuple[str, Any]]
    if isinstance(values, Mapping):
        given = [(str(name), source) for name, source in values.items()]
    elif isinstance(values, (str, Path)) or _is_frame(values):
        given = [("", values)]
    elif isinstance(values, Iterable):
        given = [("", source) for source in values]
    else:
        raise TypeError(f"values must be a DataFrame, the path of a .csv or .xlsx file, or a list "
                        f"of them, not {type(values).__name__}.")
    named: list[tuple[str, ValueSource]] = []
    seen: set[str] = set()
    for name, source in given:
        if not name:
            name = DEFAULT_NAME if _is_frame(source) else str(source)
        base, n = Path(name), 1
        while name in seen:
            n += 1
            name = str(base.with_name(f"{base.stem} {n}{base.suffix}"))
        seen.add(name)
        named.append((name, source))
    return named


def _is_frame(value: object) -> TypeGuard[pd.DataFrame]:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def value_table(source: ValueSource, name: str = "", extra: Sequence[str] = ()) -> ValueTable:
    """A table of values from a DataFrame, or a .csv or .xlsx file (its first visible sheet), as
    cells; `extra` names more columns it may have (a past outturn's `target`)."""
    if _is_frame(source):
        return _frame_table(source, name or DEFAULT_NAME, extra)
    if not isinstance(source, (str, Path)):
        raise TypeError(f"A table of values is a DataFrame or the path of a .csv or .xlsx file, "
                        f"not {type(source).__name__}.")
    path = Path(source)
    name = name or str(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist." if not path.exists() else
                         f"{path} is a folder; a table of values is a .csv or .xlsx file.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_table(path, name, extra)
    if suffix == ".xlsx":
        return _xlsx_table(path, name, extra)
    raise InputError(f"{path} is not a table of values: give a .csv or .xlsx file, or a DataFrame.")


def _frame_table(frame: pd.DataFrame, name: str, extra: Sequence[str] = ()) -> ValueTable:
    index = [str(n) for n in frame.index.names if n is not None]
    columns = find_columns(name, list(frame.columns), index=index, extra=extra)
    digest = hashlib.sha256(repr([str(c) for c in frame.columns]).encode())
    rows: list[dict[str, Cell]] = []
    wanted = [(column, position - 1) for column, position in columns.items()]
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        cells = {column: cell_of(values[at], number, at + 1) for column, at in wanted}
        digest.update(repr([(c.kind, c.value) for c in cells.values()]).encode())
        if any(c.kind != _BLANK for c in cells.values()):
            rows.append(cells)
    return ValueTable(name, Path(name).name, columns, rows, digest.hexdigest())


def _csv_table(path: Path, name: str, extra: Sequence[str] = ()) -> ValueTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel's plain "CSV" saves
    try:  # commas, or the semicolons or tabs some exports use; quoting as Excel writes it
        delimiter = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{path} cannot be read as CSV: {exc}.") from exc
    if not records:
        raise InputError(f"{path} is empty. {COLUMNS_SENTENCE} Its first row names the columns.")
    columns = find_columns(name, records[0], extra=extra)
    _check_unnamed(name, records[0], records[1:], lambda value: value.strip() != "")
    rows: list[dict[str, Cell]] = []
    for number, record in enumerate(records[1:], start=2):
        cells = {column: _csv_cell(record[at - 1] if at <= len(record) else "", number, at,
                                   typed=column in ("actual", "target"))
                 for column, at in columns.items()}
        if any(c.kind != _BLANK for c in cells.values()):
            rows.append(cells)
    return ValueTable(name, path.name, columns, rows, sha256_of(path), len(data))


_CSV_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def _csv_cell(text: str, row: int, col: int, *, typed: bool) -> Cell:
    """A CSV field as a cell: a plain number in the actual column is a number, as Excel reads
    it; anything else is text (an id such as 1.10 keeps its last zero)."""
    if text.strip() == "":
        return Cell(row, col, None, _BLANK)
    if typed and _CSV_NUMBER.match(text):
        return Cell(row, col, float(text), "number")
    return Cell(row, col, text, "text")


def _xlsx_table(path: Path, name: str, extra: Sequence[str] = ()) -> ValueTable:
    try:
        with Workbook(path) as wb:
            visible = [s for s, state, _ in wb.sheets if state == "visible"]
            if not visible:
                raise InputError(f"{path} has no visible sheet to read values from.")
            sheet = wb.read_sheet(visible[0])
            date1904 = wb.date1904
    except XlsxOpenError as exc:
        raise InputError(f"{path} cannot be read as an Excel workbook ({exc.detail or exc.kind}).") from exc
    except (ValueError, KeyError, IndexError, OverflowError, MemoryError, RecursionError) as exc:
        raise InputError(f"{path} cannot be read as an Excel workbook ({type(exc).__name__}).") from exc
    by_row = sheet.by_row()
    first = by_row.get(1, {})
    width = max(first, default=0)
    headers = [text_of(first[c]) if c in first else "" for c in range(1, width + 1)]
    if not headers:
        raise InputError(f"{path}, sheet '{sheet.name}', has nothing in row 1. {COLUMNS_SENTENCE} "
                         "Its first row names the columns.")
    columns = find_columns(f"{path}, sheet '{sheet.name}',", headers, extra=extra)
    body = [[cells.get(c, Cell(r, c, None, _BLANK)) for c in range(1, max(cells) + 1)]
            for r, cells in by_row.items() if r > 1]
    _check_unnamed(f"{path}, sheet '{sheet.name}',", headers, body, lambda c: c.kind != _BLANK)
    rows: list[dict[str, Cell]] = []
    for r in by_row:
        if r == 1:
            continue
        cells = {column: sheet.get(r, at) for column, at in columns.items()}
        if any(c.kind != _BLANK for c in cells.values()):
            rows.append(cells)
    return ValueTable(name, sheet.name, columns, rows, sha256_of(path), path.stat().st_size, date1904)


def cell_of(value: object, row: int, col: int) -> Cell:
    """A DataFrame's value as the cell Excel would hold: a number, a date, text, or blank.
    Text stays text, so "about 40" and "93.4" in a text column are read as Excel reads text."""
    if is_missing(value):
        return Cell(row, col, None, _BLANK)
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return Cell(row, col, bool(value), "bool")
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        number = float(value)
        if math.isfinite(number):
            return Cell(row, col, number, "number")
        return Cell(row, col, str(value), "text")
    if isinstance(value, (dt.date, dt.time)):
        return Cell(row, col, value.isoformat(), "date")
    return Cell(row, col, value if isinstance(value, str) else str(value), "text")


# -- columns -----------------------------------------------------------------------------

def find_columns(name: str, headers: Sequence[object], *, index: Sequence[str] = (),
                 required: Sequence[str] = REQUIRED, others: bool = False,
                 extra: Sequence[str] = ()) -> dict[str, int]:
    """Each column of a table of values by its position (1 is column A), matched by name
    without regard to case, spaces and underscores (the template's labels, such as `Indicator
    ID`, are taken too). Raises InputError, with a did-you-mean, for a required column missing,
    a column twice, or (unless `others`) a column that is not one of a table of values."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    names = _NAMES | {_norm(e): e for e in extra}
    for position, header in enumerate(headers, start=1):
        text = "" if is_missing(header) else str(header).strip()
        column = names.get(_norm(text))
        if column is None:
            if text and not others:
                unknown.append(text)
        elif column in found:
            raise InputError(f"{name} has the column '{column}' twice, in columns "
                             f"{col_letter(found[column])} and {col_letter(position)}; keep one.")
        else:
            found[column] = position
    problems = []
    missing = [c for c in required if c not in found]
    for column in missing:
        close = difflib.get_close_matches(_norm(column), [_norm(u) for u in unknown], n=1, cutoff=0.6)
        guess = next((u for u in unknown if close and _norm(u) == close[0]), None)
        where = (f" ('{guess}' may be it)" if guess else
                 " (it is the DataFrame's index: use frame.reset_index())" if column in index else "")
        problems.append(f"has no column '{column}'{where}")
    if unknown:
        named = ", ".join(f"'{u}'{_did_you_mean(u)}" for u in unknown)
        problems.append(f"has {'a column' if len(unknown) == 1 else 'columns'} that "
                        f"{'is' if len(unknown) == 1 else 'are'} not read: {named}")
    if problems:
        sentence = COLUMNS_SENTENCE + (f" Here it may also have {', '.join(extra)}." if extra else "")
        raise InputError(f"{name} {'; it '.join(problems)}. {sentence}"
                         + (" Leave out any other column." if unknown else ""))
    return found


def _did_you_mean(header: str) -> str:
    close = difflib.get_close_matches(_norm(header), list(_NAMES), n=1, cutoff=0.75)
    return f" (did you mean '{_NAMES[close[0]]}'?)" if close else ""


def _check_unnamed(name: str, headers: Sequence[object], body: Sequence[Sequence[Any]],
                   holds: Any) -> None:
    """InputError for a column with values but no name in the first row."""
    for position, header in enumerate(headers, start=1):
        if str(header).strip():
            continue
        if any(position <= len(row) and holds(row[position - 1]) for row in body):
            raise InputError(f"{name} has values in column {col_letter(position)} but no column "
                             f"name in row 1. {COLUMNS_SENTENCE}")
    width = len(headers)
    if any(holds(v) for row in body for v in row[width:]):
        raise InputError(f"{name} has values beyond its last named column, "
                         f"{col_letter(width)}. {COLUMNS_SENTENCE}")


# -- tables into returns -----------------------------------------------------------------

def table_returns(table: ValueTable, fw: Framework,
                  registers: Iterable[Framework] = ()) -> list[ReturnFile]:
    """The returns a table of values makes: one for each owner and quarter it gives values for
    (the indicator's owner in the register), and one more for the rows that cannot be placed (an
    indicator not in the register, a period that is not a quarter of the register's year), with
    a problem at each of their cells.

    Each return's metadata is the register's, and its Indicator and Target cells are what the
    template would have issued, so the checks meet nothing they would not meet in an Excel
    return. A return's `path` names its table, owner and period, like `values (ASC,
    2017-18-Q2).csv`; `sheet` is where its cells are, like `values.csv`.
    """
    labels = _label_columns(table.columns)
    by_year = {other.year: other for other in registers}
    placed: dict[tuple[str, str, Period], list[ReturnRow]] = {}
    problems: list[Issue] = []
    unplaced = 0
    years = " or ".join(sorted({fw.year, *by_year}))
    for cells in table.rows:
        own = by_year.get(_year_of(cells["period"]), fw)
        problem = _unplaceable(cells, table, own, years)
        if problem is not None:
            problems.append(problem)
            unplaced += 1
            continue
        ind = own.indicator(text_of(cells["indicator_id"]))
        period = Period.parse(text_of(cells["period"]))
        assert ind is not None
        row = cells["indicator_id"].row
        placed.setdefault((own.year, ind.owner, period), []).append(
            ReturnRow(row, _template_cells(cells, ind, period.quarter, row)))
    returns = []
    first = fw
    for (year, owner_id, period), rows in placed.items():
        fw = by_year.get(year, first)
        owner = fw.owner(owner_id)
        part = hashlib.sha256(f"{table.digest}\0{owner_id}\0{period}".encode()).hexdigest()
        given = [r.indicator_id for r in rows]
        returns.append(ReturnFile(
            path=Path(_part_name(table.name, owner_id, period)), sha256=part, size=table.size,
            sheet=table.sheet, header_row=1, columns=dict(labels), rows=rows,
            row_count=len(rows), date1904=table.date1904,
            meta={"framework_id": fw.id, "framework_version": fw.version, "owner_id": owner_id,
                  "owner_name": owner.name if owner else owner_id, "period": str(period),
                  "template_version": layout.TEMPLATE_VERSION, FROM_TABLE: table.name},
            # A table gives what it has: none of its owner's other indicators is missing from
            # it, as a row deleted from a template would be.
            indicator_ids=given + [i.id for i in fw.indicators_of(owner_id) if i.id not in given],
        ))
    if problems:
        fw = first
        returns.append(ReturnFile(
            path=Path(table.name), sha256=table.digest, size=table.size, sheet=table.sheet,
            meta={"framework_id": fw.id, "template_version": layout.TEMPLATE_VERSION,
                  FROM_TABLE: table.name},
            header_row=1, columns=dict(labels), issues=problems, row_count=unplaced))
    return returns


def _year_of(cell: Cell) -> str:
    """The financial year of a period cell, or "" when it is not a period."""
    try:
        return Period.parse(text_of(cell)).fy
    except PeriodError:
        return ""


def _label_columns(columns: Mapping[str, int]) -> dict[str, int]:
    """The template label of each column; Commentary and Mitigation, if the table has not got
    them, where they would be added (after its last column), for a problem to point at."""
    labels = {LABELS[c]: at for c, at in columns.items() if c in LABELS}
    if "target" in columns:  # a past outturn's targets (history import)
        labels[layout.TARGET] = columns["target"]
    after = max(columns.values())
    for column in ("commentary", "mitigation"):
        if column not in columns:
            after += 1
            labels[LABELS[column]] = after
    return labels


def _unplaceable(cells: Mapping[str, Cell], table: ValueTable, fw: Framework,
                 years: str) -> Issue | None:
    """Why a row cannot be put in a return (its indicator, or its period), or None."""
    id_cell, period_cell = cells["indicator_id"], cells["period"]
    ind_id = text_of(id_cell)

    def problem(code: str, cell: Cell, **details: Any) -> Issue:
        label = layout.ID if cell is id_cell else "period"
        return make_issue(code, table.name, sheet=table.sheet, cell=f"{col_letter(cell.col)}{cell.row}",
                          indicator_id=ind_id, column=label, **details)

    if id_cell.kind == "error":
        return problem("indicator-id-error-value", id_cell, value=ind_id)
    if not ind_id:
        return problem("indicator-id-missing", id_cell)
    if fw.indicator(ind_id) is None:
        return problem("indicator-unknown", id_cell, value=ind_id)
    text = text_of(period_cell)
    try:
        period = Period.parse(text)
    except PeriodError:
        return problem("period-mismatch", period_cell, value=text or "no period",
                       expected=f"a quarter of {years}, written like {fw.year}-Q2")
    if period.fy != fw.year:
        return problem("period-mismatch", period_cell, value=period.label,
                       expected=f"a quarter of {years}")
    return None


def _template_cells(cells: Mapping[str, Cell], ind: Indicator, quarter: int, row: int) -> dict[str, Cell]:
    """A row's cells under the template's labels: the table's own, and the Indicator and Target
    the template would have issued."""
    out = {LABELS[c]: cell for c, cell in cells.items() if c in LABELS}
    for label in (layout.COMMENTARY, layout.MITIGATION):
        out.setdefault(label, Cell(row, 0, None, _BLANK))
    out[layout.NAME] = Cell(row, 0, ind.name, "text")
    given = cells.get("target")
    if given is not None and given.kind != _BLANK:
        # A past outturn's own target (history import): checked against the register's.
        out[layout.TARGET] = given
        return out
    target = ind.target(quarter)
    if not ind.is_due(quarter):
        out[layout.TARGET] = Cell(row, 0, layout.NOT_DUE_TEXT, "text")
    elif ind.data_only:
        out[layout.TARGET] = Cell(row, 0, layout.DATA_ONLY_TEXT, "text")
    elif target is None:
        out[layout.TARGET] = Cell(row, 0, None, _BLANK)
    else:
        out[layout.TARGET] = Cell(row, 0, target, "number")
    return out


def _part_name(name: str, owner_id: str, period: Period) -> str:
    """`values.csv` -> `values (ASC, 2017-18-Q2).csv`: the owner and quarter before the suffix,
    so that each part's feedback copy has a name of its own."""
    path = Path(name)
    return str(path.with_name(f"{path.stem} ({owner_id}, {period}){path.suffix}"))
