"""The Cabinet pack: every sentence of the report from the counts, in the register's wording;
Table 1 with shares; the key implications; a workbook that prints cleanly; and the report's
tables as a Word document."""

from __future__ import annotations

import copy
import dataclasses
import errno
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from rbwm_pmf.consolidation.merge import ConsolidationResult, consolidate
from rbwm_pmf.errors import OutputError, RegisterError
from rbwm_pmf.model.framework import Wording
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.summary import key_implication, narrative, table1
from rbwm_pmf.output import docx as word
from rbwm_pmf.output.sheets import A4_LANDSCAPE
from rbwm_pmf.output.text import arial_width, unbreakable
from rbwm_pmf.register.load import framework_from_dict, load_framework
from rbwm_pmf.template.write import write_register_xlsx
from tests.kit import REPORT_SENTENCE, REPORT_TABLE_1, SAMPLES, convert

PERIOD = "2017-18-Q2"
RETURNS = SAMPLES / "returns"
POSITION = ("As end of quarter 2, 30 September 2017, 16 indicators, 64%, were performing at or "
            "above target, eight indicators, 32%, were just short of target and one indicator, "
            "4%, was below target.")
APPENDIX3 = ("Commentary and mitigation actions in relation to the 9 indicators that are currently "
             "short of, or below, target is at appendix 3.")
PRIORITIES = ["healthy", "safe", "economy", "borough", "customer", "resources"]
HEADER_PADDING = 4.0  # points of a cell's width that text never uses
INDENT = 1.5 * A4_LANDSCAPE.digit  # points one indent level takes


# -- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result() -> ConsolidationResult:
    return consolidate(RETURNS, period=PERIOD)


@pytest.fixture(scope="module")
def book(result: ConsolidationResult, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = result.write(tmp_path_factory.mktemp("pack") / "Q2 performance.xlsx")
    wb = load_workbook(path)
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def document(result: ConsolidationResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return result.write_docx(tmp_path_factory.mktemp("pack") / "Q2 report.docx")


def register(**changes: Any) -> dict[str, Any]:
    """The packaged register's tables, with framework fields changed."""
    tables = copy.deepcopy(load_framework().to_dict())
    tables["framework"].update(changes)
    return tables


@pytest.fixture(scope="module")
def some_unrated(tmp_path_factory: pytest.TempPathFactory) -> ConsolidationResult:
    """Q2 without Adult Social Care's return (five No data) and with 1.6 data only (Not rated)."""
    folder = tmp_path_factory.mktemp("q2") / "returns"
    shutil.copytree(RETURNS / "2017-18-Q2", folder)
    for path in folder.glob("*-ASC-*"):
        path.unlink()
    tables = register()
    next(i for i in tables["indicators"] if i["id"] == "1.6")["data_only"] = True
    return consolidate(folder, framework_from_dict(tables), period=PERIOD)


@pytest.fixture(scope="module")
def none_rated() -> ConsolidationResult:
    """Every indicator data only: nothing can be rated."""
    tables = register()
    for ind in tables["indicators"]:
        ind["data_only"] = True
    return consolidate(RETURNS, framework_from_dict(tables), period=PERIOD)


def statuses(counts: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"priority": p, "status": s} for p, ss in counts.items() for s in ss],
                        columns=["priority", "status"])


def table_rows(ws: Any, name: str) -> tuple[list[Any], list[list[Any]], int]:
    """The header, the data rows and the header's row number of the Excel Table `name`."""
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    header = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)]
            for r in range(min_row + 1, max_row + 1)]
    return header, rows, min_row


