"""The return template's layout: sheet names, header labels and metadata keys.

The template writer and the return reader both follow this module, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from rbwm_pmf.model.status import DataStatus

TEMPLATE_VERSION = "1.0"

INSTRUCTIONS_SHEET = "Instructions"
RETURN_SHEET = "Return"
META_SHEET = "Metadata"  # very hidden: owners cannot see or edit it

# The Return sheet's header labels, in template order. The reader finds them by label.
ID = "Indicator ID"
NAME = "Indicator"
UNIT = "Unit"
POLARITY = "Good performance is"
TARGET = "Target"
ACTUAL = "Actual"
COMMENTARY = "Commentary"
MITIGATION = "Mitigation actions"


@dataclass(frozen=True)
class ReturnColumn:
    """One column of the Return sheet, declared once for the template writer and the reader."""

    label: str  # the header; the reader finds the column by it
    width: float  # in characters
    locked: bool  # False: an input cell the owner types in (white); True: from the register (grey)
    fmt: str  # the usual format of its cells, a key of the template writer's formats
    field: str | None = None  # the Indicator attribute it shows; None: the writer works it out
    prompt: str | None = None  # the message Excel shows when one of its cells is selected


COLUMNS: tuple[ReturnColumn, ...] = (
    ReturnColumn(ID, 11, True, "ref", "id"),
    ReturnColumn(NAME, 50, True, "ref_wrap", "name"),
    ReturnColumn(UNIT, 16, True, "ref_wrap"),
    ReturnColumn(POLARITY, 18, True, "ref", "polarity_text"),
    ReturnColumn(TARGET, 12, True, "ref"),
    ReturnColumn(ACTUAL, 12, False, "input_number"),
    ReturnColumn(COMMENTARY, 45, False, "input_text",
                 prompt="Required for every indicator: what the figure shows and why, "
                        "in more detail when short of target."),
    ReturnColumn(MITIGATION, 45, False, "input_text",
                 prompt="Required when short of target: what you are doing about it, and by when."),
)
HEADERS = tuple(c.label for c in COLUMNS)  # every one must be found in a return

# Where the template puts things (1-based rows). Owners may insert rows above the table, so the
# reader searches for the header row instead of trusting this.
TITLE_ROW = 1
HEADER_ROW = 5
FIRST_DATA_ROW = HEADER_ROW + 1

NOT_DUE_TEXT: str = DataStatus.NOT_DUE.value
DATA_ONLY_TEXT: str = DataStatus.DATA_ONLY.value

# Metadata sheet: column A key, column B value, from row 1.
META_KEYS = (
    "framework_id",
    "framework_version",
    "owner_id",
    "owner_name",
    "period",
    "template_version",
    "generated",
)
