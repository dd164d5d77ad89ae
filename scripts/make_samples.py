"""Regenerate the sample workbooks in sample_workbooks/ from the packaged RBWM 2017/18 register.

    python scripts/make_samples.py [--out DIR]

Writes, under DIR (default: sample_workbooks/ in the repository):

* register/: the packaged register as Excel (write_register_xlsx) and as YAML;
* returns/2017-18-Q1/ and returns/2017-18-Q2/: every owner's template for the quarter, filled in
  as the owner would, from scripts/sample_values.csv (actuals, commentary, mitigation actions);
* with_mistakes/: copies of Q2 returns, each carrying one mistake owners really make, with a
  README.md listing the cells and rule codes validation must report;
* README.md: what each folder holds.

The run is deterministic: templates are generated with fixed times, each saved workbook gets
fixed document times and zip timestamps, so running it twice gives identical bytes.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import io
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.register.load import DEFAULT_REGISTER, load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.template.write import make_templates, write_register_xlsx

REPO = Path(__file__).resolve().parents[1]
VALUES = Path(__file__).resolve().with_name("sample_values.csv")
DEFAULT_OUT = REPO / "sample_workbooks"

# When the performance team generated each quarter's templates (also used as the owners' save
# time, so the files do not depend on the clock).
GENERATED = {
    "2017-18-Q1": dt.datetime(2017, 7, 3, 9, 0, 0),
    "2017-18-Q2": dt.datetime(2017, 10, 2, 9, 0, 0),
}
REGISTER_XLSX = "rbwm-2017-18-register.xlsx"
REGISTER_YAML = "rbwm-2017-18-register.yaml"
MISTAKES_PERIOD = "2017-18-Q2"
# Every zip member gets this timestamp (XlsxWriter's own choice for in-memory workbooks).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# -- the owners' figures ------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """What an owner types for one indicator in one quarter (actual as in the CSV, text)."""

    actual: str
    commentary: str
    mitigation: str


def read_values(path: Path = VALUES) -> dict[tuple[str, int], Entry]:
    """(indicator id, quarter) -> what the owner types; quarters without an actual are left out."""
    out: dict[tuple[str, int], Entry] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for q in (1, 2):
                actual = row[f"q{q}_actual"].strip()
                if actual:
                    out[(row["id"].strip(), q)] = Entry(
                        actual, row[f"q{q}_commentary"].strip(), row[f"q{q}_mitigation"].strip())
    return out


def typed_value(text: str, unit: str) -> float | int:
    """What Excel stores when the owner types `text` into the Actual cell.

    A percent cell stores 93.4 typed as 0.934 (Decimal, so the stored double is the nearest
    to 0.934, as Excel's own parse gives); other numbers are stored as typed."""
    number = Decimal(text)
    if unit == "percent":
        return float(number / 100)
    return int(number) if number == number.to_integral_value() else float(number)


# -- finding things in a Return sheet ------------------------------------------------------------

def find_header(ws: Worksheet) -> tuple[int, dict[str, int]]:
    """The header row (found by its labels, not assumed) and each label's column."""
    for row in ws.iter_rows(min_row=1, max_row=50):
        labels = {str(c.value).strip(): c.column for c in row if isinstance(c.value, str)}
        if layout.ID in labels and layout.ACTUAL in labels:
            return row[0].row, {h: labels[h] for h in layout.HEADERS if h in labels}
    raise SystemExit(f"{ws.title}: no header row with '{layout.ID}' and '{layout.ACTUAL}'")


def indicator_rows(ws: Worksheet, header_row: int, id_col: int) -> dict[str, int]:
    """Indicator id -> its row, for every table row below the header."""
    rows: dict[str, int] = {}
    for r in range(header_row + 1, ws.max_row + 1):
        value = ws.cell(r, id_col).value
        if value is not None and str(value).strip():
            rows[str(value).strip()] = r
    return rows


# -- saving deterministically --------------------------------------------------------------------

def save(wb: Workbook, path: Path, when: dt.datetime) -> Path:
    """Save with fixed document times and zip timestamps: the same content gives the same bytes.

    openpyxl stamps the current time into docProps/core.xml when it saves, whatever
    `properties.modified` says, so the saved part is corrected afterwards."""
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(freeze_zip(buffer.getvalue(), when))
    return path


def freeze_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an .xlsx archive with fixed member timestamps and document modified time."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", part)
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            zout.writestr(member, part)
    return out.getvalue()


