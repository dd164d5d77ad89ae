"""The workbook and the Word document against earlier years (PRODUCT sections 6 and 9): Appendix
1's same quarter last year, direction on last year and sparkline of the last eight quarters,
Appendix 4's share on target quarter by quarter, the Year end sheet at the fourth quarter and the
annual report's title. Real sample returns of 2017/18 and 2018/19, written and read back."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from rbwm_pmf import check_workbook
from rbwm_pmf.consolidation.merge import ConsolidationResult, consolidate
from rbwm_pmf.output.accessibility import chart_alt_texts
from rbwm_pmf.output.workbook import SHEETS, YEAR_END, met_text, write_workbook
from tests.kit import SAMPLES, convert

RETURNS = SAMPLES / "returns"
QUARTERS = ["2016/17 Q3", "2016/17 Q4", "2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4",
            "2018/19 Q1", "2018/19 Q2"]
LAST_YEAR = "A year earlier, at 2017/18 Q2, 16 of the 25 indicators were performing at or above target."
YEAR_END_SENTENCE = ("For 2017/18 as a whole, 16 of the 25 indicators with an annual target met it; "
                     "nine did not.")
# ID, annual outturn, annual target, met, RAG status: every indicator of 2017/18 at its year end.
YEAR_END_ROWS = [
    ("1.1", 92.4, 90, "Yes", "Green"), ("1.2", 91.8, 91, "Yes", "Green"),
    ("1.3", 81.2, 80, "Yes", "Green"), ("1.4", 85.6, 85, "Yes", "Green"),
    ("1.5", 566, 560, "No", "Amber"), ("1.6", 408, 400, "Yes", "Green"),
    ("1.7", 4.8, 5, "Yes", "Green"), ("2.1", 22.6, 22, "No", "Amber"),
    ("2.2", 95.3, 95, "Yes", "Green"), ("2.3", 938600, 960000, "No", "Amber"),
    ("2.4", 1648200, 1600000, "Yes", "Green"), ("3.1", 104, 100, "Yes", "Green"),
    ("3.2", 251, 240, "Yes", "Green"), ("3.3", 166, 160, "No", "Amber"),
    ("3.4", 80.6, 78, "Yes", "Green"), ("4.1", 86, 70, "Yes", "Green"),
    ("4.2", 72.5, 65, "Yes", "Green"), ("4.3", 48.3, 50, "No", "Amber"),
    ("4.4", 126800, 150000, "No", "Red"), ("5.1", 10.4, 10, "No", "Amber"),
    ("5.2", 21.8, 20, "No", "Red"), ("5.3", 90.7, 90, "Yes", "Green"),
    ("5.4", 89.4, 90, "No", "Amber"), ("6.1", 98.3, 98, "Yes", "Green"),
    ("6.2", 98.7, 98.5, "Yes", "Green"),
]


# -- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def q2() -> ConsolidationResult:
    """2018/19 Q2, with the returns of every quarter since 2017/18 Q1 in the folder."""
    return consolidate(RETURNS, period="2018-19-Q2")


@pytest.fixture(scope="module")
def q2_book(q2: ConsolidationResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(q2, tmp_path_factory.mktemp("history") / "2018-19 Q2.xlsx")


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConsolidationResult, Path]:
    """The annual report for 2017/18 (asked for as the year)."""
    result = consolidate(RETURNS, period="2017-18")
    return result, write_workbook(result, tmp_path_factory.mktemp("annual") / "2017-18.xlsx")


def read(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Sparkline Group extension is not supported")
        return load_workbook(path)


def table(ws: Any, name: str) -> tuple[list[Any], list[list[Any]], int]:
    """The header, the data rows and the header's row number of the Excel Table `name`."""
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    header = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)]
            for r in range(min_row + 1, max_row + 1)]
    return header, rows, min_row


