"""The .xlsx reader against openpyxl: every cell's value, kind, formula and number format.

A corpus of workbooks is written once per test session by XlsxWriter and by openpyxl, and the
same workbooks (with a CSV and a flat OpenDocument file) are saved again as .xlsx by
LibreOffice, which writes the XML its own way. For every sheet of every workbook, each cell our
reader keeps must be the cell openpyxl reads, and every cell openpyxl reads with a value must be
one our reader keeps.

openpyxl is read twice: `load_workbook(path)` for the formulas and number formats, and
`load_workbook(path, data_only=True)` for the results saved with formulas.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.cell.cell import MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import numbers
from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel
from openpyxl.worksheet.formula import ArrayFormula

from rbwm_pmf.reading.cells import interpret_actual
from rbwm_pmf.reading.xlsx import Cell, Workbook
from tests.kit import SOFFICE_MISSING, in_ci, require_soffice

LONG_TEXT = "A long commentary. " * 1700  # 32,300 characters, near Excel's 32,767 limit
UNICODE = ["Café ☕", "emoji 😀👍🏽", "漢字かな", "עברית", "zero\u200bwidth", "tab\there", "line\nbreak"]
# (Not the largest float: LibreOffice rounds it up and saves `INF`, which openpyxl cannot read.)
NUMBERS = [0, 1, -1, 42, -273.15, 0.1, 1 / 3, 1e300, -1e-300, 5e-324, 1.5e308,
           123456789012345, 2**53 + 1, -0.0]


# -- the corpus -------------------------------------------------------------------------------------

def _xw_numbers(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Numbers")
    pct = wb.add_format({"num_format": "0.0%"})
    pct_builtin = wb.add_format({"num_format": 10})  # 0.00%
    custom = wb.add_format({"num_format": '#,##0.00 "units";[Red]-#,##0.00 "units"'})
    thousands = wb.add_format({"num_format": 3})  # #,##0, a built-in format
    for r, n in enumerate(NUMBERS):
        ws.write_number(r, 0, n)
        ws.write_number(r, 1, n, pct)
        ws.write_number(r, 2, n, pct_builtin)
        ws.write_number(r, 3, n, custom)
        ws.write_number(r, 4, n, thousands)
    ws.write_string(0, 5, "0.934")  # a number stored as text
    ws.write_string(1, 5, "1e3")
    ws.write_string(2, 5, "-0")
    ws.write_blank(3, 5, None, pct)  # an empty cell with a style
    wb.close()


def _xw_dates(path: Path, date_1904: bool = False) -> None:
    wb = xlsxwriter.Workbook(path, {"date_1904": date_1904})
    ws = wb.add_worksheet("Dates")
    formats = [wb.add_format({"num_format": code}) for code in (
        "yyyy-mm-dd", "dd/mm/yyyy hh:mm:ss", "hh:mm", "[h]:mm:ss", "d mmmm yyyy", "mmm-yy")]
    values = [dt.datetime(2017, 7, 1), dt.datetime(2018, 3, 31, 23, 59, 59), dt.datetime(1904, 1, 2),
              dt.datetime(2000, 2, 29, 12, 30), dt.datetime(1999, 12, 31, 6)]
    for r, value in enumerate(values):
        for c, fmt in enumerate(formats):
            ws.write_datetime(r, c, value, fmt)
    ws.write_datetime(6, 0, dt.time(13, 45, 30), formats[2])
    ws.write_datetime(6, 1, dt.date(2017, 9, 30), formats[0])
    ws.write_number(6, 2, 14.5, wb.add_format({"num_format": 14}))  # built-in date format
    ws.write_number(6, 3, 0.25, wb.add_format({"num_format": 21}))  # built-in time format
    wb.close()


def _xw_strings(path: Path, constant_memory: bool = False) -> None:
    # constant_memory writes every string inline (t="inlineStr"); otherwise shared strings.
    wb = xlsxwriter.Workbook(path, {"constant_memory": constant_memory})
    ws = wb.add_worksheet("Text")
    bold, italic = wb.add_format({"bold": True}), wb.add_format({"italic": True})
    for r, text in enumerate(UNICODE):
        ws.write_string(r, 0, text)
    ws.write_string(len(UNICODE), 0, LONG_TEXT)
    ws.write_string(len(UNICODE) + 1, 0, "=not a formula")
    ws.write_string(len(UNICODE) + 2, 0, "  padded  ")
    ws.write_string(len(UNICODE) + 3, 0, "_x0041_ looks escaped")
    if not constant_memory:
        ws.write_rich_string(len(UNICODE) + 4, 0, "plain ", bold, "bold", " and ", italic, "italic")
    wb.close()


def _xw_formulas(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Formulas")
    pct = wb.add_format({"num_format": "0%"})
    ws.write_number(0, 0, 3)
    ws.write_number(0, 1, 4)
    ws.write_formula(1, 0, "=A1+B1", None, 7)
    ws.write_formula(1, 1, "=A1/B1", pct, 0.75)
    ws.write_formula(1, 2, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 3, "=NA()", None, "#N/A")
    ws.write_formula(1, 4, "=#REF!", None, "#REF!")
    ws.write_formula(1, 5, '="a"&"b"', None, "ab")
    ws.write_formula(1, 6, "=A1>B1", None, False)
    ws.write_formula(1, 7, "=A1<B1", None, True)
    ws.write_formula(2, 0, "=A1*2")  # XlsxWriter saves 0 as the result
    ws.write_formula(2, 1, '=""', None, "")
    ws.write_boolean(3, 0, True)
    ws.write_boolean(3, 1, False)
    other = wb.add_worksheet("Second sheet")
    other.write_formula(0, 0, "='Formulas'!A1*10", None, 30)
    wb.close()


def _xw_layout(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    merge = wb.add_format({"align": "center", "bold": True, "num_format": "0.00"})
    for n in range(3):
        ws = wb.add_worksheet(f"Sheet {n + 1}")
        ws.merge_range(0, 0, 1, 3, f"Merged title {n}", merge)
        ws.merge_range(2, 0, 2, 1, 12.5, merge)
        ws.write_blank(5, 5, None, merge)
        ws.write(10, 2, n)
    hidden = wb.add_worksheet("Hidden")
    hidden.write(0, 0, "hidden")
    hidden.hide()
    wb.close()


def _opx_values(path: Path, epoch: dt.datetime | None = None) -> None:
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    assert ws is not None
    ws.title = "Values"
    for r, n in enumerate(NUMBERS, start=1):
        ws.cell(r, 1, n)
        ws.cell(r, 2, n).number_format = "0.0%"
        ws.cell(r, 3, n).number_format = '0.00" km"'
    ws.cell(1, 4, dt.datetime(2017, 7, 1, 9, 30))
    ws.cell(2, 4, dt.date(2018, 3, 31))
    ws.cell(3, 4, dt.time(8, 15))
    ws.cell(4, 4, dt.datetime(2020, 2, 29)).number_format = "dd mmm yyyy"
    ws.cell(5, 4, dt.timedelta(hours=30, minutes=5)).number_format = "[h]:mm"
    ws.cell(1, 5, True)
    ws.cell(2, 5, False)
    ws.cell(3, 5, "#N/A")  # openpyxl writes error codes as errors (t="e")
    ws.cell(4, 5, "#DIV/0!")
    ws.cell(5, 5, "#REF!")
    for r, text in enumerate(UNICODE, start=1):
        ws.cell(r, 6, text)
    ws.cell(len(UNICODE) + 1, 6, LONG_TEXT)
    ws.cell(1, 7, "0.5")  # a number stored as text
    ws.cell(2, 7).number_format = "0.00%"  # an empty cell with a style
    runs: list[str | TextBlock] = ["plain ", TextBlock(InlineFont(b=True), "bold"), " end"]
    ws.cell(3, 7, CellRichText(runs))
    second = wb.create_sheet("Second")
    second.merge_cells("A1:C2")
    second["A1"] = "merged"
    second["B4"] = -12.75
    wb.save(path)


def _opx_formulas(path: Path) -> None:
    # openpyxl saves formulas without results: every formula here has none.
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Formulas"
    ws["A1"], ws["B1"] = 2, 5
    ws["A2"] = "=A1+B1"
    ws["B2"] = "=A1/B1"
    ws["B2"].number_format = "0.0%"
    ws["C2"] = '=IF(A1>1,"big","small")'
    ws["D2"] = "=SUM(A1:B1)"
    ws["E2"] = ArrayFormula("E2:E2", "=SUM(A1:B1*2)")
    wb.save(path)


def _csv(path: Path) -> None:
    path.write_text("Indicator,Target,Actual,Note\nBV1,90%,93.4%,on track\nBV2,100,-5.5,\"a, b\"\n"
                    "BV3,,1e5,😀\nBV4,2017-07-01,12:30,TRUE\n", "utf-8")


def _fods(path: Path) -> None:
    """A flat OpenDocument spreadsheet: numbers, a percent, a date, a boolean, text, a formula."""
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet><table:table table:name="From ODS">
<table:table-row>
 <table:table-cell office:value-type="float" office:value="1.5"><text:p>1.5</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="percentage" office:value="0.934"><text:p>93.4%</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="date" office:date-value="2017-07-01">
  <text:p>2017-07-01</text:p></table:table-cell>
 <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="string"><text:p>ODS text ✓</text:p></table:table-cell>
 <table:table-cell table:formula="of:=[.A1]*2" office:value-type="float" office:value="3">
  <text:p>3</text:p></table:table-cell>
 <table:table-cell table:formula="of:=1/0"><text:p>#DIV/0!</text:p></table:table-cell>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document>
""", "utf-8")


