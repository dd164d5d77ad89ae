"""The guarded .xlsx reader on hand-made parts: what it reads from unusual but valid XML, what it
refuses and with which error, and the row and cell limits.

Each test takes a sample return and replaces one or more of its parts (a sheet, the shared
strings, the styles, the sheet list) with XML written for the test, then reads it with
`Workbook` and checks the cells it gives.
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest

from rbwm_pmf.reading import xlsx
from rbwm_pmf.reading.xlsx import Cell, Limits, Sheet, Workbook, XlsxOpenError, parse_ref

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"
RETURNS = SAMPLES / "returns"
SAMPLE_FILES = sorted(SAMPLES.rglob("*.xlsx"))
BASE_RETURN = sorted((RETURNS / "2017-18-Q2").glob("*.xlsx"))[0]


def _percent_style(path: Path) -> bytes:
    """The index (as the `s` attribute of a cell) of the first cell style with a percent format
    in a workbook's styles."""
    styles = zipfile.ZipFile(path).read("xl/styles.xml").decode()
    percent = {m[0] for m in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*%[^"]*)"', styles)}
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert xfs is not None
    for n, fmt in enumerate(re.findall(r'<xf [^>]*?numFmtId="(\d+)"', xfs.group(1))):
        if fmt in percent or fmt in ("9", "10"):
            return str(n).encode()
    raise AssertionError(f"no percent style in {path}")


PCT = _percent_style(BASE_RETURN)  # the Actual cells of percent indicators are styled so

NS = xlsx.NS_MAIN.encode()
SHARED = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
BOOK = "xl/workbook.xml"
BOOK_RELS = "xl/_rels/workbook.xml.rels"


def _part_of(sheet: str) -> str:
    """The zip part holding a sheet of the base sample return."""
    with Workbook(BASE_RETURN) as wb:
        return next(part for name, _, part in wb.sheets if name == sheet)


RETURN = _part_of("Return")
INSTRUCTIONS = _part_of("Instructions")


def _rewrite(tmp_path: Path, parts: dict[str, bytes], name: str = "rewritten.xlsx") -> Path:
    """A copy of the base return with the named parts replaced (or added); the others unchanged."""
    target = tmp_path / name
    with zipfile.ZipFile(BASE_RETURN) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info, zin.read(info.filename))
        for part, data in parts.items():
            zout.writestr(part, data)
    return target


def _sheet(rows: bytes, before: bytes = b"") -> bytes:
    """A worksheet part in the default namespace, `before` placed ahead of its sheetData."""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + NS + b'">'
            + before + b"<sheetData>" + rows + b"</sheetData></worksheet>")


