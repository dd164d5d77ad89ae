"""The rule catalogue: every problem rbwm-pmf can report, with its stable code, severity,
message and fix hint. Messages are templates filled from the problem's details."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One kind of problem. `message` and `hint` are str.format templates."""

    code: str
    severity: str
    scope: str  # file, sheet, row, cell
    title: str
    message: str
    hint: str
    example: str = ""


_RULES = [
    # -- the file -------------------------------------------------------------------------
    Rule("file-unreadable", ERROR, "file", "File is damaged",
         "The file cannot be opened: it is damaged or was not saved completely ({detail}).",
         "Open the return in Excel, use File > Save As > Excel Workbook (.xlsx), and send it again.",
         "a truncated attachment"),
    Rule("file-empty", ERROR, "file", "File is empty",
         "The file is empty (0 bytes).",
         "Save the return again in Excel and re-attach it; the attachment may have failed.",
         "a 0-byte download"),
    Rule("file-not-a-workbook", ERROR, "file", "Not an Excel workbook",
         "The file is not an Excel workbook, although its name ends in {suffix} ({detail}).",
         "Send the .xlsx return you were given, filled in; do not rename other files to .xlsx.",
         "a PDF or CSV renamed to .xlsx"),
    Rule("file-encrypted", ERROR, "file", "Workbook is password-protected",
         "The workbook is encrypted with a password, so it cannot be read.",
         "Remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it) "
         "and send it again.", "a return saved with 'Encrypt with Password'"),
    Rule("file-legacy-xls", ERROR, "file", "Old Excel format (.xls)",
         "The file is in the old Excel 97-2003 format, which is not accepted.",
         "Open it in Excel and use File > Save As > Excel Workbook (.xlsx).", "return.xls"),
    Rule("file-macro-enabled", ERROR, "file", "Macro-enabled workbook",
         "The workbook contains macros (.xlsm/.xlsb), which are not accepted for security.",
         "Copy your figures into the .xlsx return you were sent, or Save As Excel Workbook (.xlsx).",
         "return.xlsm"),
    Rule("file-ods", ERROR, "file", "OpenDocument spreadsheet",
         "The file is an OpenDocument spreadsheet (.ods), not an Excel workbook.",
         "In LibreOffice use File > Save As and choose 'Excel 2007-365 (.xlsx)'.", "return.ods"),
    Rule("file-too-large", ERROR, "file", "File too large",
         "The file is too large to be a return ({detail}).",
         "Send only the return workbook, without pasted images or extra sheets of data.",
         "a zip bomb"),
    Rule("file-unsafe", ERROR, "file", "Unsafe content",
         "The file contains XML that could be used to attack the computer reading it ({detail}); "
         "it was not read.",
         "Fill in a fresh copy of the template you were sent and send that.",
         "an XML entity expansion"),
    Rule("file-duplicate", ERROR, "file", "Same file twice",
         "This file is an exact copy of {other}; only that one is used.",
         "Remove the copy from the folder of returns.", "return.xlsx and return (1).xlsx"),
    # -- the template ---------------------------------------------------------------------
    Rule("sheet-missing", ERROR, "file", "Return sheet missing",
         "The workbook has no sheet named '{expected}' (sheets found: {found}).",
         "Use the template you were sent and keep its 'Return' sheet and name.",
         "the Return sheet renamed 'Sheet1'"),
    Rule("metadata-missing", ERROR, "file", "Not a generated template",
         "The workbook does not carry the template's hidden details (framework, owner, period), "
         "so it cannot be matched to a period.",
         "Copy your figures into the template you were sent for this quarter.",
         "a hand-made copy of the return"),
    Rule("template-version", ERROR, "file", "Template version not supported",
         "The template version is {value}; this tool reads version {expected}.",
         "Use the template sent for this quarter.", "a template from an older release"),
    Rule("framework-mismatch", ERROR, "file", "Different framework",
         "The return is for framework '{value}', not '{expected}'.",
         "Use the template sent for this year's framework.", "last year's template"),
    Rule("period-mismatch", ERROR, "file", "Different period",
         "The return is for {value}, not {expected}.",
         "Use the template for {expected}, or check the period you asked for.",
         "a Q1 template returned for Q2"),
    Rule("owner-unknown", ERROR, "file", "Unknown owner",
         "The return names owner '{value}', which is not in the framework register.",
         "Use the template sent to your service.", "an owner id edited in the metadata"),
    Rule("header-missing", ERROR, "sheet", "Column header missing",
         "The column '{label}' was not found in the header row ({detail}).",
         "Put the header '{label}' back exactly as in the template (do not rename or delete "
         "template columns; add your own columns after the table).",
         "'Actual' renamed 'Q2 actual'"),
    # -- rows -------------------------------------------------------------------------------
    Rule("indicator-unknown", ERROR, "cell", "Unknown indicator",
         "'{value}' is not an indicator of the framework register.",
         "Use the indicator IDs in the template; do not type new rows.", "an ID typed as 1.10"),
    Rule("indicator-duplicate", ERROR, "cell", "Indicator given twice",
         "Indicator {value} appears more than once; it was first given in row {detail}.",
         "Keep one row per indicator and delete the copy.", "a row copied and pasted"),
    Rule("indicator-other-owner", ERROR, "cell", "Another owner's indicator",
         "Indicator {value} belongs to {detail}, not to this return's owner.",
         "Delete the row; that owner reports it on their own return.",
         "a row pasted from another service's return"),
    Rule("indicator-missing", ERROR, "sheet", "Indicator row missing",
         "Indicator {value} ({detail}) is due this period but its row is missing.",
         "Put the row back from the template and fill in its Actual.", "a row deleted"),
    Rule("indicator-id-missing", ERROR, "cell", "Row without an indicator ID",
         "This row has figures but no indicator ID.",
         "Type the indicator ID from the template, or delete the row.", "an ID cell cleared"),
    Rule("name-changed", WARNING, "cell", "Indicator name changed",
         "The indicator name was changed to '{value}'; the register's name is used.",
         "Leave the indicator name as it was; put remarks in Commentary.", "a name edited"),
    Rule("target-changed", ERROR, "cell", "Target changed",
         "The target was changed to {value}; the register's target for this period is {expected}.",
         "Put the target back to {expected}. Targets are set in the framework register; if it is "
         "wrong, tell the performance team.", "a target lowered"),
    # -- values -----------------------------------------------------------------------------
    Rule("actual-missing", ERROR, "cell", "Actual missing",
         "No actual value was given for indicator {indicator}, which is due this period.",
         "Type the value, or, if it is not available, say why in Commentary and tell the "
         "performance team.", "a blank Actual"),
    Rule("actual-not-a-number", ERROR, "cell", "Actual is not a number",
         '"{value}" is not a number.',
         "{detail}", "n/a"),
    Rule("actual-text-number", WARNING, "cell", "Number typed as text",
         '"{value}" was typed as text; it was read as {expected}.',
         "Type the number alone ({detail}) so Excel stores it as a number.", "1,234 as text"),
    Rule("actual-error-value", ERROR, "cell", "Excel error value",
         "The cell shows the Excel error {value}.",
         "Fix the formula (for {value}: {detail}) or type the value itself.", "#DIV/0!"),
    Rule("actual-formula-no-result", ERROR, "cell", "Formula without a saved result",
         "The cell holds the formula ={value} but no saved result.",
         "Open the file in Excel, let it calculate, save, and send it again; or type the value.",
         "a formula written by a script"),
    Rule("actual-out-of-bounds", ERROR, "cell", "Actual out of range",
         "{value} is outside the possible range for this indicator ({expected}).",
         "{detail}", "9340 for a percentage"),
    Rule("actual-not-due", WARNING, "cell", "Value for an indicator not due",
         "Indicator {indicator} is not due this period, so the value {value} is not used.",
         "Leave Actual blank for indicators marked 'Not due'.", "a half-yearly indicator at Q1"),
    Rule("percent-looks-like-fraction", WARNING, "cell", "Percentage may be a fraction",
         "{value} was read as {value}%, which is far from the target of {expected}%; "
         "it may be a fraction meant as {detail}%.",
         "Type the percentage as shown on your report (93.4 for 93.4%); the cell is "
         "formatted as a percentage.", "0.934 in a cell with its format cleared"),
    Rule("large-change", WARNING, "cell", "Unusually large change",
         "{value} is a change of {detail} on the previous quarter ({expected}).",
         "Check the value; if it is right, explain the change in Commentary.",
         "a value with an extra zero"),
    Rule("value-conflict", ERROR, "cell", "Two returns give this value",
         "Indicator {indicator} for {detail} is also given in {other} ({expected}); neither value "
         "is used.",
         "Keep one return per owner and quarter: remove the wrong file, or use --newest-wins "
         "(validate and consolidate) to use the most recently saved one.",
         "a return sent twice with changes"),
    Rule("value-conflict-newest", WARNING, "cell", "Older of two returns",
         "Indicator {indicator} for {detail} is also given in {other} ({expected}), which is "
         "newer; that value is used instead of this one.",
         "Remove the older return from the folder if it is no longer wanted.",
         "a corrected return sent after the first"),
    # -- commentary -------------------------------------------------------------------------
    Rule("commentary-missing", ERROR, "cell", "Commentary missing",
         "Indicator {indicator} is {detail}, so Commentary is required.",
         "Explain in Commentary why performance is short of target.", "an amber with no comment"),
    Rule("mitigation-missing", ERROR, "cell", "Mitigation actions missing",
         "Indicator {indicator} is {detail}, so Mitigation actions are required.",
         "Say in Mitigation actions what is being done to bring performance back to target, "
         "by whom and by when.", "an amber with no mitigation"),
    Rule("text-too-long", WARNING, "cell", "Text too long",
         "The text is {value} characters long; only the first {expected} are kept.",
         "Shorten the text; a Cabinet report needs a few sentences.", "a pasted document"),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}