WRITERS: dict[str, Callable[[Path], None]] = {
    "xlsxwriter-numbers.xlsx": _xw_numbers,
    "xlsxwriter-dates.xlsx": _xw_dates,
    "xlsxwriter-dates-1904.xlsx": lambda p: _xw_dates(p, date_1904=True),
    "xlsxwriter-shared-strings.xlsx": _xw_strings,
    "xlsxwriter-inline-strings.xlsx": lambda p: _xw_strings(p, constant_memory=True),
    "xlsxwriter-formulas.xlsx": _xw_formulas,
    "xlsxwriter-layout.xlsx": _xw_layout,
    "openpyxl-values.xlsx": _opx_values,
    "openpyxl-values-1904.xlsx": lambda p: _opx_values(p, CALENDAR_MAC_1904),
    "openpyxl-formulas.xlsx": _opx_formulas,
}
OTHER_SOURCES: dict[str, Callable[[Path], None]] = {"csv-source.csv": _csv, "ods-source.fods": _fods}


def _soffice() -> str | None:
    found = shutil.which("soffice")
    if found is None and in_ci():
        pytest.fail(f"CI=true and soffice missing. {SOFFICE_MISSING}", pytrace=False)
    return found


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook of the corpus by name; LibreOffice's copies are named `libreoffice-...`."""
    folder = tmp_path_factory.mktemp("corpus")
    out: dict[str, Path] = {}
    for name, write in WRITERS.items():
        write(folder / name)
        out[name] = folder / name
    soffice = _soffice()
    if soffice is None:
        return out
    sources = folder / "for-libreoffice"
    sources.mkdir()
    for name, path in out.items():
        shutil.copy(path, sources / name)
    for name, write in OTHER_SOURCES.items():
        write(sources / name)
    converted = folder / "libreoffice"
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(converted), *sorted(map(str, sources.iterdir()))],
        check=True, capture_output=True, timeout=300)
    for path in sorted(converted.glob("*.xlsx")):
        out[f"libreoffice-{path.name}"] = path
    return out


