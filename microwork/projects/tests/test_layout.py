"""Imports flow one way: accounts ← projects ← work ← quality ← aggregation. Projects reaches
the apps built on it only through its hook registries (dotted names read at run time)."""

import ast
from pathlib import Path

import microwork.projects

ABOVE = ("work", "quality", "aggregation", "ledger", "payments", "review", "demo", "clock")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_projects_imports_no_app_built_on_it():
    root = Path(microwork.projects.__file__).parent
    offending = [
        f"{path.relative_to(root)}: {name}"
        for path in sorted(root.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for name in _imports(path)
        if name.startswith(tuple(f"microwork.{app}" for app in ABOVE))
    ]
    assert offending == []
