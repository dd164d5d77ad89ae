"""Render the pictures in docs/images/ from the current sample workbooks.

Consolidates the sample returns into a workbook, writes a feedback copy for one return with a
mistake and a blank template, prints them to PDF with LibreOffice, finds the page of each sheet
shown in the docs by its title, and saves that page as a PNG (cropped to what is printed on it).
Needs `soffice` (LibreOffice) and `pdftoppm` / `pdftotext` (poppler-utils) on the PATH.

    python scripts/render_docs_images.py                 # rewrites docs/images/
    python scripts/render_docs_images.py --out-dir DIR   # writes the same files under DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import rbwm_pmf as pmf

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_workbooks"
OUT_DIR = REPO / "docs" / "images"
DPI = 60
MARGIN_PT = 14  # white space kept above and below the printed content when a page is cut
FOOTER_PT = 45  # the band at the foot of a page that holds the footer (left out of crops)
GENERATED = dt.datetime(2017, 10, 2, 9, 0, 0)


@dataclass(frozen=True)
class Shot:
    """One picture: which workbook, the page whose first line matches `title`, how to render it."""

    name: str
    source: str  # workbook, feedback, return, template
    title: str  # regular expression for the first line of text on the page
    dpi: int = DPI
    crop: bool = True


IMAGES = [
    Shot("workbook-summary.png", "workbook", r"^Summary of performance at "),
    Shot("workbook-appendix-1.png", "workbook", r"^Appendix 1: ", crop=False),
    Shot("workbook-appendix-3.png", "workbook", r"^Appendix 3: ", crop=False),
    Shot("workbook-appendix-4.png", "workbook", r"^Appendix 4: "),
    Shot("workbook-return-tracker.png", "workbook", r"^Return tracker"),
    Shot("feedback-issues.png", "feedback", r"^Problems found in ", dpi=110),
    Shot("feedback-return.png", "feedback", r": performance return for ", dpi=90),
    Shot("template-instructions.png", "template", r": quarterly performance return, ", dpi=80),
    Shot("template-return.png", "template", r": performance return for ", dpi=90),
    Shot("return-filled.png", "return", r": performance return for ", dpi=90),
    Shot("template-checking.png", "filled", r": performance return for ", dpi=90),
    Shot("appendix1-history.png", "history", r"^Appendix 1: ", crop=False),
    Shot("appendix4-trend.png", "history", r"^Table 4c"),
]
WHOLE = {"workbook": "workbook-page", "document": "document-page"}  # every page of these, whole

FEEDBACK_FOR = SAMPLES / "with_mistakes" / "2017-18-Q2-ASC-text-in-actual.xlsx"
FILLED_RETURN = SAMPLES / "returns" / "2017-18-Q2" / "2017-18-Q2-ASC-adult-social-care.xlsx"


def _filled_with_amber_and_red(template: Path, out: Path) -> Path:
    """Adult Social Care's template as an owner part-way through: one indicator Green, one Amber
    without its mitigation yet, one Red explained, one still blank; the rest Green."""
    from openpyxl import load_workbook

    fw = pmf.load_framework()
    wb = load_workbook(template)
    ws = wb["Return"]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Indicator ID")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    wanted = ["Green", "Amber", "Red", None]  # None: left blank
    indicators = [i for i in fw.indicators_of("ASC") if i.is_due(2) and not i.data_only]
    for n, ind in enumerate(indicators):
        row = next(r for r in range(header + 1, ws.max_row + 1)
                   if str(ws.cell(r, cols["Indicator ID"]).value) == ind.id)
        status = wanted[n] if n < len(wanted) else "Green"
        if status is None:
            continue
        target = ind.target(2) or 0
        worse = -1 if ind.polarity == "higher" else 1
        value = next(v for v in (target * (1 + worse * k) for k in (0, 0.01, 0.03, 0.3, 0.6))
                     if pmf.rate(ind, 2, round(v, 1)).status == status)
        value = round(value, 1)
        ws.cell(row, cols["Actual"]).value = value / 100 if ind.unit == "percent" else value
        if status != "Green" or n == 0:
            ws.cell(row, cols["Commentary"]).value = (
                "Two reviewing officers left in the summer; cases waited longer for review."
                if status != "Green" else "On target, as in Q1.")
        if status == "Red":
            ws.cell(row, cols["Mitigation actions"]).value = (
                "Two agency reviewers start in October; weekly progress report to the director.")
    wb.save(out)
    return out


def make_workbooks(work: Path) -> dict[str, Path]:
    """The workbooks to print: the consolidated sample, a feedback copy, a template, a return, a
    template part-filled, and the report's Word document."""
    # The Cabinet report's quarter: its Q1 and Q2 returns (the samples hold later quarters too).
    quarters = [SAMPLES / "returns" / "2017-18-Q1", SAMPLES / "returns" / "2017-18-Q2"]
    result = pmf.consolidate(quarters, period="2017-18-Q2")
    workbook = result.write(work / "workbook.xlsx")
    # Two years on, with the 2016/17 outturn in a history store: every history feature.
    store = work / "history.sqlite"
    pmf.import_history(SAMPLES / "history" / "2016-17-outturn.csv", store)
    history = pmf.consolidate(SAMPLES / "returns", period="2018-19-Q2", history=store)
    history_book = history.write(work / "history.xlsx")
    document = result.write_docx(work / "document.docx")
    report = pmf.validate(FEEDBACK_FOR)
    [written] = pmf.write_feedback(report, work / "feedback")
    feedback = shutil.copy(written, work / "feedback.xlsx")
    [template] = pmf.make_templates(None, "2017-18-Q2", work / "template", owners=["ASC"],
                                    generated=GENERATED)
    return {
        "workbook": workbook,
        "history": history_book,
        "feedback": Path(feedback),
        "template": Path(shutil.copy(template, work / "template.xlsx")),
        "return": Path(shutil.copy(FILLED_RETURN, work / "return.xlsx")),
        "filled": _filled_with_amber_and_red(template, work / "filled.xlsx"),
        "document": document,
    }