LIBREOFFICE_NAMES = [f"libreoffice-{Path(n).stem}.xlsx" for n in [*WRITERS, *OTHER_SOURCES]]


# -- what openpyxl reads, in our reader's terms --------------------------------------------------------

def _format_of(cell: Cell) -> str:
    """Our number format in openpyxl's terms. Our reader names a built-in format by its id
    (`builtin:14`) except General and the two percent formats, which it spells out; openpyxl
    spells out every built-in format it knows."""
    fmt = cell.number_format
    if fmt.startswith("builtin:"):
        return numbers.BUILTIN_FORMATS.get(int(fmt.partition(":")[2]), "General")
    return fmt


def _expected(formula_cell: Any, value_cell: Any, epoch: dt.datetime,
              cell_type: str) -> tuple[Any, str, str | None] | None:
    """(value, kind, formula) that our reader should give for one openpyxl cell (`cell_type`: its
    `t` attribute in the XML); None when it should keep no cell there."""
    raw = formula_cell.value
    formula: str | None = None
    value = raw
    if isinstance(raw, ArrayFormula):
        formula, value = str(raw.text).removeprefix("="), value_cell.value
    elif formula_cell.data_type == "f":
        formula, value = str(raw).removeprefix("="), value_cell.value
    if value is None or value == "":
        if formula is not None and cell_type == "str":
            # A formula whose saved result is an empty string (t="str"): our reader keeps no
            # cell, as for a blank (the cell shows nothing, like `=IF(A1="","",A1)`); openpyxl
            # gives None, as it does for a formula with no saved result at all.
            return None
        # A formula without a saved result is a formula with no result; a cell with no value
        # is not kept at all.
        return (None, "formula-no-result", formula) if formula is not None else None
    if isinstance(value, bool):
        return value, "bool", formula
    if value_cell.data_type == "e":
        return value, "error", formula
    if isinstance(value, str):
        if cell_type == "inlineStr":
            # Excel writes a character XML cannot hold, and a literal `_x` that would look like
            # one, as `_xHHHH_` (`_x005F_` is `_`). Our reader decodes these in inline strings as
            # in shared strings; openpyxl decodes them only in shared strings.
            value = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)
        return value, "text", formula
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        # Our reader keeps a date as Excel stores it, a serial number with a date format (the
        # template's checks work on numbers); openpyxl turns it into a datetime using the
        # workbook's date system (1900 or 1904), so turn it back the same way.
        return to_excel(value, epoch), "number", formula
    return float(value), "number", formula


