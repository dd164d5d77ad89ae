"""Write docs/rules.md, the rule catalogue, from rbwm_pmf.rules (run after changing a rule)."""

from __future__ import annotations

import sys
from pathlib import Path

from rbwm_pmf.validation.rules import RULES

SCOPES = {"file": "the whole file", "sheet": "the Return sheet", "cell": "one cell",
          "row": "one row"}


def render() -> str:
    lines = [
        "# Validation rules",
        "",
        "Every problem rbwm-pmf finds in a return is reported with one of these codes. An "
        "**error** stops that value (or, for a file-level problem, the whole return) from being "
        "used until it is fixed; a **warning** is worth checking but the value is used. Each "
        "cell gets at most one problem: where two rules meet in one cell, the first is reported.",
        "",
        "This page is generated from the code (`python scripts/gen_rule_docs.py`); "
        "`rbwm-pmf rules` lists the same codes.",
        "",
        "| Code | Severity | Applies to | Problem |",
        "|---|---|---|---|",
    ]
    for r in RULES.values():
        lines.append(f"| [`{r.code}`](#{r.code}) | {r.severity} | {SCOPES[r.scope]} | {r.title} |")
    lines.append("")
    for r in RULES.values():
        lines += [
            f"## {r.code}",
            "",
            f"**{r.title}** ({r.severity}, {SCOPES[r.scope]}).",
            "",
            f"- Message: {r.message}",
            f"- How to fix: {r.hint}",
            f"- Example: {r.example}",
            "",
        ]
    lines.append("Words in braces are filled in from the return: `{value}` is the value as "
                 "typed, `{indicator}` the indicator ID, `{label}` the column header.")
    return "\n".join(lines) + "\n"


def main() -> int:
    out = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    out.write_text(render(), "utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
