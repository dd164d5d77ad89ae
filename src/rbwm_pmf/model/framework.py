"""The framework register as data: priorities, panels, owners and indicators (no I/O)."""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from rbwm_pmf.errors import RegisterProblem

PRIORITY_COLUMNS = ["id", "name", "order"]
PANEL_COLUMNS = ["id", "name"]
OWNER_COLUMNS = ["id", "name", "contact_name", "contact_email"]
INDICATOR_COLUMNS = [
    "id", "name", "definition", "priority", "owner", "panel", "unit", "unit_label", "polarity",
    "frequency", "measure_type", "q1_target", "q2_target", "q3_target", "q4_target",
    "tolerance", "tolerance_type", "data_only", "min_value", "max_value",
    "replaces", "rebased", "replaces_note",
]
# An indicator's link to the id it had the year before: optional columns of a register.
LINK_COLUMNS = ("replaces", "rebased", "replaces_note")
# What makes a strategic priority "on target" for the key-implications outcome.
ON_TARGET_RULES: dict[str, str] = {
    "all-green": "every rated indicator of the priority is Green",
    "no-red": "no rated indicator of the priority is Red (each is Green or Amber)",
}
# The placeholders each wording may use, with what they stand for in the sample quarter.
_DATES = {"date": "30 September 2017", "quarter": "2", "period": "2017/18 Q2"}
WORDING_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "summary_opening": _DATES,
    "quarter_opening": _DATES,
    "appendix3_sentence": {**_DATES, "count": "9", "indicators": "9 indicators", "are": "are"},
    "appendix3_none": _DATES,
    "key_outcome": _DATES,
    "priority_on_target": {},
}


@dataclass(frozen=True)
class Wording:
    """How the report's sentences are worded, and what makes a priority on target: set per
    council in the register's framework fields. The defaults are the RBWM report's own words
    (its "As end of quarter 2" and "is at appendix 3" included)."""

    # "As at 30 September 2017, 16 of the 25 indicators were performing at or above target, ..."
    summary_opening: str = "As at {date}"
    # "As end of quarter 2, 30 September 2017, 16 indicators, 64%, were performing at or above ..."
    quarter_opening: str = "As end of quarter {quarter}, {date}"
    appendix3_sentence: str = (
        "Commentary and mitigation actions in relation to the {indicators} that {are} currently "
        "short of, or below, target is at appendix 3.")
    appendix3_none: str = "No indicators are currently short of, or below, target."
    key_outcome: str = "The council is on target to deliver its strategic priorities"
    priority_on_target: str = "all-green"

    def __post_init__(self) -> None:
        for name in WORDING_FIELDS:
            problem = _wording_problem(name, getattr(self, name))
            if problem:
                raise ValueError(f"wording {name}: {problem}")

    @classmethod
    def read(cls, given: Mapping[Any, Any]) -> tuple[Wording, list[RegisterProblem]]:
        """The wording set in a register's framework fields (a blank field keeps the default),
        with a problem for each unknown placeholder or rule."""
        values: dict[str, str] = {}
        problems: list[RegisterProblem] = []
        for name in WORDING_FIELDS:
            raw = given.get(name)
            text = "" if raw is None or (isinstance(raw, float) and raw != raw) else str(raw).strip()
            if not text:
                continue
            problem = _wording_problem(name, text)
            if problem:
                problems.append(RegisterProblem("register-bad-choice", "Framework", "", name, text,
                                                problem))
            else:
                values[name] = text.lower() if name == "priority_on_target" else text
        return cls(**values), problems

    def fill(self, name: str, **values: str) -> str:
        """The wording `name` with its placeholders filled in."""
        text: str = getattr(self, name)
        return text.format_map(values)


WORDING_FIELDS = [f.name for f in fields(Wording)]
FRAMEWORK_FIELDS = [
    "id", "name", "council", "year", "version", "contact_name", "contact_email", "return_due_days",
    *WORDING_FIELDS,
]


