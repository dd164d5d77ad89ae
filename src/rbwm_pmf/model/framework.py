"""The framework register as data: priorities, panels, owners and indicators (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

PRIORITY_COLUMNS = ["id", "name", "order"]
PANEL_COLUMNS = ["id", "name"]
OWNER_COLUMNS = ["id", "name", "contact_name", "contact_email"]
INDICATOR_COLUMNS = [
    "id", "name", "definition", "priority", "owner", "panel", "unit", "unit_label", "polarity",
    "frequency", "measure_type", "q1_target", "q2_target", "q3_target", "q4_target",
    "tolerance", "tolerance_type", "data_only", "min_value", "max_value",
]
FRAMEWORK_FIELDS = [
    "id", "name", "council", "year", "version", "contact_name", "contact_email", "return_due_days",
]
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
            "framework": {k: getattr(self, k) for k in FRAMEWORK_FIELDS},
            "priorities": [vars(p).copy() for p in self.priorities],
            "panels": [vars(p).copy() for p in self.panels],
            "owners": [vars(o).copy() for o in self.owners],
            "indicators": [i.to_row() for i in self.indicators],
        }
