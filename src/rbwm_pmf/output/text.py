"""Text in cells: how many lines wrapped text takes, the row height that shows it whole, how wide
a text prints in Arial, and text safe for a page header or footer. Shared by the workbook,
template and feedback writers."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

__all__ = ["ARIAL_11", "CALIBRI_11", "Font", "arial_lines", "arial_width", "footer_text",
           "unbreakable", "wrap_to_width"]


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


# Advance widths (thousandths of the font size) of Arial, the same as Liberation Sans, which
# LibreOffice prints in its place: for the characters space to "~" in order.
_ARIAL_REGULAR = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 "
    "556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 "
    "722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 "
    "556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 "
    "260 334 584")
_ARIAL_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 "
    "556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 "
    "722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 "
    "556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 "
    "280 389 584")
_WIDTHS = {
    bold: {chr(32 + n): int(w) for n, w in enumerate(table.split())}
    for bold, table in ((False, _ARIAL_REGULAR), (True, _ARIAL_BOLD))
}
_WIDE = 1000  # arrows, an ellipsis and characters outside the table: the widest likely


def arial_width(text: str, *, bold: bool = False, size: float = 11.0) -> float:
    """How wide `text` prints in Arial of `size` points, in points."""
    widths = _WIDTHS[bold]
    return sum(widths.get(ch, _WIDE) for ch in text) * size / 1000


def wrap_to_width(text: str, points: float, *, bold: bool = False, size: float = 11.0) -> list[str]:
    """`text` in lines that each print no wider than `points` in Arial (a word wider than that
    has a line of its own)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if line and arial_width(candidate, bold=bold, size=size) > points:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


# Where a cell may wrap a line: at spaces, and after a hyphen or a slash (file names, paths,
# rule codes).
_PIECE = re.compile(r"[^\s/-]+[/-]?|[/-]")


def unbreakable(text: str) -> list[str]:
    """The pieces of `text` a wrapped cell cannot break: "2017-18-Q2-ASC.xlsx" is "2017-",
    "18-", "Q2-" and "ASC.xlsx"."""
    return _PIECE.findall(text)


def arial_lines(text: str, points: float, *, bold: bool = False, size: float = 11.0) -> int:
    """How many lines `text` takes in Arial wrapped to `points` wide: lines break at spaces,
    after hyphens and slashes, and anywhere in a piece wider than a line."""
    space = arial_width(" ", bold=bold, size=size)
    total = 0
    for para in text.split("\n"):
        lines, used = 1, 0.0
        for word in para.split():
            for n, piece in enumerate(unbreakable(word)):
                width = arial_width(piece, bold=bold, size=size)
                gap = space if n == 0 and used else 0.0
                if used and used + gap + width > points:
                    lines, used, gap = lines + 1, 0.0, 0.0
                if width > points:
                    whole = int(width // points)
                    lines, used = lines + whole, width - whole * points
                else:
                    used += gap + width
        total += lines
    return total
