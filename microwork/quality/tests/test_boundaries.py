"""Who may move an answer's money: quality calls the payments services it needs by import,
never by name, and only quality control pays a rejection back. Checked on the source. (The
layer order itself is held in tests/test_layers.py.)"""

import ast
from pathlib import Path

import microwork

ROOT = Path(microwork.__file__).parent


def _modules(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "tests" not in p.parts]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            names.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return names


def _importers(app: str, forbidden: str) -> list[str]:
    return sorted(
        f"{p.relative_to(ROOT)} imports {name}"
        for p in _modules(app)
        for name in _imported(p)
        if name == forbidden or name.startswith(forbidden + ".")
    )


def test_quality_calls_the_money_services_directly_never_by_name():
    # Looked up by name, a renamed or missing service silently changed an answer's status
    # without moving its money.
    assert not (ROOT / "quality" / "money.py").exists()
    assert _importers("quality", "importlib") == []
    assert any(
        "microwork.payments.services" in _imported(p) or "microwork.payments" in _imported(p)
        for p in _modules("quality")
    )


def _callers(name: str) -> list[str]:
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == name:
                found.append(str(path.relative_to(ROOT)))
    return sorted(set(found))


def test_only_review_rejects_answers_and_only_quality_control_pays_them_back():
    # The money half of a rejection has one caller, which records the decision the worker is
    # told about and can appeal; a page or endpoint calling it directly would skip all that.
    assert _callers("earning_reject") == ["review/services.py"]
    assert _callers("submission_rejection_overturn") == ["quality/services/decisions.py"]


def test_quality_views_and_handlers_leave_the_database_to_services_and_selectors():
    # STYLE.md: a view parses, calls one access helper and one service or selector, renders.
    for name in ("views.py", "api.py"):
        tree = ast.parse((ROOT / "quality" / name).read_text(encoding="utf-8"))
        queries = sorted(
            {
                f"{name}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "objects"
            }
        )
        assert queries == []