def sheet_part(path: Path, name: str) -> str:
    """The XML of the worksheet `name`."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{name}" sheetId="\d+" r:id="(rId\d+)"', book)
        assert rid, name
        target = re.search(rf'Id="{rid[1]}" Type="[^"]+" Target="([^"]+)"', rels)
        assert target
        return zf.read(f"xl/{target[1]}").decode()


# -- Appendix 1 -----------------------------------------------------------------------------------

def test_appendix1_has_the_history_columns(q2_book: Path) -> None:
    """After the direction of travel come Same quarter last year, On last year and the sparkline
    column, and after Source the eight quarters it draws, headed by their labels."""
    header, _, _ = table(read(q2_book)["Appendix 1"], "Appendix1")
    assert header[11:] == ["Direction of travel", "Same quarter last year", "On last year",
                           "Last 8 quarters", "Measure", "Frequency", "Source", *QUARTERS]


def test_appendix1_values_against_last_year(q2_book: Path) -> None:
    """1.1's value a year earlier (93.4%, formatted as its actual), its direction on last year
    and its last eight quarters as numbers, blank where no value is known; a new indicator's
    last year is "Not known"; re-based and renumbered ones point to their history note."""
    ws = read(q2_book)["Appendix 1"]
    header, rows, top = table(ws, "Appendix1")
    by_id = {r[1]: r for r in rows}
    one = by_id["1.1"]
    assert one[header.index("Same quarter last year")] == 93.4
    assert one[header.index("On last year")] == "↓ Declining"
    assert one[header.index("Last 8 quarters")] is None  # the sparkline's cell
    first = header.index(QUARTERS[0])
    assert one[first:] == [None, None, 92.1, 93.4, 91.6, 92.4, 93.1, 92.6]
    r = top + 1 + [row[1] for row in rows].index("1.1")
    assert ws.cell(r, header.index("Same quarter last year") + 1).number_format == '0.0"%"'
    assert {ws.cell(r, c).number_format for c in range(first + 1, first + 9)} == {'0.0"%"'}
    assert by_id["2.3"][first:] == [None, None, 236500, 471200, 704800, 938600, 229400, 463100]
    assert by_id["4.5"][header.index("Same quarter last year")] == "Not known"  # new in 2018/19
    assert by_id["3.5"][header.index("On last year")] == "Not comparable (note 1)"
    assert by_id["6.3"][header.index("On last year")] == "↓ Declining (note 2)"
    assert by_id["3.5"][first:] == [None] * 6 + [43, 92]  # re-based: 3.2's figures not drawn


def test_history_notes_follow_the_table(q2_book: Path) -> None:
    """Under Appendix 1, each re-based or renumbered indicator's note, numbered as in the table."""
    ws = read(q2_book)["Appendix 1"]
    _, rows, top = table(ws, "Appendix1")
    below = " ".join(str(c.value) for c in ws["A"][top + len(rows):] if c.value)
    assert below.startswith("History notes Note 1. 3.5 ")
    assert "Re-based: replaces 3.2, whose figures are not compared." in below
    assert "Note 2. 6.3 % of Freedom of Information and EIR requests answered within 20 working days: " \
           "Replaces 5.4. Renumbered from 5.4" in below


def test_each_row_has_a_column_sparkline_of_its_eight_cells(q2_book: Path) -> None:
    """The sheet's XML has a sparkline group for each indicator row: columns, this quarter's
    marked, gaps for blanks, drawing the row's eight cells S:Z into its Last 8 quarters cell."""
    ws = read(q2_book)["Appendix 1"]
    _, rows, top = table(ws, "Appendix1")
    r = top + 1 + [row[1] for row in rows].index("1.1")
    xml = sheet_part(q2_book, "Appendix 1")
    groups = re.findall(r"<x14:sparklineGroup ([^>]*)>(.*?)</x14:sparklineGroup>", xml, re.S)
    assert len(groups) == len(rows) == 25
    spark = f"<xm:f>'Appendix 1'!S{r}:Z{r}</xm:f><xm:sqref>O{r}</xm:sqref>"
    [(attributes, _)] = [g for g in groups if spark in g[1]]
    assert 'type="column"' in attributes and 'displayEmptyCellsAs="gap"' in attributes
    assert 'last="1"' in attributes and 'minAxisType="custom"' in attributes
    assert 'manualMin="91.15"' in attributes  # a quarter of 91.6 to 93.4 below the lowest


def test_the_eight_quarters_are_on_screen_but_not_printed(q2_book: Path) -> None:
    """Appendix 1 prints columns A to R (to Source) and repeats its header row; the eight
    quarters behind the sparklines, in S to Z, are in the table but outside the print area."""
    with zipfile.ZipFile(q2_book) as zf:
        names = zf.read("xl/workbook.xml").decode()
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="\d+">([^<]+)<', names)
    assert area and re.fullmatch(r"'Appendix 1'!\$A\$1:\$R\$\d+", area[1])
    ws = read(q2_book)["Appendix 1"]
    assert ws.tables["Appendix1"].ref.split(":")[1].startswith("Z")
    assert ws.print_title_rows


# -- Appendix 4 -----------------------------------------------------------------------------------