def column_points(ws: Any) -> dict[int, float]:
    """How wide each column prints at full size, in points."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min, dim.max + 1):
            out[c] = dim.width * A4_LANDSCAPE.digit
    return out


# -- the sentences ---------------------------------------------------------------------------

def test_sample_sentences_are_the_reports_words(result: ConsolidationResult) -> None:
    """The sample quarter gives the report's three sentences word for word ("As end of quarter
    2" and "is at appendix 3" as the report has them) and the outcome Unmet, in the library and
    in the JSON."""
    assert result.to_dict()["sentences"] == {
        "summary": REPORT_SENTENCE, "position": POSITION, "appendix3": APPENDIX3,
        "outcome": "Unmet", "notes": [], "last_year": "", "year_end": ""}
    assert result.sentences.summary == result.summary == REPORT_SENTENCE
    key = result.to_dict()["key_implications"]
    assert (key["outcome"], key["unmet"], key["met"], key["result"]) == (
        "The council is on target to deliver its strategic priorities", "Below 100%", "100%",
        "Unmet")
    # Only "Growing economy" and "Well-managed resources" have every rated indicator Green.
    assert (key["on_target"], key["priorities"], key["position"]) == (
        2, 6, "Unmet: 2 of 6 priorities on target (33%)")


@pytest.mark.parametrize(("g", "a", "r", "nd", "position", "appendix3"), [
    (0, 0, 0, 3, "As end of quarter 1, 30 June 2017, no indicators could be rated, so there are "
                 "no shares to give.",
     "No indicators are currently short of, or below, target."),
    (0, 1, 0, 0, "As end of quarter 1, 30 June 2017, no indicators were performing at or above "
                 "target, one indicator, 100%, was just short of target and no indicators were "
                 "below target.",
     "Commentary and mitigation actions in relation to the 1 indicator that is currently short "
     "of, or below, target is at appendix 3."),
    (1, 5, 4, 0, "As end of quarter 1, 30 June 2017, one indicator, 10%, was performing at or "
                 "above target, five indicators, 50%, were just short of target and four "
                 "indicators, 40%, were below target.",
     "Commentary and mitigation actions in relation to the 9 indicators that are currently short "
     "of, or below, target is at appendix 3."),
    (0, 7, 3, 0, "As end of quarter 1, 30 June 2017, no indicators were performing at or above "
                 "target, seven indicators, 70%, were just short of target and three indicators, "
                 "30%, were below target.",
     "Commentary and mitigation actions in relation to the 10 indicators that are currently "
     "short of, or below, target is at appendix 3."),
    (10, 0, 0, 1, "As end of quarter 1, 30 June 2017, of the 10 indicators rated, 10 indicators, "
                  "100%, were performing at or above target, no indicators were just short of "
                  "target and no indicators were below target.",
     "No indicators are currently short of, or below, target."),
    (0, 0, 3, 0, "As end of quarter 1, 30 June 2017, no indicators were performing at or above "
                 "target, no indicators were just short of target and three indicators, 100%, "
                 "were below target.",
     "Commentary and mitigation actions in relation to the 3 indicators that are currently short "
     "of, or below, target is at appendix 3."),
])
def test_sentences_at_edge_counts(g: int, a: int, r: int, nd: int, position: str,
                                  appendix3: str) -> None:
    """None, one, nine, ten and all of one colour: numbers below ten in words where the report
    writes them so (digits in the Appendix 3 pointer, as the report has "the 9 indicators"),
    singular and plural right, and no shares when nothing is rated."""
    fw = load_framework()
    t1 = table1(statuses({"healthy": ["Green"] * g + ["Amber"] * a + ["Red"] * r
                          + ["No data"] * nd}), fw)
    said = narrative(t1, Period(2017, 1), g + a + r + nd)
    assert said.position == position
    assert said.appendix3 == appendix3
    assert said.outcome == "Unmet"  # five priorities have nothing rated
    assert "0%" not in said.paragraph


def test_outcome_is_met_only_when_every_priority_is_on_target() -> None:
    """Met when every priority has its rated indicators all Green; one Amber makes it Unmet,
    unless the register says a priority is on target with no Red ("no-red")."""
    fw = load_framework()
    green = {p: ["Green", "Not rated"] for p in PRIORITIES}
    assert narrative(table1(statuses(green), fw), Period(2017, 2), 12).outcome == "Met"
    amber = {**green, "safe": ["Green", "Amber"]}
    t1 = table1(statuses(amber), fw)
    assert narrative(t1, Period(2017, 2), 12).outcome == "Unmet"
    no_red = Wording(priority_on_target="no-red")
    assert narrative(t1, Period(2017, 2), 12, no_red).outcome == "Met"
    assert key_implication(t1, no_red).rule == (
        "no rated indicator of the priority is Red (each is Green or Amber)")
    nothing = {**green, "economy": ["No data"]}  # a priority with nothing rated is not on target
    assert narrative(table1(statuses(nothing), fw), Period(2017, 2), 12).outcome == "Unmet"


def test_wording_comes_from_the_register(tmp_path: Path) -> None:
    """A council that writes "At the end of quarter 2" gets that, in the library, the JSON, the
    workbook and the Word document; the rule for "on target" is the register's too."""
    tables = register(
        quarter_opening="At the end of quarter {quarter} ({date})",
        summary_opening="At {date}",
        appendix3_sentence="Appendix C explains the {indicators} that {are} short of target.",
        key_outcome="All priorities on track", priority_on_target="no-red")
    result = consolidate(RETURNS, framework_from_dict(tables), period=PERIOD)
    said = result.to_dict()["sentences"]
    assert said["position"].startswith("At the end of quarter 2 (30 September 2017), 16 "
                                       "indicators, 64%,")
    assert said["summary"].startswith("At 30 September 2017, 16 of the 25 indicators")
    assert said["appendix3"] == "Appendix C explains the 9 indicators that are short of target."
    assert result.key_implications.outcome == "All priorities on track"
    assert said["outcome"] == "Unmet"  # "Attractive and well-connected borough" has a Red
    book = load_workbook(result.write(tmp_path / "out.xlsx"))
    lines = " ".join(str(c.value) for c in book["Summary"]["A"] if c.value)
    assert said["appendix3"] in lines and "All priorities on track" in lines
    text = "\n".join(p.text for p in docx.Document(str(result.write_docx(tmp_path / "o.docx")))
                     .paragraphs)
    assert said["position"] in text and said["appendix3"] in text


