"""The registers of several financial years: each year has its own, an indicator keeps its id
across years, and an indicator may say which id it `replaces` in the year before."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from rbwm_pmf.errors import InputError
from rbwm_pmf.model.framework import Framework, Indicator
from rbwm_pmf.model.periods import Period


def fy_of(year: int) -> str:
    """The financial year starting in `year`, like `2017-18`."""
    return Period(year, 1).fy


def start_of(fy: str) -> int:
    """The calendar year a financial year like `2017-18` starts in."""
    return Period.parse(f"{fy}-Q1").year


@dataclass(frozen=True)
class Link:
    """Where one indicator's series is in another year: its id there, and whether its values
    there can be compared with this year's (not when a re-based indicator lies between)."""

    id: str
    comparable: bool = True
    note: str = ""


@dataclass(frozen=True)
class Registers:
    """One register per financial year, oldest first."""

    frameworks: tuple[Framework, ...]

    def __post_init__(self) -> None:
        if not self.frameworks:
            raise ValueError("Registers needs at least one register.")
        ordered = tuple(sorted(self.frameworks, key=lambda fw: start_of(fw.year)))
        object.__setattr__(self, "frameworks", ordered)

    @classmethod
    def of(cls, frameworks: Framework | Registers | Iterable[Framework]) -> Registers:
        """Registers from one register, several, or Registers already made."""
        if isinstance(frameworks, Registers):
            return frameworks
        if isinstance(frameworks, Framework):
            return cls((frameworks,))
        return cls(tuple(frameworks))

    def __iter__(self) -> Iterator[Framework]:
        return iter(self.frameworks)

    def __len__(self) -> int:
        return len(self.frameworks)

    @cached_property
    def _by_year(self) -> dict[str, Framework]:
        return {fw.year: fw for fw in self.frameworks}

    @cached_property
    def _by_id(self) -> dict[str, Framework]:
        return {fw.id: fw for fw in self.frameworks}

    @property
    def years(self) -> list[str]:
        """The financial years with a register, oldest first."""
        return [fw.year for fw in self.frameworks]

    @property
    def latest(self) -> Framework:
        return self.frameworks[-1]

    def for_year(self, fy: str) -> Framework | None:
        """The register of a financial year (like `2018-19`), or None."""
        return self._by_year.get(fy)

    def for_report(self, period: Period | None) -> Framework:
        """The register a report (or templates) for `period` uses, the latest when None;
        InputError when no register is for its year."""
        if period is None:
            return self.latest
        fw = self._by_year.get(period.fy)
        if fw is None:
            raise InputError(
                f"There is no register for {period.fy}, the year of {period}: the registers "
                f"given are for {', '.join(self.years)}. Give the register for {period.fy} with "
                "--register.")
        return fw

    def by_id(self, framework_id: str) -> Framework | None:
        return self._by_id.get(framework_id)

    def for_return(self, framework_id: str, period: Period | None) -> Framework | None:
        """The register a return is checked against: the one it names, else its year's."""
        named = self._by_id.get(framework_id)
        if named is not None:
            return named
        return self._by_year.get(period.fy) if period is not None else None

    def link(self, indicator_id: str, year: str, other: str) -> Link:
        """Where the series of `indicator_id` (as the register of `year` names it) is in the
        earlier year `other`: each year's `replaces` is followed back. A year with no register
        keeps the id it is given."""
        current, comparable, notes = indicator_id, True, []
        y = start_of(year)
        stop = start_of(other)
        while y > stop:
            fw = self._by_year.get(fy_of(y))
            ind: Indicator | None = fw.indicator(current) if fw is not None else None
            if ind is not None and ind.replaces:
                current = ind.replaces
                if ind.rebased:
                    comparable = False
                if ind.replaces_note:
                    notes.append(ind.replaces_note)
            y -= 1
        return Link(current, comparable, "; ".join(notes))