def test_appendix4_trend_table_and_chart(q2_book: Path) -> None:
    """Table 4c gives each of the last eight quarters' rated, Green and share on target (blank
    where none was rated), and a line chart of the share follows it, with gaps and alt text."""
    ws = read(q2_book)["Appendix 4"]
    header, rows, _ = table(ws, "ChartData3")
    assert header == ["Quarter", "Indicators rated", "Green (on target)", "Share on target (%)"]
    assert rows == [
        ["2016/17 Q3", 0, 0, None], ["2016/17 Q4", 0, 0, None], ["2017/18 Q1", 24, 16, 66.7],
        ["2017/18 Q2", 25, 16, 64.0], ["2017/18 Q3", 24, 14, 58.3], ["2017/18 Q4", 25, 16, 64.0],
        ["2018/19 Q1", 24, 13, 54.2], ["2018/19 Q2", 25, 17, 68.0]]
    with zipfile.ZipFile(q2_book) as zf:
        chart = zf.read("xl/charts/chart3.xml").decode()
    # No dispBlanksAs: XlsxWriter leaves out Excel's default, a gap for a blank cell.
    assert "<c:lineChart>" in chart and "<c:dispBlanksAs" not in chart
    assert re.search(r"<c:val><c:numRef><c:f>'Appendix 4'!\$D\$\d+:\$D\$\d+</c:f>", chart)
    assert "Share of indicators on target, quarter by quarter" in chart
    alt = chart_alt_texts(q2_book)["Appendix 4"]
    assert len(alt) == 3
    assert alt[2].startswith("Line chart of the share of rated indicators on target (Green) in each "
                             "of the last 8 quarters, oldest first. 2016/17 Q3: none rated;")
    assert "2018/19 Q2: 68.0% (17 of 25)." in alt[2]


# -- the Summary and the whole workbook -------------------------------------------------------------

def test_summary_gives_last_years_position(q2_book: Path) -> None:
    """The Summary's report paragraph ends with last year's position, word for word."""
    ws = read(q2_book)["Summary"]
    text = " ".join(str(c.value) for c in ws["A"] if isinstance(c.value, str))
    assert f"one indicator was below target. {LAST_YEAR}" in text


def test_history_workbooks_pass_the_accessibility_check(q2_book: Path,
                                                        annual: tuple[ConsolidationResult, Path]
                                                        ) -> None:
    """The read-back checker finds nothing wrong with either workbook, sparklines and all."""
    assert check_workbook(q2_book) == []
    assert check_workbook(annual[1]) == []


def test_same_inputs_same_bytes(q2: ConsolidationResult, tmp_path: Path) -> None:
    """Sparklines, the trend chart and all: the same inputs give the same workbook."""
    first = write_workbook(q2, tmp_path / "a.xlsx").read_bytes()
    assert write_workbook(q2, tmp_path / "b.xlsx").read_bytes() == first


# -- the year end ---------------------------------------------------------------------------------

def test_year_end_sheet_at_the_fourth_quarter(tmp_path: Path) -> None:
    """At 2017/18 Q4 a Year end sheet follows the Summary, listed in Contents: one row per
    indicator with its annual outturn, annual target, Met and RAG status."""
    result = consolidate(RETURNS, period="2017-18-Q4")
    assert not result.annual
    wb = read(write_workbook(result, tmp_path / "Q4.xlsx"))
    names = [*SHEETS]
    names.insert(names.index("Summary") + 1, "Year end")
    assert wb.sheetnames == names
    contents = [c.value for c in wb["Contents"]["A"][3:] if c.value]
    assert contents == [n for n in names if n != "Contents"]
    ws = wb["Year end"]
    assert ws["A1"].value == "Year end: annual outturn against annual target, 2017/18"
    assert ws["A2"].value == YEAR_END_SENTENCE
    header, rows, _ = table(ws, "YearEnd")
    assert header == ["ID", "Indicator", "Priority", "Unit", "Annual outturn", "Annual target",
                      "Met annual target", "RAG status (year end)"]
    assert [(r[0], r[4], r[5], r[6], r[7]) for r in rows] == YEAR_END_ROWS
    assert rows[0][1:4] == ["% of babies receiving a 6-8 week health visitor review",
                            "Healthy, skilled and independent residents", "%"]
    assert wb["Cover"]["A1"].value == "Council performance: 2017/18 Q4"


