"""The consolidated workbook (PRODUCT section 6) and its read-back accessibility checker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import re
import signal
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from rbwm_pmf.consolidation.merge import ConsolidationResult, consolidate
from rbwm_pmf.errors import OutputError
from rbwm_pmf.model.status import AMBER, RED, STATUSES
from rbwm_pmf.output import sheets, workbook
from rbwm_pmf.output.accessibility import chart_alt_texts, check_workbook
from rbwm_pmf.output.workbook import EXCEL_CELL_LIMIT, FORMATS, RAG_FORMATS, SHEETS, write_workbook
from tests.kit import REPORT_TABLE_1, convert

REPO = Path(__file__).resolve().parents[1]
RETURNS = REPO / "sample_workbooks" / "returns"
PERIOD = "2017-18-Q2"

AMBER_AND_RED = ["1.3", "1.4", "1.6", "2.2", "2.3", "4.3", "4.4", "5.2", "5.3"]
HOSTILE = [
    '=HYPERLINK("http://example.com","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "http://example.com",
]


# -- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result() -> ConsolidationResult:
    return consolidate(RETURNS, period=PERIOD)


@pytest.fixture(scope="module")
def written(result: ConsolidationResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(result, tmp_path_factory.mktemp("workbook") / "Q2 performance.xlsx")


@pytest.fixture(scope="module")
def book(written: Path) -> Any:
    wb = load_workbook(written)
    yield wb
    wb.close()


def table_rows(ws: Any, name: str) -> tuple[list[str], list[list[Any]]]:
    """The header and data rows of the Excel Table `name` on `ws`."""
    table = ws.tables[name]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    header = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)]
            for r in range(min_row + 1, max_row + 1)]
    return header, rows


def table_cells(ws: Any, name: str, header: str) -> list[Any]:
    """The data cells of one column of an Excel Table."""
    table = ws.tables[name]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    col = next(c for c in range(min_col, max_col + 1) if ws.cell(min_row, c).value == header)
    return [ws.cell(r, col) for r in range(min_row + 1, max_row + 1)]


def with_commentary(result: ConsolidationResult, texts: dict[str, str]) -> ConsolidationResult:
    """A copy of `result` whose reporting-period commentary and mitigation are `texts` by id."""
    data = result.data.copy()
    for ind_id, text in texts.items():
        rows = (data["period"] == str(result.period)) & (data["indicator_id"] == ind_id)
        data.loc[rows, "commentary"] = text
        data.loc[rows, "mitigation"] = text
    return dataclasses.replace(result, data=data)


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- the sheets and their contents ---------------------------------------------------------

def test_sheets_are_the_products_in_order(book: Any) -> None:
    """The workbook has exactly the sheets of PRODUCT section 6, in order."""
    assert book.sheetnames == list(SHEETS)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Summary", "Appendix 1", "Appendix 2",
                               "Appendix 3", "Appendix 4", "Validation log", "Return tracker",
                               "Sources"]


def test_summary_table1_equals_the_report(book: Any) -> None:
    """Summary's Table 1 holds the report's counts: every priority row and the Total row (its
    shares beside them are tested in test_pack)."""
    header, rows = table_rows(book["Summary"], "Table1")
    assert header == ["Priority", "Green", "Green (%)", "Amber", "Amber (%)", "Red", "Red (%)",
                      "Total"]
    counts = [header.index(c) for c in ("Priority", "Green", "Amber", "Red", "Total")]
    assert [tuple(r[c] for c in counts) for r in rows] == REPORT_TABLE_1
    assert all(isinstance(v, int) for r in rows for v in r[1:])  # numbers, not text or formulas


def test_summary_total_row_is_bold_and_not_a_totals_row(book: Any) -> None:
    """The Total row is an ordinary bold last row, so its numbers are plain values."""
    ws = book["Summary"]
    assert not ws.tables["Table1"].totalsRowCount
    total_cells = table_cells(ws, "Table1", "Priority")[-1:]
    assert total_cells[0].value == "Total" and total_cells[0].font.b


def test_summary_shares_and_narrative(book: Any, result: ConsolidationResult) -> None:
    """The shares table says 64/32/4 and the narrative is the report's sentence, word for word."""
    header, rows = table_rows(book["Summary"], "Shares")
    assert header == ["RAG status", "Number of indicators", "Share of rated indicators (%)"]
    assert rows == [["Green", 16, 64], ["Amber", 8, 32], ["Red", 1, 4]]
    texts = [c.value for c in book["Summary"]["A"] if isinstance(c.value, str)]
    # The paragraph runs across the page, a line a row (test_pack checks how).
    assert ("As at 30 September 2017, 16 of the 25 indicators were performing at or above target, "
            "eight indicators were just short of target and one indicator was below target."
            ) in " ".join(texts)
    assert "Percentages may not sum to 100 because of rounding." in texts


