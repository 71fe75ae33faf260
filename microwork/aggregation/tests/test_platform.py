"""Aggregation inside the platform: settings, the background re-estimate, the per-answer hook."""

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import F
from django.test import override_settings

from microwork.aggregation.algorithms.majority import symmetric_posterior
from microwork.aggregation.models import (
    AggregationEvent,
    AggregationRun,
    TaskAggregate,
    WorkerEstimate,
)
from microwork.aggregation.services import live as live_estimate
from microwork.aggregation.services import run_requests, runs
from microwork.aggregation.services import settings as aggregation_settings
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Task
from microwork.projects.tests.factories import stored_answer
from microwork.work import hooks
from microwork.work.tests.factories import add_tasks, live_project, make_worker

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "uploads", "aggregation"],
    }
}


@pytest.fixture
def project(rita):
    # Rita's live image-moderation project (ok / gory), five answers per task at most.
    return live_project(rita, overlap=5)


@pytest.fixture
def crowd(db):
    # Five workers: the first four answer well, the fifth picks the other label every time.
    return [make_worker(f"crowd{i}") for i in range(5)]


@pytest.fixture
def aggregation_hook_only(monkeypatch):
    # Only aggregation's own hook: the earning and gold-feedback hooks are other apps' tests.
    monkeypatch.setattr(
        hooks,
        "SUBMISSION_HOOKS",
        {"aggregation": "microwork.aggregation.services.live.submission_aggregate"},
    )


def _configure(project, **changes):
    values = {
        "method": project.aggregation_method,
        "dynamic_overlap": project.dynamic_overlap,
        "min_overlap": project.min_overlap,
        "target_confidence": project.target_confidence,
    }
    values.update(changes)
    return aggregation_settings.project_aggregation_configure(project=project, **values)


# --- settings ---------------------------------------------------------------------------------


def test_configure_saves_the_settings_and_logs_old_and_new(project, rita):
    aggregation_settings.project_aggregation_configure(
        project=project,
        actor=rita,
        method="mv",
        dynamic_overlap=True,
        min_overlap=2,
        target_confidence="0.975",
    )
    project.refresh_from_db()
    assert (project.aggregation_method, project.dynamic_overlap) == ("mv", True)
    assert project.target_confidence == Decimal("0.975")
    event = AggregationEvent.objects.get(kind=AggregationEvent.Kind.CONFIGURED)
    assert event.actor == rita
    assert event.details["old"]["aggregation_method"] == "ds"
    assert event.details["new"]["target_confidence"] == "0.975"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"method": "bt"}, "method"),  # pairwise, not a label per task
        ({"method": "median"}, "method"),
        ({"method": "nonsense"}, "method"),
        ({"min_overlap": 6}, "min_overlap"),  # above overlap (5)
        ({"min_overlap": 0}, "min_overlap"),
        ({"min_overlap": True}, "min_overlap"),
        ({"target_confidence": "0.5"}, "target_confidence"),
        ({"target_confidence": "1"}, "target_confidence"),
        ({"target_confidence": "0.9555"}, "target_confidence"),
        ({"target_confidence": "high"}, "target_confidence"),
        ({"target_confidence": "NaN"}, "target_confidence"),
        ({"dynamic_overlap": "yes"}, "dynamic_overlap"),
    ],
)
def test_configure_refuses_bad_values_naming_the_field_and_changes_nothing(project, changes, field):
    with pytest.raises(ApplicationError) as exc:
        _configure(project, **changes)
    assert exc.value.field == field
    project.refresh_from_db()
    assert (project.aggregation_method, project.min_overlap) == ("ds", 2)
    assert project.target_confidence == Decimal("0.950")
    assert not AggregationEvent.objects.exists()