def test_wording_survives_the_excel_register_and_the_cache(tmp_path: Path) -> None:
    """Wording set in a register is written to its Excel form and read back the same."""
    fw = framework_from_dict(register(quarter_opening="At the end of quarter {quarter}, {date}"))
    again = load_framework(write_register_xlsx(fw, tmp_path / "register.xlsx"))
    assert again.wording == fw.wording
    assert again.wording.quarter_opening == "At the end of quarter {quarter}, {date}"
    assert load_framework().wording == Wording()  # the packaged register: the report's words


@pytest.mark.parametrize(("field", "value", "message"), [
    ("quarter_opening", "At {dat}", "'{dat}' is not one of {date}, {quarter}, {period} "
                                    "(did you mean '{date}'?)"),
    ("summary_opening", "At {date.year}", "'{date.year}' is not one of {date}, {quarter}, "
                                          "{period} (did you mean '{date}'?)"),
    ("appendix3_sentence", "See {", "a '{' or '}' is not part of a placeholder"),
    ("priority_on_target", "all green", "'all green' is not one of all-green, no-red "
                                        "(did you mean 'all-green'?)"),
])
def test_bad_wording_is_a_register_problem(field: str, value: str, message: str) -> None:
    """An unknown placeholder (or one reaching into Python, like {date.year}) or rule stops the
    register with a problem naming the field."""
    with pytest.raises(RegisterError) as caught:
        framework_from_dict(register(**{field: value}))
    [problem] = caught.value.problems
    assert (problem.code, problem.sheet, problem.field) == ("register-bad-choice", "Framework", field)
    assert problem.message.startswith(message)