def _sst(items: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + NS + b'">' + items + b"</sst>"


def _styles(xfs: bytes) -> bytes:
    """A styles part with one custom percent format (164) and the given cell formats."""
    return (b'<styleSheet xmlns="' + NS + b'"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/>'
            b"</numFmts><cellXfs>" + xfs + b"</cellXfs></styleSheet>")


def _read(path: Path, name: str = "Return", limits: Limits = xlsx.DEFAULT_LIMITS) -> Sheet:
    with Workbook(path, limits) as wb:
        return wb.read_sheet(name)


def _refused(path: Path, name: str = "Return", limits: Limits = xlsx.DEFAULT_LIMITS) -> str:
    """The kind of error reading the sheet gives (opening the workbook included)."""
    with pytest.raises(XlsxOpenError) as caught:
        _read(path, name, limits)
    return caught.value.kind


def _value(sheet: Sheet, ref: str) -> object:
    return sheet.get(*parse_ref(ref)).value


# -- the sample workbooks -----------------------------------------------------------------------------

def test_the_sample_workbooks_are_there() -> None:
    assert len(SAMPLE_FILES) >= 30
    assert len(list(RETURNS.rglob("*.xlsx"))) >= 28


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_sheet_of_every_sample_workbook_reads(path: Path) -> None:
    with Workbook(path) as wb:
        assert wb.sheets
        for name in wb.sheet_names:
            sheet = wb.read_sheet(name)
            assert all(cell.kind != "blank" for cell in sheet.cells.values())
            assert all((cell.row, cell.col) == at for at, cell in sheet.cells.items())


def test_a_sample_return_reads_its_values_and_formats() -> None:
    with Workbook(BASE_RETURN) as wb:
        assert [(name, state) for name, state, _ in wb.sheets] == [
            ("Instructions", "visible"), ("Return", "visible"), ("Metadata", "veryHidden")]
        meta = wb.read_sheet("Metadata")
    assert meta.state == "veryHidden"
    assert all(cell.kind == "text" for cell in meta.cells.values())


# -- unusual but valid XML ----------------------------------------------------------------------------

def test_namespace_prefixed_elements_are_read_by_their_local_names(tmp_path: Path) -> None:
    part = (b'<x:worksheet xmlns:x="' + NS + b'"><x:sheetData><x:row r="1">'
            b'<x:c r="A1" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c>'
            b'<x:c r="B1" s="' + PCT + b'"><x:v>0.5</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    sheet = _read(_rewrite(tmp_path, {RETURN: part}))
    assert sheet.cells == {
        (1, 1): Cell(1, 1, "prefixed", "text", None, "General"),
        (1, 2): Cell(1, 2, 0.5, "number", None, "0.0%"),
    }


def test_comments_in_sheet_data_cells_and_shared_strings_are_ignored(tmp_path: Path) -> None:
    rows = (b'<!-- note --><row r="1"><!-- note --><c r="A1" t="inlineStr"><!-- note --><is><t>kept</t>'
            b'</is></c><c r="B1"><v>2</v><!-- note --></c><c r="C1" t="s"><v>0</v></c></row><!-- note -->')
    sst = _sst(b"<si><!-- note --><t>from the shared strings</t></si>")
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst}))
    assert [_value(sheet, ref) for ref in ("A1", "B1", "C1")] == ["kept", 2.0, "from the shared strings"]


def test_a_comment_naming_sheet_data_before_the_real_one_does_not_hide_the_cells(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows, before=b"<!-- <sheetData/> -->")}))
    assert sheet.cells == {(1, 1): Cell(1, 1, 1.0, "number", None, "General")}


def test_cdata_in_an_inline_string_and_a_shared_string_is_read_as_text(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a < b]]></t></is></c>'
            b'<c r="B1" t="s"><v>0</v></c></row>')
    sst = _sst(b"<si><t><![CDATA[R&D <draft>]]></t></si>")
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst}))
    assert _value(sheet, "A1") == "a < b"
    assert _value(sheet, "B1") == "R&D <draft>"


def test_cell_attributes_in_any_order_keep_their_type_and_style(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="n" s="PCT"><v>0.25</v></c><c r="B1" t="s" s="PCT"><v>0</v></c>'
            b'<c r="C1" t="inlineStr" s="PCT"><is><t>inline</t></is></c>'
            b'<c t="s" s="PCT" r="D1"><v>0</v></c><c s="PCT" r="E1"><v>0.5</v></c></row>'
            ).replace(b"PCT", PCT)
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: _sst(b"<si><t>shared first</t></si>")}))
    assert sheet.cells == {
        (1, 1): Cell(1, 1, 0.25, "number", None, "0.0%"),
        (1, 2): Cell(1, 2, "shared first", "text", None, "0.0%"),
        (1, 3): Cell(1, 3, "inline", "text", None, "0.0%"),
        (1, 4): Cell(1, 4, "shared first", "text", None, "0.0%"),
        (1, 5): Cell(1, 5, 0.5, "number", None, "0.0%"),
    }


def test_cells_and_rows_without_an_address_follow_the_previous_ones(tmp_path: Path) -> None:
    rows = (b'<row r="3"><c r="B3"><v>1</v></c><c><v>2</v></c></row>'
            b'<row><c><v>3</v></c><c r="D4"><v>4</v></c><c><v>5</v></c></row>')
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows)}))
    assert {ref: cell.value for ref, cell in sheet.cells.items()} == {
        (3, 2): 1.0, (3, 3): 2.0, (4, 1): 3.0, (4, 4): 4.0, (4, 5): 5.0}