def test_a_new_method_queues_a_re_estimate_but_the_same_settings_do_nothing(
    project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _configure(project)
    assert not callbacks and not AggregationRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _configure(project, method="glad")
    run = AggregationRun.objects.get()
    assert (run.method, run.reason, run.status) == ("glad", "settings", "queued")
    assert len(callbacks) == 1


# --- the full re-estimate --------------------------------------------------------------------


def _answers(tasks, crowd, truth):
    """Each of the first four workers gives the truth; the fifth always gives the other label."""
    for task, right in zip(tasks, truth, strict=True):
        wrong = "gory" if right == "ok" else "ok"
        for worker in crowd[:4]:
            stored_answer(task, worker, right)
        stored_answer(task, crowd[4], wrong)


def test_a_run_queues_once_and_the_job_stores_label_confidence_and_progress(
    project, crowd, rita, django_capture_on_commit_callbacks
):
    tasks = add_tasks(project, 4)
    truth = ["ok", "gory", "ok", "gory"]
    _answers(tasks, crowd, truth)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_requests.aggregation_run_request(project=project, actor=rita)
        again = run_requests.aggregation_run_request(project=project, actor=rita)
    assert again.pk == run.pk, "a run waiting to start covers a repeated request"
    assert len(callbacks) == 1
    assert (run.status, run.progress, run.method) == ("queued", 0, "ds")

    with override_settings(TASKS=IMMEDIATE):
        callbacks[0]()
    run.refresh_from_db()
    assert (run.status, run.stage, run.progress) == ("done", "finished", 100)
    assert (run.n_tasks, run.n_answers, run.n_workers) == (4, 20, 5)
    assert run.classes == ["ok", "gory"] and len(run.priors) == 2
    assert run.started_at <= run.finished_at
    rows = {a.task_id: a for a in TaskAggregate.objects.all()}
    for task, right in zip(tasks, truth, strict=True):
        row = rows[task.pk]
        assert (row.label, row.method, row.source, row.run_id) == (right, "ds", "run", run.pk)
        assert row.majority_label == right and row.agreement == Decimal("0.8000")
        assert Decimal("0.5") < row.confidence <= 1 and row.answers_count == 5
        assert row.posterior[right] == pytest.approx(float(row.confidence), abs=1e-4)
    skills = dict(WorkerEstimate.objects.values_list("worker__username", "accuracy"))
    assert skills["crowd0"] > 0.7 > skills["crowd4"]
    kinds = list(AggregationEvent.objects.filter(run=run).values_list("kind", flat=True))
    assert kinds == ["queued", "started", "done"]
    # Delivered twice (a job retried by the queue): the second delivery does nothing.
    assert runs.aggregation_run_execute(run_id=run.pk).finished_at == run.finished_at


def test_progress_is_written_while_the_run_reads_fits_and_writes(project, crowd, monkeypatch):
    tasks = add_tasks(project, 3)
    _answers(tasks, crowd, ["ok", "ok", "gory"])
    monkeypatch.setattr(runs, "READ_CHUNK", 4)
    monkeypatch.setattr(runs, "WRITE_CHUNK", 1)
    seen = []
    real = runs._progress

    def spy(run_id, stage, percent):
        real(run_id, stage, percent)
        run = AggregationRun.objects.get(pk=run_id)
        seen.append((run.stage, run.progress))

    monkeypatch.setattr(runs, "_progress", spy)
    run = AggregationRun.objects.create(project=project, method="ds", created_at=project.created_at)
    runs.aggregation_run_execute(run_id=run.pk)
    stages = [s for s, _p in seen]
    assert stages.index("reading") < stages.index("fitting") < stages.index("writing")
    progress = [p for _s, p in seen]
    assert progress == sorted(progress) and progress[0] < 40 and 75 <= progress[-1] < 100
    assert len([s for s in stages if s == "reading"]) == 4  # 15 answers, 4 per chunk


def test_gold_answers_are_observed_truth(project, crowd):
    # The majority says "ok" but the control task's known answer is "gory".
    [task, gold] = add_tasks(project, 1, gold=1, gold_answer="gory")
    for worker in crowd[:3]:
        stored_answer(gold, worker, "ok")
        stored_answer(task, worker, "ok")
    run = AggregationRun.objects.create(project=project, method="ds", created_at=project.created_at)
    runs.aggregation_run_execute(run_id=run.pk)
    row = TaskAggregate.objects.get(task=gold)
    assert (row.label, row.confidence, row.majority_label) == ("gory", Decimal("1.0000"), "ok")


def test_a_run_on_an_empty_project_finishes_with_nothing(project):
    add_tasks(project, 2)
    run = AggregationRun.objects.create(project=project, method="ds", created_at=project.created_at)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert (run.status, run.progress, run.n_tasks, run.n_answers) == ("done", 100, 0, 0)
    assert not TaskAggregate.objects.exists()


def test_a_failing_run_keeps_its_error_and_logs_it(project, crowd, monkeypatch):
    tasks = add_tasks(project, 1)
    stored_answer(tasks[0], crowd[0], "ok")

    def broken(answers, gold=None):
        raise MemoryError("out of memory")

    monkeypatch.setitem(runs.get_aggregator.__globals__["_loaded"], "ds", broken)
    run = AggregationRun.objects.create(project=project, method="ds", created_at=project.created_at)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert run.status == "failed" and "out of memory" in run.error
    assert run.finished_at is not None
    assert AggregationEvent.objects.filter(run=run, kind="failed").exists()


def test_every_categorical_method_runs_in_the_platform(project, crowd):
    tasks = add_tasks(project, 3, gold=1)
    _answers(tasks, crowd, ["ok", "gory", "ok", "ok"])
    for method in aggregation_settings.categorical_methods():
        project.aggregation_method = method
        project.save(update_fields=["aggregation_method"])
        run = AggregationRun.objects.create(
            project=project, method=method, created_at=project.created_at
        )
        run = runs.aggregation_run_execute(run_id=run.pk)
        assert run.status == "done", (method, run.error)
        labels = dict(TaskAggregate.objects.values_list("task_id", "label"))
        assert labels[tasks[1].pk] == "gory", method


def test_rejected_answers_leave_the_estimate(project, crowd):
    from microwork.work.models import Submission

    [task] = add_tasks(project, 1)
    sub = stored_answer(task, crowd[0], "ok")
    runs.aggregation_run_execute(
        run_id=AggregationRun.objects.create(
            project=project, method="ds", created_at=project.created_at
        ).pk
    )
    assert TaskAggregate.objects.filter(task=task).exists()
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.REJECTED)
    runs.aggregation_run_execute(
        run_id=AggregationRun.objects.create(
            project=project, method="ds", created_at=project.created_at
        ).pk
    )
    assert not TaskAggregate.objects.filter(task=task).exists()