# -- filling in a return as its owner would -------------------------------------------------------

def fill_return(
    template: Path, out: Path, fw: Framework, quarter: int, values: dict[tuple[str, int], Entry],
    when: dt.datetime,
) -> Path:
    """Type each due indicator's Actual, Commentary and Mitigation actions; leave not-due rows."""
    wb = load_workbook(template)
    ws = wb[layout.RETURN_SHEET]
    header_row, cols = find_header(ws)
    for ind_id, r in indicator_rows(ws, header_row, cols[layout.ID]).items():
        ind = fw.indicator(ind_id)
        if ind is None:
            raise SystemExit(f"{template.name}: row {r} has an unknown indicator {ind_id}")
        if not ind.is_due(quarter):
            continue
        entry = values.get((ind_id, quarter))
        if entry is None:
            raise SystemExit(f"{VALUES.name}: no Q{quarter} actual for indicator {ind_id}")
        ws.cell(r, cols[layout.ACTUAL]).value = typed_value(entry.actual, ind.unit)
        ws.cell(r, cols[layout.COMMENTARY]).value = entry.commentary or None
        ws.cell(r, cols[layout.MITIGATION]).value = entry.mitigation or None
    return save(wb, out, when)


# -- mistakes ------------------------------------------------------------------------------------

@dataclass
class Sheet:
    """An open Q2 return being spoilt: its Return sheet, header columns and indicator rows."""

    wb: Workbook
    ws: Worksheet
    header_row: int
    cols: dict[str, int]
    rows: dict[str, int]
    returns: Path  # the folder of good Q2 returns, to copy rows from

    def cell(self, label: str, ind_id: str) -> Any:
        return self.ws.cell(self.rows[ind_id], self.cols[label])

    def ref(self, label: str, ind_id: str) -> str:
        return f"{layout.RETURN_SHEET}!{get_column_letter(self.cols[label])}{self.rows[ind_id]}"


@dataclass(frozen=True)
class Mistake:
    """One owner's mistake: the file it goes in, what they did, and how to do it to a return.

    `apply` spoils the sheet and returns the problems validation must report: (cell, code)."""

    owner: str
    slug: str
    did: str
    apply: Callable[[Sheet], list[tuple[str, str]]]

    @property
    def file_name(self) -> str:
        return f"{MISTAKES_PERIOD}-{self.owner}-{self.slug}.xlsx"


def _na_in_actual(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.ACTUAL, "1.7").value = "n/a"
    s.cell(layout.COMMENTARY, "1.7").value = (
        "NHS England has not yet published the September delayed transfers of care data, so the "
        "Q2 figure is not available; it will be sent as soon as it is published.")
    return [(s.ref(layout.ACTUAL, "1.7"), "actual-not-a-number")]


def _thousands_as_text(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.ACTUAL, "2.3").value = "471,200"
    return [(s.ref(layout.ACTUAL, "2.3"), "actual-text-number")]


def _percent_text_in_percent(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.ACTUAL, "5.4").value = "94.8%"
    return [(s.ref(layout.ACTUAL, "5.4"), "actual-text-number")]


def _percent_text_in_count(s: Sheet) -> list[tuple[str, str]]:
    # The leisure contract manager gave attendances as a share of the year-to-date profile.
    s.cell(layout.ACTUAL, "2.4").value = "103%"
    return [(s.ref(layout.ACTUAL, "2.4"), "actual-not-a-number")]


def _blank_actual(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.ACTUAL, "3.3").value = None
    s.cell(layout.COMMENTARY, "3.3").value = None
    return [(s.ref(layout.ACTUAL, "3.3"), "actual-missing")]


