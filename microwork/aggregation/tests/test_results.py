import csv
import io
import json
from decimal import Decimal

import pytest

from microwork.aggregation import exports, results
from microwork.projects.interfaces import get_interface
from microwork.projects.tests.factories import ProjectFactory, TaskFactory, stored_answer
from microwork.work.models import Submission


@pytest.fixture
def workers(db, django_user_model):
    return [
        django_user_model.objects.create_user(username=f"w{i}", email=f"w{i}@example.org")
        for i in range(4)
    ]


def _vote(interface_key, config, answers):
    return results.majority_vote(
        interface=get_interface(interface_key), config=config, answers=answers
    )


SINGLE = {"question": "Q", "labels": [{"value": "b", "text": "B"}, {"value": "a", "text": "A"}]}


def test_majority_and_agreement():
    assert _vote("single_choice", SINGLE, ["a", "a", "b"]) == ("a", Decimal("0.6667"))
    assert _vote("single_choice", SINGLE, []) == (None, None)


def test_ties_go_to_the_label_listed_first():
    # "b" is listed before "a" in the project, so it wins a 1–1 tie whatever the order of answers.
    assert _vote("single_choice", SINGLE, ["a", "b"])[0] == "b"
    assert _vote("single_choice", SINGLE, ["b", "a"])[0] == "b"


def test_multiple_choice_compares_whole_sets():
    config = {"question": "Q", "labels": [{"value": v, "text": v} for v in ("x", "y", "z")]}
    label, share = _vote("multiple_choice", config, [["x", "y"], ["x", "y"], ["x"]])
    assert (label, share) == (["x", "y"], Decimal("0.6667"))
    assert _vote("multiple_choice", config, [["y"], ["x", "y"]])[0] == ["x", "y"]


def test_graded_relevance_ties_go_to_the_lower_grade():
    config = {"scale": ["0", "1", "2", "3"]}
    # Whichever grade was given first: the lower one wins, not the first or the last.
    assert _vote("graded_relevance", config, [3, 1])[0] == 1
    assert _vote("graded_relevance", config, [1, 3])[0] == 1


def test_task_results_use_submissions_and_skip_rejected(workers):
    project = ProjectFactory()
    task = TaskFactory(project=project)
    stored_answer(task, workers[0], "gory", active_ms=12_345)
    stored_answer(task, workers[1], "gory")
    rejected = stored_answer(task, workers[2], "ok")
    Submission.objects.filter(pk=rejected.pk).update(status=Submission.Status.REJECTED)
    untouched = TaskFactory(project=project)
    [r1, r2] = results.task_results(project=project, tasks=[task, untouched])
    assert (r1.majority_label, r1.agreement, r1.answers_count) == ("gory", Decimal("1.0000"), 2)
    assert [a.worker for a in r1.answers] == ["w0", "w1", "w2"]
    assert r1.answers[0].active_seconds == Decimal("12.3")
    assert not r1.answers[2].counted
    assert (r2.majority_label, r2.agreement, r2.answers) == (None, None, [])


def test_exports_stream_one_row_per_task_and_per_answer(workers):
    project = ProjectFactory()
    t1 = TaskFactory(project=project, external_id="e1", data={"text": "=HYPERLINK(1)"})
    TaskFactory(project=project, is_gold=True, gold_answer="ok", external_id="g")
    stored_answer(t1, workers[0], "ok")
    stored_answer(t1, workers[1], "gory")
    response = exports.export_response(project=project, kind="results", fmt="csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["external_id"] for r in rows] == ["e1", "g"]
    assert rows[0]["text"] == "'=HYPERLINK(1)", "formulas are defused"
    assert rows[0]["majority_label"] == "ok" and rows[0]["agreement"] == "0.5000"
    assert rows[0]["answers_count"] == "2" and len(json.loads(rows[0]["answers"])) == 2
    assert rows[1]["is_gold"] == "True" and json.loads(rows[1]["gold_answer"]) == "ok"
    response = exports.export_response(project=project, kind="answers", fmt="jsonl")
    lines = [json.loads(x) for x in b"".join(response.streaming_content).decode().splitlines()]
    assert [(x["worker"], x["answer"]) for x in lines] == [("w0", "ok"), ("w1", "gory")]


def test_exports_read_in_chunks(workers, monkeypatch):
    monkeypatch.setattr(results, "CHUNK", 2)
    chunks = []
    task_results = results.task_results

    def counting(*, project, tasks):
        chunks.append(len(tasks))
        return task_results(project=project, tasks=tasks)

    monkeypatch.setattr(results, "task_results", counting)
    project = ProjectFactory()
    for _ in range(5):
        TaskFactory(project=project)
    response = exports.export_response(project=project, kind="results", fmt="jsonl")
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 5
    assert chunks == [2, 2, 1]
