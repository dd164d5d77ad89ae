"""Exceptions for what stops a whole run. Bad data in returns is never an exception: it is an Issue."""

from __future__ import annotations

from dataclasses import dataclass


class PmfError(Exception):
    """Base class for every error rbwm-pmf raises."""


@dataclass(frozen=True)
class RegisterProblem:
    """One problem found in a framework register: where it is and what is wrong."""

    code: str
    sheet: str
    row: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} {self.row}" if self.row else self.sheet
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message} [{self.code}]"


class RegisterError(PmfError):
    """The framework register is unreadable or invalid; `problems` lists every problem found."""

    def __init__(self, source: str, problems: list[RegisterProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"The register {source} has {len(problems)} {noun}:\n{lines}")


class PeriodError(PmfError, ValueError):
    """A period name that cannot be understood (expected like 2017-18-Q2)."""


class OutputError(PmfError):
    """An output cannot be written (missing folder, unwritable, or the same file as an input)."""


class InputError(PmfError):
    """An input path given by the user does not exist or holds nothing to read."""


class HistoryError(PmfError):
    """The history store cannot be opened, read or written (its file is left as it was)."""


class HistoryBusy(HistoryError):
    """The history store is locked by another run for longer than the wait allowed."""
