"""The one way a plug-in registry turns its dotted paths into code: `loaded` for registries
of functions (hooks, checks, inbox writers), `run_hooks` to call every hook of an event in
the registry's order, `plugin` for registries of classes (task interfaces, quality rules,
payout and deposit providers). Each is made once per path, so an entry replaced at run time
(a site's own provider, a test's stand-in) is picked up.

Plain Python, no Django: the aggregation algorithms load their methods through it too, and
they run where Django is not set up (the benches, crowd-kit's own environment)."""

from collections.abc import Mapping
from functools import cache
from importlib import import_module
from typing import Any

from microwork.lib.errors import ApplicationError


@cache
def loaded(path: str) -> Any:
    """What the path names, imported once: "package.module.name", or "package.module:name"
    where the colon says unambiguously where the module ends."""
    module_name, colon, attribute = path.partition(":")
    if not colon:
        module_name, _dot, attribute = path.rpartition(".")
    module = import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(
            f'"{module_name}" defines no "{attribute}" (registry path {path})'
        ) from None


def run_hooks(registry: Mapping[str, str], **kwargs: Any) -> None:
    """Call every hook of `registry` in the order it lists them, each with the same keyword
    arguments. A hook's exception stops the rest and reaches the caller, so hooks that run in
    the caller's transaction undo it together."""
    for path in registry.values():
        loaded(path)(**kwargs)


@cache
def _instance(path: str) -> Any:
    return loaded(path)()


def plugin(registry: Mapping[str, str], key: str, *, unknown: str, code: str, field: str) -> Any:
    """The plug-in registered under `key`. An unknown key is the caller's mistake, so it is
    refused naming `field`; `unknown` is the translated message, with %(key)s and %(keys)s."""
    path = registry.get(key)
    if path is None:
        raise ApplicationError(
            unknown % {"key": key, "keys": ", ".join(sorted(registry))}, code=code, field=field
        )
    return _instance(path)