_CELL_TAG = re.compile(rb"<c\b([^>]*)>")
_ATTR = re.compile(rb'\s(r|t)="([^"]*)"')


def _cell_types(path: Path, part: str) -> dict[str, str]:
    """The `t` attribute of every cell in a sheet part, by address, as the writer wrote it."""
    with zipfile.ZipFile(path) as z:
        data = z.read(part)
    out = {}
    for attrs in _CELL_TAG.findall(data):
        found = dict(_ATTR.findall(attrs))
        if b"r" in found:
            out[found[b"r"].decode()] = found.get(b"t", b"n").decode()
    return out


def _same_value(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, float) and isinstance(ours, float) and not isinstance(ours, bool):
        # Dates come back from openpyxl's datetimes rounded to the microsecond.
        return ours == theirs or math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-9)
    return type(ours) is type(theirs) and ours == theirs


def _differences(path: Path) -> list[str]:
    with_formulas = openpyxl.load_workbook(path)
    with_values = openpyxl.load_workbook(path, data_only=True)
    problems: list[str] = []
    with Workbook(path) as ours:
        assert ours.sheet_names == with_formulas.sheetnames
        for name, _, part in ours.sheets:
            sheet = ours.read_sheet(name)
            types = _cell_types(path, part)
            ws_f, ws_v = with_formulas[name], with_values[name]
            expected: dict[tuple[int, int], tuple[Any, str, str | None, str]] = {}
            for row in ws_f.iter_rows():
                for cell in row:
                    if isinstance(cell, MergedCell):
                        continue  # the covered cells of a merged range hold nothing
                    row_no, col_no = int(cell.row), int(cell.column)
                    found = _expected(cell, ws_v.cell(row_no, col_no), with_formulas.epoch,
                                      types.get(cell.coordinate, "n"))
                    if found is not None:
                        expected[(row_no, col_no)] = (*found, cell.number_format)
            for key in sorted(set(expected) | set(sheet.cells)):
                mine = sheet.cells.get(key)
                if mine is None:
                    problems.append(f"{name}!{key}: openpyxl reads {expected[key]!r}, we read nothing")
                    continue
                if key not in expected:
                    problems.append(f"{name}!{key}: we read {mine!r}, openpyxl reads nothing")
                    continue
                value, kind, formula, fmt = expected[key]
                formula_ok = mine.formula == formula or (
                    # Our reader marks the cells that only point at a shared formula `(shared)`
                    # (it never needs the formula's text, only that there is one); openpyxl
                    # writes out each one's translated text.
                    mine.formula == "(shared)" and formula is not None)
                if not (_same_value(mine.value, value) and mine.kind == kind and formula_ok
                        and _format_of(mine) == fmt):
                    problems.append(f"{name}!{key}: we read {mine!r}, openpyxl reads "
                                    f"{(value, kind, formula, fmt)!r}")
    return problems


