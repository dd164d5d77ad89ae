"""The return template's layout: sheet names, header labels and metadata keys.

The template writer and the return reader both follow this module, so they cannot drift apart.
"""

from __future__ import annotations

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
HEADERS = (ID, NAME, UNIT, POLARITY, TARGET, ACTUAL, COMMENTARY, MITIGATION)
REQUIRED_HEADERS = HEADERS
INPUT_HEADERS = (ACTUAL, COMMENTARY, MITIGATION)

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
