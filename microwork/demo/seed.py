"""The demo: a requester organisation, workers, three projects from the trade, and answers
from a simulated crowd, all made through the same services the pages and the API use."""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from microwork.accounts import services as accounts
from microwork.accounts.models import Organisation, User
from microwork.accounts.terms import terms_current
from microwork.demo import data
from microwork.demo.images import write_images
from microwork.demo.kinds import demo_projects
from microwork.ledger.services.deposits import deposit_record
from microwork.lib.errors import ApplicationError
from microwork.live.services.setup import live_setup_save
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.projects.services.batches import batch_create_from_records
from microwork.projects.services.projects import project_create, project_set_status
from microwork.review import services as review
from microwork.wellbeing.services import wellbeing_update
from microwork.work.models import Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create

# Printed by `microwork demo` for people trying the platform; never used outside the demo.
PASSWORD = "demo-pass-2026"  # noqa: S105
CROWD_SIZE = 24


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str


LOGINS = [
    Login("requester (Acme Labs)", "rita", PASSWORD),
    Login("worker (Lagos)", "walt", PASSWORD),
    Login("worker (Antananarivo, French)", "nina", PASSWORD),
    Login("operator (admin at /admin/)", "omar", PASSWORD),
]


def demo_exists() -> bool:
    return Organisation.objects.filter(slug="acme-labs").exists()


def _crowd_answer(interface, config, truth, skill: float, rng: random.Random):
    """A simulated worker answers right with probability `skill`, otherwise plausibly wrong."""
    if interface.key == "multiple_choice":
        values = interface.label_values(config)
        chosen = set(truth)
        for value in values:
            if rng.random() > skill + (1 - skill) * 0.7:
                chosen ^= {value}
        return [v for v in values if v in chosen]
    if interface.key == "graded_relevance":
        if rng.random() < skill:
            return truth
        return max(0, min(len(config["scale"]) - 1, truth + rng.choice([-1, 1])))
    if rng.random() < skill:
        return truth
    return rng.choice([v for v in interface.label_values(config) if v != truth])


def _projects(org: Organisation, rita: User, media: Path) -> list[tuple[Project, dict]]:
    made: list[tuple[Project, dict[str, Any]]] = []
    examples = "\n\n## Examples\n\n"

    recipes = project_create(
        organisation=org,
        actor=rita,
        name="Which foods are in this recipe?",
        description="Read a short recipe and tick every listed food it uses. About 20 seconds.",
        instructions=(
            "Read the recipe name and description, then tick **every** food from the list "
            "that is an ingredient. Tick nothing if none are."
            + examples
            + "- *Pancakes — batter of flour, eggs and milk fried in butter*: tick Flour, Eggs, "
            "Milk and Butter.\n- *Boiled rice*: tick Rice only; water and salt are not in the list."
        ),
        interface="multiple_choice",
        config={
            "question": "Which of these foods are ingredients of this recipe?",
            "labels": data.INGREDIENT_LABELS,
        },
        reward=Decimal("0.06"),
        estimated_seconds=20,
        overlap=3,
        gold_rate=Decimal("0.15"),
    )
    rows = []
    # Task id to the expected answer, in each interface's own shape (a list, a grade, a label).
    truth: dict[str, Any] = {}
    for i, (name, description, ingredients) in enumerate(data.RECIPES):
        row = {"id": f"recipe-{i + 1}", "text": f"{name}: {description}"}
        if i % 6 == 0:
            row["answer"] = "|".join(ingredients)
            row["explanation"] = f"The description names: {', '.join(ingredients)}."
        rows.append(row)
        truth[row["id"]] = ingredients
    made.append((recipes, {"rows": rows, "truth": truth}))

    relevance = project_create(
        organisation=org,
        actor=rita,
        name="Does this result answer the search?",
        description="Judge how well one search result answers a query, from 0 to 3.",
        instructions=(
            "Imagine you typed the query. Would this result give you what you wanted?"
            + examples
            + "- *cheap flights lagos to nairobi* → a fare comparison page for that route: "
            "**3 — Perfect answer**.\n- The same query → a Nairobi travel guide: "
            "**1 — Somewhat relevant**.\n- The same query → a rice recipe: **0 — Irrelevant**."
        ),
        interface="graded_relevance",
        config={"scale": data.RELEVANCE_SCALE, "question": ""},
        reward=Decimal("0.05"),
        estimated_seconds=15,
        overlap=3,
        gold_rate=Decimal("0.1"),
    )
    rows, truth = [], {}
    for i, (query, title, url, snippet, grade) in enumerate(data.RELEVANCE):
        row = {
            "id": f"rel-{i + 1}",
            "query": query,
            "result_title": title,
            "result_url": url,
            "result_snippet": snippet,
        }
        if i % 5 == 0:
            row["answer"] = str(grade)
            row["explanation"] = f"Grade {grade}: {data.RELEVANCE_SCALE[grade]}."
        rows.append(row)
        truth[row["id"]] = grade
    made.append((relevance, {"rows": rows, "truth": truth}))

    moderation = project_create(
        organisation=org,
        actor=rita,
        name="Is this image acceptable, gory or harmful?",
        description="Look at one picture and say whether it can be shown to everyone.",
        instructions=(
            "Choose **Gory** for blood or injury, **Harmful** for weapons, hazards or threats, "
            "and **Acceptable** for anything else."
            + examples
            + "- A landscape with hills and a sun: **Acceptable**.\n"
            "- Red splatter over a grey floor: **Gory**.\n"
            "- A hazard sign beside a pistol: **Harmful**."
        ),
        interface="single_choice",
        config={
            "question": "Can this image be shown to everyone?",
            "labels": ["acceptable|Acceptable", "gory|Gory", "harmful|Harmful"],
        },
        reward=Decimal("0.03"),
        estimated_seconds=8,
        overlap=3,
        gold_rate=Decimal("0.1"),
        # Splatter standing for blood, weapons: only workers who chose to see violence get it.
        disturbing_content=["violence"],
    )
    rows, truth = [], {}
    for i, (filename, kind) in enumerate(write_images(media / "demo", per_kind=16)):
        row = {
            "id": f"img-{i + 1}",
            "image_url": f"/{settings.MEDIA_URL.strip('/')}/demo/{filename}",
        }
        if i % 8 == 0:
            row["answer"] = kind
            row["explanation"] = {
                "acceptable": "An ordinary landscape: nothing violent or dangerous.",
                "gory": "The red splatter stands for blood.",
                "harmful": "A weapon and a hazard sign.",
            }[kind]
        rows.append(row)
        truth[row["id"]] = kind
    made.append((moderation, {"rows": rows, "truth": truth}))
    for demo in demo_projects(media=media, rng=random.Random(7)):
        project = project_create(
            organisation=org,
            actor=rita,
            name=demo.name,
            description=demo.description,
            instructions=demo.instructions,
            interface=demo.interface,
            config=demo.config,
            reward=demo.reward,
            estimated_seconds=demo.estimated_seconds,
            overlap=demo.overlap,
            gold_rate=demo.gold_rate,
            **demo.settings,
        )
        made.append(
            (
                project,
                {
                    "rows": demo.rows,
                    "truth": demo.truth,
                    "crowd": demo.crowd_answer,
                    "simulated": demo.simulated,
                },
            )
        )
    return made


