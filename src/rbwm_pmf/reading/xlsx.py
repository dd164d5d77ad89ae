"""A small, guarded reader of .xlsx files: cell values, formulas, number formats, cell addresses.

Why not openpyxl or python-calamine here: calamine gives values but not number formats (needed to
know that 0.934 in a percent cell means 93.4%), drops formulas that have no saved result and reads
`#DIV/0!` as an empty string; openpyxl gives formats but is about twenty times slower and needs a
second pass to tell a formula with no saved result from a blank. Parsing the sheet XML directly
gives all of it in one pass, and every archive limit is checked before a byte is unzipped.

Every part is read by Python's expat parser with any document type declaration refused, through
its callbacks: no tree is built, and only the cells' values, formulas and formats are kept.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from xml.parsers import expat

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # Strict Open XML, which is not read
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")
_BUILTIN_PERCENT = {9, 10}
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from exhausting memory or time."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_part_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 256 * 1024 * 1024
    max_parts: int = 2_000
    max_ratio: int = 200  # unzipped/zipped, for parts over 1 MB unzipped
    max_rows: int = 100_000  # rows of a sheet read before giving up
    max_cells: int = 200_000  # cells with a value in one sheet (a return has a few hundred)
    max_merged: int = 10_000  # merged ranges in one sheet


DEFAULT_LIMITS = Limits()


class XlsxOpenError(Exception):
    """The file cannot be read as a workbook. `kind` names why, for the rule catalogue."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}" if detail else kind)


class Cell(NamedTuple):
    """One cell as Excel stored it."""

    row: int
    col: int
    value: str | float | bool | None
    kind: str  # number, text, bool, error, formula-no-result, blank, date
    formula: str | None = None
    number_format: str = "General"

    @property
    def is_percent(self) -> bool:
        return format_is_percent(self.number_format)


@dataclass
class Sheet:
    """The cells of one worksheet, keyed by (row, column), both 1-based, and its merged ranges
    as written (`G6:G8`)."""

    name: str
    state: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)

    def get(self, row: int, col: int) -> Cell:
        return self.cells.get((row, col)) or Cell(row, col, None, "blank")

    def by_row(self) -> dict[int, dict[int, Cell]]:
        """The cells holding values, row by row in sheet order (empty rows are absent).

        Loops go over these, never over every address up to the furthest cell: one stray
        value in XFD1048576 must not cost sixteen billion lookups.
        """
        out: dict[int, dict[int, Cell]] = {}
        for (r, c), cell in sorted(self.cells.items()):
            out.setdefault(r, {})[c] = cell
        return out

    def row(self, row: int, width: int) -> list[Cell]:
        """The cells of one row from column 1 to `width`, blanks included."""
        return [self.get(row, c) for c in range(1, width + 1)]


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters



def parse_ref(ref: str) -> tuple[int, int]:
    """`F9` -> (9, 6)."""
    match = _REF.match(ref.replace("$", "").upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref}")
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


# What a number format shows as it is written, not as a part of the number: quoted text, an
# escaped character, the space (_x) or fill (*x) of a character, and bracketed sections
# ([Red], [$-F800], [>=100]).
_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def format_codes(code: str) -> str:
    """A number format without its literal parts (see _LITERALS): what is left says how the
    number is shown."""
    return _LITERALS.sub("", code or "")


@functools.lru_cache(maxsize=512)
def format_is_percent(code: str) -> bool:
    """True when a number format shows values as percentages ('0.0%', '0%;[Red]-0%')."""
    return "%" in format_codes(code)


