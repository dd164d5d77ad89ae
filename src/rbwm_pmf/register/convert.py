"""Register files: the YAML form written from a Framework, a register converted between its YAML
and Excel forms, and where checked registers are cached."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from rbwm_pmf.errors import PmfError
from rbwm_pmf.model.framework import (
    FRAMEWORK_FIELDS,
    LINK_COLUMNS,
    Framework,
)
from rbwm_pmf.output.files import write_replacing
from rbwm_pmf.register.load import TABLE_COLUMNS, cache_folder, load_framework

__all__ = [
    "convert_register",
    "framework_to_yaml",
    "register_cache_folder",
    "write_register_yaml",
]

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIX = ".xlsx"
_WIDTH = 100  # the packaged register's line width
_LAST_ROW = 1_048_575  # Excel's last row, counted from 0
_REFERENCE_ROWS = 1_000  # rows of a table that a list of its ids offers


# -- the YAML form ---------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A value as the YAML form writes it: a whole-number float as an int (`90`, not `90.0`)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def framework_to_yaml(framework: Framework) -> str:
    """The register's YAML form: the tables of `Framework.to_dict()` in the packaged register's
    shape (framework fields, then priorities, panels, owners and indicators, each row's keys in
    column order), which `load_framework` reads back to an equal Framework."""
    data = framework.to_dict()
    tables: dict[str, Any] = {
        "framework": {k: _plain(data["framework"][k]) for k in FRAMEWORK_FIELDS},
    }
    for name, columns in TABLE_COLUMNS.items():
        # Optional columns no row has (the links to last year's ids, when nothing is replaced)
        # are left out, as to_dict leaves them out.
        kept = [c for c in columns if c not in LINK_COLUMNS or any(c in row for row in data[name])]
        tables[name] = [{c: _plain(row.get(c)) for c in kept} for row in data[name]]
    title = " ".join(f"{framework.id}, {framework.year}: {framework.name}".split())  # one line
    header = (
        f"# Framework register {title}.\n"
        "# Percent targets are in points (90 means 90%).\n"
    )
    body = yaml.safe_dump(tables, sort_keys=False, allow_unicode=True, width=_WIDTH)
    return header + body


def write_register_yaml(framework: Framework, path: str | Path) -> Path:
    """Write the register's YAML form to `path` (whole or not at all); return the path."""
    text = framework_to_yaml(framework).encode("utf-8")
    return write_replacing(Path(path), lambda stream: stream.write(text))


def convert_register(source: str | Path, dest: str | Path) -> Framework:
    """Load and check the register at `source` and write it to `dest` in the form its suffix
    names: `.xlsx` for the Excel form, `.yaml` or `.yml` for the YAML form. Returns the register.

    Raises RegisterError if the source is not a valid register, OutputError if `dest` cannot be
    written (nothing is left at `dest` then, and an earlier file there is kept), and PmfError
    for a destination of another kind or the source itself.
    """
    from rbwm_pmf.template.write import write_register_xlsx

    src, out = Path(source), Path(dest)
    suffix = out.suffix.lower()
    if suffix not in (XLSX_SUFFIX, *YAML_SUFFIXES):
        raise PmfError(f"The converted register must be a .xlsx, .yaml or .yml file, not '{out.name}'.")
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise PmfError(f"{out} is the register being converted: give another file to write.")
    framework = load_framework(src)
    if suffix == XLSX_SUFFIX:
        write_register_xlsx(framework, out)
    else:
        write_register_yaml(framework, out)
    return framework


# -- the cache -------------------------------------------------------------------------------

def register_cache_folder() -> Path | None:
    """The folder where `load_framework` keeps the registers it has checked (`RBWM_PMF_CACHE`,
    default `~/.cache/rbwm-pmf`), or None when the cache is off."""
    return cache_folder()
