"""The consolidated data's row: one indicator in one quarter, as a named record."""

from __future__ import annotations

from typing import NamedTuple


class DataRow(NamedTuple):
    """One indicator in one quarter of the year to date: one row of `ConsolidationResult.data`.

    Built by keyword; the data frame's columns are these fields in this order.
    """

    period: str
    quarter: int
    priority_order: int
    priority: str
    indicator_id: str
    indicator: str
    owner_id: str
    owner: str
    panel: str
    unit: str
    unit_label: str
    polarity: str
    measure_type: str
    frequency: str
    actual: float | None
    target: float | None
    tolerance: float
    status: str
    reason: str
    direction: str
    data_status: str
    commentary: str
    mitigation: str
    source_file: str
    source_cell: str
    commentary_cell: str
    mitigation_cell: str
    # Against the same quarter a year before (see consolidation.history).
    same_quarter_last_year: float | None = None
    direction_on_last_year: str = "Not comparable"
    series: tuple[float | None, ...] = ()  # the last eight quarters' values, oldest first
    history_note: str = ""  # how the series links to an earlier id (`replaces`), if it does


DATA_COLUMNS: tuple[str, ...] = DataRow._fields
