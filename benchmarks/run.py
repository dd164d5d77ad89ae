"""Benchmark rbwm-pmf at scale, as whole processes, against bare readers of the same sheets.

    pip install -e ".[bench]"                 # python-calamine, for the baseline
    python benchmarks/run.py                  # 1,000 returns
    python benchmarks/run.py --returns 10000  # 10,000 returns (several minutes to generate)

Generates a synthetic register (owners with 40 indicators each, like a central collection's
template) and N filled returns from the real templates (a quarter of them for each of Q1-Q4),
then times, each as a separate process: `rbwm-pmf validate` and `rbwm-pmf consolidate` with one
worker and with all cores, a bare openpyxl read-only pass and a bare python-calamine pass over
the same Return sheets, `rbwm-pmf --help`, and a typical quarter of 30 returns. Peak memory is
the largest total proportional set size (PSS: shared pages split between the processes sharing
them) of the process and its workers, sampled every 20 ms.
Results are printed and written to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from rbwm_pmf.reading.pool import default_jobs
from rbwm_pmf.register.load import load_framework
from rbwm_pmf.template.write import make_templates

HERE = Path(__file__).resolve().parent
ROWS = 40
GENERATED = dt.datetime(2017, 7, 3, 9, 0, 0)
KINDS = [  # unit, polarity, measure, targets by quarter
    ("percent", "higher", "snapshot", (90, 90, 90, 90)),
    ("count", "higher", "cumulative", (100, 200, 300, 400)),
    ("rate", "lower", "rolling", (560, 560, 550, 550)),
    ("days", "lower", "snapshot", (20, 20, 20, 20)),
    ("percent", "lower", "snapshot", (10, 10, 10, 10)),
]

# -- generating ------------------------------------------------------------------------------

def make_register(owners: int, path: Path) -> Path:
    base = load_framework().to_dict()
    indicators = []
    owner_rows = []
    priorities = [p["id"] for p in base["priorities"]]
    panels = [p["id"] for p in base["panels"]]
    for o in range(owners):
        oid = f"S{o:05d}"
        owner_rows.append({"id": oid, "name": f"Service {o:05d}", "contact_name": "", "contact_email": ""})
        for n in range(ROWS):
            unit, polarity, measure, targets = KINDS[n % len(KINDS)]
            indicators.append({
                "id": f"{oid}.{n + 1:02d}", "name": f"Indicator {n + 1} of service {o:05d}",
                "definition": "Synthetic indicator for the benchmark.",
                "priority": priorities[n % len(priorities)], "owner": oid,
                "panel": panels[o % len(panels)], "unit": unit, "unit_label": "",
                "polarity": polarity, "frequency": "quarterly", "measure_type": measure,
                "q1_target": targets[0], "q2_target": targets[1], "q3_target": targets[2],
                "q4_target": targets[3], "tolerance": 5, "tolerance_type": "relative",
                "data_only": False, "min_value": 0, "max_value": 100 if unit == "percent" else None,
            })
    data = {**base, "owners": owner_rows, "indicators": indicators}
    data["framework"] = {**base["framework"], "id": "benchmark-2017-18"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


WHY = [
    "Demand rose over the summer and two posts were vacant for most of the quarter.",
    "Performance reflects the new triage process, which is now fully staffed.",
    "Seasonal demand was lower than forecast; the trend is in line with the service plan.",
    "A backlog from the system migration has been cleared and figures are recovering.",
    "The improvement follows extra weekend sessions agreed with the provider.",
]
ACTIONS = [
    "Recovery plan agreed with the service lead; agency cover in place until March.",
    "Weekly performance huddles and a revised rota start next month.",
    "Contract manager meeting the provider to agree an improvement notice.",
    "Process review with the transformation team; quick wins already under way.",
]
_CELL = re.compile(rb'<c r="([FGH])(\d+)" s="(\d+)"/>')


def _fill_one(args: tuple[Path, Path, int]) -> None:
    """Type values into a template's empty input cells by editing its sheet XML directly."""
    src, dst, seed = args
    rng = random.Random(seed)
    with zipfile.ZipFile(src) as zin:
        names = zin.namelist()
        sheet = next(n for n in names if n.startswith("xl/worksheets/sheet2"))
        parts = {n: zin.read(n) for n in names}
    quarter = int(src.name.split("-")[2][1])
    values: dict[int, tuple[float, bool]] = {}

    def cell(match: re.Match[bytes]) -> bytes:
        col, row, style = match.group(1), int(match.group(2)), match.group(3)
        n = row - 6
        if n < 0 or n >= ROWS:
            return match.group(0)
        unit, polarity, _, targets = KINDS[n % len(KINDS)]
        if col == b"F":
            target = targets[quarter - 1]
            value = target * rng.uniform(0.9, 1.15)
            off = (value < target * 0.999) if polarity == "higher" else (value > target * 1.001)
            values[row] = (value, off)
            if rng.random() < 0.003:  # an owner's typo, as in life
                return b'<c r="F%d" s="%s" t="inlineStr"><is><t>n/a</t></is></c>' % (row, style)
            stored = round(value, 1) / 100 if unit == "percent" else round(value, 1)
            return b'<c r="F%d" s="%s"><v>%s</v></c>' % (row, style, repr(stored).encode())
        value, off = values.get(row, (0, False))
        if col == b"H" and not off:
            return match.group(0)
        # Each owner writes their own words: no two cells hold the same text.
        if col == b"G":
            text = (f"Q{quarter} came in at {value:,.1f}. {rng.choice(WHY)} "
                    f"(return {seed}, row {row}).")
        else:
            text = f"{rng.choice(ACTIONS)} Next review in week {rng.randint(1, 13)} (ref {seed}-{row})."
        return b'<c r="%s%d" s="%s" t="inlineStr"><is><t>%s</t></is></c>' % (
            col, row, style, text.encode())

    parts[sheet] = _CELL.sub(cell, parts[sheet])
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in names:
            zout.writestr(name, parts[name])


