"""The owners' feedback copies: the Issues sheet's table follows its column declarations and is
styled like the consolidated workbook's."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from rbwm_pmf.output.feedback import ISSUE_COLUMNS, ISSUES_SHEET, write_feedback
from rbwm_pmf.validation.run import validate

MISTAKES = Path(__file__).resolve().parents[1] / "sample_workbooks" / "with_mistakes"
TEXT_IN_ACTUAL = MISTAKES / "2017-18-Q2-ASC-text-in-actual.xlsx"


def test_issues_sheet_headers_and_widths(tmp_path: Path) -> None:
    """Row 4 of the Issues sheet holds exactly the declared headers, white bold Arial on dark
    blue, each column has its declared width, and row 5 is the return's one problem, every cell
    text in Arial with a border, in a row tall enough for its longest text."""
    report = validate(TEXT_IN_ACTUAL)
    [written] = write_feedback(report, tmp_path)
    ws = load_workbook(written)[ISSUES_SHEET]
    assert [c.header for c in ISSUE_COLUMNS] == [
        "Cell", "Indicator", "Column", "What was typed", "What is wrong", "How to fix it",
        "Must be fixed?", "Rule"]
    header = [ws.cell(4, n).value for n in range(1, len(ISSUE_COLUMNS) + 2)]
    assert header == [c.header for c in ISSUE_COLUMNS] + [None]
    for n in range(1, len(ISSUE_COLUMNS) + 1):
        cell = ws.cell(4, n)
        assert (cell.font.name, cell.font.b, cell.font.color.rgb) == ("Arial", True, "00FFFFFF")
        assert cell.fill.fgColor.rgb == "001F4E79" and cell.alignment.wrap_text
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEFGH"]
    assert widths == [c.width for c in ISSUE_COLUMNS] == [12, 9, 13, 15, 36, 36, 9, 18]
    [issue] = report.records
    row = [ws.cell(5, n).value for n in range(1, len(ISSUE_COLUMNS) + 1)]
    assert row == ["Return!F9", issue.indicator_id, "Actual", "n/a", issue.message, issue.hint,
                   "Yes", "actual-not-a-number"]
    assert all(ws.cell(5, n).font.name == "Arial" and ws.cell(5, n).border.left.style == "thin"
               for n in range(1, len(ISSUE_COLUMNS) + 1))
    assert ws.row_dimensions[5].height >= 2 * 14.5  # the hint takes two lines at width 36
    assert ws["A2"].value == "1 problem must be fixed before your figures can be used."
    link = ws.cell(5, 1).hyperlink
    assert link is not None and link.target == "#'Return'!F9"
    assert ws.print_title_rows == "$4:$4" and ws.freeze_panes == "A5"


def test_feedback_to_a_folder_that_cannot_be_made_is_one_line_exit_2(tmp_path: Path) -> None:
    """--feedback-dir under a file (a folder that cannot exist) is a one-line error, exit 2, with
    no traceback and nothing written."""
    import subprocess
    import sys

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file", "utf-8")
    mistakes = Path(__file__).resolve().parents[1] / "sample_workbooks" / "with_mistakes"
    done = subprocess.run([sys.executable, "-m", "rbwm_pmf", "validate", str(mistakes),
                           "--feedback-dir", str(blocker / "feedback")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: Cannot write {blocker / 'feedback'}: Not a directory. Nothing was changed at that path."]
    assert blocker.read_text("utf-8") == "a file"
