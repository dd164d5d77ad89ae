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
}
