"""Demo of a requester's own HTML form: a maps company checks business listings across West
and East Africa with the form it already ran on Mechanical Turk — the shop's name, address and
phone filled in from each row's columns, a verdict and a category to pick."""

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from microwork.demo.kinds import DemoProject

FORM = """<h2>Is this business listing correct?</h2>
<p><strong>${name}</strong><br>${address}<br>Phone: ${phone}</p>
<p>Listed as: <em>${listed_category}</em> ·
<a href="https://www.openstreetmap.org/search?query=${name}%20${city}">Look it up on the map</a></p>
<fieldset>
<legend>The listing is</legend>
<label><input type="radio" name="verdict" value="correct" required> Correct</label>
<label><input type="radio" name="verdict" value="wrong_address"> Right business, wrong address</label>
<label><input type="radio" name="verdict" value="closed"> Closed for good</label>
<label><input type="radio" name="verdict" value="not_a_business"> Not a real business</label>
</fieldset>
<label for="category">What kind of business is it?</label>
<select id="category" name="category" required>
<option value="">Choose…</option>
<option value="restaurant">Restaurant or food stall</option>
<option value="pharmacy">Pharmacy or chemist</option>
<option value="shop">Shop or supermarket</option>
<option value="mobile_money">Mobile money agent</option>
<option value="salon">Hair or beauty salon</option>
</select>"""

CATEGORIES = ["restaurant", "pharmacy", "shop", "mobile_money", "salon"]
VERDICTS = ["correct", "wrong_address", "closed", "not_a_business"]

# (name, address, city, phone, listed category, true verdict, true category)
LISTINGS = [
    ("Mama Put Kitchen", "12 Allen Avenue, Ikeja", "Lagos", "+234 803 555 0142", "restaurant",
     "correct", "restaurant"),
    ("HealthPlus Pharmacy", "3 Admiralty Way, Lekki Phase 1", "Lagos", "+234 809 555 0178",
     "pharmacy", "correct", "pharmacy"),
    ("Shoprite Ikeja City Mall", "Obafemi Awolowo Way, Alausa", "Lagos", "+234 1 555 0190",
     "shop", "wrong_address", "shop"),
    ("Kilimanjaro Fast Food", "Moi Avenue, CBD", "Nairobi", "+254 722 555 031", "restaurant",
     "correct", "restaurant"),
    ("M-Pesa Agent Kamau & Sons", "Kenyatta Market, Stall 14", "Nairobi", "+254 711 555 076",
     "shop", "correct", "mobile_money"),
    ("Java House Westlands", "Woodvale Grove", "Nairobi", "+254 709 555 012", "restaurant",
     "closed", "restaurant"),
    ("Goodlife Pharmacy Yaya", "Argwings Kodhek Road", "Nairobi", "+254 700 555 418",
     "pharmacy", "correct", "pharmacy"),
    ("Auntie Muni Waakye", "Osu Oxford Street", "Accra", "+233 24 555 0193", "restaurant",
     "correct", "restaurant"),
    ("Kwik Braids Studio", "Spintex Road, near Coca-Cola roundabout", "Accra",
     "+233 20 555 0111", "salon", "wrong_address", "salon"),
    ("Ernest Chemists", "Ring Road Central", "Accra", "+233 30 555 0155", "pharmacy",
     "correct", "pharmacy"),
    ("Best Deal Electronics 24/7", "No address given", "Accra", "+233 55 555 0000", "shop",
     "not_a_business", "shop"),
    ("Chez Tantine Awa", "Rue 10, Médina", "Dakar", "+221 77 555 01 23", "restaurant",
     "correct", "restaurant"),
    ("Pharmacie Guigon", "Avenue Georges Pompidou", "Dakar", "+221 33 555 12 34", "pharmacy",
     "correct", "pharmacy"),
    ("Orange Money Point Sandaga", "Marché Sandaga", "Dakar", "+221 76 555 98 76", "shop",
     "correct", "mobile_money"),
    ("Salon Belle Afrique", "Cité Keur Gorgui", "Dakar", "+221 78 555 45 67", "salon",
     "closed", "salon"),
    ("Kampala Rolex Corner", "Wandegeya, opposite Makerere", "Kampala", "+256 772 555 310",
     "restaurant", "correct", "restaurant"),
    ("Capital Shoppers Nakawa", "Port Bell Road", "Kampala", "+256 414 555 220", "shop",
     "correct", "shop"),
    ("MTN MoMo Agent Ntinda", "Ntinda Trading Centre", "Kampala", "+256 782 555 411",
     "salon", "correct", "mobile_money"),
    ("Free iPhone Giveaway Centre", "Plot 0, Kampala Road", "Kampala", "+256 700 555 999",
     "shop", "not_a_business", "shop"),
    ("Bole Pharmacy", "Bole Road, near Edna Mall", "Addis Ababa", "+251 911 555 302",
     "pharmacy", "wrong_address", "pharmacy"),
]  # fmt: skip
GOLD = {"listing-02", "listing-11", "listing-19"}


def crowd_answer(
    interface: Any, config: dict[str, Any], truth: Any, skill: float, rng: random.Random
) -> dict[str, Any]:
    """A careful worker gets the listing right; a careless one slips on one of the two
    questions (mostly the category, the harder one to tell from a name)."""
    if truth is None:
        return {"verdict": rng.choice(VERDICTS), "category": rng.choice(CATEGORIES)}
    if rng.random() < skill:
        return dict(truth)
    answer = dict(truth)
    if rng.random() < 0.7:
        answer["category"] = rng.choice([c for c in CATEGORIES if c != truth["category"]])
    else:
        answer["verdict"] = rng.choice([v for v in VERDICTS if v != truth["verdict"]])
    return answer


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    rows, truth = [], {}
    for i, (name, address, city, phone, listed, verdict, category) in enumerate(LISTINGS, 1):
        row_id = f"listing-{i:02d}"
        row: dict[str, Any] = {
            "id": row_id,
            "name": name,
            "address": f"{address}, {city}",
            "city": city,
            "phone": phone,
            "listed_category": listed,
        }
        answer = {"verdict": verdict, "category": category}
        if row_id in GOLD:
            row["answer"] = answer
            row["explanation"] = "Checked by our field team this month."
        rows.append(row)
        truth[row_id] = answer
    return DemoProject(
        name="Business listings check (your own form)",
        description="Say whether a shop or restaurant on the map is listed correctly.",
        instructions=(
            "Read the listing, look it up on the map if you are unsure, and say whether it is "
            "correct. Pick the kind of business it really is, whatever it is listed as.\n\n"
            "## Examples\n\n"
            "- *HealthPlus Pharmacy, Lekki*: correct, a pharmacy.\n"
            "- *Free iPhone Giveaway Centre*: not a real business."
        ),
        interface="html_form",
        config={"html": FORM, "checked_by": "majority"},
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        estimated_seconds=40,
        reward=Decimal("0.10"),
    )
