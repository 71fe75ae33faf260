"""Review is the one way a page or endpoint approves or rejects: the money moves are called
by review and the automatic paths, never by a view or a handler. (That nothing but the demo
imports review is held by the layer order, tests/test_layers.py.)"""

import ast
from pathlib import Path

import microwork

ROOT = Path(microwork.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_approving_from_a_page_or_endpoint_goes_through_review():
    # The money move of an approval is called by review, by approval by rule (quality) and
    # by approval after the review window (payments), never by a view or a handler.
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or path.name not in ("views.py", "api.py"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "earning_approve" not in text and "earning_reject" not in text, path