def test_appendix3_lists_the_nine_amber_and_red(book: Any, result: ConsolidationResult) -> None:
    """Appendix 3 lists exactly the nine Amber and Red indicators with their commentary and
    mitigation as returned."""
    header, rows = table_rows(book["Appendix 3"], "Appendix3")
    ids = [r[header.index("ID")] for r in rows]
    assert ids == AMBER_AND_RED
    current = result.current.set_index("indicator_id")
    for row in rows:
        ind_id = row[header.index("ID")]
        assert row[header.index("RAG status")] in (AMBER, RED)
        assert row[header.index("RAG status")] == current.loc[ind_id, "status"]
        assert row[header.index("Commentary")] == current.loc[ind_id, "commentary"]
        assert row[header.index("Mitigation actions")] == current.loc[ind_id, "mitigation"]
        assert row[header.index("Commentary")] and row[header.index("Mitigation actions")]


def test_appendix1_has_every_indicator_and_quarter(book: Any, result: ConsolidationResult) -> None:
    """Appendix 1 has one row per indicator in register order, each quarter's actual to date,
    the target, RAG word, reason and direction of travel."""
    header, rows = table_rows(book["Appendix 1"], "Appendix1")
    assert header[:8] == ["Priority", "ID", "Indicator", "Owner", "Unit", "Good performance is",
                          "Q1 actual", "Q2 actual"]
    assert header[8:] == ["Target (Q2)", "RAG status (Q2)", "Reason", "Direction of travel",
                          "Same quarter last year", "On last year", "Last 8 quarters", "Measure",
                          "Frequency", "Source", "2015/16 Q3", "2015/16 Q4", "2016/17 Q1",
                          "2016/17 Q2", "2016/17 Q3", "2016/17 Q4", "2017/18 Q1", "2017/18 Q2"]
    assert [r[1] for r in rows] == [i.id for i in result.framework.indicators]
    by_id = {r[1]: r for r in rows}
    assert by_id["1.1"][6:10] == [92.1, 93.4, 90, "Green"]  # percentages in points
    assert by_id["1.2"][6] == "Not due"  # half-yearly: nothing due at Q1
    assert by_id["1.4"][10] == "82.9% vs target 85%: 2.5% short, within 5% tolerance"
    assert {r[11] for r in rows} <= {"↑ Improving", "↓ Declining", "→ No change", "Not comparable"}
    assert (by_id["1.1"][16], by_id["1.2"][16]) == ("Quarterly", "Half-yearly")  # why 1.2 is not due


