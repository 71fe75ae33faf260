"""The real transcript consensus through the platform: each answer relabels its task with the
crowd's transcript word by word, its parts are the words with their confidence, and the full
run measures each worker by how far their transcripts agree with it. The kind registered here
is a stand-in (the real transcription kinds have their own tests); the method is the real
"rover"."""

import pytest

from microwork.aggregation.models import AggregationRun, TaskAggregate, WorkerEstimate
from microwork.aggregation.services import runs
from microwork.aggregation.services.run_requests import aggregation_run_request
from microwork.aggregation.tests import test_platform_consensus as stand_in
from microwork.projects import interfaces
from microwork.work import hooks
from microwork.work.tests.factories import add_tasks, live_project, make_worker

pytestmark = pytest.mark.django_db


class Spoken(stand_in.Transcript):
    key = "test_spoken"
    consensus = "rover"


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    monkeypatch.setitem(interfaces.REGISTRY, "test_spoken", f"{__name__}.Spoken")
    monkeypatch.setattr(
        hooks,
        "SUBMISSION_HOOKS",
        {"aggregation": "microwork.aggregation.services.live.submission_aggregate"},
    )


def test_rover_labels_tasks_and_measures_workers(rita):
    project = live_project(rita, interface="test_spoken", config={}, overlap=3)
    tasks = add_tasks(project, 2)
    workers = [make_worker(f"w{i}") for i in range(3)]
    heard = ["we meet at the market", "we meet at the market today", "We meet at a market."]
    for _task in tasks:
        for worker, text in zip(workers, heard, strict=True):
            stand_in._answer(project, worker, text)
    aggregate = TaskAggregate.objects.get(task=tasks[0])
    assert (aggregate.label, aggregate.method) == ("we meet at the market", "rover")
    assert [p["word"] for p in aggregate.parts] == ["we", "meet", "at", "the", "market"]
    assert [p["support"] for p in aggregate.parts] == [3, 3, 3, 2, 3]

    run = aggregation_run_request(project=project, reason=AggregationRun.Reason.REQUEST)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert run.status == AggregationRun.Status.DONE, run.error
    accuracy = dict(
        WorkerEstimate.objects.filter(project=project).values_list("worker__username", "accuracy")
    )
    # Agreement 1, 0.8 and 0.8 on each task, under the Beta(2, 1) prior: (2 + 2) / 5 etc.
    assert accuracy["w0"] == pytest.approx(4 / 5)
    assert accuracy["w1"] == pytest.approx((1.6 + 2) / 5)
    assert accuracy["w2"] == pytest.approx((1.6 + 2) / 5)
