"""The video moderation demo: short user clips judged acceptable, gory or harmful, played
without sound, the worker marking the second where the problem starts. The clips are the
image demo's drawn scenes, panned and cut together (scripts/demo-media.sh): a clip may start
harmless and turn gory halfway, which is what the marked second is for."""

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from microwork.demo.clips import clip_rows, copy_clip
from microwork.demo.kinds import DemoProject

LABELS = ["acceptable|Acceptable", "gory|Gory", "harmful|Harmful"]
VALUES = [label.split("|")[0] for label in LABELS]
GOLD = {"v03", "v05", "v09"}
EXPLANATIONS = {
    "acceptable": "Hills, trees and sky all through: nothing violent or dangerous.",
    "gory": "Red splatter, standing for blood, from the marked second on.",
    "harmful": "A hazard sign and a weapon.",
}


def crowd_answer(
    interface: Any, config: dict[str, Any], truth: Any, skill: float, rng: random.Random
) -> dict[str, Any]:
    """A careful worker picks the true label and marks about the right second; a careless
    one picks at random and rarely marks anything."""
    if truth is None or rng.random() > skill:
        return {"label": rng.choice(VALUES), "at": None}
    at = truth.get("at")
    if at is not None:
        at = round(max(0.0, at + rng.uniform(-0.4, 0.6)), 2)
    return {"label": truth["label"], "at": at}


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    prefix = "/" + settings.MEDIA_URL.strip("/")
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    for name, label, at, title, _scenes in clip_rows("video"):
        answer = {"label": label, "at": None if at == "-" else float(at)}
        row: dict[str, Any] = {
            "id": f"clip-{name}",
            "video_url": f"{prefix}/{copy_clip('video', f'{name}.webm', media)}",
            "title": title,
        }
        if name in GOLD:
            row["answer"] = answer
            row["explanation"] = EXPLANATIONS[label]
        rows.append(row)
        truth[row["id"]] = answer
    rng.shuffle(rows)
    return DemoProject(
        name="Video moderation",
        description="Watch short user clips without sound and say whether they can be shown.",
        instructions=(
            "Watch the whole clip (it is short; step frame by frame with ← and → if you need). "
            "Choose **Gory** for blood or injury, **Harmful** for weapons, hazards or threats, "
            "and **Acceptable** for anything else. When a clip turns bad, press **Mark this "
            "moment** at the second it does.\n\n"
            "## Examples\n\n"
            "- Hills and a sun all through: **Acceptable**.\n"
            "- A park, then red splatter from the second 1.5: **Gory**, at 1.5."
        ),
        interface="video_rating",
        config={
            "question": "Can this clip be shown to everyone?",
            "labels": LABELS,
            "muted": True,
            "ask_timestamp": True,
        },
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.04"),
        estimated_seconds=15,
        # Clips turn gory (red splatter standing for blood) or show weapons.
        settings={"disturbing_content": ["violence"]},
    )
