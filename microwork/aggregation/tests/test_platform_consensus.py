"""Kinds whose answers have parts go through their consensus method, not the categorical
path: each answer relabels its task with the consensus, its confidence and parts; the full
run measures each worker by how far they agree with it; dynamic overlap closes a task once
the consensus is confident enough; quality counts agreement by the kind's tolerance; a kind
that workers review gets no label at all. A small kind is registered here for the test (the
real ones have their own tests), with a consensus method that picks the weighted commonest
normalised text."""

from collections import Counter
from decimal import Decimal

import pytest

from microwork.aggregation.algorithms import consensus as consensus_registry
from microwork.aggregation.algorithms.consensus import Consensus
from microwork.aggregation.models import AggregationRun, TaskAggregate, WorkerEstimate
from microwork.aggregation.services import runs
from microwork.aggregation.services.run_requests import aggregation_run_request
from microwork.projects import interfaces
from microwork.projects.interfaces.base import TaskInterface
from microwork.projects.models import Task
from microwork.quality import selectors as quality_selectors
from microwork.work import hooks
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import add_tasks, live_project, make_worker

pytestmark = pytest.mark.django_db


def commonest(votes, *, config, data):
    weights: Counter[str] = Counter()
    for vote in votes:
        weights[" ".join(vote.answer.casefold().split())] += vote.weight
    value, top = max(weights.items(), key=lambda kv: (kv[1], kv[0]))
    total = sum(weights.values())
    agreement = tuple(1.0 if " ".join(v.answer.casefold().split()) == value else 0.0 for v in votes)
    return Consensus(
        value=value,
        confidence=top / total,
        agreement=agreement,
        parts=tuple({"word": w, "confidence": top / total, "support": 1} for w in value.split()),
    )


class Transcript(TaskInterface):
    key = "test_transcript"
    title = "Transcript"
    template_name = "projects/interfaces/single_choice.html"
    input_schema = {"type": "object", "properties": {"text": {"type": "string"}}}
    answer_schema = {"type": "string", "maxLength": 200}
    answer_field = "transcript"
    consensus = "test_commonest"

    def answer_matches(self, config, data, answer, expected):
        return " ".join(answer.casefold().split()) == " ".join(expected.casefold().split())


class Reviewed(Transcript):
    key = "test_reviewed"
    consensus = None
    reviewed = True


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    here = __name__
    monkeypatch.setitem(interfaces.REGISTRY, "test_transcript", f"{here}.Transcript")
    monkeypatch.setitem(interfaces.REGISTRY, "test_reviewed", f"{here}.Reviewed")
    monkeypatch.setitem(consensus_registry.CONSENSUS, "test_commonest", f"{here}:commonest")
    monkeypatch.setattr(
        hooks,
        "SUBMISSION_HOOKS",
        {"aggregation": "microwork.aggregation.services.live.submission_aggregate"},
    )


def _answer(project, worker, text):
    assignment = assignment_claim(worker=worker, project=project)
    assert assignment is not None
    return submission_create(assignment=assignment, worker=worker, answer=text, active_ms=5000)


def test_each_answer_relabels_its_task_with_the_consensus(rita):
    project = live_project(rita, interface="test_transcript", config={}, overlap=3)
    [task] = add_tasks(project, 1)
    a, b, c = (make_worker(f"w{i}") for i in range(3))
    _answer(project, a, "the cat sat")
    aggregate = TaskAggregate.objects.get(task=task)
    assert (aggregate.label, aggregate.method, aggregate.answers_count) == (
        "the cat sat",
        "test_commonest",
        1,
    )
    _answer(project, b, "The  cat sat")
    _answer(project, c, "the hat sat")
    aggregate.refresh_from_db()
    assert aggregate.label == "the cat sat"
    assert [p["word"] for p in aggregate.parts] == ["the", "cat", "sat"]
    # Three strangers weigh the same: two of three agree.
    assert aggregate.confidence == Decimal("0.6667")
    assert aggregate.posterior == {}


def test_the_full_run_measures_workers_by_agreement_with_the_consensus(rita):
    project = live_project(rita, interface="test_transcript", config={}, overlap=3)
    tasks = add_tasks(project, 4)
    good = [make_worker(f"good{i}") for i in range(2)]
    sloppy = make_worker("sloppy")
    for task in tasks:
        for worker in good:
            _answer(project, worker, f"words of task {task.pk}")
        _answer(project, sloppy, "something else")
    run = aggregation_run_request(project=project, reason=AggregationRun.Reason.REQUEST)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert run.status == AggregationRun.Status.DONE, run.error
    assert (run.n_tasks, run.n_answers, run.n_workers) == (4, 12, 3)
    accuracy = dict(
        WorkerEstimate.objects.filter(project=project).values_list("worker__username", "accuracy")
    )
    # Four agreements out of four with a Beta(2, 1) prior: 6/7; none: 2/7.
    assert accuracy["good0"] == pytest.approx(6 / 7)
    assert accuracy["sloppy"] == pytest.approx(2 / 7)
    labels = dict(TaskAggregate.objects.filter(project=project).values_list("task_id", "label"))
    assert labels == {t.pk: f"words of task {t.pk}" for t in tasks}
    assert set(TaskAggregate.objects.values_list("source", flat=True)) == {"run"}


def test_dynamic_overlap_closes_a_task_once_the_consensus_is_confident(rita):
    project = live_project(
        rita,
        interface="test_transcript",
        config={},
        overlap=5,
        dynamic_overlap=True,
        min_overlap=2,
        target_confidence=Decimal("0.9"),
    )
    [task] = add_tasks(project, 1)
    for i in range(2):
        _answer(project, make_worker(f"w{i}"), "same words")
    task.refresh_from_db()
    aggregate = TaskAggregate.objects.get(task=task)
    assert task.done and aggregate.stop_rule == TaskAggregate.StopRule.TARGET
    assert aggregate.stop_details["model"] == "test_commonest"


def test_quality_counts_agreement_with_the_kinds_tolerance(rita):
    project = live_project(rita, interface="test_transcript", config={}, overlap=3)
    [task] = add_tasks(project, 1)
    workers = [make_worker(f"w{i}") for i in range(3)]
    subs = [_answer(project, w, t) for w, t in zip(workers, ["A b", "a  B", "c d"], strict=True)]
    assert quality_selectors.agrees_with_label(submission=subs[1]) is True
    assert quality_selectors.agrees_with_label(submission=subs[2]) is False


def test_a_reviewed_kind_counts_answers_but_gets_no_label(rita):
    project = live_project(rita, interface="test_reviewed", config={}, overlap=2)
    [task] = add_tasks(project, 1)
    _answer(project, make_worker("w0"), "free words")
    aggregate = TaskAggregate.objects.get(task=task)
    assert (aggregate.label, aggregate.confidence, aggregate.method) == (None, None, "review")
    assert aggregate.answers_count == 1
    run = aggregation_run_request(project=project, reason=AggregationRun.Reason.REQUEST)
    assert runs.aggregation_run_execute(run_id=run.pk).status == AggregationRun.Status.DONE
    assert TaskAggregate.objects.get(task=task).label is None
    assert Task.objects.get(pk=task.pk).done is False