def sniff(path: Path) -> str:
    """What the file really is, from its first bytes: xlsx-zip, ole, pdf, empty or other."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "other"


def _ole_is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(4 * 1024 * 1024)
    return _ENCRYPTION_MARK in data


class Workbook:
    """An open .xlsx archive; sheets are parsed on demand."""

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        self._zip = self._open_zip()
        try:
            self._names = self._check_archive()
            self._shared: list[str] | None = None
            self._formats: tuple[str, ...] | None = None
            self.date1904 = False  # set with the sheet list: True in the 1904 date system
            self.sheets = self._read_sheet_list()
        except BaseException:
            self._zip.close()
            raise

    # -- opening -------------------------------------------------------------------------

    def _open_zip(self) -> zipfile.ZipFile:
        path, limits = self.path, self.limits
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise XlsxOpenError("too-large", f"{size:,} bytes")
        kind = sniff(path)
        if kind == "empty":
            raise XlsxOpenError("empty")
        if kind == "ole":
            raise XlsxOpenError("encrypted" if _ole_is_encrypted(path) else "legacy-xls")
        if kind != "zip":
            raise XlsxOpenError("not-a-workbook", kind)
        try:
            return zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise XlsxOpenError("corrupt", str(exc)) from exc

    def _check_archive(self) -> set[str]:
        """Refuse the archive on its directory alone; the names of its parts."""
        limits = self.limits
        infos = self._zip.infolist()
        names = {i.filename for i in infos}
        if len(infos) > limits.max_parts:
            raise XlsxOpenError("too-large", f"{len(infos):,} parts in the archive")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.max_part_bytes:
                raise XlsxOpenError("too-large", f"{info.filename} unzips to {info.file_size:,} bytes")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > limits.max_ratio:
                raise XlsxOpenError("too-large", f"{info.filename} is compressed {ratio:,.0f} to 1")
        if total > limits.max_total_bytes:
            raise XlsxOpenError("too-large", f"unzips to {total:,} bytes")
        if "mimetype" in names:
            mimetype = self._read_bytes("mimetype")[:100].decode("ascii", "replace")
            if "opendocument" in mimetype:
                raise XlsxOpenError("ods", mimetype)
        if "xl/vbaProject.bin" in names or self.path.suffix.lower() in {".xlsm", ".xltm", ".xlsb"}:
            raise XlsxOpenError("macro")
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise XlsxOpenError("not-a-workbook", "a zip archive without a workbook part")
        if "xl/workbook.bin" in names:
            raise XlsxOpenError("macro", "binary workbook (.xlsb)")
        return names

    def _read_bytes(self, name: str) -> bytes:
        try:
            with self._zip.open(name) as fh:
                return fh.read(self.limits.max_part_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            # RuntimeError: a part encrypted with a zip password
            raise XlsxOpenError("corrupt", f"{name}: {exc}") from exc
        except Exception as exc:  # zlib.error and friends
            raise XlsxOpenError("corrupt", f"{name}: {exc}") from exc

    def _rels(self, part: str) -> dict[str, str]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self._names:
            return {}
        out = {}
        for rid, target in _relationships(self._read_bytes(rels_name), rels_name):
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rid] = resolved
        return out

    def _read_sheet_list(self) -> list[tuple[str, str, str]]:
        found, self.date1904 = _workbook_part(self._read_bytes("xl/workbook.xml"), "xl/workbook.xml")
        rels = self._rels("xl/workbook.xml")
        return [(name, state or "visible", rels.get(rid, "")) for name, state, rid in found]

    # -- public ----------------------------------------------------------------------------

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _, _ in self.sheets]

    def find_sheet(self, name: str) -> str | None:
        """The sheet's real name, matched without regard to case or outer spaces."""
        want = name.strip().casefold()
        for real, _, _ in self.sheets:
            if real.strip().casefold() == want:
                return real
        return None

    def read_sheet(self, name: str) -> Sheet:
        found = next((s for s in self.sheets if s[0] == name), None)
        if found is None:
            raise KeyError(name)
        real, state, target = found
        if target not in self._names:
            raise XlsxOpenError("corrupt", f"sheet '{name}' has no data part")
        if self._shared is None:
            self._shared = self._read_shared_strings()
        if self._formats is None:
            self._formats = self._read_formats()
        sheet = Sheet(real, state)
        _read_cells(self._read_bytes(target), target, sheet, self._shared, self._formats, self.limits)
        return sheet

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -----------------------------------------------------------------------------

    def _read_shared_strings(self) -> list[str]:
        name = "xl/sharedStrings.xml"
        if name not in self._names:
            return []
        return _shared_strings(self._read_bytes(name), name, self.limits)

    def _read_formats(self) -> tuple[str, ...]:
        name = "xl/styles.xml"
        if name not in self._names:
            return ()
        return _cell_formats(self._read_bytes(name), name)


