"""Regenerate the sample workbooks in sample_workbooks/ from the packaged RBWM registers.

    python scripts/make_samples.py [--out DIR]

The packaged registers are the Council Plan 2017-21 framework's 2017/18 (rbwm-2017-18.yaml) and
2018/19 (rbwm-2018-19.yaml) years. Writes, under DIR (default: sample_workbooks/ in the
repository):

* register/: each year's register as Excel (write_register_xlsx) and as YAML;
* returns/<period>/ for 2017-18-Q1 to Q4 and 2018-19-Q1 and Q2: every owner's template for the
  quarter, made by make_templates from that year's register, filled in as the owner would
  (actuals, commentary, mitigation actions for every Amber and Red). 2017/18 Q1 and Q2 come
  from scripts/sample_values.csv (they reproduce the Cabinet report's Table 1); the later
  quarters from scripts/sample_values_more.csv (columns period, id, actual, target, commentary,
  mitigation; target is only given for the 2016/17 outturn rows, the registers hold the rest);
* history/2016-17-outturn.csv: the 2016/17 outturn rows of scripts/sample_values_more.csv as the
  tidy CSV `rbwm-pmf history import` reads (indicator_id, period, actual, target, commentary),
  with a README.md;
* with_mistakes/: copies of 2017/18 Q2 returns, each carrying one mistake owners really make,
  with a README.md listing the cells and rule codes validation must report;
* README.md: what each folder holds, the 2018/19 register changes and each quarter's RAG counts.

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
import textwrap
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
from rbwm_pmf.model.rating import AMBER, GREEN, RED, rate
from rbwm_pmf.register.load import DEFAULT_REGISTER, load_framework
from rbwm_pmf.register.years import check_registers
from rbwm_pmf.template import spec as layout
from rbwm_pmf.template.write import make_templates, write_register_xlsx

REPO = Path(__file__).resolve().parents[1]
VALUES = Path(__file__).resolve().with_name("sample_values.csv")
MORE_VALUES = Path(__file__).resolve().with_name("sample_values_more.csv")
DEFAULT_OUT = REPO / "sample_workbooks"

# When the performance team generated each quarter's templates (also used as the owners' save
# time, so the files do not depend on the clock): the first working morning after the quarter.
GENERATED = {
    "2017-18-Q1": dt.datetime(2017, 7, 3, 9, 0, 0),
    "2017-18-Q2": dt.datetime(2017, 10, 2, 9, 0, 0),
    "2017-18-Q3": dt.datetime(2018, 1, 2, 9, 0, 0),  # 1 January is a bank holiday
    "2017-18-Q4": dt.datetime(2018, 4, 3, 9, 0, 0),  # after the Easter Monday bank holiday
    "2018-19-Q1": dt.datetime(2018, 7, 2, 9, 0, 0),
    "2018-19-Q2": dt.datetime(2018, 10, 1, 9, 0, 0),
}
# Each year's packaged register (in rbwm_pmf/data/).
REGISTERS = {
    "2017-18": DEFAULT_REGISTER,
    "2018-19": "rbwm-2018-19.yaml",
}
# The year whose outturn the council kept in spreadsheets before rbwm-pmf, and where it goes.
OUTTURN_YEAR = "2016-17"
OUTTURN_CSV = "2016-17-outturn.csv"
OUTTURN_COLUMNS = ["indicator_id", "period", "actual", "target", "commentary"]
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


def read_values(path: Path = VALUES, more: Path = MORE_VALUES) -> dict[tuple[str, str], Entry]:
    """(period, indicator id) -> what the owner types; quarters without an actual are left out.

    `path` holds 2017/18 Q1 and Q2 side by side (q1_actual, q2_actual, ...); `more` one row per
    period and indicator. The outturn rows of `more` (OUTTURN_YEAR) are read by read_outturn."""
    out: dict[tuple[str, str], Entry] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for q in (1, 2):
                actual = row[f"q{q}_actual"].strip()
                if actual:
                    out[(f"2017-18-Q{q}", row["id"].strip())] = Entry(
                        actual, row[f"q{q}_commentary"].strip(), row[f"q{q}_mitigation"].strip())
    for row in _more_rows(more):
        period = row["period"]
        if period.startswith(OUTTURN_YEAR):
            continue
        if period not in GENERATED:
            raise SystemExit(f"{more.name}: {period} is neither a sample quarter nor the "
                             f"{OUTTURN_YEAR} outturn")
        key = (period, row["id"])
        if key in out:
            raise SystemExit(f"{more.name}: {row['id']} is given twice for {period}")
        out[key] = Entry(row["actual"], row["commentary"], row["mitigation"])
    return out


def read_outturn(more: Path = MORE_VALUES) -> list[dict[str, str]]:
    """The OUTTURN_YEAR rows of `more`, as rows of the history CSV (OUTTURN_COLUMNS)."""
    return [{"indicator_id": row["id"], "period": row["period"], "actual": row["actual"],
             "target": row["target"], "commentary": row["commentary"]}
            for row in _more_rows(more) if row["period"].startswith(OUTTURN_YEAR)]


def _more_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


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
    template: Path, out: Path, fw: Framework, period: str, values: dict[tuple[str, str], Entry],
    when: dt.datetime,
) -> Path:
    """Type each due indicator's Actual, Commentary and Mitigation actions; leave not-due rows."""
    quarter = int(period[-1])
    wb = load_workbook(template)
    ws = wb[layout.RETURN_SHEET]
    header_row, cols = find_header(ws)
    for ind_id, r in indicator_rows(ws, header_row, cols[layout.ID]).items():
        ind = fw.indicator(ind_id)
        if ind is None:
            raise SystemExit(f"{template.name}: row {r} has an unknown indicator {ind_id}")
        if not ind.is_due(quarter):
            continue
        entry = values.get((period, ind_id))
        if entry is None:
            raise SystemExit(f"no {period} actual for indicator {ind_id} in {VALUES.name} or "
                             f"{MORE_VALUES.name}")
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


