"""The template checks itself, with no macros: the Status column rates each Actual as
`rbwm_pmf.model.rating.rate` does, Commentary and Mitigation actions light up when the rules
require them, and a check line says what is still to do.

The formulas are checked where they run: templates are filled in as owners fill them, LibreOffice
opens them (recalculating every formula), saves them, and the saved results are compared with
rbwm_pmf's own rating of the same cells and with what validation reports.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.rating import rate
from rbwm_pmf.output.sheets import FORMATS as REPORT_FORMATS
from rbwm_pmf.reading.cells import interpret_actual, text_of
from rbwm_pmf.reading.returns import read_return
from rbwm_pmf.register.load import framework_from_dict, load_framework
from rbwm_pmf.template import spec as layout
from rbwm_pmf.template.write import make_templates
from rbwm_pmf.validation.issues import Issue
from rbwm_pmf.validation.run import validate
from tests.kit import GENERATED, header_columns, made_once, require_soffice, row_of

PERIOD = "2017-18-Q2"
QUARTER = 2
COL = {c.label: n for n, c in enumerate(layout.SHEET_COLUMNS, start=1)}
STATUS_LETTER = "I"
CHECK_CELL = f"F{layout.CHECK_ROW}"
FIRST = layout.FIRST_DATA_ROW

# Every word the Status column may show.
STATUS_WORDS = {
    layout.GREEN, layout.AMBER, layout.RED, layout.NOT_DUE_TEXT, layout.DATA_ONLY_TEXT,
    layout.NOT_RATED_TEXT, layout.TYPE_A_VALUE, layout.EXPLAINED_TEXT, layout.TYPE_A_NUMBER,
    layout.OUT_OF_RANGE,
}

# LibreOffice recalculates every formula of an .xlsx file it opens ("Recalculation on File Load":
# Always), rather than keeping the results saved in it.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


# -- what is typed -------------------------------------------------------------------------------

# Actual (in report units: a percentage in points; text; None for blank), Commentary, Mitigation.
Entry = tuple[Any, str, str]


@dataclass(frozen=True)
class Probe:
    """A value typed for one indicator, and where it sits against the target."""

    kind: str  # target, better, worse; edge, edge-inside, edge-outside; or a special case
    entry: Entry


def allowed(ind: Indicator, target: float) -> float:
    """How far short of target is still Amber (the register's rule, worked out by hand)."""
    if ind.tolerance_type == "relative":
        return round(abs(target) * ind.tolerance / 100, 9)
    return round(ind.tolerance, 9)


def boundary_probes(ind: Indicator, step: float) -> dict[str, float]:
    """The target, the tolerance edge (Amber), and `step` either side of each."""
    target = ind.target(QUARTER)
    assert target is not None, ind.id
    better = -1 if ind.polarity == "lower" else 1
    edge = target - better * allowed(ind, target)
    return {
        "target": target, "better": target + better * step, "worse": target - better * step,
        "edge": edge, "edge-inside": edge + better * step, "edge-outside": edge - better * step,
    }


# How far either side of the target and the boundary the probes are typed: 0.01 for every
# shape of indicator, 0.000001 too for each indicator as the register has it.
STEP = 0.01
FINE_STEP = 0.000001
PROBE_OWNER = "ASC"


@cache
def probe_register() -> tuple[Framework, dict[str, Probe]]:
    """The sample register's 25 indicators, each as four copies (higher and lower is better,
    relative and absolute tolerance), one per probe, plus the cases that are not a rating:
    blank, explained, text, out of range, data only, not due, a target of 0, a negative target.
    All are one owner's, so LibreOffice opens one file for them (each file costs it about half
    a second)."""
    base = load_framework()
    data = base.to_dict()
    rows: list[dict[str, Any]] = []
    probes: dict[str, Probe] = {}
    for row in data["indicators"]:
        for polarity in ("higher", "lower"):
            for tolerance_type in ("relative", "absolute"):
                variant = {**row, "polarity": polarity, "tolerance_type": tolerance_type}
                ind = base.indicator(row["id"])
                assert ind is not None
                shape = dataclasses.replace(ind, polarity=polarity, tolerance_type=tolerance_type)
                steps = {"": STEP}
                if (polarity, tolerance_type) == (ind.polarity, ind.tolerance_type):
                    steps["-fine"] = FINE_STEP
                for suffix, step in steps.items():
                    for kind, value in boundary_probes(shape, step).items():
                        if f"{kind}{suffix}" in ("target-fine", "edge-fine"):
                            continue  # the same value as without the suffix
                        new_id = f"{row['id']}-{polarity[0]}{tolerance_type[0]}-{kind}{suffix}"
                        rows.append({**variant, "id": new_id, "name": f"{row['name']} ({new_id})",
                                     "owner": PROBE_OWNER})
                        probes[new_id] = Probe(f"{kind}{suffix}", (value, "", ""))
    first = {}
    for row in data["indicators"]:
        first.setdefault(row["owner"], row)
    for owner, row in first.items():
        specials: dict[str, tuple[dict[str, Any], Entry]] = {
            "blank": ({}, (None, "", "")),
            "explained": ({}, (None, "The figures come from NHS Digital in November.", "")),
            "spaces": ({}, (None, "   ", "")),
            "text": ({}, ("n/a", "", "")),
            "text-number": ({}, ("471,200", "", "")),
            "error-value": ({}, ("#DIV/0!", "", "")),
            "above-max": ({}, (row["max_value"] + 1, "", "")),
            "data-only": ({"data_only": True, **{f"q{q}_target": None for q in range(1, 5)},
                           "tolerance": None, "tolerance_type": None}, (row["q2_target"], "", "")),
            "data-only-blank": ({"data_only": True, **{f"q{q}_target": None for q in range(1, 5)},
                                 "tolerance": None, "tolerance_type": None}, (None, "", "")),
            "annual": ({"frequency": "annual"}, (None, "", "")),
            "zero-target": ({"polarity": "lower", "q2_target": 0, "tolerance_type": "relative"},
                            (0.01, "", "")),
            "zero-on-target": ({"polarity": "lower", "q2_target": 0}, (0, "", "")),
            "two-and-a-half": ({"polarity": "higher", "tolerance": 2.5, "tolerance_type": "absolute"},
                               (row["q2_target"] - 2.5, "", "")),
        }
        for kind, (changes, entry) in specials.items():
            new_id = f"{owner}-{kind}"
            rows.append({**row, **changes, "id": new_id, "name": f"{row['name']} ({new_id})",
                         "owner": PROBE_OWNER})
            probes[new_id] = Probe(kind, entry)
    rows.append({**first["ASC"], "id": "neg", "name": "A negative target", "owner": PROBE_OWNER,
                 "unit": "rate", "unit_label": "rate", "polarity": "lower", "min_value": -100,
                 "max_value": 100, **{f"q{q}_target": -5 for q in range(1, 5)}})
    probes["neg"] = Probe("negative", (-4.8, "", ""))
    return framework_from_dict({**data, "indicators": rows}), probes


def real_entries(fw: Framework) -> dict[str, Entry]:
    """A value for every indicator of the sample register, cycling through the probes."""
    kinds = ("worse", "edge", "edge-outside", "target", "edge-inside", "better")
    out = {}
    for n, ind in enumerate(fw.indicators):
        kind = kinds[n % len(kinds)]
        out[ind.id] = (boundary_probes(ind, 0.01)[kind], "Commentary." if n % 2 else "", "")
    return out


# The ASC return (1.3 80% absolute 3; 1.4 85% relative 5%; 1.5 560 lower; 1.7 5 lower; 2.2 95%),
# filled in to test the check line: what each gives, as LibreOffice works it out.
CHECKS: dict[str, tuple[dict[str, Entry], str]] = {
    "one-amber-without-commentary": (
        {"1.3": (78, "", "Extra reviewer until March."), "1.4": (86, "", ""), "1.5": (541, "", ""),
         "1.7": (4.4, "", ""), "2.2": (96, "", "")},
        "Check before sending: 1 row still needs commentary."),
    "everything-to-do": (
        {"1.3": (78, "", ""), "1.4": (70, "", ""), "1.5": (None, "", ""), "1.7": ("n/a", "", ""),
         "2.2": (96, "", "")},
        "Check before sending: 1 figure to type or explain; 1 figure to correct; "
        "2 rows still need commentary; 2 rows still need mitigation actions."),
    "two-blank": (
        {"1.3": (None, "", ""), "1.4": (None, "", ""), "1.5": (541, "", ""), "1.7": (4.4, "", ""),
         "2.2": (101, "Typed in points.", "")},
        "Check before sending: 2 figures to type or explain; 1 figure to correct."),
    "spaces-are-not-commentary": (
        {"1.3": (78, "   ", "Extra reviewer until March."), "1.4": (86, "", ""), "1.5": (541, "", ""),
         "1.7": (4.4, "", ""), "2.2": (96, "", "")},
        "Check before sending: 1 row still needs commentary."),
    "error-in-commentary": (
        {"1.3": (78, "#N/A", "Extra reviewer until March."), "1.4": (86, "", ""), "1.5": (541, "", ""),
         "1.7": (4.4, "", ""), "2.2": (96, "", "")},
        layout.CHECK_ERROR),
    "all-done": (
        {"1.3": (78, "Two staff left.", "Extra reviewer until March."), "1.4": (70, "Short.", "Audit."),
         "1.5": (541, "", ""), "1.7": (None, "NHS data not yet published.", ""), "2.2": (96, "", "")},
        layout.CHECK_DONE),
}


def type_in(template: Path, fw: Framework, entries: dict[str, Entry], out: Path) -> Path:
    """Type entries as an owner would (tests/kit.py `fill`, for any register): a number for a
    percentage is stored as a fraction, as Excel stores 93.4 typed in a percent cell."""
    wb = load_workbook(template)
    ws = wb[layout.RETURN_SHEET]
    header, cols = header_columns(ws)
    rows = {str(ws.cell(r, cols[layout.ID]).value): r for r in range(header + 1, ws.max_row + 1)}
    for ind_id, (actual, commentary, mitigation) in entries.items():
        r = rows[ind_id]
        ind = fw.indicator(ind_id)
        assert ind is not None, ind_id
        number = isinstance(actual, int | float)
        ws.cell(r, cols[layout.ACTUAL]).value = actual / 100 if number and ind.unit == "percent" else actual
        ws.cell(r, cols[layout.COMMENTARY]).value = commentary or None
        ws.cell(r, cols[layout.MITIGATION]).value = mitigation or None
    wb.save(out)
    return out


# -- the files, recalculated by LibreOffice once per run -------------------------------------------

STALE = "Stale"


def with_stale_results(template: Path, out: Path) -> Path:
    """A copy of a template whose formulas' saved results all read "Stale"."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f><v>)[^<]*(</v>)", rb"\g<1>" + STALE.encode() + rb"\g<2>", data)
            dst.writestr(item, data)
    assert STALE in status_cells(out).values()
    return out


def _by_owner(paths: list[Path]) -> dict[str, Path]:
    return {p.name.split("-")[3]: p for p in paths}


def _make_and_recalculate(root: Path) -> dict[str, Path]:
    """Fill in templates, have LibreOffice open, recalculate and save them all in one call; map
    a key to each saved file (and `template-<key>` to what was typed into)."""
    exe = require_soffice()
    register = load_framework()
    probe_fw, probes = probe_register()
    filled: dict[str, Path] = {}
    src = root / "filled"
    src.mkdir()
    probe_templates = _by_owner(make_templates(probe_fw, PERIOD, root / "probe", generated=GENERATED))
    for owner, path in probe_templates.items():
        entries = {i.id: probes[i.id].entry for i in probe_fw.indicators_of(owner)}
        filled[f"probe-{owner}"] = type_in(path, probe_fw, entries, src / f"probe-{owner}.xlsx")
    real = _by_owner(make_templates(None, PERIOD, root / "real", generated=GENERATED))
    values = real_entries(register)
    for owner, path in real.items():
        entries = {i.id: values[i.id] for i in register.indicators_of(owner)}
        filled[f"real-{owner}"] = type_in(path, register, entries, src / f"real-{owner}.xlsx")
    for name, (entries, _) in CHECKS.items():
        filled[f"check-{name}"] = type_in(real["ASC"], register, entries, src / f"check-{name}.xlsx")
    # Left as generated: LibreOffice must work out the same words the file was saved with.
    filled["fresh-ASC"] = real["ASC"]
    filled["fresh-EDU-Q1"] = make_templates(None, "2017-18-Q1", root / "q1", generated=GENERATED,
                                            owners=["EDU"])[0]
    # Saved with wrong results: LibreOffice must recalculate rather than keep them.
    filled["stale-ASC"] = with_stale_results(real["ASC"], src / "stale-ASC.xlsx")

    profile = root / "lo-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
    out = root / "recalculated"
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, filled.values())],
                   cwd=root, check=True, capture_output=True, timeout=300)
    made: dict[str, Path] = {}
    for key, path in filled.items():
        saved = out / path.name
        assert saved.exists(), f"LibreOffice did not write {saved}"
        made[key], made[f"template-{key}"] = saved, path
    return made


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_soffice()
    return made_once(tmp_path_factory, "template-checks", _make_and_recalculate)


def status_cells(path: Path) -> dict[str, Any]:
    """Indicator id -> the Status cell's saved value."""
    ws = load_workbook(path, data_only=True)[layout.RETURN_SHEET]
    header, cols = header_columns(ws)
    assert cols[layout.STATUS] == COL[layout.STATUS]
    return {str(ws.cell(r, cols[layout.ID]).value): ws.cell(r, cols[layout.STATUS]).value
            for r in range(header + 1, ws.max_row + 1) if ws.cell(r, cols[layout.ID]).value is not None}


def expected_word(ind: Indicator, quarter: int, actual_cell: Any, commentary: str) -> str:
    """What the Status should say, from rbwm_pmf's reading of the Actual cell and its rating."""
    if not ind.is_due(quarter):
        return layout.NOT_DUE_TEXT
    parsed = interpret_actual(actual_cell, ind.unit)
    if parsed.kind == "blank":
        return layout.EXPLAINED_TEXT if commentary.strip() else layout.TYPE_A_VALUE
    if parsed.kind != "number":
        return layout.TYPE_A_NUMBER
    assert parsed.value is not None
    low, high = ind.bounds
    if (low is not None and parsed.value < low) or (high is not None and parsed.value > high):
        return layout.OUT_OF_RANGE
    if ind.data_only:
        return layout.DATA_ONLY_TEXT
    return str(rate(ind, quarter, parsed.value).status)


def compare(path: Path, fw: Framework) -> Iterator[tuple[str, str, Any]]:
    """(indicator id, expected word, Status saved by LibreOffice) for every row of a return."""
    saved = status_cells(path)
    ret = read_return(path)
    assert not ret.issues, ret.issues
    quarter = ret.period.quarter if ret.period else 0
    assert [row.indicator_id for row in ret.rows] == list(saved)
    for row in ret.rows:
        ind = fw.indicator(row.indicator_id)
        assert ind is not None
        expected = expected_word(ind, quarter, row.cell(layout.ACTUAL), text_of(row.cell(layout.COMMENTARY)))
        yield row.indicator_id, expected, saved[row.indicator_id]


# -- the Status column, worked out by LibreOffice ---------------------------------------------------

@pytest.mark.soffice
def test_status_is_the_rating_on_and_around_every_boundary(recalculated: dict[str, Path]) -> None:
    """Every indicator of the sample register, with higher and lower polarity and relative and
    absolute tolerance, typed on its target, on its tolerance boundary and just either side of
    each (0.01 away, and 0.000001 for the register's own settings): LibreOffice's Status is
    rbwm_pmf's rating every time."""
    fw, probes = probe_register()
    seen: Counter[tuple[str, str]] = Counter()
    wrong = []
    for ind_id, expected, got in compare(recalculated[f"probe-{PROBE_OWNER}"], fw):
        seen[(probes[ind_id].kind, expected)] += 1
        if got != expected:
            wrong.append((ind_id, probes[ind_id].entry[0], expected, got))
    assert wrong == []
    assert sum(seen.values()) == len(fw.indicators) == 25 * (4 * 6 + 4) + 14 * 13 + 1
    # The probes fall where they are meant to: on target is Green, the boundary itself Amber,
    # just beyond it Red (or out of range, where the boundary is the minimum).
    by_kind: dict[str, set[str]] = {}
    for (kind, word), _ in seen.items():
        by_kind.setdefault(kind, set()).add(word)
    assert by_kind["target"] == by_kind["better"] == by_kind["better-fine"] == {layout.GREEN}
    assert by_kind["edge"] == by_kind["edge-inside"] == by_kind["edge-inside-fine"] == {layout.AMBER}
    assert by_kind["worse"] == by_kind["worse-fine"] == {layout.AMBER}
    assert by_kind["edge-outside"] == {layout.RED, layout.OUT_OF_RANGE}
    assert by_kind["edge-outside-fine"] == {layout.RED}
    assert seen[("edge-outside", layout.RED)] > 90
    specials = {kind: words for kind, words in by_kind.items() if not kind.startswith(
        ("target", "better", "worse", "edge"))}
    assert specials == {
        "blank": {layout.TYPE_A_VALUE}, "spaces": {layout.TYPE_A_VALUE},
        "explained": {layout.EXPLAINED_TEXT}, "text": {layout.TYPE_A_NUMBER},
        "text-number": {layout.TYPE_A_NUMBER}, "error-value": {layout.TYPE_A_NUMBER},
        "above-max": {layout.OUT_OF_RANGE},
        "data-only": {layout.DATA_ONLY_TEXT}, "data-only-blank": {layout.TYPE_A_VALUE},
        "annual": {layout.NOT_DUE_TEXT}, "zero-target": {layout.RED}, "zero-on-target": {layout.GREEN},
        "two-and-a-half": {layout.AMBER}, "negative": {layout.AMBER},
    }


@pytest.mark.soffice
def test_status_is_the_rating_in_every_owners_template(recalculated: dict[str, Path]) -> None:
    """The sample register's own templates, all 14 owners, every indicator typed: the Status
    LibreOffice works out is rbwm_pmf's rating of the same cell."""
    fw = load_framework()
    rows = [r for owner in {i.owner for i in fw.indicators}
            for r in compare(recalculated[f"real-{owner}"], fw)]
    assert len(rows) == 25
    assert [(ind_id, got) for ind_id, expected, got in rows if got != expected] == []
    assert {got for _, _, got in rows} == {layout.GREEN, layout.AMBER, layout.RED}


@pytest.mark.soffice
def test_libreoffice_agrees_with_the_words_saved_in_a_new_template(recalculated: dict[str, Path]) -> None:
    """A template as generated holds each formula's result, for viewers that do not recalculate;
    recalculating gives the same words: "Type a value", "Not due" and the check line."""
    for key in ("fresh-ASC", "fresh-EDU-Q1"):
        saved = load_workbook(recalculated[f"template-{key}"], data_only=True)[layout.RETURN_SHEET]
        again = load_workbook(recalculated[key], data_only=True)[layout.RETURN_SHEET]
        assert status_cells(recalculated[f"template-{key}"]) == status_cells(recalculated[key]), key
        assert saved[CHECK_CELL].value == again[CHECK_CELL].value, key
    assert set(status_cells(recalculated["fresh-ASC"]).values()) == {layout.TYPE_A_VALUE}
    # Results saved in the file are not trusted: LibreOffice worked every formula out again.
    assert status_cells(recalculated["stale-ASC"]) == status_cells(recalculated["fresh-ASC"])
    stale = load_workbook(recalculated["stale-ASC"], data_only=True)[layout.RETURN_SHEET]
    assert stale[CHECK_CELL].value == "Check before sending: 5 figures to type or explain."
    assert status_cells(recalculated["fresh-EDU-Q1"]) == {"1.2": layout.NOT_DUE_TEXT}


# -- the check line and the highlights, worked out by LibreOffice -----------------------------------

@pytest.mark.soffice
@pytest.mark.parametrize("name", list(CHECKS))
def test_check_line_counts_what_is_left_to_do(name: str, recalculated: dict[str, Path]) -> None:
    """The line above the table counts figures to type or explain, figures to correct, and Amber
    and Red rows without Commentary or Mitigation actions, in singular or plural."""
    ws = load_workbook(recalculated[f"check-{name}"], data_only=True)[layout.RETURN_SHEET]
    assert ws[CHECK_CELL].value == CHECKS[name][1]


@pytest.fixture(scope="module")
def check_records(recalculated: dict[str, Path]) -> dict[str, list[Issue]]:
    """What validation reports for each filled-in return of CHECKS, by name."""
    paths = {recalculated[f"check-{name}"]: name for name in CHECKS}
    report = validate(list(paths), period=PERIOD)
    found: dict[str, list[Issue]] = {name: [] for name in CHECKS}
    for issue in report.records:
        found[paths[Path(issue.file)]].append(issue)
    return found


@pytest.mark.soffice
def test_check_line_agrees_with_validation(recalculated: dict[str, Path],
                                           check_records: dict[str, list[Issue]]) -> None:
    """What the check line asks for is what validation reports as missing: one actual-missing
    per figure to type or explain, one commentary-missing per row that still needs commentary,
    one mitigation-missing per row that still needs mitigation actions."""
    pattern = re.compile(r"(\d+) (?:figures?|rows?) (to type or explain|still needs? commentary|"
                         r"still needs? mitigation actions)")

    def code(asked: str) -> str:
        if asked == "to type or explain":
            return "actual-missing"
        return "commentary-missing" if asked.endswith("commentary") else "mitigation-missing"

    codes = {"actual-missing", "commentary-missing", "mitigation-missing"}
    for name in CHECKS:
        ws = load_workbook(recalculated[f"check-{name}"], data_only=True)[layout.RETURN_SHEET]
        line = ws[CHECK_CELL].value
        asked = {code(what): int(n) for n, what in pattern.findall(line)}
        found = Counter(i.code for i in check_records[name] if i.code in codes)
        assert dict(found) == asked, (name, line)


@pytest.mark.soffice
def test_required_cells_are_the_ones_validation_names(recalculated: dict[str, Path],
                                                      check_records: dict[str, list[Issue]]) -> None:
    """The cells the highlight picks out (an Amber or Red Status, as LibreOffice worked it out,
    and nothing but spaces in the cell) are exactly the cells validation reports as missing."""
    for name in CHECKS:
        ws = load_workbook(recalculated[f"check-{name}"], data_only=True)[layout.RETURN_SHEET]
        lit = set()
        for r in range(FIRST, ws.max_row + 1):
            off_target = ws[f"{STATUS_LETTER}{r}"].value in (layout.AMBER, layout.RED)
            for label in (layout.COMMENTARY, layout.MITIGATION):
                cell = ws.cell(r, COL[label])
                if off_target and not str(cell.value or "").strip():
                    lit.add(cell.coordinate)
        missing = {i.cell for i in check_records[name]
                   if i.code in ("commentary-missing", "mitigation-missing")}
        assert lit == missing, name
        assert lit or name in ("two-blank", "all-done", "error-in-commentary"), name


# -- the template as written (no LibreOffice) -------------------------------------------------------

@pytest.fixture(scope="module")
def asc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_templates(None, PERIOD, tmp_path_factory.mktemp("asc"), generated=GENERATED,
                          owners=["ASC"])[0]


def rules_on(ws: Worksheet) -> dict[str, list[Any]]:
    """Conditional formatting rules by the cells they cover."""
    return {str(cf.sqref): list(cf.rules) for cf in ws.conditional_formatting}


def test_status_column_follows_the_table_and_is_locked(asc: Path) -> None:
    """Status is the column after Mitigation actions: header, one locked formula per row with
    its formula hidden, and an input message; the template's own headers are unchanged."""
    ws = load_workbook(asc)[layout.RETURN_SHEET]
    header = [c.value for c in ws[layout.HEADER_ROW]]
    assert tuple(header[: len(layout.HEADERS)]) == layout.HEADERS
    assert header[len(layout.HEADERS)] == layout.STATUS == ws[f"{STATUS_LETTER}{layout.HEADER_ROW}"].value
    assert len(header) == len(layout.HEADERS) + 1
    for r in range(FIRST, ws.max_row + 1):
        cell = ws[f"{STATUS_LETTER}{r}"]
        assert isinstance(cell.value, str) and cell.value.startswith("=IF(ISNUMBER(F"), cell.coordinate
        assert cell.protection.locked and cell.protection.hidden, cell.coordinate
    # The columns owners may add start after Status, unlocked.
    assert ws.column_dimensions["J"].min == COL[layout.STATUS] + 1
    assert not ws.column_dimensions["J"].protection.locked
    prompts = [dv for dv in ws.data_validations.dataValidation if f"{STATUS_LETTER}{FIRST}" in dv.sqref]
    assert len(prompts) == 1 and prompts[0].prompt and "Amber" in prompts[0].prompt


def test_status_column_is_not_read_back(asc: Path) -> None:
    """The reader finds the template's columns by label and passes over Status, as it does any
    column an owner adds: no header problem, and the table is read as before."""
    ret = read_return(asc)
    assert ret.issues == []
    assert list(ret.columns) == list(layout.HEADERS)
    assert len(ret.rows) == 5


def test_status_formula_rates_as_the_register_says(asc: Path) -> None:
    """1.4 (85%, higher is better, 5% relative tolerance: 4.25 points) and 1.5 (560, lower is
    better, 5%: 28): the formulas compare the Actual, in points for a percentage, with the
    register's numbers written into them."""
    ws = load_workbook(asc)[layout.RETURN_SHEET]
    pct = ws[f"I{row_of(ws, '1.4')}"].value
    r = row_of(ws, "1.4")
    assert f"ROUND(85-ROUND(F{r}*100,9),9)<=0,\"Green\"" in pct
    assert f"ROUND(85-ROUND(F{r}*100,9),9)<=4.25,\"Amber\",\"Red\"" in pct
    assert f"OR(ROUND(F{r}*100,9)<0,ROUND(F{r}*100,9)>100),\"Out of range\"" in pct
    r = row_of(ws, "1.5")
    rate_formula = ws[f"I{r}"].value
    assert f"ROUND(ROUND(F{r},9)-560,9)<=28,\"Amber\"" in rate_formula
    assert f"IF(IFERROR(LEN(TRIM(G{r})),0)>0,\"No data (explained)\",\"Type a value\")" in rate_formula


def test_formulas_hold_only_our_words_numbers_and_addresses(framework_with_hostile_text: Framework,
                                                            tmp_path: Path) -> None:
    """No register text is written into a formula, even text made to break out of one: every
    formula is cell addresses, functions, numbers and the template's own words."""
    paths = make_templates(framework_with_hostile_text, PERIOD, tmp_path, generated=GENERATED)
    allowed_words = {*STATUS_WORDS, layout.CHECK_DONE, layout.CHECK_PREFIX, "; ", ".",
                     layout.CHECK_ERROR, layout.CHECK_NOTHING_DUE,
                     *(f" {w}" for w in ("figure to type or explain", "figures to type or explain",
                                         "figure to correct", "figures to correct",
                                         "row still needs commentary", "rows still need commentary",
                                         "row still needs mitigation actions",
                                         "rows still need mitigation actions"))}
    token = re.compile(r"\$?[A-Z]{1,3}\$?\d+|[A-Z]+\(|\d+(\.\d+)?|[-+*/&<>=(),:]")
    formulas = 0
    for path in paths:
        ws = load_workbook(path)[layout.RETURN_SHEET]
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                formulas += 1
                body = cell.value[1:]
                quoted = re.findall(r'"((?:[^"]|"")*)"', body)
                assert set(quoted) <= allowed_words | {""}, (cell.coordinate, set(quoted) - allowed_words)
                rest = re.sub(r'"(?:[^"]|"")*"', "", body)
                assert token.sub("", rest) == "", (cell.coordinate, token.sub("", rest))
    assert formulas > 25


@pytest.fixture()
def framework_with_hostile_text() -> Framework:
    data = load_framework().to_dict()
    for row in data["indicators"]:
        if row["id"] == "1.4":
            row["name"] = '"),HYPERLINK("http://example.com","x'
            row["unit_label"] = '=1+1'
        if row["id"] == "1.5":
            row["id"] = '1.5"&"'
    return framework_from_dict(data)


def test_words_saved_for_viewers_that_do_not_recalculate(asc: Path, tmp_path: Path) -> None:
    """Each formula is saved with its result for the empty template: "Type a value" in every
    due row, and the check line counting the figures to type; a quarter with nothing due says so
    in fixed words."""
    ws = load_workbook(asc, data_only=True)[layout.RETURN_SHEET]
    assert [ws[f"I{r}"].value for r in range(FIRST, ws.max_row + 1)] == [layout.TYPE_A_VALUE] * 5
    assert ws[CHECK_CELL].value == "Check before sending: 5 figures to type or explain."
    assert ws.merged_cells.ranges and f"F{layout.CHECK_ROW}:I{layout.CHECK_ROW}" in {
        str(r) for r in ws.merged_cells.ranges}

    q1 = make_templates(None, "2017-18-Q1", tmp_path, generated=GENERATED, owners=["EDU"])[0]
    ws = load_workbook(q1)[layout.RETURN_SHEET]
    assert ws[f"I{row_of(ws, '1.2')}"].value == layout.NOT_DUE_TEXT
    assert ws[CHECK_CELL].value == layout.CHECK_NOTHING_DUE


def test_required_highlight_on_commentary_and_mitigation(asc: Path) -> None:
    """Commentary and Mitigation actions cells turn to the "to do" highlight while the row is
    Amber or Red and the cell is empty (spaces count as empty, as validation counts them)."""
    ws = load_workbook(asc)[layout.RETURN_SHEET]
    last = ws.max_row
    rules = rules_on(ws)
    for col in ("G", "H"):
        (rule,) = rules[f"{col}{FIRST}:{col}{last}"]
        assert rule.type == "expression"
        assert rule.formula == [f'AND(OR($I{FIRST}="Amber",$I{FIRST}="Red"),LEN(TRIM({col}{FIRST}))=0)']
        assert rule.dxf.fill.fgColor.rgb.endswith("FCE4D6") or rule.dxf.fill.bgColor.rgb.endswith("FCE4D6")


def test_status_words_in_the_report_colours(asc: Path) -> None:
    """Each Status word has a conditional format; Green, Amber and Red use the consolidated
    workbook's RAG colours."""
    ws = load_workbook(asc)[layout.RETURN_SHEET]
    rules = rules_on(ws)[f"I{FIRST}:I{ws.max_row}"]
    by_word = {rule.formula[0].strip('"'): rule for rule in rules}
    assert set(by_word) == STATUS_WORDS
    for word, name in ((layout.GREEN, "rag_green"), (layout.AMBER, "rag_amber"), (layout.RED, "rag_red")):
        fill = by_word[word].dxf.fill
        colour = (fill.bgColor.rgb or "") + (fill.fgColor.rgb or "")
        assert REPORT_FORMATS[name]["bg_color"].lstrip("#") in colour, word
        assert by_word[word].dxf.font.color.rgb.endswith(REPORT_FORMATS[name]["font_color"].lstrip("#"))


def test_every_input_cell_has_an_input_message(tmp_path: Path) -> None:
    """Every cell an owner types in (unlocked in the table), and every Status cell, shows a message
    in plain words when selected; Commentary and Mitigation actions say when they are required."""
    fw = load_framework()
    for path in make_templates(fw, PERIOD, tmp_path, generated=GENERATED):
        ws = load_workbook(path)[layout.RETURN_SHEET]
        for r in range(FIRST, ws.max_row + 1):
            for col in range(1, COL[layout.STATUS] + 1):
                cell = ws.cell(r, col)
                if cell.protection.locked and col != COL[layout.STATUS]:
                    continue
                found = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
                assert len(found) == 1 and found[0].prompt, (path.name, cell.coordinate)
                assert found[0].showInputMessage, (path.name, cell.coordinate)
        for col in ("G", "H"):
            (dv,) = [dv for dv in ws.data_validations.dataValidation if f"{col}{FIRST}" in dv.sqref]
            assert dv.prompt is not None
            assert "Required when Status is Amber or Red" in dv.prompt


def test_instructions_say_what_the_rules_require(asc: Path) -> None:
    """The Instructions no longer ask for Commentary on every indicator: Commentary and Mitigation
    actions are required for Amber and Red figures, and a blank Actual is explained in Commentary,
    as validation has it."""
    ws = load_workbook(asc)[layout.INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "for every indicator" not in text.replace("Indicator definitions", "")
    assert "For every Amber or Red figure, write both Commentary" in text
    assert "leave Actual blank" in text and '"No data (explained)"' in text
    assert "check line above the table" in text