def test_nothing_rated_says_so_in_words(none_rated: ConsolidationResult, tmp_path: Path) -> None:
    """A quarter with nothing rated has no shares: the sentences and tables say so in words
    instead of printing shares of 0%."""
    assert none_rated.shares == {}
    said = none_rated.sentences
    assert said.summary == "As at 30 September 2017, no indicators could be rated."
    assert said.position.endswith("no indicators could be rated, so there are no shares to give.")
    assert said.outcome == "Unmet"
    ws = load_workbook(none_rated.write(tmp_path / "none.xlsx"))["Summary"]
    assert "Shares" not in ws.tables
    header, rows, _ = table_rows(ws, "Table1")
    assert {r[header.index("Green (%)")] for r in rows} == {"None rated"}
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert ("No indicator could be rated at 30 September 2017, so there are no shares of Green, "
            "Amber and Red.") in texts
    document = docx.Document(str(none_rated.write_docx(tmp_path / "none.docx")))
    cells = [c.text for row in document.tables[0].rows[1:] for c in row.cells]
    assert "None rated" in cells and "0%" not in cells


# -- Table 1 ----------------------------------------------------------------------------------

def test_table1_has_shares_per_priority(result: ConsolidationResult, book: Any) -> None:
    """Each priority's whole-percent shares of its own rated indicators, beside its counts."""
    greens = [57, 50, 100, 50, 50, 100, 64]
    assert result.table1_shares["Green"].tolist() == greens
    assert result.table1_shares.loc["Attractive and well-connected borough"].tolist() == [50, 25, 25]
    header, rows, _ = table_rows(book["Summary"], "Table1")
    assert [r[header.index("Green (%)")] for r in rows] == greens
    assert [tuple(r[header.index(c)] for c in ("Priority", "Green", "Amber", "Red", "Total"))
            for r in rows] == REPORT_TABLE_1
    assert result.to_dict()["table1_shares"][-1] == {"Priority": "Total", "Green": 64,
                                                      "Amber": 32, "Red": 4}


def test_total_column_is_last_and_says_rated(some_unrated: ConsolidationResult,
                                             tmp_path: Path) -> None:
    """With Not rated and No data columns, the Total column comes last and is "Total rated", so
    nobody reads it as all indicators; in the Word document too."""
    ws = load_workbook(some_unrated.write(tmp_path / "out.xlsx"))["Summary"]
    header, rows, _ = table_rows(ws, "Table1")
    assert header == ["Priority", "Green", "Green (%)", "Amber", "Amber (%)", "Red", "Red (%)",
                      "Not rated", "No data", "Total rated"]
    total = rows[-1]
    assert total[0] == "Total" and total[-1] == 19 and total[-3:-1] == [1, 5]
    document = docx.Document(str(some_unrated.write_docx(tmp_path / "out.docx")))
    assert [c.text for c in document.tables[0].rows[0].cells][-3:] == [
        "Not rated", "No data", "Total rated"]


# -- the printed workbook -----------------------------------------------------------------------

@pytest.mark.parametrize("sheet", ["Contents", "Notes", "Appendix 1", "Appendix 3", "Return tracker",
                                   "Sources"])
def test_a_sheets_one_long_table_repeats_its_header_row(book: Any, sheet: str) -> None:
    """Every sheet of one table prints its header row at the top of each page."""
    ws = book[sheet]
    [name] = list(ws.tables)
    _, _, header_row = table_rows(ws, name)
    assert ws.print_title_rows == f"${header_row}:${header_row}"


