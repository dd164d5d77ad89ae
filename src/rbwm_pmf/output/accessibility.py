"""A read-back check of a written workbook against the accessibility rules a machine can check:
titles in A1, Excel Tables with one header row, no merged cells, no blank rows inside tables,
document title and language, alt text on every chart, and a word in every RAG cell."""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from rbwm_pmf.model.status import STATUSES

__all__ = ["chart_alt_texts", "check_workbook", "drawing_objects"]

RAG_HEADER = "RAG status"  # every column whose header starts with this holds RAG words

_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
_DRAWING_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"


def check_workbook(path: str | Path) -> list[str]:
    """Problems with the workbook at `path`, as sentences; an empty list means it passes."""
    problems: list[str] = []
    with warnings.catch_warnings():
        # openpyxl does not read sparklines (Appendix 1 has them) and says so; nothing checked
        # here is in them.
        warnings.filterwarnings("ignore", "Sparkline Group extension is not supported")
        wb = load_workbook(path)
    try:
        props = wb.properties
        if not (props.title or "").strip():
            problems.append("The document title is not set (File > Info > Properties > Title).")
        if not (props.language or "").strip():
            problems.append("The document language is not set.")
        for ws in wb.worksheets:
            problems.extend(_check_sheet(ws))
    finally:
        wb.close()
    for sheet, objects in drawing_objects(path).items():
        for n, (kind, text) in enumerate(objects, start=1):
            if not text.strip():
                problems.append(f"{sheet}: {kind} {n} has no alt text (description).")
    return problems


def _check_sheet(ws: Any) -> list[str]:
    problems: list[str] = []
    name = ws.title
    title = ws["A1"].value
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{name}: cell A1 does not hold the sheet's title.")
    if ws.merged_cells.ranges:
        cells = ", ".join(str(r) for r in ws.merged_cells.ranges)
        problems.append(f"{name}: merged cells ({cells}); unmerge them.")
    for table in ws.tables.values():
        problems.extend(_check_table(ws, table))
    return problems


def _check_table(ws: Any, table: Any) -> list[str]:
    problems: list[str] = []
    where = f"{ws.title}: table {table.displayName} ({table.ref})"
    bounds = range_boundaries(table.ref)
    if None in bounds:
        return [f"{where} does not cover a range of cells."]
    min_col, min_row, max_col, max_row = (int(b or 0) for b in bounds)
    header_rows = 1 if table.headerRowCount is None else int(table.headerRowCount)
    if header_rows != 1:
        problems.append(f"{where} has {header_rows} header rows, not one.")
    if table.totalsRowCount:
        problems.append(f"{where} has a totals row; write totals as an ordinary last row.")
    if min_col != 1:
        problems.append(f"{where} does not start in column A.")
    if min_row < 2:
        problems.append(f"{where} starts in row 1, where the sheet's title belongs.")
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    for c, header in enumerate(headers, start=min_col):
        if not isinstance(header, str) or not header.strip():
            problems.append(f"{where}: the header in column {c} is empty.")
    if header_rows != 1:
        return problems
    rag_cols = [c for c, h in enumerate(headers, start=min_col)
                if isinstance(h, str) and h.startswith(RAG_HEADER)]
    for r in range(min_row + 1, max_row + 1):
        values = [ws.cell(r, c).value for c in range(min_col, max_col + 1)]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            problems.append(f"{where}: row {r} is blank; remove blank rows inside tables.")
            continue
        for c in rag_cols:
            value = ws.cell(r, c).value
            if value not in STATUSES:
                problems.append(f"{where}: {ws.cell(r, c).coordinate} holds {value!r}, not a RAG "
                                f"word ({', '.join(STATUSES)}).")
    return problems


def chart_alt_texts(path: str | Path) -> dict[str, list[str]]:
    """The alt text (descr) of every chart, by sheet name, in drawing order."""
    out: dict[str, list[str]] = {}
    for sheet, objects in drawing_objects(path).items():
        texts = [descr for kind, descr in objects if kind == "chart"]
        if texts:
            out[sheet] = texts
    return out


def drawing_objects(path: str | Path) -> dict[str, list[tuple[str, str]]]:
    """Every drawing object (chart, picture or shape) by sheet name, with its alt text.

    openpyxl does not read charts, so the drawing parts are read from the zip.
    """
    kinds = {"graphicFrame": "chart", "pic": "picture", "sp": "shape", "grpSp": "group",
             "cxnSp": "connector"}
    out: dict[str, list[tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        book_rels = _rels(zf, "xl/_rels/workbook.xml.rels")
        for sheet in book.iterfind("main:sheets/main:sheet", _NS):
            target = book_rels.get(sheet.get(f"{{{_NS['r']}}}id", ""), ("", ""))[1]
            sheet_part = posixpath.normpath(posixpath.join("xl", target))
            rels_part = posixpath.join(posixpath.dirname(sheet_part), "_rels",
                                       posixpath.basename(sheet_part) + ".rels")
            if rels_part not in names:
                continue
            for rel_type, drawing in _rels(zf, rels_part).values():
                if rel_type != _DRAWING_TYPE:
                    continue
                part = posixpath.normpath(posixpath.join(posixpath.dirname(sheet_part), drawing))
                root = ElementTree.fromstring(zf.read(part))
                for anchor in root:
                    for child in anchor:
                        kind = kinds.get(child.tag.rsplit("}", 1)[-1])
                        if kind is None:
                            continue
                        props = child.find(".//xdr:cNvPr", _NS)
                        descr = props.get("descr", "") if props is not None else ""
                        out.setdefault(str(sheet.get("name")), []).append((kind, descr))
    return out


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    root = ElementTree.fromstring(zf.read(part))
    return {
        str(rel.get("Id")): (str(rel.get("Type")), str(rel.get("Target")))
        for rel in root.iterfind("rel:Relationship", _NS)
    }
