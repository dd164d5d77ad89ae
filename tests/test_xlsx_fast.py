"""The xlsx reader's fast path (regular expressions) reads exactly what expat reads.

`Workbook(..., fast=True)` reads each part with regular expressions and hands any part it does not
recognise back to expat or defusedxml; `fast=False` reads every part with them. These tests open
the same real .xlsx files both ways and require the same sheets, cells and errors: the sample
returns, copies of a sample return with one part rewritten in unusual but valid XML, hostile parts
and parts over the size limits. The last group holds shapes the fast path once read differently.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from rbwm_pmf.reading import xlsx
from rbwm_pmf.reading.xlsx import DEFAULT_LIMITS, Limits, Sheet, Workbook, XlsxOpenError, parse_ref

SAMPLES = Path(__file__).resolve().parents[1] / "sample_workbooks"
RETURNS = SAMPLES / "returns"
SAMPLE_FILES = sorted(SAMPLES.rglob("*.xlsx"))
BASE_RETURN = sorted((RETURNS / "2017-18-Q2").glob("*.xlsx"))[0]

NS = xlsx.NS_MAIN.encode()
SHARED = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"

# What a reader sees in a workbook: the sheet list and, per sheet, (state, cells, max_row, max_col)
# or the kind of XlsxOpenError; or only the error kind when the workbook does not open.
Outcome = dict[str, Any] | str


def _part_of(sheet: str) -> str:
    """The zip part holding a sheet of the base sample return."""
    with Workbook(BASE_RETURN) as wb:
        return next(part for name, _, part in wb.sheets if name == sheet)


RETURN = _part_of("Return")
INSTRUCTIONS = _part_of("Instructions")


def _rewrite(tmp_path: Path, parts: dict[str, bytes], name: str = "rewritten.xlsx",
             source: Path = BASE_RETURN) -> Path:
    """A copy of `source` with the named parts replaced (or added); every other part unchanged."""
    target = tmp_path / name
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info, zin.read(info.filename))
        for name, data in parts.items():
            zout.writestr(name, data)
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


def _read_all(path: Path, *, fast: bool, limits: Limits = DEFAULT_LIMITS,
              names: Sequence[str] | None = None) -> Outcome:
    try:
        with Workbook(path, limits, fast=fast) as wb:
            out: dict[str, Any] = {"sheets": wb.sheets}
            for name in wb.sheet_names if names is None else names:
                try:
                    sheet = wb.read_sheet(name)
                except XlsxOpenError as exc:
                    out[name] = exc.kind
                else:
                    out[name] = (sheet.state, sheet.cells, sheet.max_row, sheet.max_col)
            return out
    except XlsxOpenError as exc:
        return exc.kind


def _read_return(path: Path) -> Sheet:
    with Workbook(path) as wb:
        return wb.read_sheet("Return")


def _value(sheet: Sheet, ref: str) -> object:
    return sheet.get(*parse_ref(ref)).value


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The parts read by expat (`_Scan.run`) or defusedxml (`Workbook._parse`), in order."""
    seen: list[str] = []
    scan_run = xlsx._Scan.run
    parse = xlsx.Workbook._parse

    def recording_run(self: xlsx._Scan, data: bytes, part: str) -> None:
        seen.append(part)
        scan_run(self, data, part)

    def recording_parse(self: Workbook, name: str) -> object:
        seen.append(name)
        return parse(self, name)

    monkeypatch.setattr(xlsx._Scan, "run", recording_run)
    monkeypatch.setattr(xlsx.Workbook, "_parse", recording_parse)
    yield seen


def _same_both_ways(path: Path, fallbacks: list[str], limits: Limits = DEFAULT_LIMITS,
                    names: Sequence[str] | None = None) -> tuple[Outcome, list[str]]:
    """Read `path` fast and with expat, assert both see the same, and return what they saw with
    the parts the fast reading handed back to expat or defusedxml."""
    fallbacks.clear()
    fast = _read_all(path, fast=True, limits=limits, names=names)
    fell_back = list(fallbacks)
    slow = _read_all(path, fast=False, limits=limits, names=names)
    assert fast == slow
    return fast, fell_back


# -- 1. the sample workbooks --------------------------------------------------------------------------

