"""Test-wide settings: the register cache lives in a temporary folder, never in ~/.cache."""

from __future__ import annotations

import os
import tempfile

os.environ["RBWM_PMF_CACHE"] = tempfile.mkdtemp(prefix="rbwm-pmf-cache-")