def test_entities_character_references_and_line_ends_are_decoded_as_xml_does(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>R&amp;D &#x2603;</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>line one&#10;line two</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>first\r\nsecond\rthird</t></is></c>'
            b'<c r="D1" t="str"><f>"&lt;"&amp;A1</f><v>&lt;&gt;&quot;&apos;&#65;</v></c>'
            b'<c r="E1" t="s"><v>0</v></c></row>')
    sst = _sst(b"<si><t>Q&amp;A\r\n&#x2603;</t></si>")
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst}))
    assert _value(sheet, "A1") == "R&D ☃"
    assert _value(sheet, "B1") == "line one\nline two"
    assert _value(sheet, "C1") == "first\nsecond\nthird"
    assert sheet.get(1, 4) == Cell(1, 4, "<>\"'A", "text", '"<"&A1', "General")
    assert _value(sheet, "E1") == "Q&A\n☃"


def test_a_carriage_return_written_as_a_character_reference_is_kept(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a&#13;b</t></is></c></row>'
    assert _value(_read(_rewrite(tmp_path, {RETURN: _sheet(rows)})), "A1") == "a\rb"


def test_excel_escapes_are_decoded(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>tab_x0009_here</t></is></c>'
            b'<c r="B1" t="s"><v>0</v></c></row>')
    sst = _sst(b"<si><t>a_x005F_x0041_b</t></si>")
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst}))
    assert _value(sheet, "A1") == "tab\there"
    assert _value(sheet, "B1") == "a_x0041_b"


def test_rich_text_shared_strings_join_their_runs_and_drop_phonetic_runs(tmp_path: Path) -> None:
    sst = _sst(b'<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> text</t></r></si>'
               b'<si><t>\xe6\xbc\xa2\xe5\xad\x97</t><rPh sb="0" eb="2"><t>\xe3\x81\x8b\xe3\x82\x93</t></rPh>'
               b'<phoneticPr fontId="1"/></si>'
               b"<si/>")
    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            b'<c r="C1" t="s"><v>2</v></c></row>')
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst}))
    assert _value(sheet, "A1") == "Bold text"
    assert _value(sheet, "B1") == "漢字"
    assert (1, 3) not in sheet.cells  # an empty shared string is a blank cell
    assert sorted(sheet.cells) == [(1, 1), (1, 2)]


def test_rich_text_inline_strings_join_their_runs_and_drop_phonetic_runs(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><i/></rPr><t>Italic</t></r>'
            b'<r><t xml:space="preserve"> and plain</t></r><rPh sb="0" eb="1"><t>no</t></rPh></is></c></row>')
    assert _value(_read(_rewrite(tmp_path, {RETURN: _sheet(rows)})), "A1") == "Italic and plain"


def test_each_kind_of_cell(tmp_path: Path) -> None:
    rows = (b'<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c>'
            b'<c r="C1" t="e"><v>#DIV/0!</v></c><c r="D1"><f>1/0</f></c>'
            b'<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F1"><f>1+1</f><v>2</v></c>'
            b'<c r="G1"><f t="shared" si="0"/><v>3</v></c><c r="H1" t="d"><v>2017-07-01T00:00:00</v></c>'
            b'<c r="I1" t="str"><f>"x"</f><v></v></c><c r="J1" s="1"/><c r="K1" t="n"><v>not a number</v></c>'
            b'</row>')
    styles = _styles(b'<xf numFmtId="0"/><xf numFmtId="164"/>')
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows), STYLES: styles}))
    assert sheet.cells == {
        (1, 1): Cell(1, 1, True, "bool"),
        (1, 2): Cell(1, 2, False, "bool"),
        (1, 3): Cell(1, 3, "#DIV/0!", "error"),
        (1, 4): Cell(1, 4, None, "formula-no-result", "1/0"),
        (1, 5): Cell(1, 5, "#DIV/0!", "error", "1/0"),
        (1, 6): Cell(1, 6, 2.0, "number", "1+1"),
        (1, 7): Cell(1, 7, 3.0, "number", "(shared)"),
        (1, 8): Cell(1, 8, "2017-07-01T00:00:00", "date"),
        (1, 11): Cell(1, 11, "not a number", "text"),
    }
    # I1 is a formula whose saved result is an empty string; J1 a styled cell without a value.
    assert sheet.get(1, 9).kind == "blank" and sheet.get(1, 10).kind == "blank"