@transaction.atomic
def _people(crowd_size: int) -> tuple[Organisation, User, list[User]]:
    # The demo's people signed up as anyone does, accepting the terms in force.
    terms = terms_current()
    rita = accounts.requester_signup(
        username="rita",
        email="rita@acme.example",
        password=PASSWORD,
        organisation_name="Acme Labs",
        terms=terms,
    )
    org = Organisation.objects.get(memberships__user=rita)
    accounts.worker_signup(
        username="walt",
        email="walt@example.org",
        password=PASSWORD,
        country="NG",
        languages=["en", "yo"],
        timezone_name="Africa/Lagos",
        terms=terms,
    )
    accounts.worker_signup(
        username="nina",
        email="nina@example.org",
        password=PASSWORD,
        country="MG",
        languages=["fr", "mg"],
        timezone_name="Indian/Antananarivo",
        language="fr",
        terms=terms,
    )
    # Walt agreed to see violence (the moderation projects); Nina chose nothing yet, so her
    # work page shows where to choose. The simulated crowd moderates too.
    wellbeing_update(
        worker=User.objects.get(username="walt"), categories=["violence"], daily_cap=None
    )
    User.objects.create_superuser(
        username="omar", email="omar@microwork.example", password=PASSWORD
    )
    countries = [("NG", "Africa/Lagos"), ("ZA", "Africa/Johannesburg"), ("PK", "Asia/Karachi"),
                 ("MG", "Indian/Antananarivo"), ("KE", "Africa/Nairobi")]  # fmt: skip
    crowd = []
    for i in range(crowd_size):
        country, tz = countries[i % len(countries)]
        crowd.append(
            accounts.worker_signup(
                username=f"crowd{i + 1:02d}",
                email=f"crowd{i + 1:02d}@example.org",
                password=PASSWORD,
                country=country,
                languages=["en"],
                timezone_name=tz,
                terms=terms,
            )
        )
        wellbeing_update(worker=crowd[-1], categories=["violence"], daily_cap=None)
    return org, rita, crowd