def test_the_sample_workbooks_are_there() -> None:
    """The equivalence tests below run over real files, so there must be some to run over."""
    assert len(SAMPLE_FILES) >= 30
    assert len(list(RETURNS.rglob("*.xlsx"))) >= 28


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_sample_workbook_reads_the_same_fast_and_with_expat(path: Path, fallbacks: list[str]) -> None:
    """Sheet list, every cell (value, kind, formula, number format) and each sheet's extent agree."""
    seen, fell_back = _same_both_ways(path, fallbacks)
    assert isinstance(seen, dict) and seen["sheets"]
    if RETURNS in path.parents:
        # The returns are written in the plain shape: no part may need expat or defusedxml.
        assert fell_back == []


# -- 2. unusual but valid XML -------------------------------------------------------------------------

def test_sheet_with_namespace_prefixed_elements_falls_back_and_reads_the_same(
        tmp_path: Path, fallbacks: list[str]) -> None:
    part = (b'<x:worksheet xmlns:x="' + NS + b'"><x:sheetData><x:row r="1">'
            b'<x:c r="A1" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c>'
            b'<x:c r="B1" s="10"><x:v>0.5</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    path = _rewrite(tmp_path, {RETURN: part})
    _, fell_back = _same_both_ways(path, fallbacks)
    assert RETURN in fell_back
    sheet = _read_return(path)
    assert _value(sheet, "A1") == "prefixed"
    assert sheet.get(1, 2) == xlsx.Cell(1, 2, 0.5, "number", None, "0.0%")
    assert (sheet.max_row, sheet.max_col) == (1, 2)


def test_comments_in_sheet_data_cells_and_shared_strings_are_ignored(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = (b'<!-- note --><row r="1"><!-- note --><c r="A1" t="inlineStr"><!-- note --><is><t>kept</t>'
            b'</is></c><c r="B1"><v>2</v><!-- note --></c><c r="C1" t="s"><v>0</v></c></row><!-- note -->')
    sst = _sst(b"<si><!-- note --><t>from the shared strings</t></si>")
    path = _rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst})
    _, fell_back = _same_both_ways(path, fallbacks)
    assert RETURN in fell_back and SHARED in fell_back
    sheet = _read_return(path)
    assert [_value(sheet, ref) for ref in ("A1", "B1", "C1")] == ["kept", 2.0, "from the shared strings"]


def test_cdata_in_an_inline_string_and_a_shared_string_is_read_as_text(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a < b]]></t></is></c>'
            b'<c r="B1" t="s"><v>0</v></c></row>')
    sst = _sst(b"<si><t><![CDATA[R&D <draft>]]></t></si>")
    path = _rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst})
    _, fell_back = _same_both_ways(path, fallbacks)
    assert RETURN in fell_back and SHARED in fell_back
    sheet = _read_return(path)
    assert _value(sheet, "A1") == "a < b"
    assert _value(sheet, "B1") == "R&D <draft>"


def test_cell_attributes_in_another_order_keep_their_type_and_style(
        tmp_path: Path, fallbacks: list[str]) -> None:
    """`t` and `s` are honoured wherever they stand: after one another (which the fast path reads
    itself, on the Return sheet) or before `r` (which it hands to expat, on the Instructions sheet)."""
    fast_rows = (b'<row r="1"><c r="A1" t="n" s="10"><v>0.25</v></c><c r="B1" t="s" s="10"><v>0</v></c>'
                 b'<c r="C1" t="inlineStr" s="10"><is><t>inline</t></is></c></row>')
    r_last_rows = b'<row r="1"><c t="s" s="10" r="A1"><v>0</v></c><c s="10" r="B1"><v>0.5</v></c></row>'
    parts = {RETURN: _sheet(fast_rows), INSTRUCTIONS: _sheet(r_last_rows),
             SHARED: _sst(b"<si><t>shared first</t></si>")}
    path = _rewrite(tmp_path, parts)
    seen, fell_back = _same_both_ways(path, fallbacks)
    assert RETURN not in fell_back and INSTRUCTIONS in fell_back
    assert seen["Return"][1] == {
        (1, 1): xlsx.Cell(1, 1, 0.25, "number", None, "0.0%"),
        (1, 2): xlsx.Cell(1, 2, "shared first", "text", None, "0.0%"),
        (1, 3): xlsx.Cell(1, 3, "inline", "text", None, "0.0%"),
    }
    assert seen["Instructions"][1] == {
        (1, 1): xlsx.Cell(1, 1, "shared first", "text", None, "0.0%"),
        (1, 2): xlsx.Cell(1, 2, 0.5, "number", None, "0.0%"),
    }