def _percent_format(code: str) -> bool:
    """A % outside quoted text and escapes: Excel multiplies the value by 100."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", code)


def _shown_by_openpyxl(value: Any, code: str) -> tuple[str, str] | None:
    """(kind, text) of a date or time as openpyxl reads it, in the words of a message: the day,
    or for a format that shows only a time (openpyxl's `is_datetime`), the clock."""
    if isinstance(value, dt.datetime) and numbers.is_datetime(code) == "time":
        value = value.time()
    if isinstance(value, dt.datetime):
        return "date", value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return "time", value.strftime("%H:%M") + (value.strftime(":%S") if value.second else "")
    if isinstance(value, dt.timedelta):
        minutes, seconds = divmod(round(value.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return "time", f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
    return None


def _meaning_differences(path: Path) -> list[str]:
    """Every number cell as an Actual for a count: a date or time must show the day or clock
    openpyxl reads (in the workbook's date system, 1900 or 1904), a percent-formatted value must
    be reported as the percentage it shows, and any other number read as itself."""
    theirs = openpyxl.load_workbook(path, data_only=True)
    problems: list[str] = []
    with Workbook(path) as ours:
        if ours.date1904 != (theirs.epoch == CALENDAR_MAC_1904):
            problems.append(f"date system: we read 1904={ours.date1904}, openpyxl {theirs.epoch}")
        for name, _, _ in ours.sheets:
            sheet, ws = ours.read_sheet(name), theirs[name]
            for (r, c), cell in sorted(sheet.cells.items()):
                if cell.kind != "number":
                    continue
                other = ws.cell(r, c)
                parsed = interpret_actual(cell, "count", date1904=ours.date1904)
                when = _shown_by_openpyxl(other.value, str(other.number_format))
                if when is not None:
                    # A date with a time shows both; the day is what openpyxl and we must agree on.
                    got = (parsed.kind, parsed.raw.split(" ")[0] if when[0] == "date" else parsed.raw)
                    if got != when:
                        problems.append(f"{name}!{other.coordinate}: we show {got}, openpyxl {when}")
                elif _percent_format(str(other.number_format)):
                    if parsed.kind != "percent-format" or parsed.value is not None:
                        problems.append(f"{name}!{other.coordinate}: {other.number_format} "
                                        f"{other.value!r} read as {parsed}")
                elif parsed.kind != "number" or not _same_value(parsed.value, float(other.value)):
                    problems.append(f"{name}!{other.coordinate}: {other.value!r} read as {parsed}")
    return problems


# -- the tests ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(WRITERS))
def test_a_workbook_written_by_a_python_library_reads_as_openpyxl_reads_it(
        corpus: dict[str, Path], name: str) -> None:
    assert _differences(corpus[name]) == []


@pytest.mark.parametrize("name", LIBREOFFICE_NAMES)
def test_a_workbook_saved_by_libreoffice_reads_as_openpyxl_reads_it(
        corpus: dict[str, Path], name: str) -> None:
    require_soffice()  # skipped without LibreOffice, failed in CI
    assert name in corpus, f"LibreOffice did not convert {name}"
    assert _differences(corpus[name]) == []


@pytest.mark.parametrize("name", [*WRITERS, *LIBREOFFICE_NAMES])
def test_dates_times_and_percentages_in_a_count_mean_what_openpyxl_reads(
        corpus: dict[str, Path], name: str) -> None:
    """Dates and times (1900 and 1904 systems) and percent-formatted values, read as the Actual
    of a count: reported as what the cell shows, never rated as a serial number or a fraction."""
    if name.startswith("libreoffice-"):
        require_soffice()
        assert name in corpus, f"LibreOffice did not convert {name}"
    assert _meaning_differences(corpus[name]) == []


def test_the_corpus_holds_every_shape_the_reader_must_handle(corpus: dict[str, Path]) -> None:
    """At least twenty workbooks (with LibreOffice), and between them the XML shapes that matter."""
    if _soffice() is not None:
        assert len(corpus) >= 20
    parts = b"".join(
        zipfile.ZipFile(path).read(info.filename)
        for path in corpus.values() for info in zipfile.ZipFile(path).infolist()
        if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml")
    for shape in (b't="inlineStr"', b't="s"', b't="b"', b't="e"', b"<f>", b"<r>", b"#DIV/0!", b"#N/A",
                  b"#REF!", b"<mergeCell "):
        assert shape in parts, shape
    books = b"".join(zipfile.ZipFile(path).read("xl/workbook.xml") for path in corpus.values())
    assert b'date1904="1"' in books or b'date1904="true"' in books