def demo_load(
    *, answers_per_worker: int = 6, crowd_size: int = CROWD_SIZE, seed: int = 2026
) -> list[Login]:
    """Create the demo once; a second call changes nothing."""
    if demo_exists():
        return LOGINS
    rng = random.Random(seed)
    org, rita, crowd = _people(crowd_size)
    omar = User.objects.get(username="omar")
    deposit_record(
        organisation=org,
        amount=Decimal("500.00"),
        currency="USD",
        reference="DEMO-WIRE-0001",
        actor=omar,
        memo="Demo deposit",
    )
    media = Path(settings.MEDIA_ROOT)
    loaded = _projects(org, rita, media)
    for project, spec in loaded:
        batch_create_from_records(
            project=project, actor=rita, records=spec["rows"], name="demo.jsonl"
        )
        project_set_status(project=project, actor=rita, status="live", reason="demo")

    # The simulated crowd: most careful, a few careless, answering over the last few days.
    skills = [0.92 if i % 6 else 0.55 for i in range(len(crowd))]
    start = timezone.now() - timedelta(days=4)
    for project, spec in loaded:
        if not spec.get("simulated", True):
            continue
        project.refresh_from_db()
        interface = get_interface(project.interface)
        # The crowd fills under half of the slots, so the demo's own workers find work.
        budget = int(project.tasks.filter(is_gold=False).count() * project.overlap * 0.45)
        for worker, skill in zip(crowd, skills, strict=True):
            if Submission.objects.filter(project=project).count() >= budget:
                break
            moment = start + timedelta(minutes=rng.randint(0, 60 * 24 * 3))
            for _ in range(answers_per_worker):
                try:
                    assignment = assignment_claim(worker=worker, project=project, now=moment)
                except ApplicationError:  # the project filled up or closed for this worker
                    break
                if assignment is None:
                    break
                truth = spec["truth"].get(assignment.task.external_id)
                answer = spec.get("crowd", _crowd_answer)(
                    interface, project.config, truth, skill, rng
                )
                active = int(project.estimated_seconds * 1000 * rng.uniform(0.6, 1.5))
                moment += timedelta(milliseconds=active + rng.randint(500, 4000))
                submission_create(
                    assignment=assignment,
                    worker=worker,
                    answer=answer,
                    active_ms=active,
                    now=moment,
                )
    # Walt has worked here for a few weeks, so his earnings page has history to show.
    walt = User.objects.get(username="walt")
    moment = timezone.now() - timedelta(days=20)
    # Spread over those weeks however many demo projects there are, so none lies in the future.
    step = timedelta(days=18) / max(len(loaded), 1)
    for project, spec in loaded:
        if not spec.get("simulated", True):
            continue
        project.refresh_from_db()
        interface = get_interface(project.interface)
        for _ in range(4):
            assignment = assignment_claim(worker=walt, project=project, now=moment)
            if assignment is None:
                break
            truth = spec["truth"].get(assignment.task.external_id)
            active = int(project.estimated_seconds * 1000 * rng.uniform(0.7, 1.1))
            moment += timedelta(milliseconds=active + 1500)
            submission_create(
                assignment=assignment,
                worker=walt,
                answer=spec.get("crowd", _crowd_answer)(
                    interface, project.config, truth, 0.97, rng
                ),
                active_ms=active,
                now=moment,
            )
        moment += step
    review.bonus_pay(
        organisation=org,
        actor=rita,
        workers=[walt],
        amount=Decimal("2.00"),
        message="Thank you for the careful moderation work.",
        request_key="demo-bonus-walt",
    )
    # Rita has approved the older half of the work; the rest waits for her or auto-approval.
    pending = Submission.objects.filter(status=Submission.Status.PENDING).order_by("submitted_at")
    for submission in pending[: pending.count() // 2]:
        review.submission_approve(submission=submission, actor=rita)
    _live_project(org, rita)
    return LOGINS


def _live_project(org: Organisation, rita: User) -> Project:
    """A project answered live (docs/live.md): the demo's workers can read its statement, opt
    in and make themselves available; Acme's system posts its tasks through the API."""
    project = project_create(
        organisation=org,
        actor=rita,
        name="Is this shopper's message about a refund?",
        description=(
            "Answered live, within seconds, in place of Acme's chat assistant when it is unsure."
        ),
        instructions=(
            "Read the shopper's message and say whether they ask for their money back.\n\n"
            "## Examples\n\n"
            "- *The shoes came in the wrong size, can I send them back for my money?*: Refund.\n"
            "- *When does the Lagos store open on Sunday?*: Not a refund."
        ),
        interface="single_choice",
        config={
            "question": "Does the shopper ask for a refund?",
            "labels": [
                {"value": "refund", "text": "Refund"},
                {"value": "other", "text": "Not a refund"},
            ],
        },
        reward=Decimal("0.02"),
        estimated_seconds=8,
        overlap=1,
        gold_rate=Decimal("0"),
        time_limit_seconds=60,
    )
    live_setup_save(
        project=project,
        actor=rita,
        use_statement=(
            "Your answer is shown at once to the shopper in Acme's chat assistant, under the "
            "assistant's name; Acme's support team reads the conversation afterwards."
        ),
        standby_per_hour="8.50",
    )
    return project_set_status(project=project, actor=rita, status="live", reason="demo")
