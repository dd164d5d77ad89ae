"""Reading one return: find the Return sheet, its header row and columns by label, and every
row's cells with their Excel addresses. Problems with the file itself become issues."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rbwm_pmf.model.periods import Period
from rbwm_pmf.reading.cells import text_of
from rbwm_pmf.reading.xlsx import (
    DEFAULT_LIMITS,
    Cell,
    Limits,
    Sheet,
    Workbook,
    XlsxOpenError,
    col_letter,
    parse_ref,
)
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import Issue, make_issue

HEADER_SEARCH_ROWS = 50
# A row belongs to the table when any of these cells holds something.
_ROW_KEYS = (layout.ID, layout.TARGET, layout.ACTUAL, layout.COMMENTARY, layout.MITIGATION)

_OPEN_CODES = {
    "empty": "file-empty",
    "encrypted": "file-encrypted",
    "legacy-xls": "file-legacy-xls",
    "not-a-workbook": "file-not-a-workbook",
    "corrupt": "file-unreadable",
    "too-large": "file-too-large",
    "ods": "file-ods",
    "macro": "file-macro-enabled",
    "xml-attack": "file-unsafe",
    "strict-xml": "file-strict-xml",
}


@dataclass(frozen=True)
class ReturnRow:
    """One table row of a return, with the cell under each header label."""

    row: int
    cells: dict[str, Cell]

    def cell(self, label: str) -> Cell:
        return self.cells[label]

    @property
    def indicator_id(self) -> str:
        return text_of(self.cells[layout.ID])


@dataclass
class ReturnFile:
    """What was read from one return file."""

    path: Path
    sha256: str = ""
    size: int = 0
    sheet: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[ReturnRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    row_count: int = 0  # rows read from the table (kept when `rows` is dropped)
    indicator_ids: list[str] = field(default_factory=list)
    date1904: bool = False  # the workbook's dates count from 1904 (old Mac Excel)

    @property
    def opened(self) -> bool:
        """True when the rows could be read (no file-level error)."""
        return not any(i.is_error for i in self.issues)

    @property
    def owner_id(self) -> str:
        return self.meta.get("owner_id", "")

    @property
    def framework_id(self) -> str:
        return self.meta.get("framework_id", "")

    @property
    def period(self) -> Period | None:
        try:
            return Period.parse(self.meta.get("period", ""))
        except ValueError:
            return None

    def ref(self, label: str, row: int) -> str:
        """The address of a label's cell in a row, like `F9`."""
        return f"{col_letter(self.columns[label])}{row}"


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_return(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> ReturnFile:
    """Read a return file. Never raises for a bad file: problems are in `.issues`."""
    path = Path(path)
    result = ReturnFile(path=path)
    name = str(path)
    try:
        result.size = path.stat().st_size
        result.sha256 = sha256_of(path)
    except OSError as exc:
        result.issues.append(make_issue("file-unreadable", name, detail=exc.strerror or str(exc)))
        return result
    try:
        with Workbook(path, limits) as wb:
            _read_workbook(wb, result)
    except XlsxOpenError as exc:
        code = _OPEN_CODES.get(exc.kind, "file-unreadable")
        result.issues.append(make_issue(code, name, detail=exc.detail or exc.kind,
                                        suffix=path.suffix or "(none)"))
        result.rows = []
    except (ValueError, KeyError, IndexError, OverflowError, MemoryError, RecursionError) as exc:
        # Malformed parts that parse as XML but make no sense as a workbook.
        result.issues.append(make_issue("file-unreadable", name, detail=type(exc).__name__))
        result.rows = []
    return result


def _read_workbook(wb: Workbook, result: ReturnFile) -> None:
    name = str(result.path)
    result.date1904 = wb.date1904
    meta_name = wb.find_sheet(layout.META_SHEET)
    if meta_name is not None:
        meta_sheet = wb.read_sheet(meta_name)
        for r in meta_sheet.by_row():
            key, value = meta_sheet.row(r, 2)
            if text_of(key):
                result.meta[text_of(key)] = text_of(value)
    sheet_name = wb.find_sheet(layout.RETURN_SHEET)
    if sheet_name is None:
        found = ", ".join(f"'{s}'" for s in wb.sheet_names if s != meta_name) or "none"
        result.issues.append(make_issue("sheet-missing", name, expected=layout.RETURN_SHEET,
                                        found=found))
        return
    result.sheet = sheet_name
    if not result.meta.get("period") or not result.meta.get("owner_id"):
        result.issues.append(make_issue("metadata-missing", name, sheet=sheet_name))
    sheet = wb.read_sheet(sheet_name)
    _read_table(sheet, result)


def _read_table(sheet: Sheet, result: ReturnFile) -> None:
    name = str(result.path)
    wanted = {_norm(h): h for h in layout.HEADERS}
    best_row, best = 0, dict[str, int]()
    rows = sheet.by_row()
    for r, cells_in_row in rows.items():
        if r > HEADER_SEARCH_ROWS:
            break
        found: dict[str, int] = {}
        for c, cell in cells_in_row.items():
            if cell.kind != "text":
                continue
            label = wanted.get(_norm(cell.value))
            if label and label not in found:
                found[label] = c
        if len(found) > len(best):
            best_row, best = r, found
            if len(best) == len(wanted):
                break  # every label found: no later row can do better
    if not best:
        result.issues.append(make_issue(
            "header-missing", name, sheet=sheet.name, column=layout.ID,
            detail=f"no header row was found in the first {HEADER_SEARCH_ROWS} rows"))
        return
    result.header_row, result.columns = best_row, best
    missing = [h for h in layout.HEADERS if h not in best]
    for label in missing:
        result.issues.append(make_issue(
            "header-missing", name, sheet=sheet.name, cell=f"{best_row}:{best_row}", column=label,
            detail=f"header row {best_row}"))
    # A template label twice in the header row: the leftmost was taken, but which column holds
    # the figures is a guess, so the return is not read.
    duplicates = 0
    for c, cell in rows.get(best_row, {}).items():
        label = wanted.get(_norm(cell.value)) if cell.kind == "text" else None
        if label and best[label] != c:
            duplicates += 1
            result.issues.append(make_issue(
                "header-duplicate", name, sheet=sheet.name, cell=f"{col_letter(c)}{best_row}",
                column=label, first=f"{col_letter(best[label])}{best_row}",
                extra=f"{col_letter(c)}{best_row}"))
    if missing or duplicates:
        return
    table_rows: list[ReturnRow] = []
    for r in rows:
        if r <= best_row:
            continue
        cells = {label: sheet.get(r, c) for label, c in best.items()}
        if all(cells[label].kind == "blank" for label in _ROW_KEYS):
            continue  # nothing typed in the table's own cells (e.g. notes in an added column)
        table_rows.append(ReturnRow(r, cells))
    if _merged_in_table(sheet, result, best_row, table_rows):
        return
    result.rows = table_rows
    result.row_count = len(result.rows)
    result.indicator_ids = [row.indicator_id for row in result.rows]


def _merged_in_table(sheet: Sheet, result: ReturnFile, header_row: int, rows: list[ReturnRow]) -> bool:
    """Report each merged range that covers a table cell (below the header row, in a template
    column, up to the last row of the table): the cells under its first one read as empty although
    the owner sees text there. True when there was one."""
    if not rows or not sheet.merged:
        return False
    last_row = rows[-1].row
    columns = sorted(result.columns.values())
    found = False
    for ref in sheet.merged:
        first, _, last = ref.partition(":")
        r1, c1 = parse_ref(first)
        r2, c2 = parse_ref(last or first)
        r1, r2 = min(r1, r2), max(r1, r2)
        c1, c2 = min(c1, c2), max(c1, c2)
        if r2 <= header_row or r1 > last_row or not any(c1 <= c <= c2 for c in columns):
            continue
        found = True
        result.issues.append(make_issue("table-merged-cells", str(result.path), sheet=sheet.name,
                                        cell=ref, cells=ref))
    return found
