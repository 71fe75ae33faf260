"""Demo: rewrite a support chatbot's curt answer so it is polite and still says the same
thing (the AI-evaluation work of making model answers a customer would accept). Answers are
free text, checked by other workers rather than aggregated, so the project has no control
rows: a good rewrite can be worded many ways. A simulated worker writes a careful rewrite,
or a lazy one that barely changes the bot's words, more often the less skilled they are."""

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.demo.kinds import DemoProject

# The customer's message, the bot's curt answer, and a polite rewrite of it.
EXCHANGES: list[tuple[str, str, str]] = [
    (
        "My data bundle expired after two days, I paid for a week.",
        "Bundles expire when used up. Not our problem.",
        "I'm sorry your bundle ran out early. Bundles end once the data is used up; "
        "I can show you how to check your usage so it doesn't happen again.",
    ),
    (
        "Where is my parcel? It was due in Ikeja yesterday.",
        "Delayed. Wait.",
        "I'm sorry your parcel hasn't reached Ikeja yet. It is delayed, and I'll send you "
        "the new delivery date as soon as we have it.",
    ),
    (
        "I was charged twice for one ride in Karachi.",
        "Refunds take 7 days. Stop messaging.",
        "I'm sorry you were charged twice. The extra charge will be refunded within 7 days, "
        "and you don't need to do anything more.",
    ),
    (
        "Can I change my flight from Antananarivo to Friday?",
        "Change fee 50 USD. Pay or keep the old date.",
        "Yes, you can move your flight to Friday. There is a change fee of 50 USD; "
        "otherwise your original date stays as it is.",
    ),
    (
        "The electricity token I bought has not arrived.",
        "Check your SMS properly.",
        "I'm sorry the token hasn't arrived. Please check your messages once more; if it "
        "isn't there in ten minutes, reply here and I'll resend it.",
    ),
    (
        "Why was my loan application in Pretoria refused?",
        "Bad credit score. Nothing to discuss.",
        "I'm sorry the application wasn't approved. It was declined because of your credit "
        "score; I can explain what you can do to improve it before you apply again.",
    ),
    (
        "The phone I ordered arrived with a cracked screen.",
        "Did you drop it? Send photos.",
        "I'm sorry your phone arrived damaged. Could you send us a few photos of the screen "
        "so we can arrange a replacement?",
    ),
    (
        "Is the pharmacy on Allen Avenue open on Sunday?",
        "Read the website.",
        "Yes, the Allen Avenue pharmacy is open on Sundays from 10 am to 4 pm.",
    ),
    (
        "I forgot my PIN and the app locked me out.",
        "Go to a branch with ID. Can't help here.",
        "I'm sorry you've been locked out. For your safety a new PIN can only be set at a "
        "branch; please bring an ID and they'll help you right away.",
    ),
    (
        "Can you deliver groceries to Gulshan-e-Iqbal today?",
        "No. Tomorrow.",
        "We can't deliver to Gulshan-e-Iqbal today, I'm afraid, but we can bring your "
        "groceries tomorrow. Would you like to book a time?",
    ),
    (
        "My son's school fees payment shows as pending.",
        "Pending means pending.",
        "I understand the wait is worrying. Pending payments usually clear within a day; "
        "I'll check on it and let you know once it has gone through.",
    ),
    (
        "The bus from Soweto to Pretoria left without me although I had a ticket.",
        "Be on time next time.",
        "I'm sorry you missed the bus. Please send your ticket number and we'll see whether "
        "you can travel on the next departure at no cost.",
    ),
]

QUESTION = "Rewrite the assistant's answer so it is polite and helpful, keeping its facts."


def _lazy(curt: str, rng: random.Random) -> str:
    return rng.choice(["Sorry. ", "Hello. ", "Dear customer, "]) + curt


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    curt_of: dict[str, str] = {}
    for i, (customer, curt, polite) in enumerate(EXCHANGES):
        row = {
            "id": f"rewrite-{i + 1}",
            "text": f"Customer: {customer}\nAssistant: {curt}",
            "prompt": "Rewrite the assistant's answer.",
        }
        rows.append(row)
        truth[row["id"]] = polite
        curt_of[polite] = curt

    def crowd_answer(
        interface: Any, config: dict[str, Any], true: Any, skill: float, rng: random.Random
    ) -> Any:
        if not true:
            return "Thank you for your message. We will get back to you soon."
        if rng.random() < skill:
            return str(true) if rng.random() < 0.5 else f"Hello! {true}"
        return _lazy(curt_of.get(str(true), "We will look into it."), rng)

    return DemoProject(
        name="Make the assistant polite",
        description=(
            "Rewrite a support chatbot's curt answers so a customer would be glad to read "
            "them, without changing the facts. About a minute."
        ),
        instructions=(
            "Read the customer's message and the assistant's answer. Write the answer again, "
            "politely: acknowledge the problem, keep every fact (prices, days, what the "
            "customer must do), and add nothing the assistant did not say. One to three plain "
            "sentences, no links.\n\n## Examples\n\n"
            "- *Assistant: Delayed. Wait.* → *I'm sorry your parcel hasn't arrived yet. It is "
            "delayed, and I'll send you the new delivery date as soon as we have it.*\n"
            "- Not good enough: *Sorry. Delayed. Wait.* (still curt)."
        ),
        interface="free_text",
        config={
            "question": QUESTION,
            "min_length": 20,
            "max_length": 600,
            "pattern": r"[^<>]*[.!?]",
            "pattern_hint": "Plain sentences, the last ending with . ! or ?; no < or > signs.",
        },
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.15"),
        estimated_seconds=60,
        overlap=2,
        gold_rate=Decimal("0"),
        # Rewrites are worded many ways, so no statistic checks them: two other workers
        # read each one, and one acceptance of two is enough.
        settings={
            "review_overlap": 2,
            "review_reward": Decimal("0.14"),
            "review_threshold": Decimal("0.5"),
        },
    )