# The changes from 2017/18 to 2018/19 that the registers cannot say themselves: why an indicator
# joined or left the framework (a `replaces` note says what changed for the others). The script
# checks these against the registers, so the README cannot drift from them.
ADDED_WHY = {
    "4.5": "The new highways maintenance contract, from April 2018, reports how quickly "
           "dangerous defects are made safe, and Cabinet asked for a measure of road safety "
           "alongside the cycling one.",
}
RETIRED_WHY = {
    "1.7": "From April 2018 delayed transfers of care are reported jointly with the NHS to the "
           "Health and Wellbeing Board through the Better Care Fund, so the framework no longer "
           "repeats them.",
}


def packaged_registers() -> dict[str, Framework]:
    """Each year's packaged register (REGISTERS), checked: 2017/18 as the package loads it by
    default, later years through load_framework's full checks, and every `replaces` must name an
    indicator of the year before."""
    registers: dict[str, Framework] = {}
    for year, name in REGISTERS.items():
        if name == DEFAULT_REGISTER:
            fw = load_framework()
        else:
            with resources.as_file(resources.files("rbwm_pmf.data").joinpath(name)) as path:
                fw = load_framework(path)
        if fw.year != year:
            raise SystemExit(f"{name} is the register for {fw.year}, not {year}")
        registers[year] = fw
    check_registers(registers.values())
    return registers


@dataclass(frozen=True)
class Changes:
    """How one year's register differs from the year before's."""

    added: list[str]  # new ids that replace nothing
    retired: list[str]  # old ids that nothing replaces
    replaced: list[tuple[str, str]]  # (new id, old id)
    retargeted: list[str]  # ids kept with different targets


def changes(before: Framework, after: Framework) -> Changes:
    old_ids = {i.id for i in before.indicators}
    replaced = [(i.id, i.replaces) for i in after.indicators if i.replaces]
    gone = {old for _, old in replaced}
    added = [i.id for i in after.indicators if not i.replaces and i.id not in old_ids]
    kept = {i.id for i in after.indicators} & old_ids
    retired = [i.id for i in before.indicators if i.id not in kept and i.id not in gone]
    retargeted = [i.id for i in after.indicators
                  if i.id in kept and i.targets != before.indicator(i.id).targets]  # type: ignore[union-attr]
    if sorted(added) != sorted(ADDED_WHY) or sorted(retired) != sorted(RETIRED_WHY):
        raise SystemExit(f"{after.id}: added {added} and retired {retired} do not match ADDED_WHY "
                         "and RETIRED_WHY in scripts/make_samples.py")
    return Changes(added, retired, replaced, retargeted)