# --- per answer -------------------------------------------------------------------------------


def test_the_hook_updates_the_task_on_each_answer(project, crowd, aggregation_hook_only):
    from microwork.work.services.claiming import assignment_claim
    from microwork.work.services.submitting import submission_create

    [task] = add_tasks(project, 1)
    seen = []
    for worker, answer in zip(crowd[:3], ["gory", "ok", "ok"], strict=True):
        assignment = assignment_claim(worker=worker, project=project)
        assert assignment.task_id == task.pk
        submission_create(assignment=assignment, worker=worker, answer=answer)
        row = TaskAggregate.objects.get(task=task)
        seen.append((row.answers_count, row.majority_label, row.agreement, row.label))
    assert seen == [
        (1, "gory", Decimal("1.0000"), "gory"),
        # A 1–1 tie: the majority goes to the label listed first; so does the posterior.
        (2, "ok", Decimal("0.5000"), "ok"),
        (3, "ok", Decimal("0.6667"), "ok"),
    ]
    assert (row.method, row.source, row.run_id) == ("onecoin", "live", None)
    assert Decimal("0.5") < row.confidence < 1
    assert not Task.objects.get(pk=task.pk).done, "dynamic overlap is off"


def test_the_hook_gives_a_majority_vote_project_a_posterior_not_the_vote_share(project, crowd):
    _configure(project, method="mv")
    [task] = add_tasks(project, 1)
    for worker, answer in zip(crowd[:4], ["ok", "ok", "ok", "gory"], strict=True):
        stored_answer(task, worker, answer)
    row = live_estimate.task_aggregate_refresh(task_id=task.pk)
    # strangers are right 2 times in 3: 3 votes against 1 leave odds of 2^2 = 4 to 1
    assert (row.label, row.confidence, row.method) == ("ok", Decimal("0.8000"), "mv")
    assert row.posterior == {"ok": 0.8, "gory": 0.2}
    assert row.agreement == Decimal("0.7500")  # the vote share is still shown as agreement


