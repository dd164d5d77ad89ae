"""rbwm-pmf: quarterly performance returns for UK councils.

Templates for owners, cell-level validation of what they return, RAG rating, Table 1 and a
Cabinet-ready workbook. Names are imported on first use, so `import rbwm_pmf` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_framework": "register",
    "Framework": "register",
    "Indicator": "register",
    "Period": "periods",
    "make_templates": "template",
    "read_return": "reader",
    "validate": "batch",
    "ValidationReport": "validation",
    "Issue": "issues",
    "consolidate": "consolidation",
    "ConsolidationResult": "consolidation",
    "write_workbook": "workbook",
    "write_feedback": "feedback",
    "rate": "rag",
    "PmfError": "errors",
    "RegisterError": "errors",
    "PeriodError": "errors",
    "OutputError": "errors",
    "InputError": "errors",
}

__all__ = [
    "ConsolidationResult",
    "Framework",
    "Indicator",
    "InputError",
    "Issue",
    "OutputError",
    "Period",
    "PeriodError",
    "PmfError",
    "RegisterError",
    "ValidationReport",
    "consolidate",
    "load_framework",
    "make_templates",
    "rate",
    "read_return",
    "validate",
    "write_feedback",
    "write_workbook",
]

if TYPE_CHECKING:
    from .batch import validate
    from .consolidation import ConsolidationResult, consolidate
    from .errors import InputError, OutputError, PeriodError, PmfError, RegisterError
    from .feedback import write_feedback
    from .issues import Issue
    from .periods import Period
    from .rag import rate
    from .reader import read_return
    from .register import Framework, Indicator, load_framework
    from .template import make_templates
    from .validation import ValidationReport
    from .workbook import write_workbook


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rbwm_pmf' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
