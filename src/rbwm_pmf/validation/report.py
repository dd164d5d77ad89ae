"""The validation report: check what a batch read (file by file, then every row in one pandera
pass) and report each problem once, at its cell, with each file's outcome."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.periods import Period
from rbwm_pmf.model.rating import format_value
from rbwm_pmf.model.status import AMBER, RED
from rbwm_pmf.model.values import EXCEL_CELL_LIMIT, fit_text
from rbwm_pmf.reading.files import FEEDBACK_FOR, FROM_TABLE, SkippedFile
from rbwm_pmf.reading.returns import ReturnFile
from rbwm_pmf.reading.xlsx import col_letter
from rbwm_pmf.template import spec as layout
from rbwm_pmf.validation.issues import ISSUE_FIELDS, Issue, make_issue, row_of
from rbwm_pmf.validation.records import FIELD_LABELS, ROW_COLUMNS, Columns, ReadBatch, RowRecord
from rbwm_pmf.validation.rules import ERROR, RULES

if TYPE_CHECKING:
    from rbwm_pmf.validation.schema import Failure

_RULE_ORDER = {code: n for n, code in enumerate(RULES)}


@dataclass
class FileOutcome:
    """What happened to one return: who and when it is for, and how many rows were used."""

    path: str
    sha256: str
    owner_id: str = ""
    period: str = ""
    status: str = ""  # valid, warnings, errors, unreadable
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    errors: int = 0
    warnings: int = 0
    source: str = "return"  # "return": a workbook an owner sent; "table": a table of values

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """Every problem in a batch of returns, each file's outcome, and the rows read."""

    framework: Framework
    period: Period | None
    files: list[FileOutcome]
    records: list[Issue]
    skipped: list[SkippedFile]
    rows: pd.DataFrame = field(repr=False)
    letters: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    inputs: list[str] = field(default_factory=list)  # the files and folders given to read

    def cell_ref(self, file: str, label: str, row: int) -> str:
        """The address of a row's cell under a header label in a file, like `F9`."""
        return f"{self.letters[file][label]}{row}"

    @property
    def valid(self) -> bool:
        """True when no return has an error (warnings are allowed)."""
        return not any(i.is_error for i in self.records)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.records if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.records if not i.is_error]

    @property
    def issues(self) -> pd.DataFrame:
        """One row per problem, with the columns of an Issue."""
        return pd.DataFrame([i.to_dict() for i in self.records], columns=list(ISSUE_FIELDS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "framework": self.framework.id,
            "period": str(self.period) if self.period else None,
            "summary": {
                "files": len(self.files),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "skipped": len(self.skipped),
            },
            "files": [f.to_dict() for f in self.files],
            "issues": [i.to_dict() for i in self.records],
            "skipped": [s.to_dict() for s in self.skipped],
        }


def merge_reports(main: ValidationReport, others: Sequence[ValidationReport],
                  order: Sequence[str | Path] = ()) -> ValidationReport:
    """One report of returns checked against the registers of several years: `main` (the
    reporting year's, whose register and rows it keeps) with the files and problems of
    `others`, in the order of the paths in `order` (the files as found)."""
    if not others:
        return main
    position = {str(p): n for n, p in enumerate(order)}

    def at(path: str) -> int:
        return position.get(path, len(position))

    files = sorted([*main.files, *(f for o in others for f in o.files)], key=lambda f: at(f.path))
    records = sorted([*main.records, *(i for o in others for i in o.records)],
                     key=lambda i: (at(i.file), row_of(i.cell), i.cell,
                                    _RULE_ORDER.get(i.code, 999)))
    letters = dict(main.letters)
    for other in others:
        letters.update(other.letters)
    return ValidationReport(main.framework, main.period, files, records, list(main.skipped),
                            main.rows, letters, list(main.inputs))


# -- validating ---------------------------------------------------------------------------

def check_returns(
    read: ReadBatch,
    framework: Framework,
    period: Period | None,
    allowed: Sequence[Period] | None,
    skipped: list[SkippedFile],
    newest_wins: bool = False,
    *,
    current: bool = True,
    ignore: frozenset[str] = frozenset(),
) -> ValidationReport:
    """Check what was read (file by file, then every row in one pass) and build the report.

    `current` is False for returns of an earlier year read as history: a return for an earlier
    quarter is then expected, not a sign of last quarter's template filled in again. The rules
    named in `ignore` are not checked (a past outturn has no owner's duties to meet)."""
    returns = read.returns
    records: list[Issue] = []
    usable: list[ReturnFile] = []
    kept: list[tuple[int, int]] = []
    first_by_hash: dict[str, str] = {}
    replaced = _replaced(returns)
    for ret, span in zip(returns, read.spans, strict=True):
        file_issues = list(ret.issues)
        if ret.opened and str(ret.path) in replaced:
            file_issues.append(make_issue("file-superseded", str(ret.path),
                                          other=Path(replaced[str(ret.path)]).name))
        elif ret.opened:
            if ret.sha256 in first_by_hash:
                file_issues.append(make_issue("file-duplicate", str(ret.path),
                                              other=first_by_hash[ret.sha256]))
            else:
                first_by_hash[ret.sha256] = str(ret.path)
                file_issues.extend(_check_file(ret, framework, allowed))
        ret.issues = file_issues
        records.extend(file_issues)
        if not any(i.is_error for i in file_issues) and str(ret.path) not in replaced:
            usable.append(ret)
            kept.append(span)

    if current:
        records.extend(_other_periods(returns, framework, period))

    letters = {str(ret.path): {label: col_letter(c) for label, c in ret.columns.items()}
               for ret in usable}
    frame = _rows_frame(read.columns, kept, framework)
    row_issues = _check_rows(frame, framework, letters, ignore) if len(frame) else []
    row_issues.extend(_conflicts(frame, row_issues, newest_wins, letters))
    row_issues.extend(_long_texts(frame, letters))
    row_issues.extend(_missing_rows(usable, framework))
    if ignore:
        row_issues = [i for i in row_issues if i.code not in ignore]
    records.extend(row_issues)

    blocked = {
        (i.file, row_of(i.cell)) for i in row_issues
        if (i.is_error or i.code in ("value-conflict-newest", "value-repeated")) and i.cell
    }
    if len(frame):
        frame["accepted"] = [
            (f, r) not in blocked for f, r in zip(_values(frame, "file"), _values(frame, "row"),
                                                  strict=True)
        ]
    else:
        frame["accepted"] = pd.Series(dtype=bool)
    by_file: dict[str, list[Issue]] = {}
    for issue in records:
        by_file.setdefault(issue.file, []).append(issue)
    counted: dict[str, tuple[int, int]] = {}
    if len(frame):
        grouped = frame.groupby("file", sort=False)["accepted"].agg(["sum", "size"])
        counted = {str(f): (int(s), int(n) - int(s)) for f, s, n in
                   zip(grouped.index, grouped["sum"], grouped["size"], strict=True)}
    usable_names = {str(ret.path) for ret in usable}
    outcomes = []
    for ret in returns:
        name = str(ret.path)
        kept_rows, lost_rows = counted.get(name, (0, 0)) if name in usable_names else (0, ret.row_count)
        outcomes.append(_outcome(ret, by_file.get(name, []), kept_rows, lost_rows))
    order = {str(ret.path): n for n, ret in enumerate(returns)}
    records.sort(key=lambda i: (order.get(i.file, len(order)), row_of(i.cell), i.cell,
                                _RULE_ORDER.get(i.code, 999)))
    return ValidationReport(framework, period, outcomes, records, skipped, frame, letters)


def _values(frame: pd.DataFrame, column: str) -> list[Any]:
    """A column's values as a list (iterating a pandas string column costs ten times more)."""
    return frame[column].to_numpy(dtype=object).tolist()


def _check_file(ret: ReturnFile, fw: Framework, allowed: Sequence[Period] | None) -> list[Issue]:
    name, sheet = str(ret.path), ret.sheet
    issues = []
    version = ret.meta.get("template_version", "")
    if version.split(".")[0] != layout.TEMPLATE_VERSION.split(".")[0]:
        issues.append(make_issue("template-version", name, sheet=sheet, value=version or "(none)",
                                 expected=layout.TEMPLATE_VERSION))
    if ret.framework_id != fw.id:
        issues.append(make_issue("framework-mismatch", name, sheet=sheet, value=ret.framework_id,
                                 expected=fw.id))
    if fw.owner(ret.owner_id) is None:
        issues.append(make_issue("owner-unknown", name, sheet=sheet, value=ret.owner_id))
    got = ret.period
    if got is None:
        issues.append(make_issue("metadata-missing", name, sheet=sheet))
    elif allowed is not None and got not in allowed:
        expected = allowed[0].label if len(allowed) == 1 else (
            f"{allowed[0].label} to Q{allowed[-1].quarter}")
        issues.append(make_issue("period-mismatch", name, sheet=sheet, value=got.label,
                                 expected=expected))
    elif got.fy != fw.year:
        issues.append(make_issue("period-mismatch", name, sheet=sheet, value=got.label,
                                 expected=f"financial year {fw.year}"))
    return issues


def _replaced(returns: Sequence[ReturnFile]) -> dict[str, str]:
    """Returns replaced by a feedback copy of them (corrected by the owner and sent back), or a
    feedback copy replaced by its return saved again later: the older of the two, mapped to the
    newer."""
    by_hash = {r.sha256: r for r in returns if r.opened and r.sha256}
    replaced: dict[str, str] = {}
    for copy in returns:
        original = by_hash.get(copy.meta.get(FEEDBACK_FOR, ""))
        if not copy.opened or original is None or original is copy:
            continue
        older, newer = ((original, copy) if _mtime(str(copy.path)) >= _mtime(str(original.path))
                        else (copy, original))
        replaced[str(older.path)] = str(newer.path)
    return replaced


def reporting_period(returns: Sequence[ReturnFile], fw: Framework) -> Period | None:
    """The period a batch reports on when none is given: the latest one its returns say they
    are for, in the register's year."""
    found = [r.period for r in returns if r.period is not None and r.period.fy == fw.year]
    return max(found) if found else None


def _other_periods(returns: Sequence[ReturnFile], fw: Framework,
                   period: Period | None) -> list[Issue]:
    """A return for an earlier quarter of the year, from an owner with no return for the quarter
    reported on: most likely last quarter's template filled in with this quarter's figures."""
    period = period or reporting_period(returns, fw)
    if period is None:
        return []
    sent = {r.owner_id for r in returns if r.period == period}
    issues = []
    for ret in returns:
        got = ret.period
        if (got is None or got == period or got.fy != period.fy or ret.owner_id in sent
                or any(i.is_error and (i.code.startswith("file-") or i.code == "period-mismatch")
                       for i in ret.issues)):
            continue
        owner = fw.owner(ret.owner_id)
        issue = make_issue("period-not-current", str(ret.path), sheet=ret.sheet, value=got.label,
                           expected=period.label, owner=owner.name if owner else ret.owner_id)
        ret.issues.append(issue)
        issues.append(issue)
    return issues


def _rows_frame(columns: Columns, kept: list[tuple[int, int]], fw: Framework) -> pd.DataFrame:
    """The usable returns' rows (`kept` spans of `columns`) in one frame, with the value
    expected from the last quarter.

    The batch's columns are moved into the frame (they are left empty), so at tens of thousands
    of returns the rows are held once, not twice.
    """
    total = len(columns["file"])
    rows_kept = sum(stop - start for start, stop in kept)
    joined: dict[str, list[Any]] = {}
    for column in ROW_COLUMNS:
        values = columns[column]
        columns[column] = []
        if rows_kept != total:  # some returns were not usable: leave their rows out
            values = [v for start, stop in kept for v in values[start:stop]]
        joined[column] = values
    ids = joined["indicator_id"]
    # The value expected from the previous quarter (the status came from the workers). The
    # loops run over the plain lists: iterating the frame's columns costs ten times as much.
    statuses, values, quarters = joined["status"], joined["actual_value"], joined["quarter"]
    latest: dict[tuple[str, int], float] = {}
    for rated, value, ind_id, q in zip(statuses, values, ids, quarters, strict=True):
        if rated is not None:
            latest.setdefault((ind_id, q), value)
    # A cumulative value is expected to grow with its profiled target.
    cumulative = {i.id: i.targets for i in fw.indicators
                  if i.measure_type == "cumulative" and not i.data_only}
    expected: list[float | None] = [None] * len(ids)
    for n, (rated, ind_id, q) in enumerate(zip(statuses, ids, quarters, strict=True)):
        prev = latest.get((ind_id, q - 1)) if rated is not None and q > 1 else None
        if prev is None:
            continue
        targets = cumulative.get(ind_id)
        t_now, t_prev = (targets[q - 1], targets[q - 2]) if targets else (None, None)
        expected[n] = prev * t_now / t_prev if t_now and t_prev else prev
    del latest, cumulative
    joined["expected_from_previous"] = expected
    frame = pd.DataFrame(index=pd.RangeIndex(len(ids)))
    for column in ROW_COLUMNS:
        frame[column] = joined.pop(column)
    return frame


def _check_rows(frame: pd.DataFrame, fw: Framework, letters: dict[str, dict[str, str]],
                ignore: frozenset[str] = frozenset()) -> list[Issue]:
    from rbwm_pmf.validation.schema import run_schema

    failures = [f for f in run_schema("return", frame) if f.code not in ignore]
    issues: dict[tuple[str, str], Issue] = {}
    whole_rows: set[int] = set()

    # A problem with the row's identity first (it makes every other check of that row
    # meaningless), then errors before warnings, then the catalogue's order.
    def rank(f: Failure) -> tuple[bool, bool, int]:
        rule = RULES[f.code]
        return (not rule.whole_row, rule.severity != ERROR, _RULE_ORDER[f.code])

    failing = sorted({f.index for f in failures})
    rows = dict(zip(failing, _records(frame.iloc[failing]), strict=True))
    for f in sorted(failures, key=rank):
        rule = RULES[f.code]
        if f.index in whole_rows:
            continue
        if rule.whole_row:
            whole_rows.add(f.index)
        row = rows[f.index]
        label = FIELD_LABELS[f.field]
        cell = f"{letters[row.file][label]}{row.row}"
        key = (row.file, cell)
        if key in issues:
            continue  # one problem per cell: the catalogue's earlier rule stands
        issues[key] = make_issue(
            f.code, row.file, sheet=row.sheet, cell=cell, indicator_id=row.indicator_id or "",
            column=label, **rule.details(row, fw))
    return list(issues.values())


def _records(frame: pd.DataFrame) -> list[RowRecord]:
    """Rows of the batch's frame as records, with pandas' NaN read back as None."""
    return [
        RowRecord._make(None if isinstance(v, float) and v != v else v for v in values)
        for values in frame[list(ROW_COLUMNS)].itertuples(index=False, name=None)
    ]


def _conflicts(
    frame: pd.DataFrame, found: list[Issue], newest_wins: bool, letters: dict[str, dict[str, str]]
) -> list[Issue]:
    """The same indicator and quarter with a value in two returns: report both cells."""
    if not len(frame):
        return []
    bad = {(i.file, row_of(i.cell)) for i in found if i.is_error and i.cell}
    first_file: dict[tuple[Any, Any], str] = {}
    clashing: set[tuple[Any, Any]] = set()  # keys given a value by more than one file
    ok = []
    for n, (f, r, due, kind, ind_id, period) in enumerate(zip(
            *(_values(frame, c) for c in ("file", "row", "due", "actual_kind", "indicator_id",
                                          "period")), strict=True)):
        if due and kind in ("number", "text-number") and (f, r) not in bad:
            key = (ind_id, period)
            ok.append((n, key))
            if first_file.setdefault(key, f) != f:
                clashing.add(key)
    if not clashing:
        return []
    clash = [n for n, key in ok if key in clashing]
    rows = frame.iloc[clash]
    issues = []

    def actual_ref(file: str, row: int) -> str:
        return f"{letters[file][layout.ACTUAL]}{row}"

    for (ind_id, period), group in rows.groupby(["indicator_id", "period"], sort=False):
        values = [float(v) for v in group["actual_value"]]
        if max(values) - min(values) <= 1e-9 * max(1.0, abs(values[0])):
            issues.extend(_repeats(group, str(ind_id), str(period), actual_ref))
            continue
        mtimes = {f: _mtime(f) for f in group["file"]}
        newest = max(group["file"], key=lambda f: (mtimes[f], f))
        for _, row in group.iterrows():
            others = group[group["file"] != row["file"]]
            other = others.iloc[0]
            if newest_wins and row["file"] == newest:
                continue
            code = "value-conflict-newest" if newest_wins else "value-conflict"
            other_value = format_value(float(other["actual_value"]), str(other["unit"]))
            issues.append(make_issue(
                code, str(row["file"]), sheet=row["sheet"], cell=actual_ref(row["file"], row["row"]),
                indicator_id=str(ind_id), column=layout.ACTUAL, value=row["actual_raw"],
                detail=Period.parse(str(period)).label,
                other=f"{Path(str(other['file'])).name} {actual_ref(other['file'], other['row'])}",
                expected=other_value,
            ))
    return issues


def _repeats(group: pd.DataFrame, ind_id: str, period: str,
             actual_ref: Callable[[str, int], str]) -> list[Issue]:
    """The same value for one indicator and quarter in several returns: not a conflict. The
    first return's value is used; each later copy gets a note saying so."""
    first = group.iloc[0]
    used = f"{Path(str(first['file'])).name} {actual_ref(first['file'], first['row'])}"
    return [
        make_issue("value-repeated", str(row["file"]), sheet=row["sheet"],
                   cell=actual_ref(row["file"], row["row"]), indicator_id=ind_id,
                   column=layout.ACTUAL, value=row["actual_raw"],
                   detail=Period.parse(period).label, other=used,
                   expected=format_value(float(row["actual_value"]), str(row["unit"])))
        for _, row in group.iloc[1:].iterrows()
    ]


def _long_texts(frame: pd.DataFrame, letters: dict[str, dict[str, str]]) -> list[Issue]:
    """Commentary and mitigation longer than an Excel cell holds, for the Amber and Red rows
    whose words the consolidated workbook prints: it keeps the start and says so, so validation
    says so first."""
    if not len(frame):
        return []
    fields = ("commentary", "mitigation")
    # Only a text of more than half the limit can be too long, even in UTF-16: look at no other.
    long_rows = sorted({n for name in fields for n, text in enumerate(_values(frame, name))
                        if isinstance(text, str) and len(text) > EXCEL_CELL_LIMIT // 2})
    issues = []
    for row in _records(frame.iloc[long_rows]):
        if row.status not in (AMBER, RED):
            continue
        for name in fields:
            text = str(getattr(row, name) or "")
            kept = fit_text(text)[1]
            if kept < len(text):
                label = FIELD_LABELS[name]
                issues.append(make_issue(
                    "text-too-long", row.file, sheet=row.sheet, cell=f"{letters[row.file][label]}{row.row}",
                    indicator_id=row.indicator_id or "", column=label, value=f"{len(text):,}",
                    expected=f"{kept:,}"))
    return issues


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _missing_rows(returns: list[ReturnFile], fw: Framework) -> list[Issue]:
    issues = []
    for ret in returns:
        period = ret.period
        assert period is not None
        present = set(ret.indicator_ids)
        for ind in fw.indicators_of(ret.owner_id):
            if ind.is_due(period.quarter) and ind.id not in present:
                issues.append(make_issue("indicator-missing", str(ret.path), sheet=ret.sheet,
                                         indicator_id=ind.id, value=ind.id, detail=ind.name))
    return issues


def _outcome(ret: ReturnFile, mine: list[Issue], accepted: int, rejected: int) -> FileOutcome:
    name = str(ret.path)
    errors = sum(i.is_error for i in mine)
    cannot_open = any(i.code.startswith("file-") and i.is_error for i in ret.issues)
    status = "unreadable" if cannot_open else (
        "errors" if errors else ("warnings" if mine else "valid"))
    if any(i.code == "file-duplicate" for i in mine):
        status = "duplicate"
    elif any(i.code == "file-superseded" for i in mine):
        status = "replaced"
    period = ret.period
    outcome = FileOutcome(
        path=name, sha256=ret.sha256, owner_id=ret.owner_id,
        period=str(period) if period else "", status=status,
        rows_read=ret.row_count, rows_accepted=accepted, rows_rejected=rejected,
        errors=errors, warnings=len(mine) - errors,
        source="table" if ret.meta.get(FROM_TABLE) else "return",
    )
    # Every row read is either in the consolidated rows or rejected: counted, not assumed.
    if outcome.rows_accepted + outcome.rows_rejected != outcome.rows_read:
        raise AssertionError(f"row accounting failed for {name}: {outcome}")
    return outcome
