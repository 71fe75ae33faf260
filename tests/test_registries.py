"""Every plug-in registry names code that exists: a dotted path that no longer imports (a
function moved or renamed) would only fail when its event first fires, in production. The
registries are found by walking the package, so a new one is checked without a line here."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps

import microwork
from microwork.lib.registry import loaded

# "microwork.app.module.name", or "microwork.app.module:name" (the aggregation methods).
DOTTED = re.compile(r"^microwork(\.\w+)+(:\w+)?$")

# Registries the walk must find: if it finds none of these, it is the walk that is broken.
KNOWN = {
    "microwork.work.hooks.SUBMISSION_HOOKS",
    "microwork.work.eligibility.ELIGIBILITY_CHECKS",
    "microwork.work.eligibility.CONTROL_EXCLUSIONS",
    "microwork.projects.hooks.STATUS_CHANGED",
    "microwork.projects.hooks.TASKS_ADDED",
    "microwork.projects.hooks.SETTINGS_PROPOSED",
    "microwork.projects.hooks.SETTINGS_CHANGED",
    "microwork.projects.hooks.BATCH_DONE",
    "microwork.projects.interfaces.REGISTRY",
    "microwork.clock.jobs.PERIODIC_JOBS",
    "microwork.clock.jobs.JOB_RECOVERY",
    "microwork.inbox.kinds.KINDS",
    "microwork.quality.rules.RULES",
    "microwork.quality.rules.APPROVAL_RULES",
    "microwork.ledger.providers.PAYOUT_PROVIDERS",
    "microwork.ledger.providers.DEPOSIT_PROVIDERS",
    "microwork.aggregation.algorithms.registry.AGGREGATORS",
}


def _modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(microwork.__path__, "microwork."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        yield importlib.import_module(info.name)


def _paths(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if DOTTED.match(value):
            yield value
    elif isinstance(value, tuple) and value:
        yield from _paths(value[0])


def _defines(module: Any, name: str) -> bool:
    source = inspect.getsource(module)
    return re.search(rf"^{name}(: .*)? = ", source, re.MULTILINE) is not None


def registries() -> dict[str, list[str]]:
    """Module-level UPPER_CASE dicts whose keys or values are dotted paths into microwork,
    each under the module that defines it (a registry imported elsewhere is the same dict)."""
    found: dict[str, list[str]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if not name.isupper() or not isinstance(value, dict):
                continue
            paths = [p for key, val in value.items() for p in (*_paths(key), *_paths(val))]
            if paths and _defines(module, name):
                found[f"{module.__name__}.{name}"] = paths
    return found


def test_the_walk_finds_every_known_registry():
    assert set(registries()) >= KNOWN


def test_every_dotted_path_of_every_registry_imports():
    broken = []
    for where, paths in registries().items():
        for path in paths:
            try:
                loaded(path.replace(":", "."))
            except ImportError as exc:
                broken.append(f"{where}: {path} ({exc})")
    assert broken == []


def test_every_answer_store_is_a_model_with_a_project():
    from microwork.projects.hooks import ANSWER_MODELS

    for label in ANSWER_MODELS.values():
        apps.get_model(label)._meta.get_field("project")


def test_the_submit_runs_its_hooks_in_the_order_written():
    # Nothing adds to the registry when the apps start: what the file lists is what runs, in
    # that order (aggregation relabels, quality compares with the label, the earning is booked,
    # then peer review sends the answer to its reviewers or counts a reviewer's verdict, and
    # the requester's webhooks hear of it last). Live first: a late answer to a live task is
    # refused before anything counts it.
    from microwork.work.hooks import SUBMISSION_HOOKS

    assert list(SUBMISSION_HOOKS) == [
        "live",
        "aggregation",
        "quality",
        "earning",
        "review",
        "webhooks",
    ]


def _documented_rows() -> dict[str, str]:
    doc = (Path(microwork.__file__).parent.parent / "docs" / "architecture.md").read_text()
    return {
        m.group(1): line
        for line in doc.splitlines()
        if (m := re.match(r"^\| `(microwork\.[\w.]+)` \|", line))
    }


def test_docs_architecture_lists_every_registry_in_its_order():
    # The map must not drift from the code: each registry has a row, and the row names its
    # keys in the order the registry runs or lists them.
    rows = _documented_rows()
    for name in registries():
        assert name in rows, f"docs/architecture.md has no row for {name}"
        module, _, attribute = name.rpartition(".")
        keys = [
            k.rpartition(".")[2] if "." in k else k
            for k in getattr(importlib.import_module(module), attribute)
        ]
        documented = re.findall(r"\w+", rows[name].split("|")[3])
        assert [k for k in documented if k in keys] == keys, name
