"""Writing an output file safely: under a hidden temporary name beside it, then renamed over it,
so a failed or killed run leaves any earlier file as it was and nothing partial behind."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from rbwm_pmf.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

_WHY = {
    errno.ENOSPC: "there is not enough disk space",
    errno.EDQUOT: "the disk quota is full",
    errno.EACCES: "permission was denied",
    errno.EPERM: "permission was denied",
    errno.EROFS: "the disk is read-only",
}


def os_problem(path: Path, exc: OSError) -> str:
    """A sentence for an operating-system error while writing `path`; any earlier file is kept."""
    why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
    return f"Cannot write {path}: {why}. Nothing was changed at that path."


def temp_folder_beside(path: Path) -> Path:
    """A new hidden folder beside `path`, for a writer's own temporary files."""
    try:
        return Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.stem}."))
    except OSError as exc:
        raise OutputError(os_problem(path, exc)) from exc


def write_replacing(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Call `write` with a new hidden file beside `path`, then rename it over `path`.

    Any operating-system error becomes an OutputError saying why, with the temporary file
    removed; an earlier file at `path` keeps its bytes and its permissions.
    """
    return write_all_replacing([(path, write)])[0]


def write_all_replacing(files: Sequence[tuple[Path, Callable[[BinaryIO], object]]]) -> list[Path]:
    """Write a set of files that belong together (the CSV export): each under a hidden name
    beside it, and only when every one is written, rename them all into place. If any cannot be
    written, none is replaced, the temporary files are removed and OutputError says why."""
    done: list[tuple[Path, Path]] = []  # (temporary file, its final path)
    try:
        for path, write in files:
            done.append((_write_temp(path, write), path))
        for temp, path in done:
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise OutputError(os_problem(path, exc)) from exc
    except BaseException:
        for temp, _ in done:
            temp.unlink(missing_ok=True)
        raise
    return [path for path, _ in files]


def _write_temp(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """`write` into a new hidden file beside `path`, with the permissions `path` will need."""
    try:
        # A hidden name, so that a folder scan meeting it before the rename skips it.
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(os_problem(path, exc)) from exc
    temp = Path(name)
    try:
        # mkstemp makes the file readable by its owner only: keep the old file's permissions,
        # or give a new file the usual ones, so a shared folder's readers can open it.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(os_problem(path, exc)) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


# -- tidy CSV files ----------------------------------------------------------------------------

# What a spreadsheet may take as the start of a formula in a text cell (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(frame: pd.DataFrame, stream: BinaryIO) -> None:
    """`frame` as a tidy CSV file for BI tools and spreadsheets: UTF-8 with a byte-order mark
    (so Excel reads "↑" and "£" right), CRLF line ends (RFC 4180, so a text holding a lone CR
    is quoted too), and each text cell that starts like a formula given a leading ', so a
    spreadsheet shows it as typed rather than running it."""
    inert_text(frame).to_csv(stream, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _inert(value: Any) -> Any:
    """A text starting like a formula with a leading ', so it is shown as typed; else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_text(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell made inert; numbers, booleans and dates left alone."""
    import pandas as pd

    out = frame.copy(deep=False)
    for column in out.columns:
        values = out[column]
        if (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
                or pd.api.types.is_datetime64_any_dtype(values)):
            continue
        objects = values.astype(object)
        if any(isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in objects):
            out[column] = objects.map(_inert)
    return out