def test_a_long_panel_continues_on_a_new_page_under_its_header(tmp_path: Path) -> None:
    """A panel table longer than a page goes on as a second table, under its caption
    ("continued") and header row, from a page break: each printed page has a header."""
    tables = register()
    for ind in tables["indicators"]:
        ind["panel"] = "COR"
    result = consolidate(RETURNS, framework_from_dict(tables), period=PERIOD)
    ws = load_workbook(result.write(tmp_path / "one-panel.xlsx"))["Appendix 2"]
    names = sorted(ws.tables)
    assert len(names) >= 2
    breaks = {b.id for b in ws.row_breaks.brk}
    ids: list[str] = []
    for name in names:
        header, rows, header_row = table_rows(ws, name)
        assert header[0] == "ID" and "RAG status (Q2)" in header
        ids += [r[0] for r in rows]
        if name != names[0]:
            caption = ws.cell(header_row - 1, 1).value
            assert caption == "Corporate Services Overview and Scrutiny Panel (25 indicators) (continued)"
            assert header_row - 2 in breaks  # the break is above the caption
    assert ids == [i.id for i in result.framework.indicators]
    assert not ws.print_title_rows  # several tables: no one header row to repeat


@pytest.mark.soffice("pdftotext")
def test_libreoffice_prints_a_header_on_every_page_of_a_table(tmp_path: Path) -> None:
    """Printed by LibreOffice, every page of Appendices 1, 2 and 3 that has indicator rows has
    the header row above them, a long panel of Appendix 2 too."""
    tables = register()
    for ind in tables["indicators"]:
        ind["panel"] = "COR"
    result = consolidate(RETURNS, framework_from_dict(tables), period=PERIOD)
    [pdf] = convert([result.write(tmp_path / "one-panel.xlsx")], "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    checked = 0
    for page in text.split("\f"):
        if not re.search(r"Appendix [123]\s+Page \d+ of", page):
            continue
        rag = re.compile(r"(^|\s{2})(Green|Amber|Red)(\s{2}|$)")
        rows = [n for n, line in enumerate(page.splitlines()) if rag.search(line)]
        if not rows:
            continue
        header = next((n for n, line in enumerate(page.splitlines()) if "Indicator" in line), None)
        assert header is not None and header < rows[0], page[:300]
        checked += 1
    assert checked >= 5


def test_no_header_or_cell_runs_into_the_next_column(book: Any, tmp_path: Path) -> None:
    """Every header word, and every piece of text a cell cannot wrap (a word, or a file name up
    to a hyphen), fits inside its column with the cell's indent; so does every text that is not
    wrapped at all (IDs, RAG words, severities)."""
    mistakes = load_workbook(consolidate(SAMPLES / "with_mistakes", period=PERIOD)
                             .write(tmp_path / "mistakes.xlsx"))
    checked = 0
    for wb in (book, mistakes):
        for ws in wb.worksheets:
            widths = column_points(ws)
            for name in ws.tables:
                min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
                for r in range(min_row, max_row + 1):
                    for c in range(min_col, max_col + 1):
                        cell = ws.cell(r, c)
                        if not isinstance(cell.value, str):
                            continue
                        room = widths[c] - HEADER_PADDING - INDENT * (cell.alignment.indent or 0)
                        pieces = unbreakable(cell.value) if cell.alignment.wrap_text else [cell.value]
                        for piece in pieces:
                            assert arial_width(piece, bold=bool(cell.font.b)) <= room, (
                                ws.title, cell.coordinate, piece)
                        checked += 1
    assert checked > 1000


def test_text_is_indented_from_the_number_before_it(book: Any) -> None:
    """Appendix 3's Reason starts an indent away from the Target aligned right before it (not
    "80.0%77.5% vs ..."); Appendix 1's RAG header likewise from "Target (Q2)"."""
    ws = book["Appendix 3"]
    header, rows, top = table_rows(ws, "Appendix3")
    target, reason = header.index("Target (Q2)") + 1, header.index("Reason") + 1
    for r in range(top + 1, top + 1 + len(rows)):
        assert ws.cell(r, target).alignment.horizontal in (None, "general", "right")
        assert ws.cell(r, reason).alignment.horizontal == "left"
        assert ws.cell(r, reason).alignment.indent >= 1
    ws = book["Appendix 1"]
    header, _, top = table_rows(ws, "Appendix1")
    assert ws.cell(top, header.index("RAG status (Q2)") + 1).alignment.indent >= 1


def test_summary_sentences_span_the_page(book: Any, result: ConsolidationResult) -> None:
    """The Summary's sentences run across the page: a line a row, never wrapped within column A
    (40% of the page), each line within the printed width and the longest using most of it."""
    ws = book["Summary"]
    width = sum(column_points(ws).values())
    texts = [(c.value, c) for c in ws["A"] if isinstance(c.value, str)]
    for sentence in (result.sentences.summary, result.sentences.position):
        first = next(n for n, (t, _) in enumerate(texts) if sentence.startswith(t))
        lines, joined = [], ""
        while joined != sentence:
            text, cell = texts[first + len(lines)]
            assert not cell.alignment.wrap_text
            lines.append(text)
            joined = " ".join(lines)
        assert len(lines) >= 2
        assert max(arial_width(t) for t in lines) > 0.8 * width
        assert all(arial_width(t) <= width for t in lines)
    assert APPENDIX3 in [t for t, _ in texts]


def test_appendix1_source_is_short_and_sources_has_the_path(book: Any,
                                                           result: ConsolidationResult) -> None:
    """Appendix 1's Source is a reference and a cell ("S15 Return!F6"); the Sources sheet gives
    each reference with the file's full path; the schedule prints larger than before."""
    ws = book["Appendix 1"]
    header, rows, _ = table_rows(ws, "Appendix1")
    sources = [r[header.index("Source")] for r in rows]
    assert all(re.fullmatch(r"S\d+ Return!F\d+", s) for s in sources), sources
    refs, files, _ = table_rows(book["Sources"], "Sources")
    paths = {r[refs.index("Ref")]: r[refs.index("File")] for r in files}
    assert set(paths.values()) == {str(f) for f in result.sources["file"]}
    asc = next(s for s, r in zip(sources, rows, strict=True) if r[1] == "1.3")
    assert paths[asc.split()[0]].endswith("2017-18-Q2/2017-18-Q2-ASC-adult-social-care.xlsx")
    # Only the columns up to Source print: the eight quarters behind the sparklines do not.
    printed = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))[2]
    assert header[printed - 1] == "Source"
    scale = A4_LANDSCAPE.width / sum(w for c, w in column_points(ws).items() if c <= printed)
    # 0.64 before the three columns on last year; 0.56 with 28 characters of file name a row
    assert scale > 0.54


