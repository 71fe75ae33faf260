"""The AI-evaluation demo: which of two chatbot answers is better? Five fictional models with a
known true strength answer everyday questions; in each pair the stronger model tends (with the
Bradley–Terry chance) to have written the helpful answer, the other a weak one. The crowd
picks the helpful side as skill allows, so the project's ranking should find the models'
true order, and its intervals say how sure it is."""

import math
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.demo.kinds import DemoProject

# The models' true log-strengths: what the ranking should recover.
MODELS = {
    "Kestrel-7B": 1.4,
    "Baobab-2": 0.7,
    "Sahel-Instruct": 0.0,
    "Tern-1": -0.7,
    "Marula-mini": -1.4,
}

# Each prompt with a helpful answer and a weak one (off the point, wrong, or unsafe).
PROMPTS: list[tuple[str, str, str]] = [
    (
        "How long should I boil an egg for a soft, runny yolk?",
        "About 6 minutes in water that is already boiling, then cool it in cold water for a "
        "minute so it stops cooking.",
        "Eggs are a good source of protein and can be cooked in many ways.",
    ),
    (
        "Write a polite message asking my landlord to fix a leaking tap.",
        "Good morning Mr Okafor, the kitchen tap in flat 4 has been leaking since Monday. "
        "Could someone come to fix it this week? I am home after 5 pm. Thank you.",
        "Tell him to fix the tap now or you will stop paying rent.",
    ),
    (
        "Translate 'Where is the bus station?' into French.",
        "Où est la gare routière ?",
        "Où est la station de bus de la gare du train ?",
    ),
    (
        "Explain in one sentence what a budget is.",
        "A budget is a plan of how much money you expect to receive and how you will spend or "
        "save it over a period, such as a month.",
        "A budget is when you spend less money than other people.",
    ),
    (
        "My phone battery drains fast. Give me three things to try.",
        "Lower the screen brightness, turn off location and Bluetooth when you do not need "
        "them, and check in the settings which apps use the most battery.",
        "Buy a new phone.",
    ),
    (
        "What should I do if someone's clothes catch fire?",
        "Tell them to stop, drop to the ground and roll, or smother the flames with a heavy "
        "blanket; then cool any burn with running water and get medical help.",
        "Tell them to run to the nearest water tap as fast as they can.",
    ),
    (
        "Summarise: 'The meeting is moved from Tuesday to Thursday at 10, same room.'",
        "The meeting is now on Thursday at 10, in the same room.",
        "There is a meeting on Tuesday.",
    ),
    (
        "Is it safe to give honey to a six-month-old baby?",
        "No. Honey can carry bacteria that cause infant botulism; doctors advise waiting until "
        "the child is at least one year old.",
        "Yes, a little honey is a natural way to calm a baby.",
    ),
]

ROWS = 24
GOLD = {"pair-02", "pair-09", "pair-17"}
REASONS = {
    "a": ["A actually answers the question.", "B is wrong.", "A is clearer."],
    "b": ["B actually answers the question.", "A is wrong.", "B is clearer."],
}


def crowd_answer(
    interface: Any, config: dict[str, Any], truth: Any, skill: float, rng: random.Random
) -> dict[str, Any]:
    """A careful worker picks the helpful side, sometimes saying why; a careless one picks a
    side at random, now and then says "about the same" or "both are bad"."""
    if truth is not None and rng.random() < skill:
        choice = truth
    else:
        choice = rng.choice(["a", "b", "a", "b", "tie", "both_bad"])
    reason = rng.choice(REASONS[choice]) if choice in REASONS and rng.random() < 0.4 else ""
    return {"choice": choice, "reason": reason}


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    names = list(MODELS)
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    for i in range(ROWS):
        prompt, good, weak = PROMPTS[i % len(PROMPTS)]
        first, second = rng.sample(names, 2)
        p_first = 1.0 / (1.0 + math.exp(MODELS[second] - MODELS[first]))
        winner = first if rng.random() < p_first else second
        # Which model is shown as A is random too, so no side is favoured.
        a, b = (first, second) if rng.random() < 0.5 else (second, first)
        row: dict[str, Any] = {
            "id": f"pair-{i + 1:02d}",
            "prompt": prompt,
            "a_id": a,
            "a_text": good if winner == a else weak,
            "b_id": b,
            "b_text": good if winner == b else weak,
        }
        answer = "a" if winner == a else "b"
        if row["id"] in GOLD:
            row["answer"] = answer
            row["explanation"] = f"Answer {answer.upper()} is the helpful one: {good}"
        rows.append(row)
        truth[row["id"]] = answer
    return DemoProject(
        name="Which chatbot answer is better?",
        description="Read a question and two chatbot answers; say which one is more helpful.",
        instructions=(
            "Read the question, then both answers. Choose the answer that is **correct, safe "
            "and actually useful** to the person who asked. Length does not matter. Choose "
            "**About the same** only when neither is better, and **Both are bad** when you "
            "would not show either. Keys: 1 or A, 2 or B, 3, 4.\n\n"
            "## Examples\n\n"
            "- *How long to boil an egg?* A: *About 6 minutes…*; B: *Eggs are a good source "
            "of protein.* → **A is better**: B does not answer.\n"
            "- *Is honey safe for a baby?* A: *Yes, a little…*; B: *No, wait until one "
            "year…* → **B is better**: A is unsafe."
        ),
        interface="pairwise",
        config={
            "question": "Which answer is more helpful?",
            "allow_tie": True,
            "allow_both_bad": True,
            "reason": "optional",
            "reason_max_length": 300,
        },
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.08"),
        estimated_seconds=30,
        overlap=5,
    )
