"""Test-wide settings.

- The register cache lives in a temporary folder (removed at exit), never in ~/.cache.
- Hypothesis has no deadline (a test never fails for being slow on a busy machine) and keeps no
  example database (nothing is written into the repository).
- `@pytest.mark.soffice` marks a test that needs LibreOffice: without `soffice` on the PATH it is
  skipped with the way to install it, except in CI (CI=true), where it fails. Code that calls
  LibreOffice through `tests.kit.soffice` or `tests.kit.convert` behaves the same without the
  mark; see `tests.kit.require_soffice`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import settings

os.environ["RBWM_PMF_CACHE"] = tempfile.mkdtemp(prefix="rbwm-pmf-cache-")
atexit.register(shutil.rmtree, os.environ["RBWM_PMF_CACHE"], ignore_errors=True)

settings.register_profile("rbwm-pmf", deadline=None, database=None)
settings.load_profile("rbwm-pmf")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "soffice(*tools): needs LibreOffice's soffice (and these other tools, e.g. "
                   "pdftoppm): skipped without it, except in CI (CI=true), where it fails")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("soffice"):
        from tests.kit import require_soffice

        require_soffice(*mark.args)

