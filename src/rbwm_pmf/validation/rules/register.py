"""Problems in the framework register. The register is configuration: these stop the run, with
every problem listed (see RegisterError)."""

from __future__ import annotations

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
    # {what}: "a column of the Indicators table", "a field of the Framework table" or "a table
    # of the register"; {rows}: "; 3 rows have it" when more than one row of a YAML table has it.
    "register-unknown-column": "'{value}' is not {what}{suggestion}{rows}",
    # {kind}: column, or field on the Framework sheet.
    "register-duplicate-column": (
        "cells {first} and {second} both name the {kind} '{value}'; keep one of them"
    ),
    "register-id-number": (
        "the id {value} was stored as a number, so Excel may have changed it (1.10 becomes 1.1); "
        "format the id column as Text and type the ids again"
    ),
    "register-error-value": "the cell holds the error {value}; type the value",
}

# register-id-number in the YAML form, where {written} is the id as the file has it.
REGISTER_ID_NUMBER_YAML = (
    "the id {written} is not in quotes, so YAML reads it as the number {value} (1.10 becomes 1.1); "
    "put the id in quotes, '{written}'"
)
