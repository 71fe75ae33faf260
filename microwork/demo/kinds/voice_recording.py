"""Demo: read short sentences aloud for a speech recogniser in Yoruba-accented English, the
voice-collection work the trade pays a few cents a sentence for. A recording is a person's
own voice, so the project declares what it collects, why, for how long and for whom, and
nobody records before agreeing. The simulated crowd leaves these tasks to the demo's own
workers: a voice is not something to make up."""

import random
from decimal import Decimal
from pathlib import Path

from microwork.demo.kinds import DemoProject

SENTENCES = [
    "The clinic opens at nine on weekdays.",
    "Please send the parcel to Ikeja before Friday.",
    "My data bundle expired after two days.",
    "The next bus to Yaba leaves in ten minutes.",
    "I would like to pay my electricity bill.",
    "Can you read the numbers on this card to me?",
    "The market is closed on Sunday afternoon.",
    "Two bottles of water and a loaf of bread, please.",
]


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    return DemoProject(
        name="Read sentences aloud",
        description="Read one short English sentence aloud and record it on your phone.",
        instructions=(
            "Find a quiet place. Press **Record**, read the sentence at your normal pace, then "
            "**Stop**. Listen to it once; record again if a word was cut off."
        ),
        interface="voice_recording",
        config={
            "question": "Read the sentence at your normal pace.",
            "min_seconds": 1,
            "max_seconds": 20,
        },
        rows=[
            {"id": f"read-{i + 1:02d}", "text": text, "language": "en"}
            for i, text in enumerate(SENTENCES)
        ],
        truth={},
        crowd_answer=lambda *args: None,
        reward=Decimal("0.10"),
        estimated_seconds=30,
        overlap=2,
        gold_rate=Decimal("0"),
        simulated=False,
        settings={
            "personal_data": ["voice"],
            "personal_data_purpose": (
                "Training a speech recogniser that understands English as it is spoken in Lagos."
            ),
            "personal_data_retention_days": 365,
            "personal_data_recipients": "Acme Labs and its client, Example Speech Ltd.",
        },
    )