def test_no_year_end_sheet_before_the_fourth_quarter(q2_book: Path) -> None:
    """At other quarters the workbook has the usual sheets only."""
    assert read(q2_book).sheetnames == list(SHEETS)
    assert "Year end" not in SHEETS and "Year end" in YEAR_END


def test_annual_report_title(annual: tuple[ConsolidationResult, Path]) -> None:
    """Asked for as the year (2017-18), the workbook is the annual report: its title, cover and
    footers say "Annual report 2017/18"; it has the Year end sheet."""
    result, path = annual
    assert result.annual and str(result.period) == "2017-18-Q4"
    wb = read(path)
    assert wb.properties.title == "Council performance: Annual report 2017/18"
    assert wb["Cover"]["A1"].value == "Council performance: Annual report 2017/18"
    cover = [c.value for c in wb["Cover"]["A"] if c.value]
    assert ("The year 2017/18 (April 2017 to March 2018), reported at its fourth quarter. Position "
            "at 31 March 2018.") in cover
    assert "Year end" in wb.sheetnames
    assert "Annual report 2017/18" in wb["Appendix 1"].oddFooter.left.text
    summary = " ".join(str(c.value) for c in wb["Summary"]["A"] if isinstance(c.value, str))
    assert YEAR_END_SENTENCE in summary


@pytest.mark.parametrize(("met", "status", "target", "text"), [
    (True, "Green", 90.0, "Yes"),
    (False, "Red", 90.0, "No"),
    (None, "No data", 90.0, "Not assessed: no data"),
    (None, "Not rated", None, "Not assessed: no annual target"),
])
def test_met_says_why_when_not_assessed(met: bool | None, status: str, target: float | None,
                                        text: str) -> None:
    """Met is Yes or No, or says why an indicator is not assessed against an annual target."""
    row = dataclasses.make_dataclass("Row", ["met", "status", "annual_target"])(met, status, target)
    assert met_text(row) == text


# -- the Word document ------------------------------------------------------------------------------

def test_docx_has_last_year_and_the_year_end(q2: ConsolidationResult,
                                             annual: tuple[ConsolidationResult, Path],
                                             tmp_path: Path) -> None:
    """The document's summary gives last year's position; the annual report's gives the year end
    and a Year end table; both are the same bytes when written twice."""
    path = q2.write_docx(tmp_path / "q2.docx")
    text = [p.text for p in docx.Document(str(path)).paragraphs]
    assert any(t.endswith(LAST_YEAR) for t in text)
    assert q2.write_docx(tmp_path / "q2-again.docx").read_bytes() == path.read_bytes()
    result, _ = annual
    doc = docx.Document(str(result.write_docx(tmp_path / "annual.docx")))
    assert doc.core_properties.title == "Council performance: Annual report 2017/18"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["Report summary", "Performance by strategic priority", "Key implications",
                            "Year end"]
    assert YEAR_END_SENTENCE in [p.text for p in doc.paragraphs]
    year_end = next(t for t in doc.tables if t.rows[0].cells[0].text == "ID"
                    and t.rows[0].cells[2].text == "Annual outturn")
    assert [c.text for c in year_end.rows[0].cells] == [
        "ID", "Indicator", "Annual outturn", "Annual target", "Met annual target",
        "RAG status (year end)"]
    assert [c.text for c in year_end.rows[1].cells] == [
        "1.1", "% of babies receiving a 6-8 week health visitor review", "92.4%", "90.0%", "Yes",
        "Green"]
    assert len(year_end.rows) == 26


# -- printed by LibreOffice -------------------------------------------------------------------------

@pytest.mark.soffice("pdftotext")
def test_libreoffice_prints_the_sparklines(q2_book: Path, tmp_path: Path) -> None:
    """Printed to PDF by LibreOffice, Appendix 1 draws its sparklines (this quarter's columns in
    orange, #D55E00) and prints up to Source, not the eight quarters' columns."""
    [pdf] = convert([q2_book], "pdf", tmp_path)
    raw = pdf.read_bytes()

    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", raw, re.S):
        try:
            streams.append(zlib.decompress(match[1]).decode("latin-1"))
        except zlib.error:
            continue
    orange = re.compile(r"0\.83529\d* 0\.36862\d* 0 rg")
    assert sum(len(orange.findall(s)) for s in streams) >= 25
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if re.search(r"Appendix 1\s+Page \d+ of", p)]
    assert len(pages) >= 2
    for page in pages:
        header = next(line for line in page.splitlines() if "Indicator" in line)
        assert "Source" in header and "2017/18 Q3" not in header
