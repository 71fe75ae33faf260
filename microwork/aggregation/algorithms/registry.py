"""The one registry of aggregation methods: name -> "module:function", imported on first use.

Built-in methods register here exactly as a plug-in would, so there is no second list to keep
in step. Each function carries ``kind`` ("categorical", "pairwise", "text" or "numeric"),
set by :func:`aggregator`, telling callers which input it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from microwork.lib.registry import loaded

_PACKAGE = "microwork.aggregation.algorithms"

AGGREGATORS: dict[str, str | Callable[..., Any]] = {
    "mv": f"{_PACKAGE}.majority:majority_vote",
    "wmv": f"{_PACKAGE}.majority:gold_weighted_majority_vote",
    "wawa": f"{_PACKAGE}.majority:wawa",
    "ds": f"{_PACKAGE}.dawid_skene:dawid_skene",
    "onecoin": f"{_PACKAGE}.dawid_skene:one_coin_dawid_skene",
    "glad": f"{_PACKAGE}.glad:glad",
    "mace": f"{_PACKAGE}.mace:mace",
    "bt": f"{_PACKAGE}.bradley_terry:bradley_terry",
    "text": f"{_PACKAGE}.text:text_medoid",
    "median": f"{_PACKAGE}.numeric:median",
}

_loaded: dict[str, Callable[..., Any]] = {}

F = TypeVar("F", bound=Callable[..., Any])


def aggregator(kind: str) -> Callable[[F], F]:
    """Tag a method with the kind of input it takes."""

    def tag(func: F) -> F:
        func.kind = kind  # type: ignore[attr-defined]
        return func

    return tag


class UnknownAggregatorError(KeyError):
    def __str__(self) -> str:
        return f"unknown aggregation method {self.args[0]!r}; known: {', '.join(names())}"


def names() -> list[str]:
    return list(AGGREGATORS)


def get_aggregator(name: str) -> Callable[..., Any]:
    if name in _loaded:
        return _loaded[name]
    try:
        target = AGGREGATORS[name]
    except KeyError:
        raise UnknownAggregatorError(name) from None
    if isinstance(target, str):
        target = loaded(target)
    _loaded[name] = target
    return target


def kind_of(name: str) -> str:
    return str(getattr(get_aggregator(name), "kind", "categorical"))
