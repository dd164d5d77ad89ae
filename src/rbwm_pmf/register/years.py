"""Loading the registers of several years: the packaged ones, a folder of them, or a list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from rbwm_pmf.errors import RegisterError, RegisterProblem
from rbwm_pmf.model.framework import Framework
from rbwm_pmf.model.registers import Registers, fy_of, start_of
from rbwm_pmf.register.load import framework_from_dict, load_framework, yaml_tables

REGISTER_SUFFIXES = (".yaml", ".yml", ".xlsx")
PACKAGED_PREFIX = "rbwm-"

RegisterSource = Framework | Registers | str | Path | Mapping[str, Any] | None


def load_registers(source: RegisterSource | Iterable[Framework | str | Path] = None) -> Registers:
    """The registers of every year given: one register (a file, its tables or a Framework), a
    folder of register files (.yaml, .yml, .xlsx), or a list of them. Default: the packaged
    registers (RBWM 2017/18 and 2018/19).

    Raises RegisterError when two registers are for the same year, or an indicator `replaces`
    an id that the register of the year before does not have.
    """
    if isinstance(source, Registers):
        return source
    if isinstance(source, Framework):
        return Registers.of(source)
    if source is None:
        return check_registers(_packaged())
    if isinstance(source, (str, Path, Mapping)):
        given: list[Any] = [source]
    else:
        given = list(source)
    frameworks: list[Framework] = []
    for item in given:
        if isinstance(item, Framework):
            frameworks.append(item)
        elif isinstance(item, (str, Path)) and Path(item).is_dir():
            files = sorted(p for p in Path(item).iterdir()
                           if p.suffix.lower() in REGISTER_SUFFIXES and not p.name.startswith(("~$", ".")))
            if not files:
                raise RegisterError(str(item), [RegisterProblem(
                    "register-missing-file", str(item), "", "", "",
                    "the folder holds no register (.yaml, .yml or .xlsx)")])
            frameworks.extend(load_framework(p) for p in files)
        else:
            frameworks.append(load_framework(item))
    return check_registers(frameworks)


def _packaged() -> list[Framework]:
    folder = resources.files("rbwm_pmf.data")
    names = sorted(f.name for f in folder.iterdir()
                   if f.name.startswith(PACKAGED_PREFIX) and f.name.endswith(".yaml"))
    # The packaged registers are checked by the test suite: loading them needs no pandera.
    return [framework_from_dict(yaml_tables(folder.joinpath(n).read_text("utf-8"), n),
                                f"(packaged) {n}", validate=False) for n in names]


def check_registers(frameworks: Iterable[Framework]) -> Registers:
    """Registers, once no two are for one year and every `replaces` names an id of the year
    before (when that year has a register)."""
    frameworks = list(frameworks)
    problems: list[RegisterProblem] = []
    seen: dict[str, Framework] = {}
    for fw in frameworks:
        if fw.year in seen:
            problems.append(RegisterProblem(
                "register-duplicate-year", fw.source or fw.id, "", "year", fw.year,
                f"{seen[fw.year].source or seen[fw.year].id} is also the register for {fw.year}; "
                "give one register per year"))
        seen.setdefault(fw.year, fw)
    for fw in frameworks:
        before = seen.get(fy_of(start_of(fw.year) - 1))
        for ind in fw.indicators:
            if not ind.replaces:
                continue
            if ind.replaces == ind.id:
                problems.append(RegisterProblem(
                    "register-bad-replaces", "Indicators", f"id {ind.id}", "replaces",
                    ind.replaces, "an indicator cannot replace itself; leave replaces blank"))
            elif before is not None and before.indicator(ind.replaces) is None:
                problems.append(RegisterProblem(
                    "register-bad-replaces", "Indicators", f"id {ind.id}", "replaces",
                    ind.replaces, f"'{ind.replaces}' is not an indicator of the {before.year} "
                    f"register ({before.source or before.id})"))
    if problems:
        where = ", ".join(sorted({fw.source or fw.id for fw in frameworks}))
        raise RegisterError(where, problems)
    return Registers(tuple(frameworks))