def _blank_actual_explained(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.ACTUAL, "4.4").value = None
    s.cell(layout.COMMENTARY, "4.4").value = (
        "The cycle counter contractor has not yet sent the September counts, so the Q2 figure is "
        "not available; it will be reported at Q3.")
    s.cell(layout.MITIGATION, "4.4").value = None
    return [(s.ref(layout.ACTUAL, "4.4"), "actual-missing-explained")]


def _amber_without_mitigation(s: Sheet) -> list[tuple[str, str]]:
    s.cell(layout.MITIGATION, "4.3").value = None
    return [(s.ref(layout.MITIGATION, "4.3"), "mitigation-missing")]


def _target_edited(s: Sheet) -> list[tuple[str, str]]:
    # The owner unprotected the sheet and typed 85 over the 90% target (the cell is a percentage).
    s.ws.protection.sheet = False
    cell = s.cell(layout.TARGET, "5.3")
    cell.value = 0.85 if "%" in cell.number_format else 85
    return [(s.ref(layout.TARGET, "5.3"), "target-changed")]


def _row_from_other_owner(s: Sheet) -> list[tuple[str, str]]:
    # Revenues and Benefits pasted the contact centre's row (5.1) from Customer Services' return.
    source_path = next(s.returns.glob(f"{MISTAKES_PERIOD}-CUS-*.xlsx"))
    src_wb = load_workbook(source_path)
    src = src_wb[layout.RETURN_SHEET]
    src_header, src_cols = find_header(src)
    src_row = indicator_rows(src, src_header, src_cols[layout.ID])["5.1"]
    s.ws.protection.sheet = False
    target_row = max(s.rows.values()) + 1
    for label in layout.HEADERS:
        frm = src.cell(src_row, src_cols[label])
        to = s.ws.cell(target_row, s.cols[label])
        to.value = frm.value
        to.number_format = frm.number_format
        to.font, to.fill, to.border = copy.copy(frm.font), copy.copy(frm.fill), copy.copy(frm.border)
        to.alignment, to.protection = copy.copy(frm.alignment), copy.copy(frm.protection)
    s.ws.row_dimensions[target_row].height = src.row_dimensions[src_row].height
    s.rows["5.1"] = target_row
    return [(s.ref(layout.ID, "5.1"), "indicator-other-owner")]


def _commentary_column_deleted(s: Sheet) -> list[tuple[str, str]]:
    s.ws.protection.sheet = False
    s.ws.delete_cols(s.cols[layout.COMMENTARY])
    return [(f"{layout.RETURN_SHEET}!{s.header_row}:{s.header_row}", "header-missing")]


def _formula_without_result(s: Sheet) -> list[tuple[str, str]]:
    # Reviews done / reviews due, typed as a formula; openpyxl saves no result for it, as a
    # file written by a script or exported by another system would.
    s.cell(layout.ACTUAL, "1.1").value = "=1187/1271"
    return [(s.ref(layout.ACTUAL, "1.1"), "actual-formula-no-result")]


def _div0_in_actual(s: Sheet) -> list[tuple[str, str]]:
    cell = s.cell(layout.ACTUAL, "2.1")
    cell.value = "#DIV/0!"
    cell.data_type = "e"
    return [(s.ref(layout.ACTUAL, "2.1"), "actual-error-value")]


def _percent_stored_as_points(s: Sheet) -> list[tuple[str, str]]:
    # 88.9 pasted as a value into the percent-formatted cell, which then shows 8890.0%.
    s.cell(layout.ACTUAL, "4.1").value = 88.9
    return [(s.ref(layout.ACTUAL, "4.1"), "actual-out-of-bounds")]


