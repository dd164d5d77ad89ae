"""Reading many files with worker processes, keeping the files' order and surviving a crash."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from rbwm_pmf.model.framework import Framework

T = TypeVar("T")
# Below this many files a pool costs more to start than it saves.
MIN_FILES_FOR_WORKERS = 16

_FRAMEWORK: Framework | None = None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init(framework: Framework) -> None:
    global _FRAMEWORK
    _FRAMEWORK = framework


def _call(work: Callable[[Path, Framework], T], path: Path) -> T:
    assert _FRAMEWORK is not None
    return work(path, _FRAMEWORK)


def map_files(
    work: Callable[[Path, Framework], T],
    files: list[Path],
    framework: Framework,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    on_crash: Callable[[Path], T] | None = None,
    meanwhile: Callable[[], object] | None = None,
    arrived: Callable[[T, Framework], Any] | None = None,
) -> list[Any]:
    """`work(path, framework)` for every file, in order, with `jobs` processes (default: cores).

    `meanwhile` is called once in this process while the workers read (first, with no workers);
    `arrived` is applied in this process to each result as it comes back.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(files) < MIN_FILES_FOR_WORKERS:
        if meanwhile is not None:
            meanwhile()
        out = []
        for path in files:
            one = work(path, framework)
            out.append(arrived(one, framework) if arrived is not None else one)
            if progress is not None:
                progress(path)
        return out
    chunk = max(1, min(64, len(files) // (jobs * 8)))
    results: list[Any] = []
    try:
        with ProcessPoolExecutor(jobs, initializer=_init, initargs=(framework,)) as pool:
            mapped = pool.map(_call, [work] * len(files), files, chunksize=chunk)
            if meanwhile is not None:
                meanwhile()
            for path, result in zip(files, mapped, strict=True):
                results.append(arrived(result, framework) if arrived is not None else result)
                if progress is not None:
                    progress(path)
    except BrokenProcessPool:
        # A worker died (killed, or out of memory). Finish one file per process so that only
        # the file that kills its reader is lost, and say so for that file.
        for path in files[len(results):]:
            one = _isolated(work, path, framework, on_crash)
            results.append(arrived(one, framework) if arrived is not None else one)
            if progress is not None:
                progress(path)
    return results


def _isolated(
    work: Callable[[Path, Framework], T], path: Path, framework: Framework,
    on_crash: Callable[[Path], T] | None,
) -> T:
    try:
        with ProcessPoolExecutor(1, initializer=_init, initargs=(framework,)) as pool:
            return pool.submit(_call, work, path).result()
    except BrokenProcessPool:
        if on_crash is None:
            raise
        return on_crash(path)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector (in this process and the workers it starts) for a batch.

    A batch builds hundreds of thousands of small objects with no reference cycles; the
    collector would walk them over and over as they grow (a tenth of a run's time) and could
    free none of them. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
