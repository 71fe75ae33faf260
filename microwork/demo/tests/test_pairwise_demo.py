"""The chatbot-comparison demo uploads as it is, its simulated crowd answers as the project
allows, and a crowd of its skill ranks the models in their true order."""

import random
from pathlib import Path

import numpy as np
import pytest

from microwork.accounts.access import access_organisation_for_requester
from microwork.aggregation.algorithms.bradley_terry import Comparisons, bradley_terry
from microwork.demo.kinds import DEMO_PROJECTS
from microwork.demo.kinds.pairwise import MODELS, demo
from microwork.ledger.services.deposits import deposit_record
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Task
from microwork.projects.services.batches import batch_create_from_records
from microwork.projects.services.projects import project_create, project_set_status

PAIRWISE = get_interface("pairwise")


def test_the_demo_is_registered_and_its_rows_and_answers_are_valid(tmp_path: Path):
    assert DEMO_PROJECTS["pairwise"] == "microwork.demo.kinds.pairwise.demo"
    made = demo(media=tmp_path, rng=random.Random(7))
    config = PAIRWISE.check_config(made.config)
    assert 10 <= len(made.rows) <= 30
    gold = [row for row in made.rows if "answer" in row]
    assert 1 <= len(gold) <= 5
    rng = random.Random(1)
    for row in made.rows:
        data = PAIRWISE.check_input(config, {k: v for k, v in row.items() if k != "id"})
        assert {data["a_id"], data["b_id"]} <= set(MODELS)
        for skill in (0.55, 0.95):
            PAIRWISE.check_answer(
                config, data, made.crowd_answer(PAIRWISE, config, None, skill, rng)
            )
            answer = made.crowd_answer(PAIRWISE, config, made.truth[row["id"]], skill, rng)
            PAIRWISE.check_answer(config, data, answer)


def test_a_skilled_crowd_on_many_such_pairs_ranks_the_models_in_their_true_order(tmp_path):
    names = list(MODELS)
    left, right, winner = [], [], []
    rng = random.Random(5)
    for seed in range(12):
        made = demo(media=tmp_path, rng=random.Random(seed))
        for row in made.rows:
            for _ in range(5):
                answer = made.crowd_answer(PAIRWISE, made.config, made.truth[row["id"]], 0.9, rng)
                if answer["choice"] not in ("a", "b"):
                    continue
                a, b = names.index(row["a_id"]), names.index(row["b_id"])
                left.append(a)
                right.append(b)
                winner.append(a if answer["choice"] == "a" else b)
    result = bradley_terry(
        Comparisons.from_arrays(np.zeros(len(left), int), left, right, winner, n_items=5)
    )
    assert result.ranking.tolist() == [0, 1, 2, 3, 4]


@pytest.mark.django_db
def test_the_demo_project_uploads_and_goes_live(rita, omar, tmp_path):
    organisation = access_organisation_for_requester(user=rita)
    deposit_record(
        organisation=organisation, amount="100", currency="USD", reference="demo", actor=omar
    )
    made = demo(media=tmp_path, rng=random.Random(7))
    project = project_create(
        organisation=organisation,
        actor=rita,
        name=made.name,
        description=made.description,
        instructions=made.instructions,
        interface=made.interface,
        config=made.config,
        reward=made.reward,
        estimated_seconds=made.estimated_seconds,
        overlap=made.overlap,
        gold_rate=made.gold_rate,
    )
    batch_create_from_records(project=project, actor=rita, records=made.rows, name="demo.jsonl")
    project_set_status(project=project, actor=rita, status="live", reason="demo")
    assert Task.objects.filter(project=project).count() == len(made.rows)
    gold = Task.objects.filter(project=project, is_gold=True)
    assert gold.count() == 3
    assert {t.gold_answer["choice"] for t in gold} <= {"a", "b"}