# Specific hints for text typed in a numeric cell, tried in order.
NOT_A_NUMBER_HINTS = [
    (r"^(n/?a|na|none|nil|-+|tbc|tba|not available|unknown|\?+)$",
     "Leave Actual blank and explain in Commentary why the value is not available."),
    (r"^[<>≤≥~]|^(c\.?|ca\.?|approx\.?|about|around)\s*\d",
     "Type the value itself, without signs or words such as 'approx'."),
    (r"^[-+]?\d[\d,. ]*\s*%$",
     "A percentage sign was typed for an indicator that is not a percentage; type the number alone."),
    (r"\d",
     "Type the number alone, with no words or units; put any explanation in Commentary."),
]
DEFAULT_NOT_A_NUMBER_HINT = "Type the value as a number, or leave it blank and explain in Commentary."

ERROR_VALUE_HINTS = {
    "#DIV/0!": "a division by zero: check the denominator",
    "#REF!": "a reference to cells that were deleted",
    "#VALUE!": "text used where a number was expected",
    "#NAME?": "a misspelt function or name",
    "#N/A": "a lookup that found nothing",
    "#NUM!": "an impossible calculation",
    "#NULL!": "ranges that do not meet",
}

# Register problems (the framework register is configuration: these stop the run).
REGISTER_MESSAGES: dict[str, str] = {
    "register-duplicate-id": "the id '{value}' is used more than once",
    "register-missing-value": "a value is required",
    "register-unknown-priority": "'{value}' is not a priority in the Priorities table",
    "register-unknown-owner": "'{value}' is not an owner in the Owners table",
    "register-unknown-panel": "'{value}' is not a panel in the Panels table",
    "register-bad-choice": "'{value}' is not one of {choices}{suggestion}",
    "register-not-a-number": "'{value}' is not a number",
    "register-negative": "{value} is negative; it must be 0 or more",
    "register-target-missing": "the indicator is due in {quarter} but has no target for it",
    "register-percent-over-100": "{value} is over 100 for a percentage indicator",
    "register-bad-bounds": "the minimum {value} is above the maximum",
    "register-not-boolean": "'{value}' is not true or false",
}


def rule(code: str) -> Rule:
    """The catalogue entry for a code (KeyError for an unknown code)."""
    return RULES[code]