def _templates_for(args: tuple[Path, str, Path, list[str]]) -> list[Path]:
    register, period, out, owners = args
    fw = load_framework(register)
    return make_templates(fw, period, out, generated=GENERATED, owners=owners)


def generate(n: int, work: Path, quarters: int = 4, name: str = "returns") -> tuple[Path, Path]:
    """N returns from the templates: N / quarters owners, each returning Q1 to Q`quarters`."""
    owners = max(1, n // quarters)
    register = make_register(owners, work / f"{name}-register.yaml")
    fw = load_framework(register)
    ids = [o.id for o in fw.owners]
    tmpl = work / f"{name}-templates"
    returns = work / name
    returns.mkdir(parents=True, exist_ok=True)
    jobs = default_jobs()
    batches = [(register, f"2017-18-Q{q}", tmpl / f"Q{q}", ids[i::jobs])
               for q in range(1, quarters + 1) for i in range(jobs)]
    with ProcessPoolExecutor(jobs) as pool:
        made = [p for paths in pool.map(_templates_for, batches) for p in paths]
        made.sort()
        made = made[:n]
        list(pool.map(_fill_one, [(p, returns / p.name, k) for k, p in enumerate(made)],
                      chunksize=32))
    return register, returns

# -- the history store -----------------------------------------------------------------------

RECORD = """
import sys
from rbwm_pmf import HistoryStore, consolidate
returns, register, period, path = sys.argv[1:]
with HistoryStore(path) as store:
    result = consolidate(returns, register, period, history=store)
    print(result.record(store).sentence)
"""


def history_runs(run: Callable[..., tuple[float, int]], work: Path, returns: Path,
                 reg: list[str]) -> list[str]:
    """Record the returns' quarters into a history store, and read eight quarters back: the
    Q4 report with the store holding 2016/17 (a copy of 2017/18's values) and 2017/18.
    Returns the lines for the results."""
    import sqlite3

    from rbwm_pmf.history.store import HistoryStore

    store = work / "history.sqlite"
    # The library's consolidate and record, as a whole process: the synthetic returns carry
    # owners' mistakes, so the command line would (rightly) not record them.
    q4 = [sys.executable, "-c", RECORD, str(returns), str(reg[1]), "2017-18-Q4", str(store)]
    new, new_peak = run("consolidate Q4 and record it into a new history store", q4,
                        before=lambda: store.unlink(missing_ok=True))
    for q in (1, 2, 3):  # every quarter of the 1,000 returns, recorded once each
        subprocess.run([sys.executable, "-c", RECORD, str(returns), str(reg[1]), f"2017-18-Q{q}",
                        str(store)], check=True, capture_output=True, cwd=work)
    with sqlite3.connect(store) as conn:  # last year: this year's values, a year earlier
        conn.execute("INSERT INTO observations SELECT indicator_id, replace(period, '2017-18', "
                     "'2016-17'), '2016-17', quarter, framework_id, actual, target, status, "
                     "reason, data_status, commentary, mitigation, source_file, source_sha256, "
                     "source_cell, recorded_at, run_id FROM observations")
        rows = conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    size = store.stat().st_size
    again, again_peak = run("consolidate Q4 reading 8 quarters back from the store, and "
                            "recording Q4 again", q4)
    export, _ = run("history export: every value to CSV",
                    [exe(), "history", "export", "--history", str(store), "--out",
                     str(work / "history.csv")])
    t0 = time.perf_counter()
    with HistoryStore(store) as opened:
        eight = opened.observations(periods=[f"{y}-Q{q}" for y in ("2016-17", "2017-18")
                                             for q in (1, 2, 3, 4)])
    read = time.perf_counter() - t0
    return [
        f"- the history store: consolidating Q4 and recording its {rows // 8:,} values into a "
        f"new store takes {new:.1f} s in all (peak {new_peak / 2**20:,.0f} MB); with "
        f"the store holding eight quarters ({rows:,} values, {size / 2**20:,.1f} MB on disk), the Q4 "
        f"report reading all eight back for every indicator and re-recording Q4 takes {again:.1f} s "
        f"(peak {again_peak / 2**20:,.0f} MB); reading the eight quarters' {len(eight):,} rows "
        f"in one process takes {read:.2f} s; exporting them all to CSV {export:.1f} s.",
    ]


# -- measuring -------------------------------------------------------------------------------

def _tree_rss(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            # Proportional set size: pages shared by forked workers are counted once in all.
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak resident bytes of the process tree, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, peak, proc.returncode


BARE_OPENPYXL = """
import sys, glob
from openpyxl import load_workbook
n = 0
for path in sorted(glob.glob(sys.argv[1] + '/*.xlsx')):
    wb = load_workbook(path, read_only=True, data_only=True)
    for row in wb['Return'].iter_rows(values_only=True):
        n += len(row)
    wb.close()
print(n)
"""

BARE_CALAMINE = """
import sys, glob
from python_calamine import CalamineWorkbook
n = 0
for path in sorted(glob.glob(sys.argv[1] + '/*.xlsx')):
    wb = CalamineWorkbook.from_path(path)
    n += sum(len(r) for r in wb.get_sheet_by_name('Return').to_python())
print(n)
"""


WHY_THIS_READER = (
    'Why rbwm-pmf reads returns itself: python-calamine reads values fastest, but gives no number'
    ' formats (0.934 in a percent cell cannot be told from 0.934 typed as a number), drops a '
    'formula with no saved result, reads `#DIV/0!` as an empty cell and aborts the whole process '
    "on a sheet that reaches a far cell; openpyxl gives the formats at 30 times calamine's cost. "
    "rbwm-pmf checks the archive's limits, then reads the sheets' XML with expat's callbacks "
    "(document type declarations refused), keeping only each cell's value, formula and number "
    "format, at a few times calamine's cost per file: see the stage table in each section."
)


def reader_stages(returns: Path, register: Path, count: int = 300) -> list[tuple[str, float]]:
    """Milliseconds per file for each stage of reading a return, in this process (median of 3).

    Against python-calamine (values only, no number formats): what reading the formats and
    formulas with expat costs, stage by stage.
    """
    from python_calamine import CalamineWorkbook

    from rbwm_pmf.reading.returns import read_return
    from rbwm_pmf.reading.xlsx import Workbook
    from rbwm_pmf.validation.records import reduce_rows

    paths = sorted(returns.glob("*.xlsx"))[:count]
    fw = load_framework(register)
    read = [read_return(p) for p in paths]

    def sheets(path: Path) -> object:
        with Workbook(path) as wb:
            return wb.read_sheet("Return"), wb.read_sheet("Metadata")

    stages: list[tuple[str, Callable[[Path], object]]] = [
        ("python-calamine: the Return sheet's values only", lambda p: CalamineWorkbook.from_path(
            str(p)).get_sheet_by_name("Return").to_python()),
        ("open the archive, check its limits, list the sheets", lambda p: Workbook(p).close()),
        ("both sheets' cells and formats (expat)", sheets),
        ("read_return: the above, the header found and the rows", read_return),
    ]
    out = []
    for label, fn in stages:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for path in paths:
                fn(path)
            times.append((time.perf_counter() - start) / len(paths) * 1000)
        out.append((label, statistics.median(times)))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for ret in read:
            reduce_rows(ret, fw)
        times.append((time.perf_counter() - start) / len(read) * 1000)
    out.append(("reduce_rows: what each cell means, against the register", statistics.median(times)))
    return out


def write_section(results: Path, title: str, body: list[str], header: list[str]) -> None:
    """Replace (or add) the section `## title` of the results file, keeping the others."""
    text = results.read_text("utf-8") if results.exists() else ""
    sections: dict[str, str] = {}
    for chunk in re.split(r"(?m)^## ", text)[1:]:
        name, _, rest = chunk.partition("\n")
        sections[name.strip()] = rest.strip("\n")
    sections[title] = "\n".join(body).strip("\n")

    def size(name: str) -> int:
        digits = re.sub(r"[^0-9]", "", name.split(" ")[0])
        return int(digits) if digits else 0

    lines = list(header)
    for name in sorted(sections, key=size):
        lines += [f"## {name}", "", sections[name], ""]
    results.write_text("\n".join(lines), "utf-8")


def exe() -> str:
    return str(Path(sys.executable).with_name("rbwm-pmf"))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        mem_gb = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gb = 0
    import openpyxl
    import pandas
    import pandera
    import xlsxwriter
    return (f"{default_jobs()} cores ({cpu}), {mem_gb:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, pandas {pandas.__version__}, "
            f"pandera {pandera.__version__}, openpyxl {openpyxl.__version__}, "
            f"XlsxWriter {xlsxwriter.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each command; the median time is reported (default 3)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the returns already generated in --workdir (kept with --keep)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rbwm-pmf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["RBWM_PMF_CACHE"] = str(work / "generation-cache")
    t0 = time.perf_counter()
    if args.reuse and (work / "returns-register.yaml").exists():
        register, returns = work / "returns-register.yaml", work / "returns"
    else:
        register, returns = generate(args.returns, work)
    n = len(list(returns.glob("*.xlsx")))
    print(f"{n} returns of {ROWS} rows ready in {time.perf_counter() - t0:.0f} s ({work})")
    jobs = default_jobs()
    rows: list[tuple[str, float, int, int]] = []

    def run(label: str, cmd: list[str], count: int | None = None,
            before: Callable[[], object] | None = None) -> tuple[float, int]:
        # The median of several runs: a shared machine's timings vary by a tenth or more.
        runs = []
        for _ in range(args.repeat):
            if before is not None:
                before()
            runs.append(measure(cmd, cwd=work))
        wall = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        files = n if count is None else count
        rows.append((label, wall, peak, files))
        print(f"{label:58} {wall:7.2f} s {files / wall:8.0f} returns/s {peak / 2**20:7.0f} MB")
        return wall, peak

    # The register is validated once and then loaded from the cache (see load_framework): time
    # the first load apart, then warm the cache so every run below starts alike.
    os.environ["RBWM_PMF_CACHE"] = str(work / "cache")
    cold, _ = run("first load of the register (validated, then cached)",
                  [exe(), "check-register", str(register)],
                  before=lambda: shutil.rmtree(work / "cache", ignore_errors=True))
    cal, _ = run("bare python-calamine read", [sys.executable, "-c", BARE_CALAMINE, str(returns)])
    opx, _ = run("bare openpyxl read-only read", [sys.executable, "-c", BARE_OPENPYXL, str(returns)])
    reg = ["--register", str(register)]
    v1, _ = run("rbwm-pmf validate --jobs 1", [exe(), "validate", str(returns), *reg, "--format", "json", "--jobs", "1"])
    vn, _ = run(f"rbwm-pmf validate --jobs {jobs}", [exe(), "validate", str(returns), *reg, "--format", "json", "--jobs", str(jobs)])
    c1, m1 = run("rbwm-pmf consolidate --jobs 1 (workbook written)", [exe(), "consolidate", str(returns), *reg, "--period", "2017-18-Q4", "--out", str(work / "out1.xlsx"), "--jobs", "1"])
    cn, mn = run(f"rbwm-pmf consolidate --jobs {jobs} (workbook written)", [exe(), "consolidate", str(returns), *reg, "--period", "2017-18-Q4", "--out", str(work / "outn.xlsx"), "--jobs", str(jobs)])
    assert (work / "outn.xlsx").exists()
    history = history_runs(run, work, returns, reg)
    # A typical council quarter: 30 owners' returns for one quarter, with their own register.
    if args.reuse and (work / "quarter-register.yaml").exists():
        q_register, quarter = work / "quarter-register.yaml", work / "quarter"
    else:
        q_register, quarter = generate(30, work, quarters=1, name="quarter")
    q30, _ = run("typical quarter: rbwm-pmf validate, 30 returns",
                 [exe(), "validate", str(quarter), "--register", str(q_register)], count=30)
    helps = [measure([exe(), "--help"])[0] for _ in range(5)]
    help_t = statistics.median(helps)
    print(f"{'rbwm-pmf --help (median of 5)':58} {help_t:7.2f} s")

    stages = reader_stages(returns, register)
    for label, ms in stages:
        print(f"{label:58} {ms:7.2f} ms per file")
    header = [
        "# Benchmark results", "",
        f"Machine: {machine()}.", "",
        "Written by `python benchmarks/run.py --returns N`, which generates N returns of "
        f"{ROWS} rows from the templates (N / 4 owners, each returning Q1 to Q4, with their own "
        "words in the commentary) and runs each line below as one whole process, started cold. "
        "Memory is the peak proportional set size (PSS) of the process and its workers together, "
        "sampled every 20 ms. Times are the median of `--repeat` runs (memory the highest).", "",
        WHY_THIS_READER, "",
    ]
    lines = [
        f"{n:,} returns of {ROWS} rows ({n // 4:,} owners x Q1-Q4; {n // 4 * ROWS:,} indicators in "
        f"the register); {'one run' if args.repeat == 1 else f'the median of {args.repeat} runs'} "
        "of each command.", "",
        "| Run | Wall time (s) | Returns per second | Peak memory (MB) |", "|---|---|---|---|",
    ]
    for label, wall, peak, files in rows:
        lines.append(f"| {label} | {wall:.2f} | {files / wall:,.0f} | {peak / 2**20:,.0f} |")
    lines.append(f"| rbwm-pmf --help (median of 5) | {help_t:.2f} | | |")
    lines += [
        "",
        f"- validate with {jobs} workers takes {vn / cal:.1f} x the bare python-calamine read "
        f"and {vn / opx:.2f} x the bare openpyxl read-only read.",
        f"- validate with 1 worker: {v1 / cal:.1f} x calamine, {v1 / opx:.2f} x openpyxl.",
        f"- consolidate (including the workbook) with {jobs} workers: {cn:.1f} s, peak {mn / 2**20:,.0f} MB"
        f"; with 1 worker: {c1:.1f} s, peak {m1 / 2**20:,.0f} MB.",
        f"- the register of {n // 4 * ROWS:,} indicators is validated on first use ({cold:.1f} s in "
        "all) and loaded from the cache afterwards; the runs above start with the cache warm.",
        f"- a typical quarter (30 owners' returns of {ROWS} rows for one quarter, with a register of "
        f"{30 * ROWS:,} indicators) validates in {q30:.2f} s; `--help` answers in {help_t:.2f} s.",
        "",
        *history,
        "",
        "Reading one return, stage by stage, in one process (milliseconds per file, median of 3 "
        f"passes over {min(n, 300)} returns):", "",
        "| Stage | ms per file |", "|---|---|",
        *[f"| {label} | {ms:.2f} |" for label, ms in stages],
    ]
    write_section(args.results, f"{n:,} returns", lines, header)

    print(f"written {args.results}")
    if not args.keep and args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
