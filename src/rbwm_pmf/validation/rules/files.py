"""Rules about the file and the template: checked in code as each return is opened and read."""

from __future__ import annotations

from rbwm_pmf.validation.rules.rule import ERROR, WARNING, rule

# -- the file -------------------------------------------------------------------------
FILE_UNREADABLE = rule("file-unreadable", ERROR, "file", "File is damaged",
    "The file cannot be opened: it is damaged or was not saved completely ({detail}).",
    "Open the return in Excel, use File > Save As > Excel Workbook (.xlsx), and send it again.",
    "a truncated attachment")
FILE_EMPTY = rule("file-empty", ERROR, "file", "File is empty",
    "The file is empty (0 bytes).",
    "Save the return again in Excel and re-attach it; the attachment may have failed.",
    "a 0-byte download")
FILE_NOT_A_WORKBOOK = rule("file-not-a-workbook", ERROR, "file", "Not an Excel workbook",
    "The file is not an Excel workbook, although its name ends in {suffix} ({detail}).",
    "Send the .xlsx return you were given, filled in; do not rename other files to .xlsx.",
    "a PDF or CSV renamed to .xlsx")
FILE_ENCRYPTED = rule("file-encrypted", ERROR, "file", "Workbook is password-protected",
    "The workbook is encrypted with a password, so it cannot be read.",
    "Remove the password (File > Info > Protect Workbook > Encrypt with Password, clear it) "
    "and send it again.", "a return saved with 'Encrypt with Password'")
FILE_LEGACY_XLS = rule("file-legacy-xls", ERROR, "file", "Old Excel format (.xls)",
    "The file is in the old Excel 97-2003 format, which is not accepted.",
    "Open it in Excel and use File > Save As > Excel Workbook (.xlsx).", "return.xls")
FILE_MACRO_ENABLED = rule("file-macro-enabled", ERROR, "file", "Macro-enabled workbook",
    "The workbook contains macros (.xlsm/.xlsb), which are not accepted for security.",
    "Copy your figures into the .xlsx return you were sent, or Save As Excel Workbook (.xlsx).",
    "return.xlsm")
FILE_ODS = rule("file-ods", ERROR, "file", "OpenDocument spreadsheet",
    "The file is an OpenDocument spreadsheet (.ods), not an Excel workbook.",
    "In LibreOffice use File > Save As and choose 'Excel 2007-365 (.xlsx)'.", "return.ods")
FILE_TOO_LARGE = rule("file-too-large", ERROR, "file", "File too large",
    "The file is too large to be a return ({detail}).",
    "Send only the return workbook, without pasted images or extra sheets of data.",
    "a zip bomb")
FILE_UNSAFE = rule("file-unsafe", ERROR, "file", "Unsafe content",
    "The file contains XML that could be used to attack the computer reading it ({detail}); "
    "it was not read.",
    "Fill in a fresh copy of the template you were sent and send that.",
    "an XML entity expansion")
FILE_STRICT_XML = rule("file-strict-xml", ERROR, "file", "Strict Open XML workbook",
    "The workbook was saved as Strict Open XML, which is not read.",
    "In Excel use File > Save As and choose 'Excel Workbook (.xlsx)', not "
    "'Strict Open XML Spreadsheet'.",
    "a return saved as 'Strict Open XML Spreadsheet'")
FILE_SUPERSEDED = rule("file-superseded", WARNING, "file", "Replaced by a later copy",
    "This return was replaced by {other}, a feedback copy of it saved later, so its figures are "
    "not used.",
    "Nothing to do if {other} holds the corrected figures; if not, remove it from the folder of "
    "returns.", "a return and its corrected feedback copy, sent back")
FILE_DUPLICATE = rule("file-duplicate", ERROR, "file", "Same file twice",
    "This file is an exact copy of {other}; only that one is used.",
    "Remove the copy from the folder of returns.", "return.xlsx and return (1).xlsx")
# -- the template ---------------------------------------------------------------------
SHEET_MISSING = rule("sheet-missing", ERROR, "file", "Return sheet missing",
    "The workbook has no sheet named '{expected}' (sheets found: {found}).",
    "Use the template you were sent and keep its 'Return' sheet and name.",
    "the Return sheet renamed 'Sheet1'")
METADATA_MISSING = rule("metadata-missing", ERROR, "file", "Not a generated template",
    "The workbook does not carry the template's hidden details (framework, owner, period), "
    "so it cannot be matched to a period.",
    "Copy your figures into the template you were sent for this quarter.",
    "a hand-made copy of the return")
TEMPLATE_VERSION = rule("template-version", ERROR, "file", "Template version not supported",
    "The template version is {value}; this tool reads version {expected}.",
    "Use the template sent for this quarter.", "a template from an older release")
FRAMEWORK_MISMATCH = rule("framework-mismatch", ERROR, "file", "Different framework",
    "The return is for framework '{value}', not '{expected}'.",
    "Use the template sent for this year's framework.", "last year's template")
PERIOD_MISMATCH = rule("period-mismatch", ERROR, "file", "Different period",
    "The return is for {value}, not {expected}.",
    "Use the template for {expected}, or check the period you asked for.",
    "a Q1 template returned for Q2")
PERIOD_NOT_CURRENT = rule("period-not-current", WARNING, "file", "Return for another period",
    "The return is for {value}, but the report is for {expected} and {owner} has sent no return "
    "for {expected}.",
    "If these are {expected} figures, copy them into the {expected} template and send it; if "
    "they are {value} figures, send the {expected} return as well.",
    "last quarter's template filled in with this quarter's figures")
OWNER_UNKNOWN = rule("owner-unknown", ERROR, "file", "Unknown owner",
    "The return names owner '{value}', which is not in the framework register.",
    "Use the template sent to your service.", "an owner id edited in the metadata")
HEADER_MISSING = rule("header-missing", ERROR, "sheet", "Column header missing",
    "The column '{label}' was not found in the header row ({detail}).",
    "Put the header '{label}' back exactly as in the template (do not rename or delete "
    "template columns; add your own columns after the table).",
    "'Actual' renamed 'Q2 actual'")
HEADER_DUPLICATE = rule("header-duplicate", ERROR, "sheet", "Column header twice",
    "The header '{label}' is in both {first} and {extra}, so it is not clear which column holds "
    "the figures.",
    "Keep the template's own '{label}' column and rename or delete the other; put your own "
    "working in a column with another header.",
    "a working column headed 'Actual' beside the table")
TABLE_MERGED_CELLS = rule("table-merged-cells", ERROR, "sheet", "Merged cells in the table",
    "Cells {cells} are merged, so the cells covered by the first one look filled but are read "
    "as empty.",
    "Unmerge the cells (Home > Merge & Center > Unmerge Cells) and type each row's text in its "
    "own row.",
    "Mitigation merged over three rows")
