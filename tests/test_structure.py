"""The package's shape: stages without import circles, a CLI over the public API only, a pure
model, and a docstring on every module."""

from __future__ import annotations

import ast
from pathlib import Path

import rbwm_pmf

PACKAGE = Path(rbwm_pmf.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules `name` imports (lazy ones too, not those only for type checking)."""
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = {id(sub) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for sub in ast.walk(node)}
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target not in (name, "rbwm_pmf") and not name.startswith(target + "."):
                found.add(target)
    return found


def test_no_import_circles() -> None:
    """No module imports, directly or through others, a module that imports it back."""
    known = _modules()
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    circles.append(" -> ".join([*trail, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert circles == []


def test_cli_uses_only_the_public_api() -> None:
    """cli.py imports from rbwm_pmf nothing but names in rbwm_pmf.__all__."""
    tree = ast.parse((PACKAGE / "cli.py").read_text("utf-8"))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("rbwm_pmf")):
            assert node.module in (None, "rbwm_pmf"), f"cli.py imports from {node.module}"
            used += [a.name for a in node.names]
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("rbwm_pmf") for a in node.names)
    assert used and set(used) <= set(rbwm_pmf.__all__), set(used) - set(rbwm_pmf.__all__)


def test_public_names_resolve() -> None:
    """Every name in __all__ can be imported from the package."""
    for name in rbwm_pmf.__all__:
        assert getattr(rbwm_pmf, name) is not None, name


def test_model_does_no_io() -> None:
    """The model (periods, framework, status words, rating, Table 1) reads and writes nothing."""
    io_modules = {"os", "io", "pathlib", "shutil", "tempfile", "zipfile", "openpyxl", "xlsxwriter",
                  "yaml", "json", "subprocess", "importlib"}
    for path in sorted((PACKAGE / "model").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for imported in names:
                assert imported.split(".")[0] not in io_modules, f"{path.name} imports {imported}"


def test_every_module_says_its_job() -> None:
    """Each module opens with a docstring whose first line says what it is for."""
    for name, path in _modules().items():
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8")))
        assert doc and doc.splitlines()[0].strip(), name


def test_stage_packages_only_describe_themselves() -> None:
    """A stage's __init__ holds its docstring only, so importing one module of a stage never
    imports the rest of it (the rule catalogue, which gathers its families, aside)."""
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        tree = ast.parse(init.read_text("utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert body == [], init.parent.name