def test_entities_character_references_and_line_ends_are_decoded_as_xml_does(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>R&amp;D &#x2603;</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>line one&#10;line two</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>first\r\nsecond\rthird</t></is></c>'
            b'<c r="D1" t="str"><f>"&lt;"&amp;A1</f><v>&lt;&gt;&quot;&apos;&#65;</v></c>'
            b'<c r="E1" t="s"><v>0</v></c></row>')
    sst = _sst(b"<si><t>Q&amp;A\r\n&#x2603;</t></si>")
    path = _rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst})
    _same_both_ways(path, fallbacks)
    sheet = _read_return(path)
    assert _value(sheet, "A1") == "R&D ☃"
    assert _value(sheet, "B1") == "line one\nline two"
    assert _value(sheet, "C1") == "first\nsecond\nthird"
    assert sheet.get(1, 4) == xlsx.Cell(1, 4, "<>\"'A", "text", '"<"&A1', "General")
    assert _value(sheet, "E1") == "Q&A\n☃"


def test_rich_text_shared_strings_join_their_runs_and_drop_phonetic_runs(
        tmp_path: Path, fallbacks: list[str]) -> None:
    sst = _sst(b'<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> text</t></r></si>'
               b'<si><t>\xe6\xbc\xa2\xe5\xad\x97</t><rPh sb="0" eb="2"><t>\xe3\x81\x8b\xe3\x82\x93</t></rPh>'
               b'<phoneticPr fontId="1"/></si>'
               b"<si/>")
    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            b'<c r="C1" t="s"><v>2</v></c></row>')
    path = _rewrite(tmp_path, {RETURN: _sheet(rows), SHARED: sst})
    _same_both_ways(path, fallbacks)
    sheet = _read_return(path)
    assert _value(sheet, "A1") == "Bold text"
    assert _value(sheet, "B1") == "漢字"
    assert (1, 3) not in sheet.cells  # an empty shared string is a blank cell
    assert (sheet.max_row, sheet.max_col) == (1, 2)


def test_parts_outside_the_sheet_data_in_another_shape_read_the_same(
        tmp_path: Path, fallbacks: list[str]) -> None:
    """Sheet list, relationships and number formats with comments, single quotes or attributes in
    another order are handed to defusedxml and give the same sheets and formats."""
    with zipfile.ZipFile(BASE_RETURN) as zin:
        book = zin.read("xl/workbook.xml").decode()
        rels = zin.read("xl/_rels/workbook.xml.rels").decode()
    book = book.replace("<sheets>", "<sheets><!-- the tabs -->").replace(
        'name="Return"', "name='Return &amp; notes'")
    rels = rels.replace('Id="rId2" />', "Id='rId2'/>")
    styles = (b'<styleSheet xmlns="' + NS + b'"><numFmts count="1"><numFmt formatCode="0.0%" numFmtId="164"/>'
              b'</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>')
    rows = b'<row r="2"><c r="B2" s="1"><v>0.5</v></c></row>'
    path = _rewrite(tmp_path, {"xl/workbook.xml": book.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                               STYLES: styles, RETURN: _sheet(rows)})
    seen, fell_back = _same_both_ways(path, fallbacks)
    assert {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", STYLES} <= set(fell_back)
    assert isinstance(seen, dict)
    assert ("Return & notes", "visible", RETURN) in seen["sheets"]
    _, cells, max_row, max_col = seen["Return & notes"]
    assert cells == {(2, 2): xlsx.Cell(2, 2, 0.5, "number", None, "0.0%")}
    assert (max_row, max_col) == (2, 2)


def test_the_hand_built_styles_part_reads_the_same_both_ways(tmp_path: Path, fallbacks: list[str]) -> None:
    """The hand-built styles part the format tests below alter is itself read alike both ways."""
    rows = b'<row r="1"><c r="A1"><v>5</v></c><c r="B1" s="1"><v>0.5</v></c></row>'
    styles = _styles(b'<xf numFmtId="0"/><xf numFmtId="164"/>')
    path = _rewrite(tmp_path, {STYLES: styles, RETURN: _sheet(rows)})
    _, fell_back = _same_both_ways(path, fallbacks)
    assert STYLES not in fell_back
    sheet = _read_return(path)
    assert [sheet.get(1, c).number_format for c in (1, 2)] == ["General", "0.0%"]


# -- 3. hostile parts -----------------------------------------------------------------------------------

HOSTILE_TEXT = {
    "entity-declared": (b'<!DOCTYPE x [<!ENTITY boom "boom">]>', b"no entity used", "xml-attack"),
    "entity-used": (b'<!DOCTYPE x [<!ENTITY boom "boom">]>', b"&boom;", "xml-attack"),
    "control-character": (b"", b"a\x01b", "corrupt"),
    "undefined-entity": (b"", b"R&foo;D", "corrupt"),
}


@pytest.mark.parametrize("part", [RETURN, SHARED], ids=["sheet", "shared-strings"])
@pytest.mark.parametrize("case", list(HOSTILE_TEXT))
def test_hostile_text_is_refused_with_the_same_error_fast_and_with_expat(
        tmp_path: Path, fallbacks: list[str], part: str, case: str) -> None:
    doctype, text, kind = HOSTILE_TEXT[case]
    prolog = b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype
    if part == RETURN:
        data = prolog + (b'<worksheet xmlns="' + NS + b'"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                         b"<is><t>" + text + b"</t></is></c></row></sheetData></worksheet>")
    else:
        data = prolog + b'<sst xmlns="' + NS + b'"><si><t>' + text + b"</t></si></sst>"
    path = _rewrite(tmp_path, {part: data})
    seen, _ = _same_both_ways(path, fallbacks)
    assert isinstance(seen, dict)
    assert seen["Return"] == kind


def test_an_entity_declaration_in_the_sheet_list_is_refused_on_opening(tmp_path: Path) -> None:
    with zipfile.ZipFile(BASE_RETURN) as zin:
        book = zin.read("xl/workbook.xml")
    book = b'<!DOCTYPE workbook [<!ENTITY tab "Return">]>' + book.replace(b'name="Return"', b'name="&tab;"')
    path = _rewrite(tmp_path, {"xl/workbook.xml": book})
    for fast in (True, False):
        with pytest.raises(XlsxOpenError) as caught:
            Workbook(path, fast=fast)
        assert caught.value.kind == "xml-attack"


# -- 4. limits ------------------------------------------------------------------------------------------

def _rows(count: int, cells_per_row: int = 1) -> bytes:
    return b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (xlsx.col_letter(c).encode(), r, c)
                                       for c in range(1, cells_per_row + 1)) + b"</row>"
        for r in range(1, count + 1))


