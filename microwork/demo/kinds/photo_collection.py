"""Demo: photograph the opening hours on a pharmacy's door, the photo-collection work that
maps shops and services for delivery apps. The photo is kept without where it was taken or
which phone took it (the project does not ask for the location). The simulated crowd leaves
these tasks to the demo's own workers: a photo is taken, not made up."""

import random
from decimal import Decimal
from pathlib import Path

from microwork.demo.kinds import DemoProject

PLACES = [
    "A pharmacy on your street",
    "The pharmacy nearest your market",
    "A pharmacy near a bus stop",
    "A pharmacy next to a clinic or hospital",
    "A pharmacy open late",
    "A pharmacy in a shopping centre",
]


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    return DemoProject(
        name="Pharmacy opening hours",
        description="Take a photo of a pharmacy's opening hours, so a delivery app can list them.",
        instructions=(
            "Photograph the sign or door that shows the **opening hours**, close enough to read. "
            "No people's faces, please: step aside or wait until nobody is in the way."
        ),
        interface="photo_collection",
        config={"question": "Take the photo in daylight, the hours readable.", "min_side": 0},
        rows=[{"id": f"pharmacy-{i + 1:02d}", "subject": place} for i, place in enumerate(PLACES)],
        truth={},
        crowd_answer=lambda *args: None,
        reward=Decimal("0.15"),
        estimated_seconds=60,
        overlap=1,
        gold_rate=Decimal("0"),
        simulated=False,
    )