def test_a_shared_formula_written_with_single_quotes_is_marked_shared(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1"><f t=\'shared\' si=\'0\'/></c></row>'
    cell = _read(_rewrite(tmp_path, {RETURN: _sheet(rows)})).get(1, 1)
    assert cell == Cell(1, 1, None, "formula-no-result", "(shared)")


def test_the_sheet_list_relationships_and_styles_in_another_shape(tmp_path: Path) -> None:
    """Comments, single quotes, entities and attributes in another order in the parts outside the
    sheet data: the sheets and formats are read the same."""
    with zipfile.ZipFile(BASE_RETURN) as zin:
        book = zin.read(BOOK).decode()
        rels = zin.read(BOOK_RELS).decode()
    book = book.replace("<sheets>", "<sheets><!-- the tabs -->").replace(
        'name="Return"', "name='Return &amp; notes'")
    rels = rels.replace('Id="rId2" />', "Id='rId2'/>")
    styles = (b'<styleSheet xmlns="' + NS + b'"><numFmts count="1"><numFmt formatCode="0.0%" numFmtId="164"/>'
              b'</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>')
    rows = b'<row r="2"><c r="B2" s="1"><v>0.5</v></c></row>'
    path = _rewrite(tmp_path, {BOOK: book.encode(), BOOK_RELS: rels.encode(), STYLES: styles,
                               RETURN: _sheet(rows)})
    with Workbook(path) as wb:
        assert ("Return & notes", "visible", RETURN) in wb.sheets
        sheet = wb.read_sheet("Return & notes")
    assert sheet.cells == {(2, 2): Cell(2, 2, 0.5, "number", None, "0.0%")}


@pytest.mark.parametrize("xf", [b"<xf numFmtId='164'/>", b'<xf numFmtId = "164"/>',
                                b'<xf xfId="0" numFmtId="164"/>'],
                         ids=["single-quotes", "spaces-around-equals", "another-order"])
def test_a_cell_format_written_another_way_keeps_its_number_format(tmp_path: Path, xf: bytes) -> None:
    rows = b'<row r="1"><c r="A1" s="1"><v>0.5</v></c></row>'
    sheet = _read(_rewrite(tmp_path, {STYLES: _styles(b'<xf numFmtId="0"/>' + xf), RETURN: _sheet(rows)}))
    assert sheet.get(1, 1).number_format == "0.0%"


def test_only_the_cell_formats_count_not_commented_or_cell_style_formats(tmp_path: Path) -> None:
    styles = (b'<styleSheet xmlns="' + NS + b'"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/>'
              b'</numFmts><cellStyleXfs><xf numFmtId="164"/></cellStyleXfs>'
              b'<cellXfs><!-- <xf numFmtId="164"/> -->'
              b'<xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="14"/>'
              b"</cellXfs></styleSheet>")
    rows = (b'<row r="1"><c r="A1"><v>5</v></c><c r="B1" s="1"><v>0.5</v></c><c r="C1" s="2"><v>42917</v></c>'
            b'<c r="D1" s="9"><v>1</v></c></row>')
    sheet = _read(_rewrite(tmp_path, {STYLES: styles, RETURN: _sheet(rows)}))
    formats = [sheet.get(1, c).number_format for c in (1, 2, 3, 4)]
    assert formats == ["General", "0.00%", "builtin:14", "General"]


# -- hostile parts ------------------------------------------------------------------------------------

HOSTILE_TEXT = {
    "entity-declared": (b'<!DOCTYPE x [<!ENTITY boom "boom">]>', b"no entity used", "xml-attack"),
    "entity-used": (b'<!DOCTYPE x [<!ENTITY boom "boom">]>', b"&boom;", "xml-attack"),
    "external-entity": (b'<!DOCTYPE x [<!ENTITY boom SYSTEM "file:///etc/passwd">]>', b"&boom;",
                        "xml-attack"),
    "doctype-only": (b"<!DOCTYPE x>", b"plain", "xml-attack"),
    "control-character": (b"", b"a\x01b", "corrupt"),
    "undefined-entity": (b"", b"R&foo;D", "corrupt"),
}


@pytest.mark.parametrize("part", [RETURN, SHARED], ids=["sheet", "shared-strings"])
@pytest.mark.parametrize("case", list(HOSTILE_TEXT))
def test_hostile_text_is_refused_with_the_right_error(tmp_path: Path, part: str, case: str) -> None:
    doctype, text, kind = HOSTILE_TEXT[case]
    prolog = b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype
    if part == RETURN:
        data = prolog + (b'<worksheet xmlns="' + NS + b'"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                         b"<is><t>" + text + b"</t></is></c></row></sheetData></worksheet>")
    else:
        data = prolog + b'<sst xmlns="' + NS + b'"><si><t>' + text + b"</t></si></sst>"
    assert _refused(_rewrite(tmp_path, {part: data})) == kind


@pytest.mark.parametrize("part", [BOOK, BOOK_RELS, STYLES])
def test_a_document_type_declaration_outside_the_sheets_is_refused(tmp_path: Path, part: str) -> None:
    with zipfile.ZipFile(BASE_RETURN) as zin:
        data = zin.read(part)
    data = b'<!DOCTYPE x [<!ENTITY boom "boom">]>' + data
    with pytest.raises(XlsxOpenError) as caught:
        _read(_rewrite(tmp_path, {part: data}))
    assert caught.value.kind == "xml-attack"


def test_an_entity_declaration_in_the_sheet_list_is_refused_on_opening(tmp_path: Path) -> None:
    with zipfile.ZipFile(BASE_RETURN) as zin:
        book = zin.read(BOOK)
    book = b'<!DOCTYPE workbook [<!ENTITY tab "Return">]>' + book.replace(b'name="Return"', b'name="&tab;"')
    with pytest.raises(XlsxOpenError) as caught:
        Workbook(_rewrite(tmp_path, {BOOK: book}))
    assert caught.value.kind == "xml-attack"


def test_a_sheet_list_with_an_undeclared_prefix_is_corrupt(tmp_path: Path) -> None:
    book = (b'<workbook xmlns="' + NS + b'"><sheets><sheet name="Return" sheetId="1" q:id="rId1"/>'
            b"</sheets></workbook>")
    with pytest.raises(XlsxOpenError) as caught:
        Workbook(_rewrite(tmp_path, {BOOK: book}))
    assert caught.value.kind == "corrupt"


@pytest.mark.parametrize("part", [RETURN, SHARED, STYLES, BOOK])
def test_an_unknown_encoding_in_the_xml_declaration_is_corrupt(tmp_path: Path, part: str) -> None:
    """Expat asks Python for an encoding it does not know itself; an unknown one is a broken part."""
    with zipfile.ZipFile(BASE_RETURN) as zin:
        data = zin.read(part) if part in zin.namelist() else _sst(b"<si><t>x</t></si>")
    data = b'<?xml version="1.0" encoding="TF-8"?>' + data.partition(b"?>")[2] if data.startswith(b"<?xml") \
        else b'<?xml version="1.0" encoding="TF-8"?>' + data
    assert _refused(_rewrite(tmp_path, {part: data})) == "corrupt"


_MERGES = (b'<mergeCells count="2"><mergeCell ref="G6:G8"/>'
           b'<x:mergeCell xmlns:x="' + NS + b'" ref="A1:D1"/></mergeCells>')


def test_merged_ranges_after_the_sheet_data_are_read(tmp_path: Path) -> None:
    """The merged ranges follow the sheet data (after its protection and filters) and are kept
    as written, a prefixed one by its local name."""
    part = _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"</worksheet>", b'<sheetProtection sheet="1"/><autoFilter ref="A5:H9"/>' + _MERGES
        + b'<pageMargins left="0.7"/></worksheet>')
    sheet = _read(_rewrite(tmp_path, {RETURN: part}))
    assert sheet.merged == ["G6:G8", "A1:D1"]
    assert sheet.cells == {(1, 1): Cell(1, 1, 1.0, "number")}


def test_a_sheet_without_merged_cells_has_none(tmp_path: Path) -> None:
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    assert _read(_rewrite(tmp_path, {RETURN: _sheet(rows)})).merged == []
    before = _sheet(rows, before=b'<!-- <mergeCells><mergeCell ref="A1:B2"/></mergeCells> -->')
    assert _read(_rewrite(tmp_path, {RETURN: before}, "commented.xlsx")).merged == []


def test_broken_xml_after_the_merged_cells_is_not_read(tmp_path: Path) -> None:
    """Reading a sheet stops at the end of its merged cells: what follows is never parsed."""
    part = _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(b"</worksheet>", _MERGES + b"<broken")
    sheet = _read(_rewrite(tmp_path, {RETURN: part}))
    assert sheet.cells == {(1, 1): Cell(1, 1, 1.0, "number")}
    assert sheet.merged == ["G6:G8", "A1:D1"]


def test_broken_xml_between_the_sheet_data_and_the_merged_cells_is_corrupt(tmp_path: Path) -> None:
    """A sheet that has merged cells is read on after its data to reach them: broken XML on the
    way is a damaged sheet, not a sheet without merged cells. (A sheet that names no merged
    cells is read only to the end of its data, as the test above shows.)"""
    part = _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b"</worksheet>", b'<broken<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
    assert _refused(_rewrite(tmp_path, {RETURN: part})) == "corrupt"


def test_a_strict_open_xml_workbook_is_refused_on_opening(tmp_path: Path) -> None:
    with zipfile.ZipFile(BASE_RETURN) as zin:
        book = zin.read(BOOK)
    assert NS in book
    strict = xlsx.NS_STRICT.encode()
    with pytest.raises(XlsxOpenError) as caught:
        Workbook(_rewrite(tmp_path, {BOOK: book.replace(NS, strict)}))
    assert caught.value.kind == "strict-xml"
    # Only the workbook's own element counts: the strict namespace declared on it, unused, is not.
    declared = book.replace(b"<workbook ", b'<workbook xmlns:s="' + strict + b'" ', 1)
    assert declared != book
    with Workbook(_rewrite(tmp_path, {BOOK: declared}, "declared.xlsx")) as wb:
        assert "Return" in wb.sheet_names


# -- limits -------------------------------------------------------------------------------------------

def _rows(count: int, cells_per_row: int = 1) -> bytes:
    return b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (xlsx.col_letter(c).encode(), r, c)
                                       for c in range(1, cells_per_row + 1)) + b"</row>"
        for r in range(1, count + 1))