def linked_at(registers: dict[str, Framework], values: dict[tuple[str, str], Entry],
              period: str) -> list[str]:
    """The ids due at `period` that continue an indicator (same id, or `replaces`) with a value
    in the same quarter of the year before."""
    year, quarter = period[:7], int(period[-1])
    fw = registers[year]
    last_year = f"{int(year[:4]) - 1}-{year[2:4]}"
    return [i.id for i in fw.indicators
            if i.is_due(quarter) and (f"{last_year}-Q{quarter}", i.replaces or i.id) in values]


def rag_counts(fw: Framework, period: str, values: dict[tuple[str, str], Entry]) -> dict[str, int]:
    """Green, Amber and Red among the values typed for `period`, rated as the library rates."""
    quarter = int(period[-1])
    counts: dict[str, int] = {GREEN: 0, AMBER: 0, RED: 0}
    for ind in fw.indicators:
        entry = values.get((period, ind.id))
        if ind.is_due(quarter) and entry is not None:
            status = rate(ind, quarter, float(Decimal(entry.actual))).status
            counts[status] = counts.get(status, 0) + 1
    return counts


def write_outturn(rows: list[dict[str, str]], fw: Framework, path: Path) -> Path:
    """The outturn as tidy CSV (UTF-8, no BOM): every row an indicator of `fw` due that quarter,
    every quarter of the year for every indicator due in it."""
    seen = set()
    for row in rows:
        ind = fw.indicator(row["indicator_id"])
        quarter = int(row["period"][-1])
        if ind is None or not ind.is_due(quarter):
            raise SystemExit(f"{MORE_VALUES.name}: {row['indicator_id']} is not a {fw.year} "
                             f"indicator due in {row['period']}")
        seen.add((ind.id, quarter))
    missing = [f"{i.id} Q{q}" for q in range(1, 5) for i in fw.indicators
               if i.is_due(q) and (i.id, q) not in seen]
    if missing:
        raise SystemExit(f"{MORE_VALUES.name}: no {OUTTURN_YEAR} outturn for {', '.join(missing)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, OUTTURN_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _when(value: dt.datetime) -> str:
    hour = value.strftime("%H:%M")
    return f"{value.day} {value:%B %Y} at {hour}"


def _targets(fw: Framework, ind_id: str) -> str:
    from rbwm_pmf.model.rating import format_exact

    ind = fw.indicator(ind_id)
    assert ind is not None
    return " / ".join(format_exact(t, ind.unit) if t is not None else "-" for t in ind.targets)


def _wrap(text: str) -> str:
    """A README paragraph or list item wrapped at 96 characters (list items indented under their
    bullet); tables, headings and blank lines are left as they are."""
    if not text or text.startswith(("|", "#", "  |", "```")):
        return text
    bullet = "- " if text.startswith("- ") else ("  " if text.startswith("  ") else "")
    return textwrap.fill(text[len(bullet):], 96, initial_indent=bullet,
                         subsequent_indent=" " * len(bullet), break_long_words=False,
                         break_on_hyphens=False)


def _name(fw: Framework, ind_id: str) -> str:
    ind = fw.indicator(ind_id)
    assert ind is not None
    return ind.name


def samples_readme(registers: dict[str, Framework], values: dict[tuple[str, str], Entry],
                   returns: dict[str, list[Path]]) -> str:
    old, new = registers["2017-18"], registers["2018-19"]
    diff = changes(old, new)
    lines = [
        "# Sample workbooks",
        "",
        "Realistic sample inputs for the RBWM Council Plan 2017-21 performance management "
        "framework over its first two years, generated by `scripts/make_samples.py` from the "
        f"packaged registers (`{old.id}` and `{new.id}`), `scripts/sample_values.csv` (2017/18 "
        "Q1 and Q2) and `scripts/sample_values_more.csv` (the later quarters and the 2016/17 "
        "outturn). Every target and value is invented, modelled on measures English unitary "
        "councils report; the 2017/18 Q2 values reproduce the Cabinet report's Table 1: 16 "
        "Green, 8 Amber and 1 Red of 25 indicators.",
        "",
        "- `register/`: each year's register as Excel (one sheet per table, readable by "
        "`load_framework`) and as the YAML shipped in the package: "
        + ", ".join(f"`{fw.id}-register.xlsx` and `{fw.id}-register.yaml`"
                    for fw in registers.values()) + ".",
        "- `returns/<period>/`: each owner's return for the quarter, that is the template "
        "`make_templates` generates from that year's register, filled in as owners would: "
        "actuals, commentary for every value (comparing with last quarter and, from 2018/19, "
        "with the same quarter last year), and mitigation actions with owners and dates for "
        "every Amber and Red. Every folder validates with no errors and no warnings against its "
        "own year's register (see the table below).",
        "- `history/`: `2016-17-outturn.csv`, the 2016/17 outturn the council kept in "
        "spreadsheets before rbwm-pmf, for every 2017/18 indicator and quarter it was due; "
        "see its `README.md`.",
        "- `with_mistakes/`: copies of 2017/18 Q2 returns, each with one typical owner mistake; "
        "its `README.md` lists the cells and rule codes validation reports for each file.",
        "",
        "## The returns, quarter by quarter",
        "",
        "One return per owner with indicators; the RAG counts are each quarter's values rated "
        "against that year's register.",
        "",
        "| Folder | Register | Templates generated | Returns | Green | Amber | Red | Not due |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for period, paths in returns.items():
        fw = registers[period[:7]]
        counts = rag_counts(fw, period, values)
        not_due = [i.id for i in fw.indicators if not i.is_due(int(period[-1]))]
        lines.append(
            f"| `returns/{period}/` | `{fw.id}` | {_when(GENERATED[period])} | {len(paths)} | "
            f"{counts[GREEN]} | {counts[AMBER]} | {counts[RED]} | "
            f"{', '.join(not_due) if not_due else '-'} |")
    linked = linked_at(registers, values, "2018-19-Q2")
    due_q2 = [i.id for i in new.indicators if i.is_due(2)]
    lines += [
        "",
        "Indicator 1.2 is half-yearly and not due at Q1 or Q3, so the Education Services "
        "return has nothing typed in it then. 2017-18-Q4 is the year end: 1.2 has its year-end "
        "value and the cumulative (year to date) measures reach their year totals. The 2017/18 "
        "Q2 returns give the Cabinet report's Table 1 exactly.",
        "",
        "## What changed in 2018/19",
        "",
        f"The 2018/19 register (`{new.id}`) continues the same framework: the same priorities, "
        f"panels and {len(new.owners)} owners, {len(new.indicators)} indicators. An indicator "
        "keeps its id when it is unchanged; `replaces` links one that was renamed or re-based to "
        "its 2017/18 id. "
        f"{len(linked)} of the {len(due_q2)} indicators due at 2018/19 Q2 continue a 2017/18 "
        "indicator with a 2017/18 Q2 value, so consolidating 2018-19-Q2 with a history store "
        "compares them with the same quarter last year.",
        "",
    ]
    for ind_id in diff.added:
        lines.append(f"- Added: {ind_id} *{_name(new, ind_id)}*. {ADDED_WHY[ind_id]}")
    for ind_id in diff.retired:
        lines.append(f"- Retired: {ind_id} *{_name(old, ind_id)}*. {RETIRED_WHY[ind_id]}")
    for new_id, old_id in diff.replaced:
        ind = new.indicator(new_id)
        assert ind is not None
        kind = ("Re-based (`rebased: true`, not compared with last year)" if ind.rebased
                else "Renumbered (`rebased: false`, compared with last year)")
        lines.append(f"- {kind}: {new_id} *{ind.name}* replaces {old_id} "
                     f"*{_name(old, old_id)}*. {ind.replaces_note}")
    lines += [
        "- Targets moved (Q1, Q2, Q3, Q4; cumulative measures carry a profile):",
        "",
        "  | ID | Indicator | 2017/18 targets | 2018/19 targets |",
        "  |---|---|---|---|",
    ]
    for ind_id in diff.retargeted:
        lines.append(f"  | {ind_id} | {_name(new, ind_id)} | {_targets(old, ind_id)} | "
                     f"{_targets(new, ind_id)} |")
    lines += [
        "",
        "  The library visits profile (2.3) is lower because Cookham, Datchet and Old Windsor "
        "libraries move to self-service opening; the others are stretched after 2017/18's "
        "results, and the council tax profile (6.1) reflects e-billing and more direct debits.",
        "",
        "Check a 2018/19 folder against its own register:",
        "",
        "```",
        "rbwm-pmf validate sample_workbooks/returns/2018-19-Q2 --period 2018-19-Q2 \\",
        "    --register sample_workbooks/register/rbwm-2018-19-register.yaml",
        "```",
        "",
    ]
    fences = 0
    wrapped = []
    for line in lines:
        fences += line.startswith("```")
        wrapped.append(line if fences % 2 or line.startswith("```") else _wrap(line))
    return "\n".join(wrapped) + "\n" + SAMPLES_README_END


SAMPLES_README_END = """\
## How the returns are filled in

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
so running it again gives byte-identical files unless the template generator, a register,
`scripts/sample_values.csv` or `scripts/sample_values_more.csv` changed. `tests/test_samples.py`
regenerates into a temporary folder and checks that the committed workbooks still hold the same
cell values.
"""

HISTORY_README = """\
# History: the 2016/17 outturn

`{csv_name}` is the 2016/17 outturn the council kept in spreadsheets before it used
rbwm-pmf, as a tidy CSV (UTF-8): one row per 2017/18 indicator id and 2016/17 quarter in which
it was due ({rows} rows: {indicators} indicators each quarter, and the half-yearly 1.2 at Q2 and
Q4 only).

| Column | Meaning |
|---|---|
| `indicator_id` | the indicator's id in the 2017/18 register (`{framework}`) |
| `period` | the quarter, `2016-17-Q1` to `2016-17-Q4` |
| `actual` | the outturn, in the indicator's unit; percentages in points (93.4 for 93.4%) |
| `target` | the target that applied in 2016/17 (a profile for cumulative measures) |
| `commentary` | the officer's short comment at the time |

`indicator_id`, `period` and `actual` are required; `target` and `commentary` are optional.
The values lead into the 2017/18 Q1 returns in `../returns/2017-18-Q1/`, so with this file
loaded the 2017/18 quarters have a same-quarter-last-year figure and an eight-quarter trend.

Load it into a history store:

```
rbwm-pmf history import sample_workbooks/history/{csv_name} --history FILE
```

Regenerate with `python scripts/make_samples.py` (see `../README.md`).
"""


# -- main ----------------------------------------------------------------------------------------

def build(out: Path) -> dict[str, Any]:
    """Write every sample under `out`; return what was written, for the summary line."""
    registers = packaged_registers()
    values = read_values()
    outturn = read_outturn()
    for period, ind_id in values:
        ind = registers[period[:7]].indicator(ind_id)
        if ind is None or not ind.is_due(int(period[-1])):
            raise SystemExit(f"{ind_id} is not a {period[:7]} indicator due in {period}, but "
                             "the sample values give it a figure")
    register_dir = out / "register"
    returns_dir = out / "returns"
    mistakes_dir = out / "with_mistakes"
    history_dir = out / "history"
    for folder in (register_dir, mistakes_dir, history_dir,
                   *(returns_dir / p for p in GENERATED)):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    for year, fw in registers.items():
        first = min(when for period, when in GENERATED.items() if period.startswith(year))
        register_path = write_register_xlsx(fw, register_dir / f"{fw.id}-register.xlsx",
                                            generated=first)
        register_path.write_bytes(freeze_zip(register_path.read_bytes(), first))
        (register_dir / f"{fw.id}-register.yaml").write_bytes(
            resources.files("rbwm_pmf.data").joinpath(REGISTERS[year]).read_bytes())

    written: dict[str, Any] = {"returns": {}}
    with tempfile.TemporaryDirectory(prefix="rbwm-samples-") as tmp:
        for period, when in GENERATED.items():
            fw = registers[period[:7]]
            templates = make_templates(fw, period, Path(tmp) / period, generated=when)
            paths = [fill_return(t, returns_dir / period / t.name, fw, period, values, when)
                     for t in templates]
            written["returns"][period] = paths
    made = make_mistakes(returns_dir / MISTAKES_PERIOD, mistakes_dir, GENERATED[MISTAKES_PERIOD])
    (mistakes_dir / "README.md").write_text(mistakes_readme(made), encoding="utf-8")

    first_year = registers[min(registers)]
    write_outturn(outturn, first_year, history_dir / OUTTURN_CSV)
    (history_dir / "README.md").write_text(HISTORY_README.format(
        csv_name=OUTTURN_CSV, rows=len(outturn), framework=first_year.id,
        indicators=sum(1 for i in first_year.indicators if i.frequency == "quarterly")),
        encoding="utf-8")
    (out / "README.md").write_text(samples_readme(registers, values, written["returns"]),
                                   encoding="utf-8")
    written["mistakes"] = made
    written["history"] = outturn
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write the samples into (default: sample_workbooks/)")
    args = parser.parse_args(argv)
    written = build(args.out)
    counts = ", ".join(f"{len(v)} {k} returns" for k, v in written["returns"].items())
    print(f"Wrote {counts}, {len(written['mistakes'])} returns with mistakes and "
          f"{len(written['history'])} outturn rows under {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
