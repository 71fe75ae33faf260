"""The demo project of each task kind beyond the first three (seed.py makes those): a
registry, key → dotted path of a function `demo(*, media, rng) -> DemoProject`, so a new
kind brings its demo in its own module and one line here. The seed creates each project
through the same services the pages use, uploads its rows, opens it and lets the simulated
crowd answer with `DemoProject.crowd_answer`."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.lib.registry import loaded

DEMO_PROJECTS: dict[str, str] = {
    "free_text": "microwork.demo.kinds.free_text.demo",
    "audio_transcription": "microwork.demo.kinds.audio_transcription.demo",
    "bounding_boxes": "microwork.demo.kinds.bounding_boxes.demo",
    "text_spans": "microwork.demo.kinds.text_spans.demo",
    "pairwise": "microwork.demo.kinds.pairwise.demo",
    "video_rating": "microwork.demo.kinds.video_rating.demo",
    "html_form": "microwork.demo.kinds.html_form.demo",
    "answer_review": "microwork.demo.kinds.answer_review.demo",
    "photo_collection": "microwork.demo.kinds.photo_collection.demo",
    "voice_recording": "microwork.demo.kinds.voice_recording.demo",
}


@dataclass(frozen=True)
class DemoProject:
    """What the seed needs to make one demo project: the project's settings as
    `project_create` takes them, the task rows as an upload holds them (gold rows with their
    `answer`), the true answer of each row by id, and how a simulated worker of a given
    skill (0–1) answers a task whose true answer is known (None for a task without one)."""

    name: str
    description: str
    instructions: str
    interface: str
    config: dict[str, Any]
    rows: list[dict[str, Any]]
    truth: dict[str, Any]
    # (interface, config, true answer, skill, rng) -> an answer in the interface's shape
    crowd_answer: Callable[[Any, dict[str, Any], Any, float, random.Random], Any]
    reward: Decimal = Decimal("0.05")
    estimated_seconds: int = 20
    overlap: int = 3
    gold_rate: Decimal = Decimal("0.1")
    settings: dict[str, Any] = field(default_factory=dict)
    # False: the simulated crowd leaves the project to the demo's own workers. A recording or
    # a photo is a person's own, given with consent; the demo makes none up.
    simulated: bool = True


DemoFactory = Callable[..., DemoProject]


def demo_projects(*, media: Path, rng: random.Random) -> list[DemoProject]:
    return [loaded(path)(media=media, rng=rng) for path in DEMO_PROJECTS.values()]