def _format_code(fid: int, custom: dict[int, str]) -> str:
    if fid in custom:
        return custom[fid]
    if fid in _BUILTIN_PERCENT:
        return "0%" if fid == 9 else "0.00%"
    return "General" if fid == 0 else f"builtin:{fid}"


# -- parsing ----------------------------------------------------------------------------------
# Every part is read by expat through its callbacks, keeping only what a cell needs, with any
# document type declaration refused (`_guarded_parser`). The sheet list, relationships and
# styles are read with namespaces resolved, so only elements of the right namespace count; the
# shared strings and sheets by their local names (`x:c` is a cell as `c` is), as Excel does.
#
# Most of the time goes on the callbacks, so they are kept small: closures over local variables,
# element names compared as expat has interned them, attributes taken as lists
# (`ordered_attributes`) rather than dictionaries, cell addresses remembered (`_position`), the
# common cells (a number, a shared or an inline string) built directly, and the parts every return
# of a template shares (sheet list, relationships, styles) parsed once (`_remembered`).

class _Stop(Exception):
    """Raised inside the parser once what is wanted of a part has been read."""


def _guarded_parser(part: str, namespaces: bool = False) -> Any:
    """An expat parser that refuses any document type declaration: no part of a workbook has
    one, and it is where entity attacks live (entity expansion, external entities)."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> int:
        raise XlsxOpenError("xml-attack", f"{part}: a document type declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.buffer_text = True
    parser.ordered_attributes = True
    return parser


def _parse(parser: Any, data: bytes, part: str) -> None:
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        raise XlsxOpenError("corrupt", f"{part}: {exc}") from exc
    except LookupError as exc:
        if type(exc) is not LookupError:  # a KeyError or IndexError is not expat's
            raise
        # An encoding the XML declaration names and Python does not know ('TF-8').
        raise XlsxOpenError("corrupt", f"{part}: {exc}") from exc


def _attr(attrs: list[str], name: str, default: str = "") -> str:
    """The value of one attribute from expat's ordered list `[name, value, name, value, ...]`."""
    for i in range(0, len(attrs), 2):
        if attrs[i] == name:
            return attrs[i + 1]
    return default


_Found = TypeVar("_Found")


def _remembered(read: Callable[[bytes, str], _Found]) -> Callable[[bytes, str], _Found]:
    """`read`, remembering what it gave for the last few small parts it read. Returns made from
    one template share their sheet list, relationships and styles byte for byte, so each is
    parsed once per run. What `read` gives must not be changed by its callers (it is a tuple)."""
    seen: dict[bytes, _Found] = {}

    @functools.wraps(read)
    def remembered(data: bytes, part: str) -> _Found:
        if len(data) > 65_536:
            return read(data, part)
        found = seen.get(data)
        if found is None:
            found = read(data, part)  # a part that is refused raises, and is not remembered
            if len(seen) >= 32:
                seen.clear()
            seen[data] = found
        return found

    return remembered


@_remembered
def _workbook_part(data: bytes, part: str) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """(name, state, relationship id) of each `<sheet>` in the workbook's first `<sheets>`, and
    whether its dates count from 1904 (`<workbookPr date1904="1"/>`, as old Mac Excel saved).
    A workbook saved as Strict Open XML (its elements in another namespace) is refused."""
    sheets_tag, sheet_tag, rid_attr = NS_MAIN + "}sheets", NS_MAIN + "}sheet", NS_REL + "}id"
    properties_tag = NS_MAIN + "}workbookPr"
    strict = NS_STRICT + "}"
    found: list[tuple[str, str, str]] = []
    date1904 = False
    depth = 0
    inside = 0  # 0 before the list, 1 in it, 2 after it (only the first list counts)

    def start(name: str, attrs: list[str]) -> None:
        nonlocal depth, inside, date1904
        depth += 1
        if depth == 1 and name.startswith(strict):
            raise XlsxOpenError("strict-xml", f"{part}: {NS_STRICT}")
        if depth == 2 and name == properties_tag:
            date1904 = _attr(attrs, "date1904").strip().lower() in ("1", "true")
        elif depth == 2 and inside == 0 and name == sheets_tag:
            inside = 1
        elif depth == 3 and inside == 1 and name == sheet_tag:
            found.append((_attr(attrs, "name"), _attr(attrs, "state"), _attr(attrs, rid_attr)))

    def end(_name: str) -> None:
        nonlocal depth, inside
        if depth == 2 and inside == 1:
            inside = 2
        depth -= 1

    parser = _guarded_parser(part, namespaces=True)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    _parse(parser, data, part)
    return tuple(found), date1904


