"""Rules about past outturns imported into the history store: checked in code as the table is
read, before its rows are checked as a return's are."""

from __future__ import annotations

from rbwm_pmf.validation.rules.rule import ERROR, rule

HISTORY_TARGET_NOT_A_NUMBER = rule(
    "history-target-not-a-number", ERROR, "cell", "Past target is not a number",
    "The target '{value}' is not a number.",
    "Type the target that applied in {detail} as a plain number (90 for 90%), or leave the cell "
    "blank if there was none.", "'90% (stretch)' typed as a target")
