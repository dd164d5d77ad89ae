"""rbwm-pmf: quarterly performance returns for UK councils.

Templates for owners, cell-level validation of what they return, RAG rating, Table 1 and a
Cabinet-ready workbook. Names are imported on first use, so `import rbwm_pmf` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    # the register
    "load_framework": "register.load",
    "load_registers": "register.years",
    "Registers": "model.registers",
    "framework_from_dict": "register.load",
    "Framework": "model.framework",
    "Indicator": "model.framework",
    "Period": "model.periods",
    # templates
    "make_templates": "template.write",
    "write_register_xlsx": "template.write",
    # register files
    "framework_to_yaml": "register.convert",
    "write_register_yaml": "register.convert",
    "convert_register": "register.convert",
    "new_register_xlsx": "template.register",
    "register_cache_folder": "register.convert",
    # reading and validating
    "collect_paths": "reading.files",
    "SkippedFile": "reading.files",
    "read_return": "reading.returns",
    "read_values": "reading.values",
    "validate": "validation.run",
    "ValidationReport": "validation.report",
    "FileOutcome": "validation.report",
    "Issue": "validation.issues",
    "RULES": "validation.rules",
    "Rule": "validation.rules",
    # rating and consolidating
    "rate": "model.rating",
    "Status": "model.status",
    "consolidate": "consolidation.merge",
    "rate_values": "consolidation.rate",
    "ConsolidationResult": "consolidation.result",
    # the history store
    "HistoryStore": "history.store",
    "import_history": "history.importing",
    # outputs
    "write_workbook": "output.workbook",
    "write_feedback": "output.feedback",
    "check_workbook": "output.accessibility",
    # errors
    "PmfError": "errors",
    "RegisterError": "errors",
    "PeriodError": "errors",
    "OutputError": "errors",
    "InputError": "errors",
    "HistoryError": "errors",
    "HistoryBusy": "errors",
}

__all__ = [
    "RULES",
    "ConsolidationResult",
    "FileOutcome",
    "Framework",
    "HistoryBusy",
    "HistoryError",
    "HistoryStore",
    "Indicator",
    "InputError",
    "Issue",
    "OutputError",
    "Period",
    "PeriodError",
    "PmfError",
    "RegisterError",
    "Registers",
    "Rule",
    "SkippedFile",
    "Status",
    "ValidationReport",
    "__version__",
    "check_workbook",
    "collect_paths",
    "consolidate",
    "convert_register",
    "framework_from_dict",
    "framework_to_yaml",
    "import_history",
    "load_framework",
    "load_registers",
    "make_templates",
    "new_register_xlsx",
    "rate",
    "rate_values",
    "read_return",
    "read_values",
    "register_cache_folder",
    "validate",
    "write_feedback",
    "write_register_xlsx",
    "write_register_yaml",
    "write_workbook",
]

if TYPE_CHECKING:
    from rbwm_pmf.consolidation.merge import consolidate
    from rbwm_pmf.consolidation.rate import rate_values
    from rbwm_pmf.consolidation.result import ConsolidationResult
    from rbwm_pmf.errors import (
        HistoryBusy,
        HistoryError,
        InputError,
        OutputError,
        PeriodError,
        PmfError,
        RegisterError,
    )
    from rbwm_pmf.history.importing import import_history
    from rbwm_pmf.history.store import HistoryStore
    from rbwm_pmf.model.framework import Framework, Indicator
    from rbwm_pmf.model.periods import Period
    from rbwm_pmf.model.rating import rate
    from rbwm_pmf.model.registers import Registers
    from rbwm_pmf.model.status import Status
    from rbwm_pmf.output.accessibility import check_workbook
    from rbwm_pmf.output.feedback import write_feedback
    from rbwm_pmf.output.workbook import write_workbook
    from rbwm_pmf.reading.files import SkippedFile, collect_paths
    from rbwm_pmf.reading.returns import read_return
    from rbwm_pmf.reading.values import read_values
    from rbwm_pmf.register.convert import (
        convert_register,
        framework_to_yaml,
        register_cache_folder,
        write_register_yaml,
    )
    from rbwm_pmf.register.load import framework_from_dict, load_framework
    from rbwm_pmf.register.years import load_registers
    from rbwm_pmf.template.register import new_register_xlsx
    from rbwm_pmf.template.write import make_templates, write_register_xlsx
    from rbwm_pmf.validation.issues import Issue
    from rbwm_pmf.validation.report import FileOutcome, ValidationReport
    from rbwm_pmf.validation.rules import RULES, Rule
    from rbwm_pmf.validation.run import validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rbwm_pmf' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
