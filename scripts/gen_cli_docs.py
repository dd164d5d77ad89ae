"""Write docs/cli.md, the command-line reference, from the rbwm-pmf Typer app (run after
changing a command or an option; `--check` only says whether the file is current)."""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any

import typer

from rbwm_pmf.cli import app

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
PROG = "rbwm-pmf"
TYPE_WORDS = {str: "text", Path: "path", int: "whole number", float: "number", bool: "flag"}


def _base(annotation: Any) -> tuple[Any, bool]:
    """The type a value is read as, and whether the option may be given more than once."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (list, tuple, set) and args:
        return args[0], True
    if args and len(args) == 1:  # X | None
        return _base(args[0])
    return annotation, False


def value_word(param: Any) -> str:
    """`text`, `path`, `flag`, `text, repeatable`: what the option takes."""
    if getattr(param, "is_flag", False):
        return "flag"
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation is not None:
        base, repeatable = _base(annotation)
        word = TYPE_WORDS.get(base, getattr(base, "__name__", str(base)).lower())
    else:  # a plain click parameter
        word = {"string": "text"}.get(getattr(param.type, "name", "text"), param.type.name)
        repeatable = False
    repeatable = repeatable or bool(getattr(param, "multiple", False))
    if param.param_type_name == "argument":
        return word + (", one or more" if param.nargs == -1 else "")
    return word + (", repeatable" if repeatable else "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def usage(name: str, params: list[Any]) -> str:
    """`rbwm-pmf validate [OPTIONS] PATHS...`."""
    parts = [PROG, name]
    if any(p.param_type_name == "option" for p in params):
        parts.append("[OPTIONS]")
    for p in params:
        if p.param_type_name == "argument":
            word = p.name.upper() + ("..." if p.nargs == -1 else "")
            parts.append(word if p.required else f"[{word}]")
    return " ".join(parts)


def _visible(params: list[Any]) -> list[Any]:
    return [p for p in params if not getattr(p, "hidden", False) and p.name != "help"]


def describe(param: Any) -> str:
    text = _cell(param.help or "")
    notes = []
    if param.required:
        notes.append("Required.")
    default = param.default
    if (not param.required and default not in (None, False, (), [])
            and not getattr(param, "is_flag", False)):
        notes.append(f"Default: `{default}`.")
    return " ".join([text, *notes]).strip()


def render() -> str:
    group = typer.main.get_command(app)
    root = group.make_context(PROG, [], resilient_parsing=True)
    commands = {name: group.commands[name] for name in group.list_commands(root)}
    lines = [
        "# CLI reference",
        "",
        f"{_cell(group.help or '')}",
        "",
        "This page is generated from the command line itself (`python scripts/gen_cli_docs.py`). "
        f"`{PROG} COMMAND --help` prints the same help in a terminal, and `python -m rbwm_pmf` "
        f"works wherever `{PROG}` does.",
        "",
        "```text",
        f"{PROG} [OPTIONS] COMMAND [ARGS]...",
        "```",
        "",
        "| Command | What it does |",
        "|---|---|",
    ]
    for name, command in commands.items():
        if command.hidden:
            continue
        first = _cell((command.help or "").strip().split("\n\n")[0])
        lines.append(f"| [`{name}`](#{PROG}-{name}) | {first} |")
    lines += [
        "",
        "Exit codes, for every command:",
        "",
        "| Code | Meaning |",
        "|---|---|",
        "| 0 | Done, and no problems were found. |",
        "| 1 | Done, but problems were found in the data: a return with errors, or (for "
        "`check-register`) a register that is missing or not valid. |",
        "| 2 | The command could not run: a mistyped option, a path that does not exist, a "
        "register that is missing or not valid, an output that cannot be written, a period that "
        "cannot be read. |",
        "",
        "Paths may be files or folders; folders are searched, subfolders included. The commands "
        "that take `--register` use the packaged RBWM 2017/18 register unless you give one.",
        "",
    ]
    for name, command in commands.items():
        if command.hidden:
            continue
        ctx = command.make_context(name, [], parent=root, resilient_parsing=True)
        params = _visible(command.get_params(ctx))
        lines += [
            f"## {PROG} {name}",
            "",
            _cell(command.help or ""),
            "",
            "```text",
            usage(name, params),
            "```",
            "",
        ]
        arguments = [p for p in params if p.param_type_name == "argument"]
        options = [p for p in params if p.param_type_name == "option"]
        if arguments:
            lines += ["| Argument | Value | Description |", "|---|---|---|"]
            for p in arguments:
                lines.append(f"| `{p.name.upper()}` | {value_word(p)} | {describe(p)} |")
            lines.append("")
        if options:
            lines += ["| Option | Value | Description |", "|---|---|---|"]
            for p in options:
                names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                lines.append(f"| {names} | {value_word(p)} | {describe(p)} |")
            lines.append("")
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
