"""Control tasks a worker was shown with their answers (tests, training) never check that
worker's work afterwards, and the requester is told when tests use up the control pool."""

import random
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from microwork.payments.models import SubmissionReview
from microwork.quality.models import TestAnswer, TestAttempt
from microwork.quality.services import exams
from microwork.quality.services.configuration import approval_rule_configure, rule_configure
from microwork.quality.services.sweep import quality_sweep
from microwork.quality.tests.helpers import (
    answer,
    fund,
    make_project,
    make_tasks,
    release,
    submit,
)
from microwork.review import services as review_services
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def project(rita):
    # Every task handed out is a control while one is left for the worker.
    return make_project(owner=rita, gold_rate=Decimal("1"))


def _auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_control_met_in_a_training_is_never_served_to_that_worker_as_a_control(
    project, walt, nina, omar
):
    fund(project, omar)
    gold = make_tasks(project, 3, gold=True)
    ordinary = make_tasks(project, 5)
    training = exams.qualification_test_create(
        project=project,
        name="Warm-up",
        task_ids=[t.pk for t in gold],
        question_count=2,
        mode="training",
    )
    attempt = exams.test_attempt_start(test=training, worker=walt)
    met = set(TestAnswer.objects.filter(attempt=attempt).values_list("task_id", flat=True))
    assert len(met) == 2
    # Walt is handed the one control he has not met, then only ordinary tasks.
    handed = []
    for _ in range(4):
        assignment = assignment_claim(worker=walt, project=project)
        assert assignment is not None
        handed.append(assignment.task_id)
        submission_create(assignment=assignment, worker=walt, answer="cat", active_ms=4000)
    assert not met & set(handed)
    assert handed[0] in {t.pk for t in gold} - met
    assert set(handed[1:]) <= {t.pk for t in ordinary}
    # Nina took no training: all three controls can still check her.
    first = assignment_claim(worker=nina, project=project)
    assert first is not None and first.task.is_gold


def test_a_test_prefers_controls_the_worker_has_not_answered(project, walt, monkeypatch):
    # The draw takes the first questions it is offered, so the test does not rest on luck.
    monkeypatch.setattr(random, "sample", lambda population, k: list(population)[:k])
    gold = make_tasks(project, 4, gold=True)
    answer(task=gold[0], worker=walt, label="dog")
    answer(task=gold[1], worker=walt, label="cat")
    test = exams.qualification_test_create(
        project=project, name="Cats", task_ids=[t.pk for t in gold], question_count=2
    )
    attempt = exams.test_attempt_start(test=test, worker=walt)
    asked = set(TestAnswer.objects.filter(attempt=attempt).values_list("task_id", flat=True))
    # Showing the expected answer of gold[0] now would say it was a control he missed.
    assert asked == {gold[2].pk, gold[3].pk}
    assert TestAttempt.objects.get().status == "in_progress"


def test_creating_a_test_that_uses_up_the_control_pool_says_so_with_the_numbers(
    client, project, rita, rita_token
):
    gold = make_tasks(project, 12, gold=True)
    r = client.post(
        f"/api/quality/projects/{project.pk}/tests",
        {"name": "All of them", "task_ids": [t.pk for t in gold], "question_count": 10},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 201, r.content
    # 10 questions × 3 attempts can reach every one of the 12 controls.
    assert "all 12 of its 12 control tasks" in r.json()["control_warning"]
    assert "no control task is left" in r.json()["control_warning"]

    client.force_login(rita)
    page = client.post(
        reverse("quality:test_create", args=[project.pk]),
        {"name": "Short", "all_gold": "on", "question_count": "1", "max_attempts": "1"},
        follow=True,
    ).content.decode()
    assert "no control task is left" in page


def test_a_small_test_leaves_enough_controls_and_says_nothing(client, project, rita_token):
    gold = make_tasks(project, 30, gold=True)
    rule_configure(project=project, rule_key="gold_accuracy", params={"min_answers": 10})
    r = client.post(
        f"/api/quality/projects/{project.pk}/tests",
        {
            "name": "Five",
            "task_ids": [t.pk for t in gold[:5]],
            "question_count": 5,
            "max_attempts": 1,
        },
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 201 and r.json()["control_warning"] == ""
    r = client.post(
        f"/api/quality/projects/{project.pk}/tests",
        {"name": "Big", "task_ids": [t.pk for t in gold[5:]], "question_count": 20},
        content_type="application/json",
        **_auth(rita_token),
    )
    # 5 + 25 controls can be met in tests: none is left, the rule needs 10.
    assert "all 30 of its 30" in r.json()["control_warning"]


@override_settings(TASKS=IMMEDIATE)
def test_a_right_control_answer_is_never_approved_at_once_for_matching_its_expected_answer(
    project, walt, nina, omar, django_capture_on_commit_callbacks
):
    # The label of a control task is its expected answer, "sure" at 100 %: approving the
    # answers that match it would tell the worker, answer by answer, which controls he got right.
    fund(project, omar)
    approval_rule_configure(
        project=project, rule_key="agrees_with_label", params={"min_confidence": "0.9"}
    )
    [control] = make_tasks(project, 1, gold=True)
    submit(task=control, worker=nina, label="cat")
    with django_capture_on_commit_callbacks(execute=True):
        right = submit(task=control, worker=walt, label="cat")
    quality_sweep()
    right.refresh_from_db()
    assert right.gold_correct is True and right.status == "pending"
    assert not SubmissionReview.objects.filter(rule="quality_rule").exists()


def test_a_rejected_control_answer_shows_its_expected_answer_only_with_a_release(
    client, project, rita, walt, walt_token, omar
):
    fund(project, omar)
    [control] = make_tasks(project, 1, gold=True)
    sub = submit(task=control, worker=walt, label="dog")
    decision = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="wrong_answer", confirm=True
    )
    body = client.get("/api/quality/me/standing", **_auth(walt_token)).json()
    [row] = body["decisions"][0]["evidence"]
    # The requester named the answer; what it should have been waits for the release.
    assert row["answer"] == "Dog" and row["withheld"] is True
    assert row["expected"] == "" and row["explanation"] == ""
    client.force_login(walt)
    page = client.get(reverse("quality:decision", args=[decision.pk])).content.decode()
    assert "Whiskers" not in page and "shown with your next feedback release" in page
    release(project=project, worker=walt)
    body = client.get("/api/quality/me/standing", **_auth(walt_token)).json()
    [row] = body["decisions"][0]["evidence"]
    assert row["expected"] == "Cat" and "withheld" not in row
    # Rita, on her side, saw it all along.
    decision.refresh_from_db()
    assert decision.evidence[0]["expected"] == "Cat"
