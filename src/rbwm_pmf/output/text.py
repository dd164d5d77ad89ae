"""Text in cells: how many lines wrapped text takes, the row height that shows it whole, and
text safe for a page header or footer. Shared by the workbook, template and feedback writers."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["ARIAL_11", "CALIBRI_11", "Font", "footer_text"]


@dataclass(frozen=True)
class Font:
    """How much text of one font fits a column, and how tall its lines are (estimates)."""

    per_unit: float  # characters per unit of column width
    bold_per_unit: float  # the same, for bold text
    line_points: float  # points per line

    def lines(self, text: str, width: float, *, bold: bool = False) -> int:
        """How many lines `text` takes wrapped in a column `width` characters wide."""
        per_line = max(1, int(width * (self.bold_per_unit if bold else self.per_unit)) - 1)
        if len(text) <= per_line and "\n" not in text:
            return 1  # most cells: no need to wrap the text to know
        return sum(
            max(1, len(textwrap.wrap(para, per_line, break_long_words=True, replace_whitespace=False)))
            for para in text.split("\n")
        )

    def height(self, lines: int) -> float:
        """The height in points of a row of `lines` lines."""
        # LibreOffice clips wrapped text in rows without an explicit height, so every row that
        # wraps gets one, with a little room under the last line.
        return max(15.0, self.line_points * lines + 3)


# A column's width counts '0' digits; ordinary text runs a little narrower than that. Each
# estimate assumes a little less than fits, so that Excel and LibreOffice never clip.
ARIAL_11 = Font(per_unit=1.15, bold_per_unit=1.05, line_points=14.5)  # the consolidated workbook
CALIBRI_11 = Font(per_unit=1.1, bold_per_unit=1.1, line_points=15.0)  # XlsxWriter's default font


def footer_text(text: str) -> str:
    """`text` for a page header or footer: '&' starts a code there, so each is doubled to print."""
    return text.replace("&", "&&")
