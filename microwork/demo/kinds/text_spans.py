"""Demo: names of people, organisations and places in short news sentences (the named-entity
work newsrooms and search engines buy), with the true spans known; a simulated worker misses
a name, takes a word too few or too many, or picks the wrong label, more often the less
skilled they are."""

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.demo.kinds import DemoProject
from microwork.lib.words import tokens_with_offsets

# A sentence and its entities, each written as it appears (once) in the sentence.
SENTENCES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Governor Babajide Sanwo-Olu opened the new Lagos Blue Line station at Marina.",
        [("Babajide Sanwo-Olu", "PER"), ("Lagos Blue Line", "ORG"), ("Marina", "LOC")],
    ),
    (
        "The Nigerian Stock Exchange closed higher on Friday, traders in Lagos said.",
        [("Nigerian Stock Exchange", "ORG"), ("Lagos", "LOC")],
    ),
    (
        "Chimamanda Ngozi Adichie will read from her new novel at the Lagos Book Festival.",
        [("Chimamanda Ngozi Adichie", "PER"), ("Lagos Book Festival", "ORG")],
    ),
    (
        "Heavy rain flooded roads in Lekki and Victoria Island overnight.",
        [("Lekki", "LOC"), ("Victoria Island", "LOC")],
    ),
    (
        "Dangote Group says its refinery near Ibeju-Lekki now supplies diesel to Ghana.",
        [("Dangote Group", "ORG"), ("Ibeju-Lekki", "LOC"), ("Ghana", "LOC")],
    ),
    (
        "The Karachi Port Trust reported record container traffic this quarter.",
        [("Karachi Port Trust", "ORG")],
    ),
    (
        "Mayor Murtaza Wahab inspected the new bus lanes on Shahrah-e-Faisal.",
        [("Murtaza Wahab", "PER"), ("Shahrah-e-Faisal", "LOC")],
    ),
    (
        "Students from NED University won a robotics prize in Lahore.",
        [("NED University", "ORG"), ("Lahore", "LOC")],
    ),
    (
        "Fishermen in Ibrahim Hyderi asked the Sindh government for cleaner water.",
        [("Ibrahim Hyderi", "LOC"), ("Sindh", "LOC")],
    ),
    (
        "Cricketer Babar Azam signed bats for children at the National Stadium in Karachi.",
        [("Babar Azam", "PER"), ("National Stadium", "LOC"), ("Karachi", "LOC")],
    ),
    (
        "President Andry Rajoelina met vanilla growers from Sambava in Antananarivo.",
        [("Andry Rajoelina", "PER"), ("Sambava", "LOC"), ("Antananarivo", "LOC")],
    ),
    (
        "Air Madagascar resumed flights between Ivato and Nosy Be on Monday.",
        [("Air Madagascar", "ORG"), ("Ivato", "LOC"), ("Nosy Be", "LOC")],
    ),
    (
        "The Jirama utility promised fewer power cuts in Analakely this month.",
        [("Jirama", "ORG"), ("Analakely", "LOC")],
    ),
    (
        "Singer Denise Mahafaly filled the Palais des Sports in Mahamasina.",
        [("Denise Mahafaly", "PER"), ("Palais des Sports", "LOC"), ("Mahamasina", "LOC")],
    ),
    (
        "The University of Antananarivo opened a new laboratory for rice research.",
        [("University of Antananarivo", "ORG")],
    ),
    (
        "Cyril Ramaphosa addressed Parliament about load shedding from the Union Buildings.",
        [("Cyril Ramaphosa", "PER"), ("Parliament", "ORG"), ("Union Buildings", "LOC")],
    ),
    (
        "Eskom said its Medupi plant near Lephalale is back at full power.",
        [("Eskom", "ORG"), ("Medupi", "LOC"), ("Lephalale", "LOC")],
    ),
    (
        "The University of Pretoria will host the African mathematics olympiad.",
        [("University of Pretoria", "ORG")],
    ),
    (
        "Commuters on the Gautrain between Hatfield and Sandton faced long delays.",
        [("Gautrain", "ORG"), ("Hatfield", "LOC"), ("Sandton", "LOC")],
    ),
    (
        "Caster Semenya ran a charity race through the streets of Pretoria.",
        [("Caster Semenya", "PER"), ("Pretoria", "LOC")],
    ),
    (
        "Prices of tomatoes fell at markets across the city after a good harvest.",
        [],
    ),
]

LABELS = ["PER|Person", "ORG|Organisation", "LOC|Place"]


def _spans(text: str, entities: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for surface, label in entities:
        start = text.index(surface)
        out.append({"label": label, "start": start, "end": start + len(surface)})
    return sorted(out, key=lambda s: s["start"])


def _mistake(
    span: dict[str, Any], words: list[tuple[str, int, int]], rng: random.Random
) -> dict[str, Any] | None:
    """One plausible slip on a true span: missed, a word short or long, or mislabelled."""
    kind = rng.random()
    if kind < 0.4:
        return None
    first = next(i for i, w in enumerate(words) if w[1] == span["start"])
    last = next(i for i, w in enumerate(words) if w[2] == span["end"])
    if kind < 0.75:
        if last > first:
            first += 1  # "Lovelace" for "Ada Lovelace"
        elif last + 1 < len(words):
            last += 1  # "Lagos said" for "Lagos"
        return {"label": span["label"], "start": words[first][1], "end": words[last][2]}
    other = rng.choice([v.split("|")[0] for v in LABELS if not v.startswith(span["label"])])
    return {**span, "label": other}


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for i, (text, entities) in enumerate(SENTENCES):
        spans = _spans(text, entities)
        row: dict[str, Any] = {"id": f"news-{i + 1}", "text": text}
        if i % 5 == 0:
            row["answer"] = json.dumps(spans)
            row["explanation"] = "; ".join(f"{s}: {label}" for s, label in entities) or (
                "No person, organisation or place is named."
            )
        rows.append(row)
        truth[row["id"]] = spans
        texts[json.dumps(spans)] = text

    def crowd_answer(
        interface: Any, config: dict[str, Any], true: Any, skill: float, rng: random.Random
    ) -> Any:
        if not true:
            return []
        words = tokens_with_offsets(texts.get(json.dumps(true), ""))
        out: list[dict[str, Any]] = []
        for span in true:
            marked = span if rng.random() < skill else _mistake(span, words, rng)
            if marked is not None and all(
                marked["end"] <= s["start"] or marked["start"] >= s["end"] for s in out
            ):
                out.append(marked)
        return out

    return DemoProject(
        name="Names in the news",
        description=(
            "Mark the people, organisations and places named in short news sentences from "
            "Lagos, Karachi, Antananarivo and Pretoria. About 30 seconds."
        ),
        instructions=(
            "Choose a label, then tap the first and the last word of each name. Mark the "
            "whole name (*Cyril Ramaphosa*, not *Ramaphosa*), without titles such as "
            "*President* or *Mayor*. Places include streets, neighbourhoods and buildings; "
            "organisations include companies, universities and institutions.\n\n## Examples\n\n"
            "- *Governor Babajide Sanwo-Olu opened the station at Marina.*: **Babajide "
            "Sanwo-Olu** is a Person, **Marina** a Place.\n"
            "- *Prices of tomatoes fell after a good harvest.*: nothing to mark; submit as it is."
        ),
        interface="text_spans",
        config={"question": "Mark every person, organisation and place named.", "labels": LABELS},
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.08"),
        estimated_seconds=30,
        overlap=3,
        gold_rate=Decimal("0.2"),
    )
