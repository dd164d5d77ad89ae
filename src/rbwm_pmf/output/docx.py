"""The Cabinet report's sentences and tables as a Word document, written with python-docx: the
Report Summary (with last year's position and the year end, when known), the position with
shares, Table 1, the key implications, the year-end table at the fourth quarter and Appendices 1
to 3, ready to paste into a council's report template.

The document uses Word's own styles (Title, Heading 1 and 2, Caption, Table Grid), so pasted
parts take on the report template's look. It is accessible (headings, header rows marked and
repeated on each page, RAG as a word with colour as emphasis, title and language set), holds
text only (no fields, links or formulas), and is the same, byte for byte, for the same inputs."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from rbwm_pmf.consolidation.records import DataRow
from rbwm_pmf.model.status import AMBER, NO_DATA, RED, DataStatus
from rbwm_pmf.model.summary import RATED, TOTAL, printed_columns, total_label
from rbwm_pmf.model.values import is_missing
from rbwm_pmf.output.files import write_replacing
from rbwm_pmf.output.sheets import FORMATS, RAG_FORMATS, number
from rbwm_pmf.output.text import arial_width
from rbwm_pmf.output.workbook import (
    DIRECTION_TEXT,
    LANGUAGE,
    NO_PANEL,
    check_output,
    data_rows,
    met_text,
    report_label,
)

if TYPE_CHECKING:
    from rbwm_pmf.consolidation.result import ConsolidationResult

__all__ = ["write_docx"]

# A zip entry's time when the document is saved: fixed, so the same inputs give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# XML 1.0 cannot hold these characters (text from a return might): each becomes U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TABLE_TEXT = 9.0  # points: the appendices' tables are wide, so smaller than the body text
_TABLE_1_TEXT = 10.0
_CELL_MARGINS = 12.0  # points of a cell's width that text never uses (Table Grid's margins)
_FONT = "Arial"
_MARGIN = Mm(20)  # of every page: A4, portrait for the body, landscape for the appendices
_RAG = {str(status): fmt for status, fmt in RAG_FORMATS.items()}


@dataclass(frozen=True)
class _Col:
    """A column of a Word table: its header, how its text is found in a record, its share of
    the table's width (relative to the other columns), and whether it holds numbers (aligned
    right) or RAG words (shaded by the word)."""

    header: str
    text: Callable[[Any], str]
    width: float = 1.0
    right: bool = False
    rag: bool = False


def write_docx(
    result: ConsolidationResult,
    path: str | Path,
    *,
    report_date: dt.date | None = None,
    title: str | None = None,
) -> Path:
    """Write the report's sentences and tables to `path` (a .docx file) and return its path.

    The report date (default: the last day of the period, never today) dates the document, so
    the same inputs give the same bytes. The file is written under a temporary name and renamed:
    a failure leaves nothing partial and any earlier document as it was (OutputError says why).
    """
    out = check_output(result, Path(path), ".docx", "the report's tables are a Word document")
    date = report_date or result.period.end_date
    doc_title = title or f"Council performance: {report_label(result)}"
    document = _Report(result, date, doc_title).build()
    raw = io.BytesIO()
    document.save(raw)
    write_replacing(out, lambda stream: _fixed_zip(raw.getvalue(), stream))
    return out


def _fixed_zip(data: bytes, stream: BinaryIO) -> None:
    """Copy a saved document's parts, in order, with a fixed time on every zip entry."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(stream, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info))


def _text(value: Any) -> str:
    """A value as document text: nothing for a missing value, characters XML cannot hold
    replaced."""
    return "" if is_missing(value) else _NOT_XML.sub("\ufffd", str(value))