def test_a_sheet_with_more_rows_than_the_limit_is_too_large(tmp_path: Path) -> None:
    limits = Limits(max_rows=10)
    at_limit = _rewrite(tmp_path, {RETURN: _sheet(_rows(10))}, "ten-rows.xlsx")
    assert max(r for r, _ in _read(at_limit, limits=limits).cells) == 10
    over = _rewrite(tmp_path, {RETURN: _sheet(_rows(11))}, "eleven-rows.xlsx")
    assert _refused(over, limits=limits) == "too-large"


def test_rows_without_an_address_count_towards_the_row_limit(tmp_path: Path) -> None:
    rows = b"".join(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(11))
    assert _refused(_rewrite(tmp_path, {RETURN: _sheet(rows)}), limits=Limits(max_rows=10)) == "too-large"


def test_a_sheet_with_more_cell_values_than_the_limit_is_too_large(tmp_path: Path) -> None:
    path = _rewrite(tmp_path, {RETURN: _sheet(_rows(2, cells_per_row=3))})
    assert _refused(path, limits=Limits(max_cells=5)) == "too-large"


def test_blank_cells_do_not_count_towards_the_cell_limit(tmp_path: Path) -> None:
    """Eight `<c>` elements but five values: within a limit of five cells, read in full."""
    blanks = b'<c r="F1" s="1"/><c r="G1" s="1"/><c r="H1"/></row>'
    rows = _rows(1, cells_per_row=5).replace(b"</row>", blanks)
    sheet = _read(_rewrite(tmp_path, {RETURN: _sheet(rows)}), limits=Limits(max_cells=5))
    assert sorted(sheet.cells) == [(1, c) for c in range(1, 6)]


