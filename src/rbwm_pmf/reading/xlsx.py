"""A small, guarded reader of .xlsx files: cell values, formulas, number formats, cell addresses.

Why not openpyxl or python-calamine here: calamine gives values but not number formats (needed to
know that 0.934 in a percent cell means 93.4%), drops formulas that have no saved result and reads
`#DIV/0!` as an empty string; openpyxl gives formats but is about twenty times slower and needs a
second pass to tell a formula with no saved result from a blank. Parsing the sheet XML directly
gives all of it in one pass, and every archive limit is checked before a byte is unzipped.

Each part is read first by the fast path (regular expressions for the plain shape every common
writer uses) and, if it holds anything else, by expat or defusedxml; `Workbook(fast=False)`
reads every part the careful way, and the tests compare the two.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from xml.parsers import expat

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_M = "{" + NS_MAIN + "}"

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
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def is_percent(self) -> bool:
        return format_is_percent(self.number_format)


@dataclass
class Sheet:
    """The cells of one worksheet, keyed by (row, column), both 1-based."""

    name: str
    state: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    max_row: int = 0  # the highest row and column holding a value (0 for an empty sheet)
    max_col: int = 0

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


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """`F9` -> (9, 6)."""
    match = _REF.match(ref.replace("$", "").upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref}")
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


@functools.lru_cache(maxsize=512)
def format_is_percent(code: str) -> bool:
    """True when a number format shows values as percentages ('0.0%', '0%;[Red]-0%')."""
    stripped = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code or "")
    return "%" in stripped


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

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS, *, fast: bool = True) -> None:
        self.path = Path(path)
        self.limits = limits
        self.fast = fast  # False reads every part with expat (the tests compare both ways)
        self._zip = self._open_zip()
        try:
            self._check_archive()
            self._shared: list[str] | None = None
            self._formats: list[str] | None = None
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

    def _check_archive(self) -> None:
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

    def _read_bytes(self, name: str) -> bytes:
        try:
            with self._zip.open(name) as fh:
                return fh.read(self.limits.max_part_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            # RuntimeError: a part encrypted with a zip password
            raise XlsxOpenError("corrupt", f"{name}: {exc}") from exc
        except Exception as exc:  # zlib.error and friends
            raise XlsxOpenError("corrupt", f"{name}: {exc}") from exc

    def _parse(self, name: str) -> Any:
        data = self._read_bytes(name)
        try:
            return SafeET.fromstring(data)
        except DefusedXmlException as exc:
            raise XlsxOpenError("xml-attack", f"{name}: {type(exc).__name__}") from exc
        except SafeET.ParseError as exc:
            raise XlsxOpenError("corrupt", f"{name}: {exc}") from exc

    def _rels(self, part: str) -> dict[str, str]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self._zip.namelist():
            return {}
        found: list[tuple[str, ...]] | None = None
        if self.fast:
            data = self._read_bytes(rels_name)
            _well_formed(data, rels_name, namespaces=True)
            try:
                found = _fast_elements(data, "Relationships", "Relationship", NS_PKG_REL,
                                       ("Id", "Target"))
            except _Irregular:
                found = None
        if found is None:
            root = self._parse(rels_name)
            found = [(rel.get("Id", ""), rel.get("Target", ""))
                     for rel in root.iter("{" + NS_PKG_REL + "}Relationship")]
        out = {}
        for rid, target in found:
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rid] = resolved
        return out

    def _read_sheet_list(self) -> list[tuple[str, str, str]]:
        found: list[tuple[str, ...]] | None = None
        if self.fast:
            data = self._read_bytes("xl/workbook.xml")
            _well_formed(data, "xl/workbook.xml", namespaces=True)
            try:
                found = _fast_elements(data, "sheets", "sheet", NS_MAIN, ("name", "state", "r:id"))
            except _Irregular:
                found = None
        if found is None:
            root = self._parse("xl/workbook.xml")
            listed = root.find(_M + "sheets")  # only the <sheet> elements of <sheets> count
            found = [(el.get("name", ""), el.get("state", ""), el.get("{" + NS_REL + "}id", ""))
                     for el in (listed.findall(_M + "sheet") if listed is not None else [])]
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
        if target not in self._zip.namelist():
            raise XlsxOpenError("corrupt", f"sheet '{name}' has no data part")
        if self._shared is None:
            self._shared = self._read_shared_strings()
        if self._formats is None:
            self._formats = self._read_formats()
        sheet = Sheet(real, state)
        self._read_cells(target, sheet)
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
        if name not in self._zip.namelist():
            return []
        data = self._read_bytes(name)
        if self.fast:
            _well_formed(data, name)
            try:
                return _fast_strings(data, self.limits)
            except _Irregular:
                pass
        scan = _Scan(self.limits, "shared strings")
        scan.run(data, name)
        return scan.strings

    def _read_formats(self) -> list[str]:
        name = "xl/styles.xml"
        if name not in self._zip.namelist():
            return []
        if self.fast:
            data = self._read_bytes(name)
            _well_formed(data, name, namespaces=True)
            try:
                return _fast_formats(data)
            except _Irregular:
                pass
        root = self._parse(name)
        custom = {
            int(nf.get("numFmtId", "0")): nf.get("formatCode", "")
            for nf in root.iter(_M + "numFmt")
        }
        formats = []
        xfs = root.find(_M + "cellXfs")
        for xf in xfs.findall(_M + "xf") if xfs is not None else []:
            formats.append(_format_code(int(xf.get("numFmtId", "0") or 0), custom))
        return formats

    def _read_cells(self, part: str, sheet: Sheet) -> None:
        data = self._read_bytes(part)
        if self.fast:
            _well_formed(data, part, stop=b"</sheetData>")
            try:
                _fast_cells(data, sheet, self._shared or [], self._formats or [], self.limits)
                return
            except _Irregular:
                sheet.cells.clear()
                sheet.max_row = sheet.max_col = 0
        scan = _Scan(self.limits, sheet.name, self._shared or [], self._formats or [], sheet)
        scan.run(data, part)


def _format_code(fid: int, custom: dict[int, str]) -> str:
    if fid in custom:
        return custom[fid]
    if fid in _BUILTIN_PERCENT:
        return "0%" if fid == 9 else "0.00%"
    return "General" if fid == 0 else f"builtin:{fid}"


# -- the fast path ----------------------------------------------------------------------------
# Excel, LibreOffice, openpyxl and XlsxWriter write sheet data, shared strings and number formats
# in one plain shape. Regular expressions read that shape four to five times faster than expat's
# callbacks. Each pattern ends in a catch-all that captures any character the other alternatives
# do not account for, so a part holding anything else (a namespace prefix, a comment, a cell
# without an address, another encoding) is never half-read: `_Irregular` is raised and the part
# is read again by expat, which also decides whether it is well-formed.

class _Irregular(Exception):
    """A part is not in the plain shape the fast path reads."""


_CELL_TOKENS = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
    rb'((?:\s+[A-Za-z:]{1,20}="[^"<&]*")*)\s*(?:/>|><v>([^<&]*)</v></c>'
    rb'|><is><t(?: xml:space="preserve")?>([^<&\r]*)</t></is></c>|>(.*?)</c>)'
    rb'|(<row\b[^>]*>)|</row>|([^\s])', re.S)
_CELL_INNER = re.compile(
    rb'(<f)(?=[\s/>])([^>]*?)(?:/>|>([^<]*)</f>)|(<v)(?:\s*/>|>([^<]*)</v>)|(<is>)|</is>|<r>|</r>'
    rb'|<rPr>.*?</rPr>|<rPh\b.*?</rPh>|<phoneticPr\b[^>]*/>'
    rb'|<t(?: xml:space="preserve")?>([^<]*)</t>|<t\s*/>|([^\s])', re.S)
_ATTR = re.compile(rb'\s([A-Za-z:]+)="([^"<&]*)"')
_SST_ITEMS = re.compile(
    rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si>(.*?)</si>|<si/>|([^\s])', re.S)
_SST_INNER = re.compile(
    rb'<r>|</r>|<rPr>.*?</rPr>|<rPh\b.*?</rPh>|<phoneticPr\b[^>]*/>'
    rb'|<t(?: xml:space="preserve")?>([^<]*)</t>|<t\s*/>|([^\s])', re.S)
_NUM_FMT = re.compile(rb'<numFmt numFmtId="([0-9]{1,9})" formatCode="([^"<]*)"\s*/>')
_XF = re.compile(rb'<xf\b([^>]*?)(/?)>')
_PLAIN_ATTRS = re.compile(rb'(?:\s+[A-Za-z:]{1,40}="[^"<]*")*\s*')
_XF_FMT = re.compile(rb'\snumFmtId="([0-9]{1,9})"')
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_COLUMNS: dict[bytes, int] = {}


def _guarded_parser(part: str, namespaces: bool = False) -> Any:
    """An expat parser that refuses any document type declaration: no part of a workbook has
    one, and it is where entity attacks live (as defusedxml refuses them)."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> int:
        raise XlsxOpenError("xml-attack", f"{part}: a document type declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _well_formed(data: bytes, part: str, stop: bytes | None = None, *,
                 namespaces: bool = False) -> None:
    """Check a part with expat, as the careful path would, before the fast path reads it.

    Expat with no callbacks costs a fraction of a millisecond for a return's sheet, and keeps
    the two paths alike on broken XML (`corrupt`) and on document type declarations
    (`xml-attack`). With `stop`, only the bytes up to it are checked, as the careful path stops
    reading a sheet at the end of its data. With `namespaces`, prefixes must be declared, as
    defusedxml (the careful path for the sheet list, relationships and styles) requires.
    """
    parser = _guarded_parser(part, namespaces)
    end = data.find(stop) if stop else -1
    try:
        if end >= 0:
            parser.Parse(data[:end + len(stop or b"")], False)
        else:
            parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XlsxOpenError("corrupt", f"{part}: {exc}") from exc