def test_the_hook_tempers_a_majority_vote_project_by_the_last_runs_answer_correlation(
    project, crowd
):
    _configure(project, method="mv")
    tasks = add_tasks(project, 6)
    _answers(tasks, crowd, ["ok", "gory", "ok", "gory", "ok", "gory"])
    run = runs.aggregation_run_execute(
        run_id=AggregationRun.objects.create(
            project=project, method="mv", created_at=project.created_at
        ).pk
    )
    # 36 of 60 pairs agree (smoothed: 0.599) where chance is 1/2: kappa 0.197
    assert run.answer_correlation == pytest.approx((36 + 10 / 9) / 62 * 2 - 1, abs=1e-6)
    [new] = add_tasks(project, 1)
    for worker, answer in zip(crowd[:4], ["ok", "ok", "ok", "gory"], strict=True):
        stored_answer(new, worker, answer)
    row = live_estimate.task_aggregate_refresh(task_id=new.pk)
    accuracy = np.mean(
        [WorkerEstimate.objects.get(project=project, worker=w).accuracy for w in crowd[:4]]
    )
    votes = np.array([[3.0, 1.0]])  # ok, gory
    tempered = symmetric_posterior(votes, accuracy, 2, correlation=run.answer_correlation)
    untempered = symmetric_posterior(votes, accuracy, 2)
    assert (row.label, row.method) == ("ok", "mv")
    assert float(row.confidence) == pytest.approx(tempered[0, 0], abs=5e-5)
    assert row.confidence < Decimal(str(untempered[0, 0])) - Decimal("0.01")


def test_the_hook_weighs_answers_with_the_last_runs_accuracies(project, crowd):
    tasks = add_tasks(project, 6)
    _answers(tasks, crowd, ["ok", "gory", "ok", "gory", "ok", "gory"])
    runs.aggregation_run_execute(
        run_id=AggregationRun.objects.create(
            project=project, method="ds", created_at=project.created_at
        ).pk
    )
    # A new task: the proven worker says "gory", the contrarian says "ok".
    [new] = add_tasks(project, 1)
    stored_answer(new, crowd[0], "gory")
    stored_answer(new, crowd[4], "ok")
    row = live_estimate.task_aggregate_refresh(task_id=new.pk)
    assert row.label == "gory" and row.confidence > Decimal("0.8")


def test_a_run_whose_worker_died_is_marked_failed_when_the_next_is_asked_for(project, rita):
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(hours=2)
    dead = AggregationRun.objects.create(
        project=project,
        method="ds",
        created_at=long_ago,
        started_at=long_ago,
        status=AggregationRun.Status.RUNNING,
    )
    fresh = run_requests.aggregation_run_request(project=project, actor=rita)
    dead.refresh_from_db()
    assert dead.status == "failed" and "stopped without finishing" in dead.error
    assert fresh.pk != dead.pk and fresh.status == "queued"