def test_a_sheet_with_more_merged_ranges_than_the_limit_is_too_large(tmp_path: Path) -> None:
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(1, 12))
    part = _sheet(_rows(1)).replace(b"</worksheet>", b"<mergeCells>" + merges + b"</mergeCells></worksheet>")
    at_limit = _read(_rewrite(tmp_path, {RETURN: part}), limits=Limits(max_merged=11))
    assert len(at_limit.merged) == 11
    over = _rewrite(tmp_path, {RETURN: part}, "over.xlsx")
    assert _refused(over, limits=Limits(max_merged=10)) == "too-large"


def test_too_many_shared_strings_are_too_large(tmp_path: Path) -> None:
    sst = _sst(b"<si><t>x</t></si>" * 11)
    path = _rewrite(tmp_path, {SHARED: sst, RETURN: _sheet(_rows(1))})
    assert _refused(path, limits=Limits(max_cells=2)) == "too-large"


# -- random damage ------------------------------------------------------------------------------------

_DAMAGE = [b"<", b">", b"&", b'"', b"'", b"=", b"/", b" ", b"\r", b"\n", b"!", b"-", b"[", b"]", b"?",
           b";", b"#", b"x", b"0", b"9", b"A", b":", b"&amp;", b"&#13;", b"&#x41;", b"<!-- c -->",
           b"<![CDATA[z]]>", b"&foo;", b"\x01", b"<r>", b"</r>", b"<t>", b"</t>", b' s="1"', b' t="s"']


