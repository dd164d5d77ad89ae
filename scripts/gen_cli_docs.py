"""Write docs/cli.md, the command-line reference, from the rbwm-pmf Typer app (run after
changing a command or an option; `--check` only says whether the file is current).

Each command's section shows exactly what `--help` prints in a terminal 80 or more columns
wide, then tables of its arguments and options."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from rbwm_pmf.cli import PROG, app

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
# Click wraps help to the terminal's width, at most 80 columns, less a margin of 2.
HELP_WIDTH = 78

EXIT_CODES = [
    ("0", "Done, and no problems were found (warnings alone exit 0)."),
    ("1", "Done, but problems were found in the data: `validate` or `consolidate` found errors in "
          "the returns (with `--strict`, `consolidate` then writes nothing), or `check-register`, "
          "`register check` or `register convert` found the register not valid (`register "
          "convert` then writes nothing)."),
    ("2", "The command could not run: a mistyped command, option or value, or a missing "
          "argument; a path that does not exist; a `--register` that is not valid; no returns "
          "found, or none for the period; a period that cannot be read; an output that cannot be "
          "written (nothing partial is left, and an earlier file there is kept). With `--format json` on "
          "the command line, the error is also printed on stdout as "
          "`{\"error\": \"...\", \"exit_code\": 2}`."),
]

CACHE = (
    "A register you name with `--register` (or check, or convert) is checked in full the first "
    "time it is loaded; once it has passed, it is remembered in a cache folder, by the SHA-256 of "
    "its file, so later runs load it at once. A changed file, or another version of rbwm-pmf, is "
    "checked again. The folder is the one the environment variable `RBWM_PMF_CACHE` names, or "
    "else `$XDG_CACHE_HOME/rbwm-pmf`, or else `~/.cache/rbwm-pmf`; `rbwm-pmf --version --verbose` "
    "prints it. Set `RBWM_PMF_CACHE` to an empty string to turn the cache off, or give "
    "`--no-cache` for one run. A folder that cannot be written, such as a read-only home folder, "
    "costs only time: the register is checked on every run. Deleting the folder is always safe."
)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _visible(params: list[Any]) -> list[Any]:
    return [p for p in params if not getattr(p, "hidden", False) and p.name != "help"]


def _word(param: Any) -> str:
    """`PATH`, `PERIOD`, `[table|json]`: the word help shows for a value."""
    return param.metavar or param.name.upper()


def value_word(param: Any) -> str:
    """`` `PERIOD` ``, `flag`, `` `table` or `json` ``, `` `OWNER`, repeatable ``: what an option
    takes."""
    if getattr(param, "is_flag", False):
        return "flag"
    word = _word(param)
    if word.startswith("[") and "|" in word:  # choices, `[table|json]`
        word = " or ".join(f"`{choice}`" for choice in word.strip("[]").split("|"))
    else:
        word = f"`{word}`"
    return word + (", repeatable" if getattr(param, "multiple", False) else "")


def describe(param: Any) -> str:
    text = _cell(getattr(param, "help", None) or "")
    notes = []
    if param.nargs == -1:
        notes.append("One or more; required." if param.required else "Any number.")
    elif param.required:
        notes.append("Required.")
    default = param.default
    if (not param.required and default not in (None, False, (), [])
            and not getattr(param, "is_flag", False)):
        notes.append(f"Default: `{default}`.")
    return " ".join([text, *notes]).strip()


def commands() -> Iterator[tuple[list[str], Any, Any]]:
    """Every command, groups included, as (its words after `rbwm-pmf`, the command, a context
    for its help), the program itself first."""
    group = typer.main.get_command(app)
    root = group.make_context(PROG, [], resilient_parsing=True, terminal_width=HELP_WIDTH)

    def walk(command: Any, ctx: Any, words: list[str]) -> Iterator[tuple[list[str], Any, Any]]:
        yield words, command, ctx
        for name in getattr(command, "commands", {}):
            sub = command.commands[name]
            if sub.hidden:
                continue
            sub_ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
            yield from walk(sub, sub_ctx, [*words, name])

    yield from walk(group, root, [])


def help_text(command: Any, ctx: Any) -> str:
    """What `rbwm-pmf ... --help` prints, without the last newline."""
    return str(command.get_help(ctx)).rstrip("\n")


def _anchor(words: list[str]) -> str:
    return "-".join([PROG, *words])


def _first_paragraph(command: Any) -> str:
    return _cell((command.help or "").strip().split("\n\n")[0])


def _table(title: str, params: list[Any], names: Any) -> list[str]:
    if not params:
        return []
    lines = [f"| {title} | Value | Description |", "|---|---|---|"]
    for p in params:
        lines.append(f"| {names(p)} | {value_word(p)} | {describe(p)} |")
    return [*lines, ""]


def render() -> str:
    found = list(commands())
    (_, group, root), subcommands = found[0], found[1:]
    lines = [
        "# CLI reference",
        "",
        _cell(group.help or ""),
        "",
        "This page is generated from the command line itself (`python scripts/gen_cli_docs.py`): "
        f"each section shows what `{PROG} COMMAND --help` prints in a terminal. "
        f"`python -m rbwm_pmf` works wherever `{PROG}` does.",
        "",
        "```text",
        help_text(group, root),
        "```",
        "",
        "| Command | What it does |",
        "|---|---|",
    ]
    for words, command, _ in subcommands:
        name = " ".join(words)
        lines.append(f"| [`{name}`](#{_anchor(words)}) | {_first_paragraph(command)} |")
    options = [p for p in _visible(group.get_params(root)) if p.param_type_name == "option"]
    lines += [
        "",
        "## Options for every command",
        "",
        f"These come before the command: `{PROG} --no-cache validate returned/`.",
        "",
        *_table("Option", options, lambda p: ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])),
        "## The register cache",
        "",
        CACHE,
        "",
        "## Exit codes",
        "",
        "Every command exits with one of these codes.",
        "",
        "| Code | Meaning |",
        "|---|---|",
        *(f"| {code} | {_cell(meaning)} |" for code, meaning in EXIT_CODES),
        "",
        "Paths may be files or folders; folders are searched, subfolders included. The commands "
        "that take `--register` use the packaged RBWM 2017/18 register unless you give one.",
        "",
    ]
    for words, command, ctx in subcommands:
        params = _visible(command.get_params(ctx))
        lines += [
            f"{'#' * (len(words) + 1)} {PROG} {' '.join(words)}",
            "",
            _first_paragraph(command),
            "",
            "```text",
            help_text(command, ctx),
            "```",
            "",
        ]
        arguments = [p for p in params if p.param_type_name == "argument"]
        opts = [p for p in params if p.param_type_name == "option"]
        if arguments:
            lines += ["| Argument | Description |", "|---|---|"]
            lines += [f"| `{_word(p)}` | {describe(p)} |" for p in arguments]
            lines.append("")
        lines += _table("Option", opts, lambda p: ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts]))
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        current = OUT.read_text("utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, "utf-8")
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
