"""Finding returns: expand files and folders into the workbooks to read and the files skipped."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rbwm_pmf.errors import InputError

RETURN_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm"}
FEEDBACK_SUFFIX = " - feedback.xlsx"  # a feedback copy: read as a return when sent back
FEEDBACK_FOR = "feedback_for_sha256"  # its Metadata key: the SHA-256 of the return it copies
FROM_TABLE = "from_table"  # the Metadata key of a return made from a table of values
# What reduce_rows gives for each row of a return, column by column.

@dataclass(frozen=True)
class SkippedFile:
    """A file that was found but is not a return (a lock file, a hidden file, a non-workbook)."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- finding files ------------------------------------------------------------------------

def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not a return, or None if it should be read."""
    name = path.name
    if fnmatch.fnmatch(name, "~$*"):
        return "Excel lock file (the workbook is open somewhere)"
    if fnmatch.fnmatch(name, ".~lock.*#"):
        return "LibreOffice lock file (the workbook is open somewhere)"
    if name.startswith("."):
        return "hidden file"
    if path.suffix.lower() not in RETURN_SUFFIXES:
        return f"not a spreadsheet ({path.suffix or 'no extension'})"
    return None


def collect_paths(
    paths: str | Path | Iterable[str | Path],
) -> tuple[list[Path], list[SkippedFile]]:
    """Expand files and folders (recursively) into returns to read and files skipped."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    skipped: list[SkippedFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    reason = skip_reason(child)
                    if reason:
                        skipped.append(SkippedFile(str(child), reason))
                    else:
                        found.append(child)
        elif path.is_file():
            # A file named explicitly is read even if its name looks odd, except lock files.
            reason = skip_reason(path)
            if reason and ("lock" in reason):
                skipped.append(SkippedFile(str(path), reason))
            else:
                found.append(path)
        else:
            raise InputError(f"{path} does not exist.")
    return found, skipped