# -- the Word document ----------------------------------------------------------------------------

def test_docx_reads_back_with_table1_and_the_sentences(document: Path) -> None:
    """python-docx reads back Table 1's exact counts, the sentences and the key implications."""
    doc = docx.Document(str(document))
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Priority", "Green", "Green (%)", "Amber", "Amber (%)", "Red", "Red (%)",
                      "Total"]
    cols = [header.index(c) for c in ("Priority", "Green", "Amber", "Red", "Total")]
    got = [tuple(row.cells[c].text for c in cols) for row in table.rows[1:]]
    assert [(g[0], *map(int, g[1:])) for g in got] == REPORT_TABLE_1
    text = [p.text for p in doc.paragraphs]
    assert REPORT_SENTENCE in text and POSITION in text and APPENDIX3 in text
    key = doc.tables[1]
    assert [c.text for c in key.rows[1].cells] == [
        "The council is on target to deliver its strategic priorities", "Below 100%", "100%",
        "Unmet: 2 of 6 priorities on target (33%)"]


def test_docx_is_accessible(document: Path) -> None:
    """Title and language (en-GB) set, headings by style, every table's header row marked
    (repeated on each page and read as headers) with a caption as its alt text, and RAG cells
    holding the word with colour as emphasis."""
    doc = docx.Document(str(document))
    assert doc.core_properties.title == "Council performance: 2017/18 Q2"
    assert doc.core_properties.language == "en-GB"
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[0] == "Title"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Report summary", "Performance by strategic priority", "Key implications"]
    assert [h.split(":")[0] for h in headings[3:]] == ["Appendix 1", "Appendix 2", "Appendix 3"]
    with zipfile.ZipFile(document) as zf:
        body = zf.read("word/document.xml").decode()
        assert 'w:lang w:val="en-GB"' in zf.read("word/styles.xml").decode()
    assert body.count("<w:tblHeader/>") == len(doc.tables) == body.count("<w:tblCaption ")
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    appendix3 = doc.tables[-1]
    rag = [row.cells[3] for row in appendix3.rows[1:]]
    assert {c.text for c in rag} == {"Amber", "Red"}
    assert all('w:fill="FFEB9C"' in c._tc.xml or 'w:fill="FFC7CE"' in c._tc.xml for c in rag)


