"""The return template's layout: sheet names, header labels, the Status column's words and
metadata keys.

The template writer and the return reader both follow this module, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from rbwm_pmf.model.status import DataStatus, Status

# 1.1 added the Status column and the check line; 1.x returns all read the same.
TEMPLATE_VERSION = "1.1"

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
STATUS = "Status"  # worked out in the template; never read back


@dataclass(frozen=True)
class ReturnColumn:
    """One column of the Return sheet, declared once for the template writer and the reader."""

    label: str  # the header; the reader finds the column by it
    width: float  # in characters
    locked: bool  # False: an input cell the owner types in (white); True: from the register (grey)
    #               or worked out (Status)
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
                 prompt="Required when Status is Amber or Red (short of target): why, in a few "
                        "sentences. With no figure in Actual, say here why there is none. "
                        "Welcome for any other indicator."),
    ReturnColumn(MITIGATION, 45, False, "input_text",
                 prompt="Required when Status is Amber or Red (short of target): what is being done "
                        "to bring performance back to target, by whom and by when."),
)
HEADERS = tuple(c.label for c in COLUMNS)  # every one must be found in a return

# After the table: the Status column, which rates the Actual as it is typed. Its header is not
# one of HEADERS, so the reader passes it over like any column an owner adds, and returns made
# from templates without it read the same.
STATUS_COLUMN = ReturnColumn(
    STATUS, 13, True, "status",
    prompt="Worked out from Actual, the target and the tolerance: Green on or better than target, "
           "Amber short of it but within tolerance, Red beyond. Amber and Red need Commentary and "
           "Mitigation actions.",
)
SHEET_COLUMNS = (*COLUMNS, STATUS_COLUMN)  # every column the template writes, in order

# The Status column's words: a rating, or what the owner still has to do in the row.
GREEN: str = Status.GREEN.value
AMBER: str = Status.AMBER.value
RED: str = Status.RED.value
NOT_RATED_TEXT: str = Status.NOT_RATED.value  # due, but no target is set for the quarter
TYPE_A_VALUE = "Type a value"  # Actual blank, and Commentary says nothing
EXPLAINED_TEXT: str = DataStatus.EXPLAINED.value  # Actual blank, with the reason in Commentary
TYPE_A_NUMBER = "Type a number"  # Actual holds text or an error value
OUT_OF_RANGE = "Out of range"  # Actual outside the indicator's minimum and maximum

# Where the template puts things (1-based rows). Owners may insert rows above the table, so the
# reader searches for the header row instead of trusting this.
TITLE_ROW = 1
HEADER_ROW = 5
FIRST_DATA_ROW = HEADER_ROW + 1
# The check line, above the Actual to Status columns: what is still to do before sending.
CHECK_ROW = 3
CHECK_PREFIX = "Check before sending: "
CHECK_DONE = f"{CHECK_PREFIX}all figures typed and explained."
CHECK_NOTHING_DUE = f"{CHECK_PREFIX}no indicator is due this quarter."
CHECK_ERROR = f"{CHECK_PREFIX}a cell in the table shows an Excel error."

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
