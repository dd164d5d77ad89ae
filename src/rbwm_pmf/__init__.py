"""rbwm-pmf: quarterly performance returns for UK councils."""

from .errors import OutputError, PeriodError, PmfError, RegisterError
from .periods import Period
from .register import Framework, Indicator, load_framework

__version__ = "0.1.0"

__all__ = [
    "Framework",
    "Indicator",
    "OutputError",
    "Period",
    "PeriodError",
    "PmfError",
    "RegisterError",
    "load_framework",
]