def test_a_sheet_with_more_rows_than_the_limit_is_too_large(tmp_path: Path, fallbacks: list[str]) -> None:
    limits = Limits(max_rows=10)
    at_limit = _rewrite(tmp_path, {RETURN: _sheet(_rows(10))}, "ten-rows.xlsx")
    over = _rewrite(tmp_path, {RETURN: _sheet(_rows(11))}, "eleven-rows.xlsx")
    seen, _ = _same_both_ways(at_limit, fallbacks, limits, names=["Return"])
    assert isinstance(seen, dict) and seen["Return"][2] == 10
    seen, fell_back = _same_both_ways(over, fallbacks, limits, names=["Return"])
    assert isinstance(seen, dict) and seen["Return"] == "too-large"
    assert RETURN not in fell_back  # the fast path refuses it itself


def test_rows_without_an_address_count_towards_the_row_limit(tmp_path: Path, fallbacks: list[str]) -> None:
    rows = b"".join(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(11))
    path = _rewrite(tmp_path, {RETURN: _sheet(rows)})
    seen, _ = _same_both_ways(path, fallbacks, Limits(max_rows=10), names=["Return"])
    assert isinstance(seen, dict) and seen["Return"] == "too-large"


def test_a_sheet_with_more_cell_values_than_the_limit_is_too_large(
        tmp_path: Path, fallbacks: list[str]) -> None:
    path = _rewrite(tmp_path, {RETURN: _sheet(_rows(2, cells_per_row=3))})
    seen, _ = _same_both_ways(path, fallbacks, Limits(max_cells=5), names=["Return"])
    assert isinstance(seen, dict) and seen["Return"] == "too-large"


def test_blank_cells_do_not_count_towards_the_cell_limit(tmp_path: Path, fallbacks: list[str]) -> None:
    """Eight `<c>` elements but five values: within a limit of five cells, read in full."""
    blanks = b'<c r="F1" s="1"/><c r="G1" s="1"/><c r="H1"/></row>'
    rows = _rows(1, cells_per_row=5).replace(b"</row>", blanks)
    path = _rewrite(tmp_path, {RETURN: _sheet(rows)})
    seen, _ = _same_both_ways(path, fallbacks, Limits(max_cells=5), names=["Return"])
    assert isinstance(seen, dict)
    _, cells, max_row, max_col = seen["Return"]
    assert sorted(cells) == [(1, c) for c in range(1, 6)]
    assert (max_row, max_col) == (1, 5)