def _number(value: Any, unit: str) -> str:
    """A number as the workbook shows it: 93.4%, 471,200, £1,234 or 4.4."""
    real = number(value)
    if real is None:
        return ""
    if unit == "percent":
        return f"{real:.1f}%"
    if unit == "count":
        return f"{real:,.0f}"
    if unit == "currency":
        return f"£{real:,.0f}"
    text = f"{real:,.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class _Report:
    """Builds the document of one ConsolidationResult."""

    def __init__(self, result: ConsolidationResult, date: dt.date, title: str) -> None:
        self.result = result
        self.fw = result.framework
        self.period = result.period
        self.date = date
        self.title = title
        self.doc: Any = docx.Document()
        self.tables = 0
        self.text_width = Mm(210) - 2 * _MARGIN

    def build(self) -> Any:
        self._properties()
        self._styles()
        self._page(self.doc.sections[0], landscape=False)
        d, said = self.doc, self.result.sentences
        d.add_heading(self.title, level=0)
        d.add_paragraph(f"{self.fw.council}, {self.fw.name}, {report_label(self.result)}.")
        self._heading("Report summary", 1)
        d.add_paragraph(_text(said.paragraph))
        self._heading("Performance by strategic priority", 1)
        d.add_paragraph(_text(said.position))
        self.table1()
        d.add_paragraph(_text(said.appendix3))
        self.key_implications()
        if self.result.year_end is not None:
            self.year_end(self.result.year_end)
        self._landscape()
        self.appendix1()
        self.appendix2()
        self.appendix3()
        return d

    # -- the document ---------------------------------------------------------------------

    def _properties(self) -> None:
        core = self.doc.core_properties
        when = dt.datetime.combine(self.date, dt.time())
        core.title = self.title
        core.subject = f"{self.fw.name}: RAG status of key indicators at {self.period.end_text}"
        core.author = self.fw.council or self.fw.contact_name
        core.last_modified_by = core.author
        core.category = "Performance report"
        core.keywords = "performance, RAG, key indicators, Council Plan"
        core.comments = (f"{self.fw.id} version {self.fw.version}, {self.period.label}: the report's "
                         "sentences and tables.")
        core.language = LANGUAGE
        core.created = core.modified = core.last_printed = when
        core.revision = 1
        # The language of the text itself, for spelling and screen readers.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        lang.set(qn("w:val"), LANGUAGE)
        # python-docx's template carries a thumbnail picture of its own: not this document's.
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype.endswith("/thumbnail"):
                del package.rels[rid]

    def _styles(self) -> None:
        """Arial, a clear sans serif, for the text and headings (pasted into a report, the parts
        take on the report's own styles of the same names)."""
        for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
            fonts = self.doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
            for attr in list(fonts.attrib):
                if attr.endswith("Theme"):
                    del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attr), _FONT)

    def _page(self, section: Any, *, landscape: bool) -> None:
        """An A4 page, landscape for the appendices: their tables are wide."""
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, _MARGIN)
        self.text_width = section.page_width - 2 * _MARGIN

    def _landscape(self) -> None:
        self._page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)

    def _heading(self, text: str, level: int, *, new_page: bool = False) -> None:
        """A heading kept on the page of what follows it (an appendix starts a page)."""
        heading = self.doc.add_heading(_text(text), level=level)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.page_break_before = new_page or None

    def _caption(self, text: str) -> None:
        """A table's caption, kept on the page of its table."""
        caption = self.doc.add_paragraph(_text(text), style="Caption")
        caption.paragraph_format.keep_with_next = True

    def _table(self, columns: Sequence[_Col], records: Iterable[Any], caption: str, *,
               bold_last: bool = False, size: float = 11) -> None:
        """A Word table under its caption, its text `size` points: a header row marked as such
        (repeated on every page and read as headers), one row per record, RAG cells shaded by
        their word. Raises ValueError if a header word is wider than its column."""
        self._caption(caption)
        rows = list(records)
        table = self.doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        total = sum(col.width for col in columns)
        widths = [int(self.text_width * col.width / total) for col in columns]
        for column, col, width in zip(table.columns, columns, widths, strict=True):
            column.width = width
            room = Emu(width).pt - _CELL_MARGINS
            wide = [w for w in col.header.split() if arial_width(w, bold=True, size=size) > room]
            if wide:
                raise ValueError(f"the header word {wide[0]!r} does not fit column {col.header!r}")
        self.tables += 1
        _describe(table, caption)
        header = table.rows[0]
        _mark_header(header)
        for cell, col, width in zip(header.cells, columns, widths, strict=True):
            cell.width = width
            _write(cell, col.header, bold=True, right=col.right, size=size)
            _shade(cell, "1F4E79")
            cell.paragraphs[0].runs[0].font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        for n, record in enumerate(rows, start=1):
            row = table.add_row()
            _keep_whole(row)
            bold = bold_last and n == len(rows)
            for cell, col, width in zip(row.cells, columns, widths, strict=True):
                cell.width = width
                text = col.text(record)
                _write(cell, text, bold=bold, right=col.right, size=size)
                fmt = _RAG.get(text) if col.rag else None
                if fmt:
                    _shade(cell, FORMATS[fmt]["bg_color"].lstrip("#"))
                    colour = FORMATS[fmt]["font_color"].lstrip("#")
                    cell.paragraphs[0].runs[0].font.color.rgb = RGBColor.from_string(colour)

    # -- the body ---------------------------------------------------------------------------

    def table1(self) -> None:
        t1, pct = self.result.table1, self.result.table1_shares
        columns = [_Col("Priority", lambda label: _text(label), 2.0)]
        for status in printed_columns(t1):
            if status == TOTAL:
                columns.append(_Col(total_label(t1), _count_text(t1, TOTAL), right=True))
                continue
            columns.append(_Col(str(status), _count_text(t1, str(status)), right=True))
            if status in RATED:
                columns.append(_Col(f"{status} (%)", _share_text(pct, str(status)), right=True))
        self._table(columns, list(t1.index),
                    f"Table 1: RAG status of indicators by priority at {self.period.end_text} "
                    "(number of indicators, and % of the priority's rated indicators)",
                    bold_last=True, size=_TABLE_1_TEXT)
        if self.result.shares:
            self.doc.add_paragraph("Percentages may not sum to 100 because of rounding.")

    def key_implications(self) -> None:
        key = self.result.key_implications
        self._heading("Key implications", 1)
        columns = [
            _Col("Outcome", lambda k: k.outcome, 3),
            _Col("Unmet", lambda k: k.unmet, 1.2),
            _Col("Met", lambda k: k.met, 1.2),
            _Col(f"Position at {self.period.end_text}", lambda k: k.position, 2.4),
        ]
        self._table(columns, [key], f"Key implications at {self.period.end_text}")
        self.doc.add_paragraph(f"A strategic priority is on target when {key.rule}; the outcome "
                               "is Met when every priority is on target, and Unmet otherwise.")

    def year_end(self, table: Any) -> None:
        """At the fourth quarter: each indicator's annual outturn against its annual target."""
        year = self.period.year_label
        self._heading("Year end", 1)
        if self.result.sentences.year_end:
            self.doc.add_paragraph(_text(self.result.sentences.year_end))

        columns = [
            _Col("ID", lambda r: _text(r.indicator_id), 0.6),
            _Col("Indicator", lambda r: _text(r.indicator), 4),
            _Col("Annual outturn", lambda r: _number(r.annual_outturn, r.unit) or NO_DATA, 1.3,
                 right=True),
            _Col("Annual target", lambda r: _number(r.annual_target, r.unit) or "No target", 1.3,
                 right=True),
            _Col("Met annual target", met_text, 1.3),
            _Col("RAG status (year end)", lambda r: _text(r.status), 1.3, rag=True),
        ]
        self._table(columns, list(table.itertuples(index=False, name="Row")),
                    f"Year end {year}: annual outturn against annual target, by indicator",
                    size=_TABLE_TEXT)
        self.doc.add_paragraph("The annual outturn is the value at the year end (the year's total for "
                               "a cumulative measure); the annual target is the fourth quarter's.")

    # -- the appendices -----------------------------------------------------------------------

    def _actual(self, row: DataRow) -> str:
        if row.data_status == DataStatus.EXPLAINED and number(row.actual) is None:
            return str(DataStatus.EXPLAINED)
        return _number(row.actual, row.unit) or NO_DATA

    def _target(self, row: DataRow) -> str:
        text = _number(row.target, row.unit)
        if text:
            return text
        ind = self.fw.indicator(str(row.indicator_id))
        if ind is not None and ind.data_only:
            return "No target (data only)"
        return str(DataStatus.NOT_DUE) if row.data_status == DataStatus.NOT_DUE else "No target"

    def _quarter_actual(self, quarter: int) -> Callable[[tuple[DataRow, dict[int, DataRow]]], str]:
        def text(pair: tuple[DataRow, dict[int, DataRow]]) -> str:
            then = pair[1][quarter]
            if then.data_status == DataStatus.NOT_DUE:
                return str(DataStatus.NOT_DUE)
            return self._actual(then)
        return text

    def appendix1(self) -> None:
        p = self.period
        self._heading(f"Appendix 1: full schedule of indicators, {p.label}", 1)
        data = self.result.data
        by_quarter: dict[str, dict[int, DataRow]] = {}
        for row in data_rows(data):
            by_quarter.setdefault(str(row.indicator_id), {})[int(row.quarter)] = row
        quarters = [q.quarter for q in p.year_to_date()]
        now = [(row, by_quarter[str(row.indicator_id)]) for row in data_rows(self.result.current)]

        def field(name: str) -> Callable[[tuple[DataRow, Any]], str]:
            return lambda pair: _text(getattr(pair[0], name))

        columns = [
            _Col("Priority", field("priority"), 1.7),
            _Col("ID", field("indicator_id"), 0.7),
            _Col("Indicator", field("indicator"), 3.2),
            _Col("Owner", field("owner"), 1.6),
            _Col("Unit", field("unit_label"), 1.2),
            *[_Col(f"Q{q} actual", self._quarter_actual(q), 1.1, right=True) for q in quarters],
            _Col(f"Target (Q{p.quarter})", lambda pair: self._target(pair[0]), 1.1, right=True),
            _Col(f"RAG status (Q{p.quarter})", field("status"), 1.1, rag=True),
            _Col("Reason", field("reason"), 2.8),
            _Col("Direction of travel",
                 lambda pair: DIRECTION_TEXT.get(pair[0].direction, _text(pair[0].direction)),
                 1.4),
        ]
        self._table(columns, now, f"Appendix 1: every indicator at {p.end_text}, in register order",
                    size=_TABLE_TEXT)

    def _current_columns(self) -> list[_Col]:
        q = self.period.quarter
        return [
            _Col("ID", lambda r: _text(r.indicator_id), 0.6),
            _Col("Indicator", lambda r: _text(r.indicator), 4),
            _Col("Owner", lambda r: _text(r.owner), 2),
            _Col("Unit", lambda r: _text(r.unit_label), 1.2),
            _Col(f"Actual (Q{q})", self._actual, 1.1, right=True),
            _Col(f"Target (Q{q})", self._target, 1.1, right=True),
            _Col(f"RAG status (Q{q})", lambda r: _text(r.status), 1.1, rag=True),
            _Col("Direction of travel", lambda r: DIRECTION_TEXT.get(r.direction, _text(r.direction)),
                 1.4),
        ]

    def appendix2(self) -> None:
        p = self.period
        self._heading(f"Appendix 2: indicators by Overview and Scrutiny panel, {p.label}", 1,
                      new_page=True)
        by_panel: dict[str, list[DataRow]] = {}
        for row in data_rows(self.result.current):
            by_panel.setdefault(_text(row.panel) or NO_PANEL, []).append(row)
        names = [panel.name for panel in self.fw.panels]
        names += sorted((n for n in by_panel if n not in names), key=lambda n: n == NO_PANEL)
        for name in names:
            rows = by_panel.get(name)
            if not rows:
                continue
            noun = "indicator" if len(rows) == 1 else "indicators"
            self._heading(name, 2)
            self._table(self._current_columns(), rows, f"{_text(name)} ({len(rows)} {noun})",
                        size=_TABLE_TEXT)

    def appendix3(self) -> None:
        p = self.period
        self._heading(f"Appendix 3: commentary and mitigation for Amber and Red indicators, {p.label}",
                      1, new_page=True)
        current = self.result.current
        off = list(data_rows(current[current["status"].isin([AMBER, RED])]))
        if not off:
            self.doc.add_paragraph(f"No indicator was rated Amber or Red at {p.end_text}.")
            return
        q = p.quarter
        columns = [
            _Col("ID", lambda r: _text(r.indicator_id), 0.6),
            _Col("Indicator", lambda r: _text(r.indicator), 2.2),
            _Col("Owner", lambda r: _text(r.owner), 1.4),
            _Col("RAG status", lambda r: _text(r.status), 1, rag=True),
            _Col(f"Actual (Q{q})", self._actual, 1, right=True),
            _Col(f"Target (Q{q})", self._target, 1, right=True),
            _Col("Reason", lambda r: _text(r.reason), 2),
            _Col("Commentary", lambda r: _text(r.commentary), 3.6),
            _Col("Mitigation actions", lambda r: _text(r.mitigation), 3.6),
        ]
        self._table(columns, off, f"Commentary and mitigation actions at {p.end_text}, as returned "
                    "by each indicator's owner", size=_TABLE_TEXT)