def test_appendix1_columns_are_declared_once(result: ConsolidationResult, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Appendix 1's column declarations are the table's header row and its column widths, read
    back exactly: a column added to the declaration is a column of the sheet."""
    declared: dict[str, list[sheets.Column[Any]]] = {}
    table = sheets.Sheet.table

    def spy(self: sheets.Sheet, name: str, columns: Any, *args: Any, **kwargs: Any) -> Any:
        declared[name] = list(columns)
        return table(self, name, columns, *args, **kwargs)

    monkeypatch.setattr(sheets.Sheet, "table", spy)
    out = write_workbook(result, tmp_path / "out.xlsx")
    ws = load_workbook(out)["Appendix 1"]
    header, _ = table_rows(ws, "Appendix1")
    assert header == [c.header for c in declared["Appendix1"]] == [
        "Priority", "ID", "Indicator", "Owner", "Unit", "Good performance is", "Q1 actual",
        "Q2 actual", "Target (Q2)", "RAG status (Q2)", "Reason", "Direction of travel",
        "Same quarter last year", "On last year", "Last 8 quarters", "Measure", "Frequency",
        "Source", "2015/16 Q3", "2015/16 Q4", "2016/17 Q1", "2016/17 Q2", "2016/17 Q3",
        "2016/17 Q4", "2017/18 Q1", "2017/18 Q2"]
    widths = [next(d.width for d in ws.column_dimensions.values() if d.min <= n <= d.max)
              for n in range(1, len(header) + 1)]
    assert widths == [pytest.approx(c.width, abs=0.72)  # XlsxWriter adds Excel's padding
                      for c in declared["Appendix1"]]


def test_appendix1_number_formats_follow_the_unit(book: Any) -> None:
    """Percent values keep their points with a % format; counts get thousands separators."""
    ws = book["Appendix 1"]
    ids = table_cells(ws, "Appendix1", "ID")
    q2 = table_cells(ws, "Appendix1", "Q2 actual")
    by_id = {i.value: c for i, c in zip(ids, q2, strict=True)}
    assert by_id["1.1"].value == 93.4 and by_id["1.1"].number_format == '0.0"%"'
    assert by_id["2.3"].value == 471200 and by_id["2.3"].number_format == "#,##0"


def test_appendix2_one_table_per_panel(book: Any, result: ConsolidationResult) -> None:
    """Appendix 2 has one Excel Table per panel, together covering every indicator once."""
    ws = book["Appendix 2"]
    seen: list[str] = []
    for name in ws.tables:
        header, rows = table_rows(ws, name)
        assert header[:3] == ["ID", "Indicator", "Owner"] and "RAG status (Q2)" in header
        seen += [r[0] for r in rows]
    assert sorted(seen) == sorted(i.id for i in result.framework.indicators)


def test_every_rag_cell_has_a_word_and_a_conditional_format(book: Any) -> None:
    """Every RAG cell holds its word, and a conditional format for that word covers it."""
    checked = 0
    for ws in book.worksheets:
        rules: list[tuple[Any, str]] = []
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rules += [(cf.sqref, f) for f in rule.formula or []]
        for name in ws.tables:
            min_col, min_row, max_col, _ = range_boundaries(ws.tables[name].ref)
            for c in range(min_col, max_col + 1):
                header = ws.cell(min_row, c).value
                if not str(header).startswith("RAG status"):
                    continue
                for cell in table_cells(ws, name, header):
                    assert cell.value in STATUSES, (ws.title, cell.coordinate)
                    assert any(cell.coordinate in sqref and formula == f'"{cell.value}"'
                               for sqref, formula in rules), (ws.title, cell.coordinate)
                    checked += 1
    assert checked >= 25 + 25 + 9 + 3


def test_rag_colours_pass_wcag_aa() -> None:
    """Each RAG fill and text colour pair in FORMATS has a contrast ratio of at least 4.5."""
    for status, name in RAG_FORMATS.items():
        props = FORMATS[name]
        assert contrast(props["font_color"], props["bg_color"]) >= 4.5, status
    header = FORMATS["header"]
    assert contrast(header["font_color"], header["bg_color"]) >= 4.5


def test_appendix4_has_three_charts_with_alt_text(written: Path, book: Any) -> None:
    """Appendix 4 has three charts (by priority, the overall split, the share on target quarter
    by quarter), each with alt text, and the tables of the numbers they show."""
    charts = chart_alt_texts(written)
    assert list(charts) == ["Appendix 4"]
    assert len(charts["Appendix 4"]) == 3
    assert all(len(text) > 40 for text in charts["Appendix 4"])
    assert "16 Green (64%), 8 Amber (32%) and 1 Red (4%)" in charts["Appendix 4"][1]
    assert set(book["Appendix 4"].tables) == {"ChartData1", "ChartData2", "ChartData3"}


def test_contents_links_to_every_sheet(book: Any) -> None:
    """Contents lists every other sheet with an internal link to its A1."""
    cells = table_cells(book["Contents"], "Contents", "Sheet")
    assert [c.value for c in cells] == [s for s in SHEETS if s != "Contents"]
    for cell in cells:
        assert cell.hyperlink is not None and cell.hyperlink.location == f"'{cell.value}'!A1"


def test_validation_log_tracker_and_sources(book: Any, result: ConsolidationResult) -> None:
    """The log has a row per issue and skipped file; tracker and sources a row per owner and file."""
    expected = len(result.report.records) + len(result.report.skipped)
    log = table_rows(book["Validation log"], "ValidationLog")[1] if expected else []
    assert len(log) == expected
    _, tracker = table_rows(book["Return tracker"], "ReturnTracker")
    assert len(tracker) == len(result.tracker)
    header, sources = table_rows(book["Sources"], "Sources")
    assert len(sources) == len(result.sources)
    shas = [r[header.index("SHA-256")] for r in sources]
    assert shas == [s or None for s in result.sources["sha256"]]


def test_validation_log_lists_every_issue_and_skipped_file(tmp_path: Path) -> None:
    """With the returns that have mistakes, the log has one row per issue, at its cell, with its
    code and value as typed, and a row for each skipped file."""
    with_mistakes = consolidate([RETURNS / "2017-18-Q1", REPO / "sample_workbooks" / "with_mistakes"],
                                period=PERIOD)
    assert with_mistakes.report.records and with_mistakes.report.skipped
    out = write_workbook(with_mistakes, tmp_path / "mistakes.xlsx")
    header, log = table_rows(load_workbook(out)["Validation log"], "ValidationLog")
    expected = [(Path(i.file).name, i.cell or None, i.code, i.value or None)
                for i in with_mistakes.report.records]
    expected += [(Path(s.path).name, None, "skipped", None) for s in with_mistakes.report.skipped]
    got = [(r[header.index("File")], r[header.index("Cell")], r[header.index("Code")],
            r[header.index("Value as typed")]) for r in log]
    assert got == expected
    assert check_workbook(out) == []


def test_document_properties(book: Any) -> None:
    """Title and language are set, and the date comes from the period, never the clock."""
    props = book.properties
    assert props.title == "Council performance: 2017/18 Q2"
    assert props.language == "en-GB"
    assert props.created == dt.datetime(2017, 9, 30)
    assert props.creator == "Royal Borough of Windsor and Maidenhead"


def test_report_date_and_title_options(result: ConsolidationResult, tmp_path: Path) -> None:
    """A report date and title given as options appear in the properties and on the Cover."""
    out = write_workbook(result, tmp_path / "out.xlsx", report_date=dt.date(2017, 11, 23),
                         title="Performance Q2")
    wb = load_workbook(out)
    assert wb.properties.title == "Performance Q2"
    assert wb.properties.created == dt.datetime(2017, 11, 23)
    assert wb["Cover"]["A1"].value == "Performance Q2"
    assert "23 November 2017" in [c.value for c in wb["Cover"]["A"]]


# -- accessibility ---------------------------------------------------------------------------

def test_checker_passes_the_workbook(written: Path) -> None:
    """The read-back checker finds nothing wrong with the written workbook."""
    assert check_workbook(written) == []


def test_layout_rules(book: Any) -> None:
    """A title in A1 of every sheet, tables from column A, landscape fit to one page wide."""
    for ws in book.worksheets:
        assert isinstance(ws["A1"].value, str) and ws["A1"].font.b
        assert not ws.merged_cells.ranges
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth in (None, 1) and ws.sheet_properties.pageSetUpPr.fitToPage
        for table in ws.tables.values():
            assert table.ref.startswith("A")
    assert book["Appendix 1"].print_title_rows


def test_wrapped_rows_are_tall_enough(book: Any) -> None:
    """Every table row has an explicit height (LibreOffice clips wrapped text without one), tall
    enough for its longest wrapped text at a generous 1.3 characters per unit of width."""
    for ws in book.worksheets:
        for name in ws.tables:
            min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
            for r in range(min_row, max_row + 1):
                height = ws.row_dimensions[r].height
                assert height is not None and height >= 15, (ws.title, r)
                for c in range(min_col, max_col + 1):
                    cell = ws.cell(r, c)
                    if isinstance(cell.value, str) and cell.alignment.wrap_text:
                        width = next(d.width for d in ws.column_dimensions.values()
                                     if d.min <= cell.column <= d.max)
                        lines = -(-len(cell.value) // int(width * 1.3))
                        assert height >= 12 * lines, (ws.title, cell.coordinate)


def test_new_workbook_is_readable_by_others(result: ConsolidationResult, tmp_path: Path) -> None:
    """The renamed temporary file gets ordinary permissions, not the owner-only ones of mkstemp."""
    out = write_workbook(result, tmp_path / "out.xlsx")
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o644
        out.chmod(0o640)
        write_workbook(result, out)
        assert out.stat().st_mode & 0o777 == 0o640  # an existing file keeps its permissions


def test_checker_finds_every_kind_of_problem(tmp_path: Path) -> None:
    """The checker reports a missing title, merged cells, a blank row inside a table, a RAG cell
    without a word, a chart without alt text and a missing document title and language."""
    path = tmp_path / "bad.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_string(1, 0, "no title in A1")
    ws.merge_range(3, 5, 3, 6, "merged")
    ws.add_table(5, 0, 8, 1, {"columns": [{"header": "ID"}, {"header": "RAG status"}]})
    ws.write_row(6, 0, ["1.1", "Green"])
    ws.write_row(8, 0, ["1.2", "green-ish"])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": ["Data", 6, 0, 8, 0]})
    ws.insert_chart(10, 0, chart)
    wb.close()
    problems = "\n".join(check_workbook(path))
    assert "document title is not set" in problems
    assert "language is not set" in problems
    assert "A1 does not hold" in problems
    assert "merged cells" in problems
    assert "row 8 is blank" in problems
    assert "'green-ish', not a RAG word" in problems
    assert "chart 1 has no alt text" in problems


def test_libreoffice_converts_the_workbook_to_pdf(written: Path, tmp_path: Path) -> None:
    """LibreOffice opens the workbook and prints it to PDF."""
    convert([written], "pdf", tmp_path)
    pdf = tmp_path / (written.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 20_000


# -- safety and determinism ---------------------------------------------------------------------

def test_text_from_returns_is_never_a_formula_or_link(result: ConsolidationResult, tmp_path: Path) -> None:
    """Commentary that looks like a formula, a sum or a URL is written as a plain string cell."""
    hostile = with_commentary(result, dict(zip(AMBER_AND_RED, HOSTILE, strict=False)))
    out = write_workbook(hostile, tmp_path / "hostile.xlsx")
    ws = load_workbook(out)["Appendix 3"]
    for column in ("Commentary", "Mitigation actions"):
        cells = table_cells(ws, "Appendix3", column)[: len(HOSTILE)]
        assert [c.value for c in cells] == HOSTILE
        for cell in cells:
            assert cell.data_type == "s", cell.coordinate
            assert cell.hyperlink is None, cell.coordinate
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name
        external = [n for n in zf.namelist() if n.startswith("xl/worksheets/_rels/")]
        for name in external:
            assert b"example.com" not in zf.read(name)


def test_text_over_excels_limit_is_cut_with_a_marker(result: ConsolidationResult, tmp_path: Path) -> None:
    """A 100,000-character commentary is cut to fit a cell, with a visible marker. The warning
    that says so is validation's (see test_validation and test_hostile): the workbook logs the
    report's records and adds none of its own."""
    long = with_commentary(result, {"4.4": "x" * 100_000})
    out = write_workbook(long, tmp_path / "long.xlsx")
    wb = load_workbook(out)
    ids = table_cells(wb["Appendix 3"], "Appendix3", "ID")
    commentary = table_cells(wb["Appendix 3"], "Appendix3", "Commentary")
    cell = next(c for i, c in zip(ids, commentary, strict=True) if i.value == "4.4")
    assert len(cell.value) <= EXCEL_CELL_LIMIT
    assert cell.value.endswith("… [cut: 100,000 characters in the return]")
    assert cell.value.startswith("x" * 32_000)
    logged = sum(1 for row in wb["Validation log"].iter_rows() for c in row if c.value == "text-too-long")
    assert logged == 0 and len(result.report.records) == len(long.report.records)


def test_two_writes_are_byte_identical(result: ConsolidationResult, tmp_path: Path) -> None:
    """The same inputs give the same workbook, byte for byte."""
    first = write_workbook(result, tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)  # a clock-dependent timestamp would differ now
    second = write_workbook(result, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_a_failed_write_leaves_the_earlier_file(result: ConsolidationResult, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails halfway leaves the earlier workbook intact and no temporary file."""
    out = write_workbook(result, tmp_path / "out.xlsx", title="Earlier")
    before = out.read_bytes()

    def broken(self: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook._Report, "appendix3", broken)
    with pytest.raises(RuntimeError):
        write_workbook(result, out)
    monkeypatch.undo()

    def failing_disk(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(workbook.os, "fsync", failing_disk)
    with pytest.raises(OutputError, match="I/O error"):
        write_workbook(result, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def _slow_write(result: ConsolidationResult, path: str, started: Any) -> None:
    """Run in a child process: write, but stop for ever halfway (after the Summary)."""
    original = workbook._Report.appendix1

    def stall(self: Any) -> None:
        original(self)
        started.set()
        time.sleep(600)

    workbook._Report.appendix1 = stall  # type: ignore[method-assign]
    write_workbook(result, path)


def test_killing_a_write_halfway_leaves_the_earlier_file(result: ConsolidationResult,
                                                         tmp_path: Path) -> None:
    """Killing a run while it writes leaves the earlier workbook at that path byte for byte."""
    out = write_workbook(result, tmp_path / "out.xlsx", title="Earlier")
    before = out.read_bytes()
    ctx = multiprocessing.get_context("fork")
    started = ctx.Event()
    child = ctx.Process(target=_slow_write, args=(result, str(out), started))
    child.start()
    try:
        assert started.wait(60), "the child never reached the middle of the write"
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.join(30)
    assert child.exitcode == -signal.SIGKILL
    assert out.read_bytes() == before
    assert all(p.name == "out.xlsx" or p.name.startswith(".") for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.csv", "must end in .xlsx"),
        ("missing-folder/report.xlsx", "does not exist"),
    ],
)
def test_bad_output_paths_are_refused(result: ConsolidationResult, tmp_path: Path, name: str,
                                      message: str) -> None:
    """An output that is not .xlsx or whose folder is missing is refused with a clear message."""
    with pytest.raises(OutputError, match=message):
        write_workbook(result, tmp_path / name)


def test_an_input_is_never_overwritten(result: ConsolidationResult) -> None:
    """An output path equal to one of the returns read is refused, and the return is untouched."""
    source = Path(str(result.sources["file"].iloc[0]))
    before = source.read_bytes()
    with pytest.raises(OutputError, match="is one of the inputs"):
        write_workbook(result, source)
    assert source.read_bytes() == before


def test_fit_text_marks_the_cut() -> None:
    """Text within the limit is unchanged; longer text ends with the marker and fits exactly."""
    assert workbook.fit_text("short") == ("short", 5)
    text, kept = workbook.fit_text("é" * 40_000)
    assert kept < 40_000 and len(text) <= EXCEL_CELL_LIMIT
    assert text.endswith("[cut: 40,000 characters in the return]")
    emoji, _ = workbook.fit_text("😀" * 20_000)  # two UTF-16 units each, as Excel counts
    assert len(emoji.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT


def test_no_formula_anywhere(written: Path) -> None:
    """The workbook holds values only: no cell anywhere is a formula."""
    with zipfile.ZipFile(written) as zf:
        for name in zf.namelist():
            if re.match(r"xl/worksheets/sheet\d+\.xml$", name):
                assert b"<f>" not in zf.read(name), name