# One owner per file (except the deleted column, whose rows are never read): two returns from the
# same owner would give the same indicator twice, which is a mistake of its own (value-conflict).
MISTAKES = [
    Mistake("ASC", "text-in-actual",
            "Typed \"n/a\" in the Actual for 1.7 because the NHS data was not yet published.",
            _na_in_actual),
    Mistake("LIB", "number-typed-as-text",
            "Pasted the library visits for 2.3 from an email, so the cell holds the text "
            "\"471,200\" instead of a number.", _thousands_as_text),
    Mistake("GOV", "percent-typed-as-text",
            "Typed \"94.8%\" as text in the percent indicator 5.4.", _percent_text_in_percent),
    Mistake("LEI", "percent-in-count",
            "Typed \"103%\" (attendances as a share of the profile) in the count indicator 2.4.",
            _percent_text_in_count),
    Mistake("HOU", "blank-actual",
            "Left the Actual and the Commentary for 3.3 blank.", _blank_actual),
    Mistake("HTR", "blank-actual-explained",
            "Left the Actual for 4.4 blank and said in Commentary that the September counts "
            "have not arrived: No data (explained), a warning, not an error.",
            _blank_actual_explained),
    Mistake("WST", "amber-without-mitigation",
            "4.3 is Amber: commentary written, Mitigation actions left empty.",
            _amber_without_mitigation),
    Mistake("CUS", "target-edited",
            "Unprotected the sheet and changed the target of 5.3 from 90% to 85%.", _target_edited),
    Mistake("REV", "row-from-other-owner",
            "Pasted the whole 5.1 row (ID, name, target, figures) from Customer Services' return "
            "below its own rows.", _row_from_other_owner),
    Mistake("ECD", "commentary-column-deleted",
            "Unprotected the sheet and deleted the Commentary column (Mitigation actions moved "
            "into column G).", _commentary_column_deleted),
    Mistake("PH", "actual-formula-no-result",
            "Put a formula, =1187/1271, in the Actual for 1.1; the file holds no calculated "
            "result for it.", _formula_without_result),
    Mistake("CSC", "div0-in-actual",
            "Pasted values from a working sheet where the 2.1 formula showed #DIV/0! (a "
            "division by an empty cell), so the Actual holds the error value #DIV/0!.",
            _div0_in_actual),
    Mistake("PLN", "percent-out-of-range",
            "Pasted 88.9 as a value into the percent-formatted Actual for 4.1, which stores 88.9 "
            "and shows 8890.0%.", _percent_stored_as_points),
]


def make_mistakes(returns: Path, out_dir: Path, when: dt.datetime) -> list[tuple[Mistake, list]]:
    """Write each mistake's file from the owner's good Q2 return; return the expected problems."""
    made = []
    for mistake in MISTAKES:
        good = next(returns.glob(f"{MISTAKES_PERIOD}-{mistake.owner}-*.xlsx"))
        wb = load_workbook(good)
        ws = wb[layout.RETURN_SHEET]
        header_row, cols = find_header(ws)
        sheet = Sheet(wb, ws, header_row, cols, indicator_rows(ws, header_row, cols[layout.ID]),
                      returns)
        expected = mistake.apply(sheet)
        save(wb, out_dir / mistake.file_name, when)
        made.append((mistake, expected))
    return made


# -- the READMEs ---------------------------------------------------------------------------------

def mistakes_readme(made: list[tuple[Mistake, list]]) -> str:
    from rbwm_pmf.validation.rules import RULES

    lines = [
        "# Returns with mistakes",
        "",
        f"Copies of the {MISTAKES_PERIOD} sample returns (`../returns/{MISTAKES_PERIOD}/`), each "
        "carrying one mistake that owners really make, and nothing else wrong. Each file is from "
        "a different owner, so no two files give the same indicator (which would itself be a "
        "`value-conflict`).",
        "",
        "`rbwm-pmf validate sample_workbooks/with_mistakes` (or "
        "`rbwm_pmf.validate(\"sample_workbooks/with_mistakes\")`) reports exactly these problems; "
        "`tests/test_samples.py` checks it.",
        "",
        "| File | What the owner did | Cell(s) | Rule code(s) |",
        "|---|---|---|---|",
    ]
    for mistake, expected in made:
        cells = "<br>".join(cell for cell, _ in expected)
        codes = "<br>".join(f"`{code}` ({RULES[code].severity})" for _, code in expected)
        lines.append(f"| `{mistake.file_name}` | {mistake.did} | {cells} | {codes} |")
    lines += [
        "",
        "Regenerate with `python scripts/make_samples.py` (see `../README.md`).",
        "",
    ]
    return "\n".join(lines)