def _body(data: bytes, open_tag: bytes, close_tag: bytes) -> bytes | None:
    """The bytes between a part's one `open_tag...>` and `close_tag`; None when it is empty.

    Raises _Irregular for anything the fast path does not read: a declaration or comment
    before the root element, an encoding other than UTF-8, or a missing element. (A comment or
    CDATA section inside the element is caught by the patterns' catch-alls.) The part is
    already known to be well-formed (`_well_formed`).
    """
    root = _ELEMENT_START.search(data)
    if root is None or b"<!" in data[:root.start()] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _Irregular  # a document type declaration lives before the root element
    if data.startswith(b"<?xml"):
        decl = data[:data.find(b"?>")].lower()
        if b"encoding" in decl and b"utf-8" not in decl:
            raise _Irregular
    start = data.find(open_tag)
    if start < 0 or b"<!" in data[:start]:
        raise _Irregular  # missing, or a comment or CDATA section that might hide the element
    end_open = data.find(b">", start)
    if data[end_open - 1:end_open] == b"/":
        return None
    end = data.rfind(close_tag)
    if end < end_open:
        raise _Irregular
    return data[end_open + 1:end]


def _text(raw: bytes) -> str:
    """XML character data as text: line ends normalised as XML does (before references are
    decoded, so `&#13;` stays a carriage return), then entities and character references."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        def entity(m: re.Match[str]) -> str:
            # Expat has already refused unknown entities and references to characters XML
            # does not allow (`_well_formed`).
            if m.group(1):
                return _NAMED[m.group(1)]
            return chr(int(m.group(2)) if m.group(2) else int(m.group(3), 16))

        text = _ENTITY.sub(entity, text)
    return text


_EMPTY_ELEMENT = re.compile(rb'<([A-Za-z]+)((?:\s+[A-Za-z:]{1,40}="[^"<]*")*)\s*/>|([^\s])')
_XML_ATTR = re.compile(rb'\s([A-Za-z:]{1,40})="([^"<]*)"')


def _root_tag(data: bytes) -> bytes:
    """The root element's start tag, where its namespaces are declared."""
    start = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    return data[start:data.find(b">", start) + 1]