def test_docx_is_the_same_bytes_for_the_same_inputs(result: ConsolidationResult,
                                                    tmp_path: Path) -> None:
    """Two writes give identical bytes: dates from the period, fixed zip entry times."""
    first = result.write_docx(tmp_path / "a.docx").read_bytes()
    second = result.write_docx(tmp_path / "b.docx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.docx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2017-09-30T00:00:00Z" in core and "python-docx" not in core


def test_docx_text_is_only_text(result: ConsolidationResult, tmp_path: Path) -> None:
    """Commentary that looks like a formula, field or link is written as typed, as text; a
    character XML cannot hold becomes U+FFFD; the document has no fields or links."""
    hostile = ['=HYPERLINK("http://example.com","x")', "{ DATE }", "http://example.com",
               "bell\x07 and <b>tag</b>"]
    data = result.data.copy()
    now = data["period"] == str(result.period)
    for ind_id, text in zip(["1.3", "1.4", "1.6", "2.2"], hostile, strict=True):
        data.loc[now & (data["indicator_id"] == ind_id), "commentary"] = text
    path = dataclasses.replace(result, data=data).write_docx(tmp_path / "hostile.docx")
    doc = docx.Document(str(path))
    appendix3 = doc.tables[-1]
    commentary = [row.cells[7].text for row in appendix3.rows[1:5]]
    assert commentary == [*hostile[:3], "bell\ufffd and <b>tag</b>"]
    with zipfile.ZipFile(path) as zf:
        body = zf.read("word/document.xml").decode()
        rels = zf.read("word/_rels/document.xml.rels").decode()
    for marker in ("<w:fldSimple", "<w:instrText", "<w:hyperlink", "<b>"):
        assert marker not in body
    assert "example.com" not in rels


def test_docx_refuses_a_bad_path_and_leaves_nothing(result: ConsolidationResult, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong suffix, a missing folder or a failed write is one OutputError line; a failed
    write leaves no partial file and keeps an earlier document as it was."""
    with pytest.raises(OutputError, match=r"must end in \.docx"):
        result.write_docx(tmp_path / "report.xlsx")
    with pytest.raises(OutputError, match="does not exist"):
        result.write_docx(tmp_path / "missing" / "report.docx")
    earlier = tmp_path / "report.docx"
    earlier.write_bytes(b"earlier")

    def full_disk(data: bytes, stream: Any) -> None:
        stream.write(data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(word, "_fixed_zip", full_disk)
    with pytest.raises(OutputError) as caught:
        result.write_docx(earlier)
    assert "\n" not in str(caught.value)
    assert str(caught.value) == (f"Cannot write {earlier}: there is not enough disk space. "
                                 "Nothing was changed at that path.")
    assert earlier.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


@pytest.mark.soffice
def test_libreoffice_converts_the_docx_to_pdf(document: Path, tmp_path: Path) -> None:
    """LibreOffice opens the Word document and prints it to PDF."""
    [pdf] = convert([document], "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