# -- cells and rows ---------------------------------------------------------------------------

def _count_text(t1: Any, column: str) -> Callable[[Any], str]:
    return lambda label: f"{int(t1.loc[label, column]):,}"


def _share_text(shares: Any, column: str) -> Callable[[Any], str]:
    def text(label: Any) -> str:
        value = shares.loc[label, column]
        return "None rated" if is_missing(value) else f"{int(value)}%"
    return text


def _write(cell: Any, text: str, *, bold: bool = False, right: bool = False,
           size: float = 11) -> None:
    """Put `text` in a table cell as one run of plain text (a line break stays a line break)."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(_text(text))
    run.bold = bold or None
    run.font.size = Pt(size)


def _shade(cell: Any, fill: str) -> None:
    """Fill a cell with a colour (emphasis only: the cell's word carries the meaning)."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _mark_header(row: Any) -> None:
    """Mark a table's first row as its header: Word repeats it on every page and screen readers
    read it as the column headers."""
    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:tblHeader"))
    _keep_whole(row)


def _keep_whole(row: Any) -> None:
    """Never split a row across two pages."""
    props = row._tr.get_or_add_trPr()
    props.insert(0, OxmlElement("w:cantSplit"))


def _describe(table: Any, caption: str) -> None:
    """Give a table its caption as alternative text (Word's Table Properties, Alt Text)."""
    props = table._tbl.tblPr
    title = OxmlElement("w:tblCaption")
    title.set(qn("w:val"), _text(caption)[:255])
    props.append(title)