def test_upload_of_a_batch_queues_a_re_estimate_once_there_are_answers(
    crowd, rita, django_capture_on_commit_callbacks
):
    from microwork.projects.models import Project
    from microwork.projects.services.batches import batch_create_from_records

    # A draft project: uploads to it reserve no money, which is the payments app's concern.
    project = live_project(rita, status=Project.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=False):
        batch_create_from_records(project=project, actor=rita, records=[{"text": "first"}])
    assert not AggregationRun.objects.exists(), "nothing to estimate before any answer"
    stored_answer(Task.objects.get(project=project), crowd[0], "ok")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch_create_from_records(project=project, actor=rita, records=[{"text": "second"}])
    run = AggregationRun.objects.get()
    assert (run.reason, run.status) == ("upload", "queued") and len(callbacks) == 1


@pytest.mark.parametrize("method", ["ds", "mv"])
def test_multiple_choice_sets_are_one_label_each(rita, crowd, method):
    config = {"question": "Which apply?", "labels": [{"value": v, "text": v} for v in "xyz"]}
    project = live_project(rita, interface="multiple_choice", config=config, overlap=5)
    project.aggregation_method = method
    project.save(update_fields=["aggregation_method"])
    [task, other] = add_tasks(project, 2)
    for worker, answer in zip(crowd, [["x", "y"], ["x", "y"], ["x"], [], ["x", "y"]], strict=True):
        stored_answer(task, worker, answer)
        stored_answer(other, worker, [])
    live = live_estimate.task_aggregate_refresh(task_id=task.pk)
    assert (live.label, live.majority_label) == ("x|y", "x|y")
    run = AggregationRun.objects.create(project=project, method=method, created_at=T)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert run.classes == ["x", "y", "z", "", "x|y"]
    rows = dict(TaskAggregate.objects.values_list("task_id", "label"))
    assert rows == {task.pk: "x|y", other.pk: ""}


def test_graded_relevance_grades_are_labels(rita, crowd):
    project = live_project(
        rita,
        interface="graded_relevance",
        config={"scale": ["Bad", "Fair", "Good", "Perfect"]},
        overlap=5,
    )
    [task] = add_tasks(project, 1)
    for worker, grade in zip(crowd[:3], [2, 2, 3], strict=True):
        stored_answer(task, worker, grade)
    run = AggregationRun.objects.create(project=project, method="ds", created_at=T)
    run = runs.aggregation_run_execute(run_id=run.pk)
    assert run.classes == ["0", "1", "2", "3"]
    assert TaskAggregate.objects.get(task=task).label == "2"


def test_an_open_ended_interface_with_one_answer_seen_is_not_certain(project, crowd, monkeypatch):
    from microwork.projects.interfaces.choice import SingleChoice

    # An interface without a closed list of answers (free text, say): only "ok" seen so far.
    monkeypatch.setattr(SingleChoice, "label_values", lambda self, config: None)
    [task] = add_tasks(project, 1)
    for worker in crowd[:2]:
        stored_answer(task, worker, "ok")
    row = live_estimate.task_aggregate_refresh(task_id=task.pk)
    assert row.label == "ok" and row.confidence == Decimal("0.8000")
    assert list(row.posterior) == ["ok"]
    run = AggregationRun.objects.create(project=project, method="ds", created_at=T)
    assert runs.aggregation_run_execute(run_id=run.pk).status == "done"
    assert TaskAggregate.objects.get(task=task).label == "ok"


def test_the_last_answer_of_a_batch_queues_a_re_estimate(
    rita, crowd, django_capture_on_commit_callbacks
):
    project = live_project(rita, overlap=2)
    first, second = add_tasks(project, 2)
    with django_capture_on_commit_callbacks(execute=True):
        for task in (first, second):
            for worker in crowd[:2]:
                stored_answer(task, worker, "ok")
                Task.objects.filter(pk=task.pk).update(answers_count=F("answers_count") + 1)
                live_estimate.task_aggregate_refresh(task_id=task.pk)
                if task == first:
                    assert not AggregationRun.objects.exists(), "the batch is not finished"
    run = AggregationRun.objects.get()
    assert (run.reason, run.method) == ("answered", "ds")