@_remembered
def _relationships(data: bytes, part: str) -> tuple[tuple[str, str], ...]:
    """(id, target) of every relationship in a .rels part."""
    tag = NS_PKG_REL + "}Relationship"
    found: list[tuple[str, str]] = []

    def start(name: str, attrs: list[str]) -> None:
        if name == tag:
            found.append((_attr(attrs, "Id"), _attr(attrs, "Target")))

    parser = _guarded_parser(part, namespaces=True)
    parser.StartElementHandler = start
    _parse(parser, data, part)
    return tuple(found)


@_remembered
def _cell_formats(data: bytes, part: str) -> tuple[str, ...]:
    """The number format of each cell format (`<xf>` of the first `<cellXfs>`), by index."""
    num_fmt, cell_xfs, xf_tag = NS_MAIN + "}numFmt", NS_MAIN + "}cellXfs", NS_MAIN + "}xf"
    custom: list[tuple[str, str]] = []
    xfs: list[str] = []
    depth = 0
    inside = 0  # as for the sheet list: only the first <cellXfs> counts

    def start(name: str, attrs: list[str]) -> None:
        nonlocal depth, inside
        depth += 1
        if name == num_fmt:
            custom.append((_attr(attrs, "numFmtId", "0"), _attr(attrs, "formatCode")))
        elif depth == 2 and inside == 0 and name == cell_xfs:
            inside = 1
        elif depth == 3 and inside == 1 and name == xf_tag:
            xfs.append(_attr(attrs, "numFmtId", "0"))

    def end(_name: str) -> None:
        nonlocal depth, inside
        if depth == 2 and inside == 1:
            inside = 2
        depth -= 1

    parser = _guarded_parser(part, namespaces=True)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    _parse(parser, data, part)
    # Numbers are read once the whole part is known to be well-formed (a broken part is
    # `corrupt` wherever the bad number stands); a format that is not a number is a ValueError.
    codes = {int(fid): code for fid, code in custom}
    return tuple(_format_code(int(fid or 0), codes) for fid in xfs)


def _shared_strings(data: bytes, part: str, limits: Limits) -> list[str]:
    """The text of each `<si>`: its `<t>` elements (all the runs of rich text) joined, without
    phonetic runs (`<rPh>`) and with Excel's `_xHHHH_` escapes decoded."""
    strings: list[str] = []
    most = limits.max_cells * 5
    text = ""
    collect = False  # inside a <t> (not of a phonetic run)
    in_rph = False
    rows_seen = 0

    # Prefixed elements (x:t) are read by their local name. The handlers never call themselves
    # for them: a closure that holds itself is a reference cycle, and a batch pauses the cycle
    # collector.
    def start(name: str, attrs: list[str]) -> None:
        nonlocal text, collect, in_rph, rows_seen
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "t":
            collect = True
        elif name == "si" or name == "c":
            text = ""
        elif name == "rPh":
            in_rph = True
        elif name == "v" or name == "f":
            collect = False
        elif name == "row":
            rows_seen += 1
            if rows_seen > limits.max_rows:
                raise XlsxOpenError("too-large", f"more than {limits.max_rows:,} rows in 'shared strings'")

    def end(name: str) -> None:
        nonlocal collect, in_rph
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "t" or name == "v" or name == "f":
            collect = False
        elif name == "si":
            strings.append(_unescape(text) if "_x" in text else text)
            if len(strings) > most:
                raise XlsxOpenError("too-large", "too many shared strings")
        elif name == "rPh":
            in_rph = False

    def chars(data: str) -> None:
        nonlocal text
        if collect and not in_rph:
            text += data

    parser = _guarded_parser(part)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    _parse(parser, data, part)
    return strings