def _damaged(data: bytes, rng: random.Random) -> bytes:
    """`data` with one to three random insertions, deletions or copied runs of bytes."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.5:
            out[at:at] = rng.choice(_DAMAGE)
        elif roll < 0.8:
            del out[at:at + rng.randint(1, 4)]
        else:
            start = rng.randrange(len(out))
            out[at:at] = out[start:start + rng.randint(1, 40)]
    return bytes(out)


def test_randomly_damaged_parts_are_read_or_refused_never_crash(tmp_path: Path) -> None:
    """Two hundred copies of a return, each with one part damaged at random: each sheet is read
    or refused with an error that read_return reports as an unreadable file."""
    rng = random.Random(20171130)
    with zipfile.ZipFile(BASE_RETURN) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts[SHARED] = _sst(b"<si><t>one</t></si><si><r><t>two</t></r></si>")
    targets = [RETURN, INSTRUCTIONS, STYLES, SHARED, BOOK, BOOK_RELS]
    outcomes = {"read": 0, "refused": 0}
    for n in range(200):
        part = targets[n % len(targets)]
        path = _rewrite(tmp_path, {part: _damaged(parts[part], rng)}, name=f"damaged-{n % 5}.xlsx")
        try:
            with Workbook(path) as wb:
                for name in wb.sheet_names:
                    wb.read_sheet(name)
        except (XlsxOpenError, ValueError, KeyError, IndexError):
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    assert outcomes["read"] > 20 and outcomes["refused"] > 20
