"""Consensus for answers that are not one of a closed list: a transcript, a set of boxes, a
set of text spans. Each method takes one task's answers (votes) and returns the answer the
crowd agrees on, with a confidence for the whole and for each part of it, and how far each
vote agrees with it (which the platform turns into a worker's accuracy).

A method is a plain function registered in :data:`CONSENSUS` by name; a task interface names
the one it uses (`TaskInterface.consensus`). Plain Python and numpy, no Django: the benches
and the accuracy tests call the same functions the platform does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from microwork.lib.registry import loaded

_PACKAGE = "microwork.aggregation.algorithms"

# name -> "module:function(votes, *, config, data) -> Consensus"
CONSENSUS: dict[str, str] = {
    "rover": f"{_PACKAGE}.rover:rover",
    "boxes": f"{_PACKAGE}.boxes:boxes",
    "spans": f"{_PACKAGE}.spans:spans",
}


@dataclass(frozen=True)
class Vote:
    """One worker's answer to the task, in the interface's stored form, with the weight the
    platform gives that worker (their estimated accuracy, 0–1; 1.0 when nothing is known)."""

    worker: int
    answer: Any
    weight: float = 1.0


@dataclass(frozen=True)
class Consensus:
    """What the crowd agrees on for one task.

    ``value`` has the shape of an answer (a text, a list of boxes, a list of spans);
    ``confidence`` (0–1) is for the whole value; ``parts`` holds one entry per part of the
    value (a word, a box, a span) with at least ``confidence`` and ``support`` (how many votes
    carry it); ``agreement[i]`` (0–1) says how far vote ``i`` agrees with ``value``, in the
    votes' order.
    """

    value: Any
    confidence: float
    agreement: tuple[float, ...]
    parts: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


ConsensusMethod = Callable[..., Consensus]


class UnknownConsensusError(KeyError):
    def __str__(self) -> str:
        return f"unknown consensus method {self.args[0]!r}; known: {', '.join(CONSENSUS)}"


def get_consensus(name: str) -> ConsensusMethod:
    try:
        path = CONSENSUS[name]
    except KeyError:
        raise UnknownConsensusError(name) from None
    method: ConsensusMethod = loaded(path)
    return method


def consensus_of(
    name: str, votes: Sequence[Vote], *, config: Mapping[str, Any], data: Mapping[str, Any]
) -> Consensus | None:
    """The consensus of `votes` by method `name`; None when there is no vote."""
    if not votes:
        return None
    return get_consensus(name)(votes, config=config, data=data)