# Cell addresses already seen, as (row, column): a return's sheets use the same few hundred.
_REFS: dict[str, tuple[int, int]] = {}
_NO_TEXT, _V, _F, _T = 0, 1, 2, 3  # where character data goes, in a sheet


def _position(ref: str) -> tuple[int, int]:
    found = _REFS.get(ref)
    if found is None:
        found = parse_ref(ref)
        if len(_REFS) >= 100_000:
            _REFS.clear()
        _REFS[ref] = found
    return found


def _read_cells(data: bytes, part: str, sheet: Sheet, shared: list[str], formats: Sequence[str],
                limits: Limits) -> None:
    """Read a worksheet part's `<sheetData>` and `<mergeCells>` into `sheet`; reading stops at
    the end of the merged cells (which follow the sheet data), or of the part if it has none.

    A cell holds the text of its `<v>` (its value, or a formula's saved result), of its `<f>`
    (a formula; `(shared)` for the cells of a shared formula that carry only its index) and,
    after an `<is>`, of its `<t>` elements (an inline string, phonetic runs left out). Cells
    without a value are not kept; `max_rows`, `max_cells` and `max_merged` are checked as the
    sheet is read.
    """
    cells = sheet.cells
    merged = sheet.merged
    max_merged = limits.max_merged
    where = sheet.name
    max_rows, max_cells = limits.max_rows, limits.max_cells
    n_formats = len(formats)
    fmt_of: dict[str, str] = {}
    refs = _REFS
    new = tuple.__new__
    # The cell being read (reset at each <c>).
    ref: str | None = None
    ctype = "n"
    style = "0"
    v: str | None = None
    f: str | None = None
    f_shared = False
    inline: str | None = None  # None until an <is> is met
    target = _NO_TEXT
    in_rph = False
    row_no = rows_seen = 0
    next_col = 1
    after_data = False  # past the end of <sheetData>: only merged cells are read
    # Reading on past the cells costs as much again (data validations, page set-up): only a
    # part that names merged cells at all is read that far.
    has_merges = b"mergeCell" in data

    def start(name: str, attrs: list[str]) -> None:
        nonlocal ref, ctype, style, v, f, f_shared, inline, target, in_rph, row_no, rows_seen, next_col
        if ":" in name:  # by its local name, as in _shared_strings
            name = name.rpartition(":")[2]
        if name == "c":
            ref, ctype, style = None, "n", "0"
            v = f = inline = None
            f_shared = False
            n = len(attrs)
            if n == 4 and attrs[0] == "r" and attrs[2] == "s":
                ref, style = attrs[1], attrs[3]
            elif n == 6 and attrs[0] == "r" and attrs[2] == "s" and attrs[4] == "t":
                ref, style, ctype = attrs[1], attrs[3], attrs[5]
            else:
                for i in range(0, n, 2):
                    key = attrs[i]
                    if key == "r":
                        ref = attrs[i + 1]
                    elif key == "s":
                        style = attrs[i + 1]
                    elif key == "t":
                        ctype = attrs[i + 1]
        elif name == "v":
            target = _V
            if v is None:
                v = ""
        elif name == "t":
            if inline is not None:
                target = _T
        elif name == "is":
            if inline is None:
                inline = ""
        elif name == "f":
            target = _F
            f_shared = _attr(attrs, "t") == "shared"
            if f is None:
                f = ""
        elif name == "row":
            r_attr = attrs[1] if attrs and attrs[0] == "r" else _attr(attrs, "r")
            # rows may omit r; then they follow the previous row
            row_no = int(r_attr) if r_attr and r_attr.isdigit() else row_no + 1
            next_col = 1
            rows_seen += 1
            if rows_seen > max_rows:
                raise XlsxOpenError("too-large", f"more than {max_rows:,} rows in '{where}'")
        elif name == "rPh":
            in_rph = True
        elif name == "mergeCell" and after_data:
            merged.append(_attr(attrs, "ref"))
            if len(merged) > max_merged:
                raise XlsxOpenError("too-large", f"more than {max_merged:,} merged ranges in '{where}'")

    def end(name: str) -> None:
        nonlocal target, in_rph, next_col, after_data
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            position = (refs.get(ref) or _position(ref)) if ref else (row_no, next_col)
            r, c = position
            next_col = c + 1
            fmt = fmt_of.get(style)
            if fmt is None:
                index = int(style) if style.isdigit() else 0
                fmt = fmt_of[style] = formats[index] if index < n_formats else "General"
            if v is None and f is None and inline is None:
                return  # a blank cell, perhaps with a style
            cell: Cell | None = None
            if f is None:
                # The common cells, built directly: a number, a shared or an inline string.
                if ctype == "n":
                    if v:
                        try:  # noqa: SIM105 (suppress() costs more here)
                            cell = new(Cell, (r, c, float(v), "number", None, fmt))
                        except ValueError:
                            pass
                elif ctype == "s":
                    if v:
                        try:
                            text = shared[int(v)]
                        except (ValueError, IndexError):
                            text = ""
                        cell = new(Cell, (r, c, text, "text" if text else "blank", None, fmt))
                elif ctype == "inlineStr":
                    text = _unescape(inline) if inline else ""
                    cell = new(Cell, (r, c, text, "text" if text else "blank", None, fmt))
            if cell is None:
                formula = (f or ("(shared)" if f_shared else "")) if f is not None else None
                cell = _make_cell(ctype, fmt, formula, v, None if inline is None else _unescape(inline),
                                  r, c, shared)
            if cell.kind == "blank":
                return
            if len(cells) >= max_cells:
                raise XlsxOpenError("too-large", f"more than {max_cells:,} cells in '{where}'")
            cells[position] = cell
        elif name == "v" or name == "t" or name == "f":
            target = _NO_TEXT
        elif name == "sheetData":
            if not has_merges:
                raise _Stop  # nothing after the cells is wanted: the usual sheet ends here
            after_data = True
        elif name == "mergeCells" and after_data:
            raise _Stop
        elif name == "rPh":
            in_rph = False

    def chars(data: str) -> None:
        nonlocal v, f, inline
        if target and not in_rph:
            if target == _V:
                v = data if not v else v + data
            elif target == _T:
                inline = data if not inline else inline + data
            else:
                f = data if not f else f + data

    parser = _guarded_parser(part)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    _parse(parser, data, part)


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Decode Excel's `_xHHHH_` escapes for characters XML cannot hold (`_x005F_` is `_`)."""
    if "_x" in text:
        return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _make_cell(
    t: str, fmt: str, formula: str | None, v: str | None, inline: str | None, row: int, col: int,
    shared: list[str],
) -> Cell:
    if t == "inlineStr":
        text = inline or ""
        return Cell(row, col, text, "text" if text != "" else "blank", formula, fmt)
    if v is None or (v == "" and t != "str"):
        if formula is not None:
            return Cell(row, col, None, "formula-no-result", formula, fmt)
        return Cell(row, col, None, "blank", None, fmt)
    if t == "s":
        try:
            text = shared[int(v)]
        except (ValueError, IndexError):
            text = ""
        return Cell(row, col, text, "text" if text != "" else "blank", formula, fmt)
    if t == "str":
        return Cell(row, col, v, "text" if v != "" else "blank", formula, fmt)
    if t == "b":
        return Cell(row, col, v.strip() in {"1", "true"}, "bool", formula, fmt)
    if t == "e":
        return Cell(row, col, v, "error", formula, fmt)
    if t == "d":
        return Cell(row, col, v, "date", formula, fmt)
    try:
        return Cell(row, col, float(v), "number", formula, fmt)
    except ValueError:
        return Cell(row, col, v, "text", formula, fmt)
