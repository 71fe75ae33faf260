"""Rankings of a pairwise project: Bradley–Terry over every counted answer recovers the true
order, its intervals narrow as answers come in, separate groups of comparisons are said to be
separate, and only the project's own organisation reads it."""

import csv
import io
import json
import random
from decimal import Decimal

import numpy as np
import pytest

from microwork.accounts.models import User
from microwork.aggregation.algorithms.bradley_terry import Comparisons, bradley_terry, components
from microwork.aggregation.ranking import project_ranking
from microwork.projects.models import Batch, Project, Task
from microwork.projects.tests.factories import stored_answer
from microwork.work.models import Submission
from microwork.work.tests.factories import live_project

TRUE_STRENGTH = {"atlas": 1.6, "baobab": 0.8, "cobalt": 0.0, "dune": -0.8, "ember": -1.6}


def _simulate(rng: np.random.Generator, n: int, strength: np.ndarray) -> Comparisons:
    k = len(strength)
    left = rng.integers(0, k, n)
    right = (left + rng.integers(1, k, n)) % k
    p = 1.0 / (1.0 + np.exp(strength[right] - strength[left]))
    winner = np.where(rng.random(n) < p, left, right)
    return Comparisons.from_arrays(rng.integers(0, 10, n), left, right, winner, n_items=k)


# --- the algorithm ----------------------------------------------------------------------------


def test_the_true_order_is_recovered_and_inside_the_intervals():
    strength = np.array(list(TRUE_STRENGTH.values()))
    result = bradley_terry(_simulate(np.random.default_rng(1), 4_000, strength))
    assert result.ranking.tolist() == [0, 1, 2, 3, 4]
    errors = result.extras["standard_errors"]
    centred = strength - strength.mean()
    # The prior pulls scores a little towards 0; four standard errors is ample for that.
    assert (np.abs(result.scores - centred) < 4 * errors).all()


def test_intervals_narrow_with_more_comparisons():
    strength = np.array(list(TRUE_STRENGTH.values()))
    widths = []
    for n in (50, 500, 5_000):
        result = bradley_terry(_simulate(np.random.default_rng(n), n, strength))
        widths.append(float(result.extras["standard_errors"].mean()))
    assert widths[0] > 2 * widths[1] > 4 * widths[2]


def test_standard_errors_match_the_spread_of_repeated_fits():
    strength = np.array([1.0, 0.0, -1.0])
    fits = [
        bradley_terry(_simulate(np.random.default_rng(seed), 600, strength)) for seed in range(60)
    ]
    spread = np.std([f.scores for f in fits], axis=0)
    stated = np.mean([f.extras["standard_errors"] for f in fits], axis=0)
    np.testing.assert_allclose(stated, spread, rtol=0.35)


def test_a_tie_is_half_a_win_each():
    tied = Comparisons.from_arrays([0, 0], [0, 0], [1, 1], [0, 1], weight=[0.5, 0.5])
    result = bradley_terry(tied)
    assert result.scores[0] == pytest.approx(result.scores[1])
    one_win = bradley_terry(Comparisons.from_arrays([0], [0], [1], [0]))
    assert one_win.scores[0] > one_win.scores[1]
    with pytest.raises(ValueError, match="weight"):
        Comparisons.from_arrays([0], [0], [1], [0], weight=[-1.0])


def test_components_are_the_groups_linked_by_comparisons():
    comparisons = Comparisons.from_arrays([0, 0, 0], [0, 3, 1], [1, 4, 2], [0, 4, 2], n_items=6)
    assert components(comparisons).tolist() == [0, 0, 0, 1, 1, 2]


# --- a project's ranking --------------------------------------------------------------------


def _pairwise(rita, **config):
    return live_project(
        rita,
        name="Which answer is better?",
        interface="pairwise",
        config={
            "question": "Which is better?",
            "allow_tie": True,
            "allow_both_bad": True,
            **config,
        },  # fmt: skip
        overlap=5,
    )


def _task(project: Project, a: str, b: str, number: int) -> Task:
    batch = Batch.objects.filter(project=project).first() or Batch.objects.create(
        project=project,
        uploaded_by=project.created_by,
        filename="pairs.csv",
        file_format="csv",
        status=Batch.Status.DONE,
    )
    return Task.objects.create(
        project=project,
        batch=batch,
        row_number=number,
        external_id=f"pair-{number}",
        data={
            "prompt": "Say hello",
            "a_text": f"Hello from {a}",
            "a_id": a,
            "b_text": f"Hi from {b}",
            "b_id": b,
        },  # fmt: skip
    )


def _workers(n: int) -> list[User]:
    return [
        User.objects.create(username=f"judge{i}", email=f"judge{i}@example.org") for i in range(n)
    ]


def _answer(task: Task, worker: User, choice: str) -> Submission:
    return stored_answer(task, worker, label={"choice": choice, "reason": ""})