# LibreOffice recalculates every formula of an .xlsx file it opens ("Recalculation on File Load":
# Always): a template filled in by a script has no saved results for its Status column.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def to_pdf(books: list[Path], work: Path) -> None:
    """Print every workbook to PDF beside it, with a LibreOffice profile of its own."""
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
    try:
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}",
             "--convert-to", "pdf", "--outdir", str(work), *map(str, books)],
            check=True, capture_output=True, timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for book in books:
        if not book.with_suffix(".pdf").exists():
            raise SystemExit(f"LibreOffice did not print {book.name} to PDF.")


@dataclass(frozen=True)
class Page:
    number: int
    width: float  # points
    height: float
    words: list[tuple[float, float, float, float, str]]  # xMin, yMin, xMax, yMax, text

    @property
    def first_line(self) -> str:
        if not self.words:
            return ""
        top = min(w[1] for w in self.words)
        line = sorted((w for w in self.words if abs(w[1] - top) < 2), key=lambda w: w[0])
        return " ".join(w[4] for w in line)


def pages(pdf: Path) -> list[Page]:
    """Every page of a PDF with the position of each word on it (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    body = html[html.index("<doc>"): html.index("</doc>") + len("</doc>")]
    found = []
    for n, page in enumerate(ElementTree.fromstring(body), start=1):
        words = [
            (float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)),
             float(w.get("yMax", 0)), w.text or "")
            for w in page
        ]
        found.append(Page(n, float(page.get("width", 0)), float(page.get("height", 0)), words))
    return found


def find_page(all_pages: list[Page], title: str, pdf: Path) -> Page:
    """The first page whose first line of text matches `title`: the first page of that sheet."""
    for page in all_pages:
        if re.search(title, page.first_line):
            return page
    lines = "\n".join(f"  page {p.number}: {p.first_line}" for p in all_pages)
    raise SystemExit(f"No page of {pdf.name} starts with /{title}/. First lines:\n{lines}")


def render(pdf: Path, page: Page, shot: Shot, out: Path) -> None:
    """One page as a PNG, cut (when asked) to the rows printed on it, without the footer.

    Only the top and bottom are cut: table borders and fills reach past the text, so the full
    width of the page is kept."""
    args = ["pdftoppm", "-png", "-r", str(shot.dpi), "-f", str(page.number), "-l", str(page.number),
            "-singlefile"]
    if shot.crop:
        body = [w for w in page.words if w[3] < page.height - FOOTER_PT] or page.words
        top = max(0.0, min(w[1] for w in body) - MARGIN_PT)
        bottom = min(page.height, max(w[3] for w in body) + MARGIN_PT)
        scale = shot.dpi / 72
        args += ["-x", "0", "-y", str(int(top * scale)),
                 "-W", str(int(page.width * scale)), "-H", str(int((bottom - top) * scale))]
    stem = out.with_suffix("")
    subprocess.run([*args, str(pdf), str(stem)], check=True, capture_output=True)
    if not out.exists() or out.stat().st_size == 0:
        raise SystemExit(f"pdftoppm wrote nothing for {out.name}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where to write the PNGs")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not on the PATH: apt-get install libreoffice-calc-nogui "
                             "poppler-utils")
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        books = make_workbooks(work)
        to_pdf(list(books.values()), work)
        printed = {source: book.with_suffix(".pdf") for source, book in books.items()}
        parsed = {source: pages(pdf) for source, pdf in printed.items()}
        for shot in IMAGES:
            pdf = printed[shot.source]
            page = find_page(parsed[shot.source], shot.title, pdf)
            render(pdf, page, shot, out_dir / shot.name)
            print(f"{out_dir / shot.name}  ({shot.source}, page {page.number})")
        # Every page of the workbook and of the Word document, whole, to look at.
        for source, stem in WHOLE.items():
            for old in out_dir.glob(f"{stem}-*.png"):
                old.unlink()
            for page in parsed[source]:
                shot = Shot(f"{stem}-{page.number:02d}.png", source, "", dpi=50, crop=False)
                render(printed[source], page, shot, out_dir / shot.name)
                print(f"{out_dir / shot.name}  ({source}, page {page.number})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
