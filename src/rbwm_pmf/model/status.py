"""The words a rating and a data point can have, each written once."""

from __future__ import annotations

from enum import StrEnum


class _Word(StrEnum):
    """A word that is a string everywhere, printed too: `Green`, and `'Green'` in a dict."""

    def __repr__(self) -> str:
        return repr(self.value)


class Status(_Word):
    """An indicator's RAG status for a quarter. The word is the meaning; colour is emphasis."""

    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NOT_RATED = "Not rated"
    NO_DATA = "No data"


class Direction(_Word):
    """Direction of travel against the previous quarter, knowing which way is better."""

    IMPROVING = "Improving"
    DECLINING = "Declining"
    NO_CHANGE = "No change"
    NOT_COMPARABLE = "Not comparable"


class DataStatus(_Word):
    """Where an indicator's value for a quarter came from, or why there is none."""

    RETURNED = "Returned"
    EXPLAINED = "No data (explained)"  # returned blank, with the reason in Commentary
    NOT_DUE = "Not due"
    DATA_ONLY = "Data only"
    NO_RETURN = "No return"
    REJECTED = "Rejected"


GREEN, AMBER, RED, NOT_RATED, NO_DATA = Status
STATUSES = tuple(Status)
IMPROVING, DECLINING, NO_CHANGE, NOT_COMPARABLE = Direction
