"""Answer review: a requester checks machine translations of health-clinic text messages
(English → French) with people who read both: accept a faithful one, reject one that changes
the meaning and say what is wrong."""

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.demo.kinds import DemoProject

# (English message, French translation to check, right?, what is wrong when it is not)
MESSAGES = [
    ("Your appointment is on Monday at 9 am.", "Votre rendez-vous est lundi à 9 h.", True, ""),
    ("Take one tablet twice a day after meals.", "Prenez un comprimé deux fois par jour après les repas.", True, ""),
    ("The clinic is closed on Sunday.", "La clinique est ouverte le dimanche.", False, "“ouverte” says open; the clinic is closed."),
    ("Bring your child's vaccination card.", "Apportez le carnet de vaccination de votre enfant.", True, ""),
    ("Do not eat anything after midnight before the test.", "Ne mangez rien après minuit avant l'examen.", True, ""),
    ("Your results are ready; please call us.", "Vos résultats sont prêts ; veuillez nous appeler.", True, ""),
    ("Drink plenty of clean water.", "Buvez beaucoup d'eau.", False, "“clean” is missing: the message is about clean water."),
    ("The nurse will visit on Thursday afternoon.", "L'infirmière passera jeudi matin.", False, "Afternoon became morning (“matin”)."),
    ("Keep the medicine away from children.", "Gardez le médicament hors de portée des enfants.", True, ""),
    ("Finish the whole course of antibiotics.", "Terminez tout le traitement antibiotique.", True, ""),
    ("Call 112 in an emergency.", "Appelez le 112 en cas d'urgence.", True, ""),
    ("Your next dose is due in two weeks.", "Votre prochaine dose est prévue dans deux mois.", False, "Two weeks became two months (“mois”)."),
    ("Wash your hands before feeding the baby.", "Lavez-vous les mains avant de nourrir le bébé.", True, ""),
    ("Free malaria nets are available at the front desk.", "Des moustiquaires gratuites sont disponibles à l'accueil.", True, ""),
    ("Stop the treatment if you get a rash.", "Continuez le traitement si vous avez une éruption.", False, "It says continue; the message says stop."),
    ("Fast for eight hours before the blood test.", "Restez à jeun huit heures avant la prise de sang.", True, ""),
]  # fmt: skip
GOLD = {2, 7, 11}


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    for i, (english, french, right, wrong) in enumerate(MESSAGES):
        row: dict[str, Any] = {"id": f"sms-{i + 1}", "text": english, "checked_answer": french}
        if i in GOLD:
            row["answer"] = (
                {"verdict": "accept"} if right else {"verdict": "reject", "reason": wrong}
            )
        rows.append(row)
        truth[row["id"]] = {"verdict": "accept" if right else "reject", "reason": wrong}
    return DemoProject(
        name="Check machine translations of clinic messages",
        description="Read an English health message and its French translation: accept it if "
        "it says the same thing, reject it and say what changed otherwise.",
        instructions="Accept a translation that says exactly what the English says, even in "
        "other words. Reject one that changes a day, a time, a number or an instruction, and "
        "say what changed.\n\n## Examples\n\n- “Closed on Sunday” → “ouverte le dimanche”: "
        "reject, “ouverte” means open.\n- “Drink plenty of water” → “Buvez beaucoup d'eau”: "
        "accept.",
        interface="answer_review",
        config={"question": "Does the French say the same as the English?"},
        rows=rows,
        truth=truth,
        crowd_answer=_crowd_answer,
        reward=Decimal("0.04"),
        estimated_seconds=15,
        overlap=3,
        gold_rate=Decimal("0.15"),
    )


def _crowd_answer(interface, config, truth, skill, rng):
    if truth is None:
        return {"verdict": "accept"}
    if rng.random() < skill:
        if truth["verdict"] == "reject":
            return {"verdict": "reject", "reason": truth["reason"]}
        return {"verdict": "accept"}
    if truth["verdict"] == "accept":
        return {"verdict": "reject", "reason": "The wording seems off."}
    return {"verdict": "accept"}
