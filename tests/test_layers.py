"""The layer order of docs/architecture.md, held on the source: which app may import which, no
import circle between any two modules, `lib` importing no app, the algorithms importing no
Django. Imports inside functions count — a late import is still a dependency, and the circle it
hides shows up as the first ImportError in production. Calls upward go through the registries
of dotted paths (microwork/lib/registry.py), which are strings and not imports."""

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import microwork

ROOT = Path(microwork.__file__).parent

# Lowest first. An app imports only apps on an earlier line; apps on one line import neither.
LAYERS: list[tuple[str, ...]] = [
    ("lib",),  # money, errors, limits, the registry loader: no app
    ("clock",),  # the periodic jobs and the job worker
    ("accounts",),  # users, organisations, tokens, API authentication
    ("webhooks",),  # requesters' subscriptions, signed deliveries; apps above fire events
    ("inbox",),  # messages to people; kinds are plug-ins
    ("ledger",),  # the books; names everything above it by plain ids
    ("projects",),  # projects, batches, tasks, task interfaces
    ("work",),  # assignment, submission, fair sharing
    ("payments",),  # money rules: escrow, earnings, pay floor, bonuses, paid tests
    ("aggregation",),  # labels from answers
    ("quality",),  # skills, tests, rules, decisions, appeals — reads aggregation's labels
    ("review",),  # a requester's verdict on answers: approve, reject, bonus
    ("wellbeing",),  # disturbing content: workers' choices, daily limit, breaks
    ("privacy",),  # consent, withdrawal, deletion, a worker's own data and account
    ("live",),  # live tasks: offered to one available worker at a time, answered in seconds
    ("voice",),  # requesters' records, workers' ratings and feedback: reads all the above
    ("mturk",),  # Mechanical Turk's requester API over everything below
    ("demo", "cli"),  # the demo data and the command line drive everything
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# Packages the plain-numpy algorithms must not load.
NOT_IN_ALGORITHMS = ("django", "pandas")
ALGORITHMS = "microwork.aggregation.algorithms"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in ROOT.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    }


def _imported_names(path: Path, module: str) -> set[str]:
    """Every dotted name the file imports, at any depth of the code."""
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # Each name is resolved below to the most specific module it reaches: the submodule
            # when it is one (`from package import module`), else the module defining it.
            names.update(f"{base}.{a.name}" for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            names.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return names


def _graph(sources: Mapping[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Module → the project's modules it imports (the most specific one each name reaches),
    and module → every name it imports (for the third-party checks)."""
    edges: dict[str, set[str]] = {}
    raw: dict[str, set[str]] = {}
    for module, path in sources.items():
        raw[module] = _imported_names(path, module)
        targets = set()
        for name in raw[module]:
            while name and name not in sources:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        edges[module] = targets
    return edges, raw


def circles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected sets of two or more modules (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return sorted(found)


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def layer_breaches(edges: Mapping[str, Iterable[str]], rank: Mapping[str, int]) -> list[str]:
    """Every import of an app on the same or a higher layer than the importer's."""
    breaches = []
    for module, targets in edges.items():
        mine = _app(module)
        for target in targets:
            theirs = _app(target)
            if theirs == mine or not target.startswith("microwork."):
                continue
            if mine not in rank or theirs not in rank or rank[theirs] >= rank[mine]:
                breaches.append(f"{module} imports {target}")
    return sorted(breaches)


EDGES, RAW = _graph(_sources())


def test_every_app_has_a_layer():
    apps = {_app(m) for m in EDGES if m != "microwork"}
    assert sorted(apps - set(RANK)) == []


def test_apps_import_only_the_layers_below_them():
    assert layer_breaches(EDGES, RANK) == []


def test_no_two_modules_import_each_other_even_through_others():
    assert circles(EDGES) == []


def test_lib_imports_no_app():
    assert [
        f"{module} imports {target}"
        for module, targets in EDGES.items()
        if _app(module) == "lib"
        for target in targets
        if _app(target) != "lib"
    ] == []


def test_the_algorithms_load_no_django_and_no_app():
    # They run where Django is not set up (the benches, crowd-kit's own environment): nothing
    # they import, however indirectly, may import Django, pandas or an app. The plain-Python
    # registry loader of lib is allowed.
    reached: set[str] = set()
    todo = [m for m in EDGES if m.startswith(ALGORITHMS)]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(EDGES[module])
    assert sorted(m for m in reached if not m.startswith((ALGORITHMS, "microwork.lib."))) == []
    offending = sorted(
        f"{module} imports {name}"
        for module in reached
        for name in RAW[module]
        if name.split(".")[0] in NOT_IN_ALGORITHMS and not name.startswith("microwork.")
    )
    assert offending == []


# The checks themselves, on small made-up graphs: each must catch what it exists to catch.


def test_a_circle_through_a_third_module_is_found():
    edges = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert circles(edges) == [["a.x", "a.y", "a.z"]]


def test_a_chain_without_a_way_back_is_no_circle():
    assert circles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": set()}) == []


def test_an_upward_import_is_a_breach_and_a_downward_one_is_not():
    rank = {"lib": 0, "work": 1, "quality": 2}
    edges = {
        "microwork.work.services": {"microwork.lib.money", "microwork.quality.models"},
        "microwork.quality.services": {"microwork.work.models"},
        "microwork.lib.api": {"microwork.work.models"},
    }
    assert layer_breaches(edges, rank) == [
        "microwork.lib.api imports microwork.work.models",
        "microwork.work.services imports microwork.quality.models",
    ]


def test_apps_on_one_layer_may_not_import_each_other():
    rank = {"lib": 0, "demo": 1, "cli": 1}
    assert layer_breaches({"microwork.cli": {"microwork.demo.seed"}}, rank) == [
        "microwork.cli imports microwork.demo.seed"
    ]
