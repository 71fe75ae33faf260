"""Every third-party package the application imports at run time is a declared run-time
dependency: the development extras install more (moto brings cryptography, for one), so a gap
would pass the tests and break `scripts/dev.sh run` on a fresh machine."""

import ast
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OWN = {"microwork", "config", "microwork_client"}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _imported_at_run_time() -> dict[str, str]:
    """Top-level module → the first file importing it, over the application (not its tests)."""
    found: dict[str, str] = {}
    for folder in ("microwork", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            typing_only = {
                id(inner)
                for node in ast.walk(tree)
                if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
                for inner in ast.walk(node)
            }
            for node in ast.walk(tree):
                if id(node) in typing_only:
                    continue
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OWN:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _with_what_they_require(names: set[str]) -> set[str]:
    """The declared distributions and, transitively, what they require unconditionally
    (pydantic comes with django-ninja, botocore with boto3)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(_normal(requirement.name))
    return seen


def test_every_imported_package_is_a_run_time_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _with_what_they_require(
        {_normal(Requirement(r).name) for r in project["dependencies"]}
    )
    dists = packages_distributions()
    missing = {}
    for module, where in _imported_at_run_time().items():
        names = {_normal(d) for d in dists.get(module, [module])}
        if not names & declared:
            missing[module] = where
    assert missing == {}, f"imported but not in [project] dependencies: {missing}"