def _fast_elements(data: bytes, parent: str, tag: str, namespace: str,
                   names: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The named attributes of each empty `tag` element inside `parent` (like the sheets of
    xl/workbook.xml), for a part whose default namespace is `namespace` and whose `r:` prefix,
    if any name uses it, is the relationships namespace."""
    root = _root_tag(data)
    if b'xmlns="' + namespace.encode() + b'"' not in root:
        raise _Irregular
    if any(n.startswith("r:") for n in names) and b'xmlns:r="' + NS_REL.encode() + b'"' not in root:
        raise _Irregular
    body = _body(data, b"<" + parent.encode(), b"</" + parent.encode() + b">")
    out: list[tuple[str, ...]] = []
    for found_tag, attrs, stray in _EMPTY_ELEMENT.findall(body or b""):
        if stray or found_tag != tag.encode():
            raise _Irregular
        if b"\t" in attrs or b"\n" in attrs or b"\r" in attrs:
            raise _Irregular  # XML would normalise these to spaces
        values = {k.decode("ascii"): v for k, v in _XML_ATTR.findall(attrs)}
        if any(":" in n and n not in values for n in names):
            raise _Irregular  # the relationship id under another prefix
        out.append(tuple(_text(values.get(n, b"")) for n in names))
    return out


def _fast_strings(data: bytes, limits: Limits) -> list[str]:
    body = _body(data, b"<sst", b"</sst>")
    if body is None:
        return []
    strings: list[str] = []
    for plain, inner, stray in _SST_ITEMS.findall(body):
        if stray:
            raise _Irregular
        if inner:
            parts = []
            for text, bad in _SST_INNER.findall(inner):
                if bad:
                    raise _Irregular
                parts.append(text)
            plain = b"".join(parts)
        strings.append(_unescape(_text(plain)) if plain else "")
    if len(strings) > limits.max_cells * 5:
        raise XlsxOpenError("too-large", "too many shared strings")
    return strings


def _fast_formats(data: bytes) -> list[str]:
    if b'xmlns="' + NS_MAIN.encode() + b'"' not in _root_tag(data):
        raise _Irregular  # the careful path finds formats only in the main namespace
    body = _body(data, b"<styleSheet", b"</styleSheet>")
    if body is None:
        return []
    if b"<!" in body:
        raise _Irregular  # a comment could hold an <xf> that is not one
    custom = {int(fid): _text(code) for fid, code in _NUM_FMT.findall(body)}
    if body.count(b"<numFmt ") != len(custom):
        raise _Irregular
    xfs = _body(body, b"<cellXfs", b"</cellXfs>") if b"<cellXfs" in body else None
    formats = []
    for attrs, _closed in _XF.findall(xfs or b""):
        if not _PLAIN_ATTRS.fullmatch(attrs):
            raise _Irregular  # quoted or spaced some other way
        found = _XF_FMT.search(attrs)
        if found is None and b"numFmtId" in attrs:
            raise _Irregular  # not a number: the careful path says what is wrong
        formats.append(_format_code(int(found.group(1)) if found else 0, custom))
    if (xfs or b"").count(b"<xf") != len(formats):
        raise _Irregular
    return formats


def _column(letters: bytes) -> int:
    """`b"F"` -> 6, remembered (a sheet uses a handful of columns many times)."""
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = parse_ref(letters.decode("ascii") + "1")[1]
    return col


def _fast_cells(data: bytes, sheet: Sheet, shared: list[str], formats: list[str],
                limits: Limits) -> None:
    body = _body(data, b"<sheetData", b"</sheetData>")
    if body is None:
        return
    if body.count(b"<row") > limits.max_rows:
        raise XlsxOpenError("too-large", f"more than {limits.max_rows:,} rows in '{sheet.name}'")
    if body.count(b"<c ") > limits.max_cells:
        raise _Irregular  # maybe mostly blank cells: expat counts the values without a list
    cells = sheet.cells
    rows_seen = 0
    max_row = max_col = 0
    n_formats = len(formats)
    max_cells = limits.max_cells
    new = tuple.__new__
    for letters, row_b, s, t, extra, v, plain, inner, row_tag, stray in _CELL_TOKENS.findall(body):
        if stray:
            raise _Irregular
        if row_tag:
            rows_seen += 1
            if rows_seen > limits.max_rows:
                raise XlsxOpenError("too-large", f"more than {limits.max_rows:,} rows in '{sheet.name}'")
            continue
        if not letters:
            continue  # </row>
        if extra:
            attrs = dict(_ATTR.findall(extra))
            if b"s" in attrs or b"t" in attrs:  # attributes in another order
                s = attrs.get(b"s", s)
                t = attrs.get(b"t", t)
                if not s.isdigit():
                    s = b""  # as expat's path reads it: style 0
        r = int(row_b)
        c = _COLUMNS.get(letters) or _column(letters)
        style = int(s) if s else 0
        fmt = formats[style] if style < n_formats else "General"
        cell: Cell | None = None
        if plain and t == b"inlineStr":
            text = plain.decode("utf-8")
            if "_x" in text:
                text = _unescape(text)
            cell = new(Cell, (r, c, text, "text", None, fmt))
        elif v and not inner:
            # The common cells, built directly: a number, or a shared string.
            if not t or t == b"n":
                try:  # noqa: SIM105 (suppress() costs more in this loop)
                    cell = new(Cell, (r, c, float(v), "number", None, fmt))
                except ValueError:
                    pass
            elif t == b"s":
                try:
                    text = shared[int(v)]
                except (ValueError, IndexError):
                    text = ""
                cell = new(Cell, (r, c, text, "text" if text else "blank", None, fmt))
        if cell is None:
            cell = _slow_cell(t.decode("ascii") if t else "n", fmt, v, inner, r, c, shared)
        if cell.kind == "blank":
            continue
        if len(cells) >= max_cells:
            raise XlsxOpenError("too-large", f"more than {max_cells:,} cells in '{sheet.name}'")
        cells[(r, c)] = cell
        if r > max_row:
            max_row = r
        if c > max_col:
            max_col = c
    sheet.max_row, sheet.max_col = max_row, max_col


def _slow_cell(tname: str, fmt: str, v: bytes, inner: bytes, r: int, c: int,
               shared: list[str]) -> Cell:
    """A cell with a formula, inline text or an unusual value, from the fast path's tokens."""
    formula: str | None = None
    inline: str | None = None
    value: str | None = None
    if inner:
        texts = []
        for f_mark, f_attrs, f_text, v_mark, v_text, is_mark, t_text, bad in _CELL_INNER.findall(inner):
            if bad:
                raise _Irregular
            if f_mark:
                if not _PLAIN_ATTRS.fullmatch(f_attrs):
                    raise _Irregular
                formula = _text(f_text)
                if not formula and b't="shared"' in f_attrs:
                    formula = "(shared)"
            elif v_mark:
                value = _text(v_text)
            elif is_mark:
                inline = ""
            elif t_text:
                texts.append(t_text)
        if inline is not None:
            inline = _unescape(_text(b"".join(texts)))
    elif v:
        value = _text(v)
    return _make_cell(tname, fmt, formula, value, inline, r, c, shared)


class _Stop(Exception):
    """Raised inside the parser once the sheet data has been read."""


class _Scan:
    """One pass of expat over a sheet or the shared strings, keeping only what a cell needs
    (for parts the fast path hands back).

    Parsing with expat's callbacks directly, rather than building elements, reads a return's
    sheet about twice as fast. A document type declaration is refused outright: no part of a
    workbook has one, and it is where entity attacks live (as defusedxml refuses them).
    """

    def __init__(self, limits: Limits, where: str, shared: list[str] | None = None,
                 formats: list[str] | None = None, sheet: Sheet | None = None) -> None:
        self.limits, self.where = limits, where
        self.shared, self.formats, self.sheet = shared or [], formats or [], sheet
        self.strings: list[str] = []
        self.row_no = self.rows_seen = 0
        self.next_col = 1
        self.text: list[str] | None = None  # the buffer characters go to, if any
        self.in_rph = False
        self.cell: dict[str, Any] = {}

    def run(self, data: bytes, part: str) -> None:
        parser = _guarded_parser(part)
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        try:
            parser.Parse(data, True)
        except _Stop:
            pass
        except expat.ExpatError as exc:
            raise XlsxOpenError("corrupt", f"{part}: {exc}") from exc

    @staticmethod
    def local(name: str) -> str:
        return name.rpartition(":")[2]

    def chars(self, data: str) -> None:
        if self.text is not None and not self.in_rph:
            self.text.append(data)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self.local(name)
        if tag == "t":
            if self.sheet is None or self.cell.get("inline") is not None:
                self.text = self.cell.setdefault("t_parts", [])
        elif tag == "rPh":
            self.in_rph = True
        elif tag == "si":
            self.cell = {"inline": True}
        elif tag == "c":
            self.cell = {"r": attrs.get("r"), "t": attrs.get("t", "n"), "s": attrs.get("s", "0")}
        elif tag == "v":
            self.text = self.cell.setdefault("v", [])
        elif tag == "f":
            self.cell["f_shared"] = attrs.get("t") == "shared"
            self.text = self.cell.setdefault("f", [])
        elif tag == "is":
            self.cell["inline"] = True
        elif tag == "row":
            r_attr = attrs.get("r")
            # rows may omit r; then they follow the previous row
            self.row_no = int(r_attr) if r_attr and r_attr.isdigit() else self.row_no + 1
            self.next_col = 1
            self.rows_seen += 1
            if self.rows_seen > self.limits.max_rows:
                raise XlsxOpenError(
                    "too-large", f"more than {self.limits.max_rows:,} rows in '{self.where}'")

    def end(self, name: str) -> None:
        tag = self.local(name)
        if tag in ("t", "v", "f"):
            self.text = None
        elif tag == "rPh":
            self.in_rph = False
        elif tag == "si":
            self.strings.append(_unescape("".join(self.cell.get("t_parts", []))))
            if len(self.strings) > self.limits.max_cells * 5:
                raise XlsxOpenError("too-large", "too many shared strings")
        elif tag == "c" and self.sheet is not None:
            self.add_cell()
        elif tag == "sheetData":
            raise _Stop

    def add_cell(self) -> None:
        info, sheet = self.cell, self.sheet
        assert sheet is not None
        ref = info.get("r")
        r, c = parse_ref(ref) if ref else (self.row_no, self.next_col)
        self.next_col = c + 1
        formula = None
        if "f" in info:
            formula = "".join(info["f"]) or ("(shared)" if info.get("f_shared") else "")
        v = "".join(info["v"]) if "v" in info else None
        inline = _unescape("".join(info.get("t_parts", []))) if info.get("inline") else None
        style = int(info["s"]) if info["s"].isdigit() else 0
        fmt = self.formats[style] if style < len(self.formats) else "General"
        cell = _make_cell(info["t"], fmt, formula, v, inline, r, c, self.shared)
        if cell.kind == "blank":
            return
        if len(sheet.cells) >= self.limits.max_cells:
            raise XlsxOpenError(
                "too-large", f"more than {self.limits.max_cells:,} cells in '{sheet.name}'")
        sheet.cells[(r, c)] = cell
        if r > sheet.max_row:
            sheet.max_row = r
        if c > sheet.max_col:
            sheet.max_col = c


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