# -- shapes the fast path once read differently from expat ---------------------------------------------

def test_a_carriage_return_written_as_a_character_reference_is_kept(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a&#13;b</t></is></c></row>'
    path = _rewrite(tmp_path, {RETURN: _sheet(rows)})
    assert _value(_read_return(path), "A1") == "a\rb"
    _same_both_ways(path, fallbacks)


def test_a_comment_naming_sheet_data_before_the_real_one_does_not_hide_the_cells(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    path = _rewrite(tmp_path, {RETURN: _sheet(rows, before=b"<!-- <sheetData/> -->")})
    assert _value(_read_return(path), "A1") == 1.0
    _same_both_ways(path, fallbacks)


@pytest.mark.parametrize("xf", [b"<xf numFmtId='164'/>", b'<xf numFmtId = "164"/>'],
                         ids=["single-quotes", "spaces-around-equals"])
def test_a_cell_format_written_with_other_quoting_keeps_its_number_format(
        tmp_path: Path, fallbacks: list[str], xf: bytes) -> None:
    rows = b'<row r="1"><c r="A1" s="1"><v>0.5</v></c></row>'
    path = _rewrite(tmp_path, {STYLES: _styles(b'<xf numFmtId="0"/>' + xf), RETURN: _sheet(rows)})
    assert _read_return(path).get(1, 1).number_format == "0.0%"
    _same_both_ways(path, fallbacks)


def test_a_commented_out_cell_format_is_not_counted(tmp_path: Path, fallbacks: list[str]) -> None:
    xfs = b'<!-- <xf numFmtId="164"/> --><xf numFmtId="0"/><xf numFmtId="164"/>'
    rows = b'<row r="1"><c r="A1"><v>5</v></c><c r="B1" s="1"><v>0.5</v></c></row>'
    path = _rewrite(tmp_path, {STYLES: _styles(xfs), RETURN: _sheet(rows)})
    sheet = _read_return(path)
    assert [sheet.get(1, c).number_format for c in (1, 2)] == ["General", "0.0%"]
    _same_both_ways(path, fallbacks)


def test_a_shared_formula_written_with_single_quotes_is_marked_shared(
        tmp_path: Path, fallbacks: list[str]) -> None:
    rows = b'<row r="1"><c r="A1"><f t=\'shared\' si=\'0\'/></c></row>'
    path = _rewrite(tmp_path, {RETURN: _sheet(rows)})
    assert _read_return(path).get(1, 1).formula == "(shared)"
    _same_both_ways(path, fallbacks)


# -- random damage: both readers agree ------------------------------------------------------------

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


def test_randomly_damaged_parts_read_the_same_fast_and_with_expat(tmp_path: Path) -> None:
    """Four hundred copies of a return, each with one part (a sheet, the sheet list, the styles,
    the relationships) damaged at random: the fast path reads each exactly as expat and defusedxml
    do, or both refuse it. (Which error comes first may differ when a part is broken in two
    places: the file is unreadable either way.)"""
    rng = random.Random(20171130)
    with zipfile.ZipFile(BASE_RETURN) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    targets = [RETURN, INSTRUCTIONS, STYLES, "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    refused_both = 0
    for n in range(400):
        part = targets[n % len(targets)]
        path = _rewrite(tmp_path, {part: _damaged(parts[part], rng)}, name=f"damaged-{n % 5}.xlsx")
        fast, slow = _outcome(path, fast=True), _outcome(path, fast=False)
        if fast != slow:
            assert _refused(fast) and _refused(slow), (n, part, fast, slow)
            refused_both += 1
    assert refused_both < 20  # almost always the very same error too


def _outcome(path: Path, *, fast: bool) -> Outcome:
    try:
        return _read_all(path, fast=fast)
    except (ValueError, KeyError, IndexError) as exc:  # what read_return reports as unreadable
        return type(exc).__name__


def _refused(outcome: Outcome) -> bool:
    if isinstance(outcome, str):
        return True
    return any(isinstance(v, str) for k, v in outcome.items() if k != "sheets")