def _wording_problem(name: str, text: str) -> str:
    """Why `text` cannot be the wording `name`, or "" when it can."""
    if name == "priority_on_target":
        if text.lower() in ON_TARGET_RULES:
            return ""
        close = difflib.get_close_matches(text.lower(), list(ON_TARGET_RULES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"'{text}' is not one of {', '.join(ON_TARGET_RULES)}{hint}"
    allowed = WORDING_PLACEHOLDERS[name]
    listed = ", ".join(f"{{{p}}}" for p in allowed)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return (f"a '{{' or '}}' is not part of a placeholder; the placeholders are {listed} "
                "(write {{ or }} for a brace itself)")
    for _, placeholder, spec, conversion in parts:
        if placeholder is None:
            continue
        # Only a bare name: "{date.year}" or "{date!r}" would reach into Python objects.
        if placeholder not in allowed or spec or conversion:
            written = "{" + placeholder + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            close = difflib.get_close_matches(placeholder, list(allowed), n=1)
            hint = f" (did you mean '{{{close[0]}}}'?)" if close else ""
            return f"'{written}' is not one of {listed}{hint}"
    return ""
UNITS = ("percent", "count", "rate", "days", "currency")
UNIT_WORDS = {"percent": "%", "count": "number", "rate": "rate", "days": "days", "currency": "£"}
MEASURE_WORDS = {
    "snapshot": "Snapshot",
    "cumulative": "Cumulative (year to date)",
    "rolling": "Rolling 12 months",
}


@dataclass(frozen=True)
class Priority:
    """A strategic priority of the Council Plan."""

    id: str
    name: str
    order: int


@dataclass(frozen=True)
class Panel:
    """An Overview and Scrutiny panel."""

    id: str
    name: str


@dataclass(frozen=True)
class Owner:
    """A service that owns indicators and returns figures for them."""

    id: str
    name: str
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    """One key performance indicator and its targets for each quarter."""

    id: str
    name: str
    definition: str
    priority: str
    owner: str
    panel: str
    unit: str
    unit_label: str
    polarity: str  # higher or lower is better
    frequency: str  # quarterly, half-yearly, annual
    measure_type: str  # snapshot, cumulative, rolling
    targets: tuple[float | None, float | None, float | None, float | None]
    tolerance: float = 5.0
    tolerance_type: str = "relative"  # relative (% of target) or absolute (units)
    data_only: bool = False
    min_value: float | None = None
    max_value: float | None = None
    # The id this indicator had in the year before (renamed, or re-based), or "" when it is
    # new or unchanged; `rebased` when its figures are measured differently, so they are not
    # compared with the old id's; `replaces_note` says what changed, in words.
    replaces: str = ""
    rebased: bool = False
    replaces_note: str = ""

    def is_due(self, quarter: int) -> bool:
        """Whether a value is expected for this quarter."""
        if self.frequency == "half-yearly":
            return quarter in (2, 4)
        if self.frequency == "annual":
            return quarter == 4
        return True

    def target(self, quarter: int) -> float | None:
        """The target for a quarter, or None (data-only or not due)."""
        return None if self.data_only else self.targets[quarter - 1]

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The lowest and highest possible values (percent: 0 to 100 unless set)."""
        low, high = self.min_value, self.max_value
        if self.unit == "percent":
            low = 0.0 if low is None else low
            high = 100.0 if high is None else high
        elif low is None:
            low = 0.0
        return low, high

    @property
    def polarity_text(self) -> str:
        """`Higher` or `Lower`, as the template's 'Good performance is' column says it."""
        return "Higher" if self.polarity == "higher" else "Lower"

    def to_row(self) -> dict[str, Any]:
        """The indicator as one register row (the columns of the YAML and Excel forms)."""
        row = {name: getattr(self, name, None) for name in INDICATOR_COLUMNS}
        for q in range(4):
            row[f"q{q + 1}_target"] = self.targets[q]
        return row


@dataclass(frozen=True)
class Framework:
    """A performance management framework register for one financial year."""

    id: str
    name: str
    council: str
    year: str  # financial year, like 2017-18
    version: str
    contact_name: str
    contact_email: str
    return_due_days: int
    priorities: tuple[Priority, ...]
    panels: tuple[Panel, ...]
    owners: tuple[Owner, ...]
    indicators: tuple[Indicator, ...]
    source: str = field(default="", compare=False)
    wording: Wording = field(default_factory=Wording)

    # Lookups are by dictionary: a central collection's register has many thousands of rows.
    @cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def _owners(self) -> dict[str, Owner]:
        return {o.id: o for o in self.owners}

    @cached_property
    def _by_owner(self) -> dict[str, list[Indicator]]:
        out: dict[str, list[Indicator]] = {}
        for i in self.indicators:
            out.setdefault(i.owner, []).append(i)
        return out

    @staticmethod
    def read_wording(given: Mapping[Any, Any]) -> tuple[Wording, list[RegisterProblem]]:
        """The report wording set in a register's framework fields (see `Wording.read`)."""
        return Wording.read(given)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    def owner(self, owner_id: str) -> Owner | None:
        return self._owners.get(owner_id)

    def priority(self, priority_id: str) -> Priority | None:
        return next((p for p in self.priorities if p.id == priority_id), None)

    def panel(self, panel_id: str) -> Panel | None:
        return next((p for p in self.panels if p.id == panel_id), None)

    def indicators_of(self, owner_id: str) -> list[Indicator]:
        """An owner's indicators, in register order."""
        return list(self._by_owner.get(owner_id, ()))

    @property
    def ordered_priorities(self) -> list[Priority]:
        return sorted(self.priorities, key=lambda p: p.order)

    def to_dict(self) -> dict[str, Any]:
        """The register in the shape of its YAML form."""
        return {
            "framework": {k: getattr(self.wording if k in WORDING_FIELDS else self, k)
                          for k in FRAMEWORK_FIELDS},
            "priorities": [vars(p).copy() for p in self.priorities],
            "panels": [vars(p).copy() for p in self.panels],
            "owners": [vars(o).copy() for o in self.owners],
            "indicators": [self._row(i) for i in self.indicators],
        }

    def _row(self, indicator: Indicator) -> dict[str, Any]:
        row = indicator.to_row()
        if not self._links:  # a register that replaces nothing is written without those columns
            for name in LINK_COLUMNS:
                del row[name]
        return row

    @cached_property
    def _links(self) -> bool:
        return any(i.replaces or i.rebased or i.replaces_note for i in self.indicators)