SAMPLES_README = """\
# Sample workbooks

Realistic sample inputs for the RBWM 2017/18 framework, generated by
`scripts/make_samples.py` from the packaged register and `scripts/sample_values.csv`.
Every target and value is invented, modelled on measures English unitary councils report;
the Q2 values reproduce the Cabinet report's Table 1: 16 Green, 8 Amber and 1 Red of 25
indicators.

- `register/`: the packaged register `rbwm-2017-18` as Excel (`{register_xlsx}`, one sheet
  per table, readable by `load_framework`) and as the YAML shipped in the package
  (`{register_yaml}`).
- `returns/2017-18-Q1/`: the 14 owners' Q1 returns, that is the templates generated on 3 July
  2017 at 09:00, filled in as owners would: actuals, commentary for every value, and mitigation
  actions for every Amber and Red. Indicator 1.2 is half-yearly and not due at Q1, so the
  Education Services return has nothing typed in it.
- `returns/2017-18-Q2/`: the 14 owners' Q2 returns (templates generated on 2 October 2017 at
  09:00), filled in the same way. They validate with no errors and no warnings, and rate
  16 Green, 8 Amber and 1 Red.
- `with_mistakes/`: copies of Q2 returns, each with one typical owner mistake; its `README.md`
  lists the cells and rule codes validation reports for each file.

Percentages are typed as an owner types them into the percent-formatted Actual cell: 93.4
becomes the stored value 0.934, shown as 93.4%.

The returns are filled in with openpyxl, which keeps what matters in the template when it
saves: the very hidden Metadata sheet, sheet protection and locked cells, data validation with
its input messages, frozen panes, print titles and print setup. It drops the Company document
property and writes text as inline strings instead of shared strings, which Excel and the
reader accept.

## Regenerating

```
python scripts/make_samples.py            # rewrites sample_workbooks/
python scripts/make_samples.py --out DIR  # writes the same files under DIR
```

The script is deterministic (fixed generation times, fixed document times and zip timestamps),
so running it again gives byte-identical files unless the template generator, the register or
`scripts/sample_values.csv` changed. `tests/test_samples.py` regenerates into a temporary folder
and checks that the committed workbooks still hold the same cell values.
"""


# -- main ----------------------------------------------------------------------------------------

def build(out: Path) -> dict[str, Any]:
    """Write every sample under `out`; return what was written, for the summary line."""
    fw = load_framework()
    values = read_values()
    register_dir = out / "register"
    returns_dir = out / "returns"
    mistakes_dir = out / "with_mistakes"
    for folder in (register_dir, mistakes_dir, *(returns_dir / p for p in GENERATED)):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    first = min(GENERATED.values())
    register_path = write_register_xlsx(fw, register_dir / REGISTER_XLSX, generated=first)
    register_path.write_bytes(freeze_zip(register_path.read_bytes(), first))
    (register_dir / REGISTER_YAML).write_bytes(
        resources.files("rbwm_pmf.data").joinpath(DEFAULT_REGISTER).read_bytes())

    written: dict[str, Any] = {"returns": {}}
    with tempfile.TemporaryDirectory(prefix="rbwm-samples-") as tmp:
        for period, when in GENERATED.items():
            quarter = int(period[-1])
            templates = make_templates(fw, period, Path(tmp) / period, generated=when)
            paths = [fill_return(t, returns_dir / period / t.name, fw, quarter, values, when)
                     for t in templates]
            written["returns"][period] = paths
    made = make_mistakes(returns_dir / MISTAKES_PERIOD, mistakes_dir, GENERATED[MISTAKES_PERIOD])
    (mistakes_dir / "README.md").write_text(mistakes_readme(made), encoding="utf-8")
    (out / "README.md").write_text(
        SAMPLES_README.format(register_xlsx=REGISTER_XLSX, register_yaml=REGISTER_YAML),
        encoding="utf-8")
    written["mistakes"] = made
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write the samples into (default: sample_workbooks/)")
    args = parser.parse_args(argv)
    written = build(args.out)
    counts = ", ".join(f"{len(v)} {k} returns" for k, v in written["returns"].items())
    print(f"Wrote {counts} and {len(written['mistakes'])} returns with mistakes under {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
