"""The transcription demo: short voice messages left for a clinic, a shop and a transport
office, in English and French, typed out word for word. One clip has nobody speaking
([inaudible]). A simulated worker mishears, drops or doubles words the less skilled they are."""

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from microwork.demo.clips import clip_rows, copy_clip
from microwork.demo.kinds import DemoProject
from microwork.projects.interfaces.audio import NO_SPEECH

CONTEXTS = {
    "en": "A voice message left on a business's phone line.",
    "fr": "Un message vocal laissé sur la ligne d'une entreprise.",
}
# Words a hurried listener puts in place of others.
MISHEARD = {
    "eight": "late",
    "four": "for",
    "six": "sex",
    "the": "a",
    "to": "two",
    "on": "in",
    "new": "knew",
    "right": "write",
    "week": "weak",
    "à": "a",
    "est": "et",
    "de": "le",
    "trois": "troie",
    "jeudi": "jeudis",
}
GOLD = {"a02", "a09", "a13"}
EXPLANATIONS = {
    "a02": "Every word counts, including the place: Lagos.",
    "a09": "French clips are typed in French, with their accents.",
    "a13": "Nobody speaks in this clip: the answer is [inaudible] alone.",
}


def crowd_answer(
    interface: Any, config: dict[str, Any], truth: Any, skill: float, rng: random.Random
) -> str:
    """A transcript with word errors: the less skilled the worker, the more words are
    misheard, dropped or repeated."""
    if truth is None or truth == NO_SPEECH:
        return NO_SPEECH if rng.random() < skill else "hello"
    out: list[str] = []
    slip = (1 - skill) * 0.6
    for word in str(truth).split():
        roll = rng.random()
        bare = word.strip(".,").lower()
        if roll < slip / 3:
            continue  # dropped
        if roll < 2 * slip / 3 and bare in MISHEARD:
            out.append(word.lower().replace(bare, MISHEARD[bare]))
        elif roll < slip:
            out.extend([word, word])
        else:
            out.append(word if rng.random() < 0.8 else word.lower().strip(".,"))
    return " ".join(out) or NO_SPEECH


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    prefix = "/" + settings.MEDIA_URL.strip("/")
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    for name, language, _voice, transcript in clip_rows("audio"):
        row: dict[str, Any] = {
            "id": f"voice-{name}",
            "audio_url": f"{prefix}/{copy_clip('audio', f'{name}.ogg', media)}",
            "language": language,
            "context": CONTEXTS[language],
        }
        if name in GOLD:
            row["answer"] = transcript
            row["explanation"] = EXPLANATIONS[name]
        rows.append(row)
        truth[row["id"]] = transcript
    rng.shuffle(rows)
    return DemoProject(
        name="Voice message transcription",
        description="Listen to short voice messages in English or French and type what is said.",
        instructions=(
            "Type **exactly** what you hear, in the language spoken, with its accents. "
            "Slow the clip down (0.75×) or go back 5 seconds as often as you need: the keys "
            "work while you type.\n\n"
            "Write **[inaudible]** for a word you cannot make out, and [inaudible] alone if "
            "nobody speaks.\n\n"
            "## Examples\n\n"
            "- *The clinic opens at eight on Monday and closes at four.*\n"
            "- *Le rendez-vous est reporté à jeudi matin.*"
        ),
        interface="audio_transcription",
        config={
            "question": "Type exactly what you hear, in the language spoken.",
            "max_length": 500,
            "allow_no_speech": True,
            "checked_by": "consensus",
        },
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.10"),
        estimated_seconds=40,
    )
