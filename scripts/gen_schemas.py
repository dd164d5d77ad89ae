"""Write schemas/return.yaml, the pandera schema of a return's rows, from the row rules declared
in src/rbwm_pmf/validation/rules/ (run after adding or changing a row rule)."""

from __future__ import annotations

import sys
from pathlib import Path

from rbwm_pmf.validation.schema import row_schema_yaml


def main() -> int:
    out = Path(__file__).resolve().parents[1] / "schemas" / "return.yaml"
    out.write_text(row_schema_yaml(), "utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