def test_a_project_ranking_recovers_the_true_order(rita):
    project = _pairwise(rita)
    rng = random.Random(3)
    judges = _workers(5)
    names = list(TRUE_STRENGTH)
    number = 0
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            for _ in range(3):
                number += 1
                left, right = (a, b) if rng.random() < 0.5 else (b, a)
                task = _task(project, left, right, number)
                for judge in judges:
                    p = 1 / (1 + np.exp(TRUE_STRENGTH[right] - TRUE_STRENGTH[left]))
                    _answer(task, judge, "a" if rng.random() < p else "b")
    task = _task(project, "atlas", "ember", number + 1)
    _answer(task, judges[0], "tie")
    _answer(task, judges[1], "both_bad")
    rejected = _answer(task, judges[2], "b")
    Submission.objects.filter(pk=rejected.pk).update(status=Submission.Status.REJECTED)
    _task(project, "fennec", "atlas", number + 2)  # not answered yet

    ranking = project_ranking(project=project)
    assert [i.item for i in ranking.ranked] == names
    assert ranking.connected and ranking.groups == 1
    assert ranking.comparisons == number * 5 + 1 and ranking.both_bad == 1
    atlas = ranking.items[0]
    assert atlas.rank == 1 and atlas.low < atlas.score < atlas.high
    assert atlas.wins + atlas.losses + atlas.ties == atlas.comparisons
    assert atlas.ties == 1 and atlas.both_bad == 1
    assert [i.item for i in ranking.unranked] == ["fennec"]
    assert ranking.unranked[0].rank is None and ranking.unranked[0].score is None


def test_separate_groups_of_comparisons_are_said_to_be_separate(rita):
    project = _pairwise(rita)
    [judge] = _workers(1)
    _answer(_task(project, "atlas", "baobab", 1), judge, "a")
    _answer(_task(project, "cobalt", "dune", 2), judge, "b")
    ranking = project_ranking(project=project)
    assert not ranking.connected and ranking.groups == 2
    assert "2 separate groups" in ranking.explanation()
    groups = {i.item: i.group for i in ranking.items}
    assert groups["atlas"] == groups["baobab"] != groups["cobalt"] == groups["dune"]


def test_a_project_with_no_answers_has_an_empty_ranking(rita):
    project = _pairwise(rita)
    _task(project, "atlas", "baobab", 1)
    ranking = project_ranking(project=project)
    assert ranking.comparisons == 0 and not ranking.ranked
    assert {i.item for i in ranking.unranked} == {"atlas", "baobab"}
    assert "No comparisons yet" in ranking.explanation()


@pytest.fixture
def ranked_project(rita):
    project = _pairwise(rita)
    judges = _workers(3)
    for number, (a, b) in enumerate([("atlas", "baobab"), ("baobab", "cobalt")], start=1):
        task = _task(project, a, b, number)
        for judge in judges:
            _answer(task, judge, "a")
    return project


def test_the_api_gives_the_ranking_to_its_own_organisation_only(
    client, ranked_project, rita_token, rob
):
    headers = {"Authorization": f"Bearer {rita_token}"}
    r = client.get(f"/api/projects/{ranked_project.pk}/ranking", headers=headers)
    assert r.status_code == 200, r.content
    body = r.json()
    assert [i["item"] for i in body["items"]] == ["atlas", "baobab", "cobalt"]
    assert body["items"][0]["rank"] == 1 and body["connected"] is True
    assert body["comparisons"] == 6

    r = client.get(f"/api/projects/{ranked_project.pk}/ranking.csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["item"] for row in rows] == ["atlas", "baobab", "cobalt"]
    assert rows[0]["rank"] == "1" and float(rows[0]["low"]) < float(rows[0]["high"])

    client.force_login(rob)
    r = client.get(f"/api/projects/{ranked_project.pk}/ranking")
    assert r.status_code in (403, 404)
    r = client.get(f"/projects/{ranked_project.pk}/results/ranking.json")
    assert r.status_code in (403, 404)


def test_a_project_that_compares_nothing_has_no_ranking(client, rita, rita_token):
    project = live_project(rita)
    headers = {"Authorization": f"Bearer {rita_token}"}
    r = client.get(f"/api/projects/{project.pk}/ranking", headers=headers)
    assert r.status_code == 400 and r.json()["code"] == "no_ranking"
    client.force_login(rita)
    page = client.get(f"/projects/{project.pk}/results/").content.decode()
    assert 'id="ranking"' not in page
    assert client.get(f"/projects/{project.pk}/results/ranking.csv").status_code == 404


def test_the_results_page_shows_the_ranking_and_its_downloads(client, rita, ranked_project):
    client.force_login(rita)
    page = client.get(f"/projects/{ranked_project.pk}/results/").content.decode()
    assert 'id="ranking"' in page and "95% interval" in page
    assert page.index("atlas</td>") < page.index("cobalt</td>")
    r = client.get(f"/projects/{ranked_project.pk}/results/ranking.json")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    body = json.loads(r.content)
    assert body["items"][0]["item"] == "atlas" and body["method"] == "bt"
    assert Decimal(str(body["items"][0]["win_rate"])) > Decimal("0.5")
