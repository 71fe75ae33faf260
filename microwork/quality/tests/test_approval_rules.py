"""Approval by a rule: the requester picks a rule and its numbers; answers it approves are
approved at once through the money side, kept with the rule and its numbers, and shown to the
worker in plain words."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from microwork.lib.errors import ApplicationError
from microwork.payments.models import SubmissionReview
from microwork.quality.models import ApprovalRuleConfig
from microwork.quality.services.configuration import approval_rule_configure
from microwork.quality.services.decisions import decision_record
from microwork.quality.services.sweep import quality_sweep
from microwork.quality.tests.helpers import (
    fund,
    label_set,
    make_project,
    make_tasks,
    release,
    submit,
)
from microwork.work.models import Submission

IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "uploads", "aggregation"],
    }
}


@pytest.fixture
def project(rita, omar):
    project = make_project(owner=rita)
    fund(project, omar)
    return project


def _gold(project, worker, *, right, wrong):
    for i, task in enumerate(make_tasks(project, right + wrong, gold=True)):
        submit(task=task, worker=worker, label="cat" if i < right else "dog")


@override_settings(TASKS=IMMEDIATE)
def test_a_trusted_workers_answers_are_approved_at_once_and_he_is_told_why(
    client, project, walt, nina, django_capture_on_commit_callbacks
):
    # Rita approves at once anyone at 85 % or better even at the low end, on 20 control answers.
    approval_rule_configure(
        project=project,
        rule_key="trusted_worker",
        params={"threshold": "0.85", "min_answers": 20},
    )
    _gold(project, walt, right=25, wrong=0)
    _gold(project, nina, right=18, wrong=7)
    # The rule reads the released figures, never the live ones (quality/feedback.py).
    release(project=project, worker=walt)
    release(project=project, worker=nina)
    task = make_tasks(project, 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        careful = submit(task=task, worker=walt, label="cat")
        unsure = submit(task=task, worker=nina, label="dog")
    careful.refresh_from_db()
    unsure.refresh_from_db()
    assert (careful.status, unsure.status) == ("approved", "pending")
    review = SubmissionReview.objects.get(submission=careful, action="approved")
    assert review.rule == "quality_rule" and review.actor is None
    assert review.inputs["rule"] == "trusted_worker"
    assert review.inputs["params"] == {"threshold": 0.85, "min_answers": 20}
    assert review.inputs["numbers"]["total"] == 25 and review.inputs["numbers"]["low"] >= 0.85
    client.force_login(walt)
    standing = client.get(reverse("quality:standing")).content.decode()
    assert "Answers approved at once" in standing
    assert "you had answered 25 of 25 control tasks correctly" in standing
    assert "approves at once from 85 % on at least 20 control answers" in standing
    earnings = client.get(reverse("payments:worker")).content.decode()
    assert reverse("quality:standing") + "#approved-early" in earnings


def test_answers_matching_a_confident_label_are_approved_by_the_sweep(project, walt, nina, rita):
    approval_rule_configure(
        project=project, rule_key="agrees_with_label", params={"min_confidence": "0.9"}
    )
    sure, unsure = make_tasks(project, 2)
    answers = [
        submit(task=t, worker=w, label=label)
        for t in (sure, unsure)
        for w, label in ((walt, "cat"), (nina, "dog"))
    ]
    label_set(task=sure, label="cat", confidence="0.97", answers=2)
    label_set(task=unsure, label="cat", confidence="0.6", answers=2)
    assert quality_sweep()["approved_by_rule"] == 1
    statuses = {(s.task_id, s.worker_id): s.status for s in Submission.objects.all()}
    assert statuses == {
        (sure.pk, walt.pk): "approved",  # matches a 97 % label
        (sure.pk, nina.pk): "pending",  # does not match it
        (unsure.pk, walt.pk): "pending",  # matches, but the label is only 60 % sure
        (unsure.pk, nina.pk): "pending",
    }
    review = SubmissionReview.objects.get(rule="quality_rule")
    assert review.submission_id == answers[0].pk
    assert review.inputs["numbers"] == {
        "label": "cat",
        "confidence": 0.97,
        "answers": 2,
        "method": "ds",
    }
    # Approved once: the next sweep finds nothing more.
    assert quality_sweep()["approved_by_rule"] == 0


@pytest.mark.parametrize("kind", ["pause", "flag"])
def test_no_rule_approves_the_answers_of_a_paused_worker(project, walt, kind):
    # A paused worker, as the name says, and a flagged one: both wait for the requester.
    approval_rule_configure(
        project=project, rule_key="trusted_worker", params={"threshold": "0.5", "min_answers": 1}
    )
    _gold(project, walt, right=5, wrong=0)
    release(project=project, worker=walt)
    now = timezone.now()
    decision_record(
        worker=walt,
        project=project,
        kind=kind,
        inputs={},
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    assert quality_sweep(now=now)["approved_by_rule"] == 0
    assert set(Submission.objects.values_list("status", flat=True)) == {"pending"}
    # The rule does vouch for his five answers: once the decision is over, it approves them.
    assert quality_sweep(now=now + timedelta(hours=2))["approved_by_rule"] == 5
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}


def test_bad_numbers_for_an_approval_rule_are_refused_by_name(client, project, rita, rita_token):
    with pytest.raises(ApplicationError) as exc:
        approval_rule_configure(
            project=project, rule_key="trusted_worker", params={"threshold": "1.5"}
        )
    assert exc.value.field == "threshold"
    with pytest.raises(ApplicationError) as exc:
        approval_rule_configure(project=project, rule_key="everyone")
    assert exc.value.field == "rule_key"
    r = client.put(
        f"/api/quality/projects/{project.pk}/approval-rules",
        {"rule_key": "agrees_with_label", "params": {"min_task_answers": 1}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rita_token}",
    )
    assert r.status_code == 400 and r.json()["field"] == "min_task_answers"
    assert not ApprovalRuleConfig.objects.exists()
    client.force_login(rita)
    client.post(
        reverse("quality:approval_rule_save", args=[project.pk]),
        {"rule_key": "trusted_worker", "enabled": "on", "threshold": "0.95", "min_answers": "30"},
    )
    config = ApprovalRuleConfig.objects.get()
    assert config.params == {"threshold": 0.95, "min_answers": 30} and config.enabled
    page = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    assert "Approve trusted workers at once" in page and 'value="0.95"' in page
    r = client.get(
        f"/api/quality/projects/{project.pk}/approval-rules",
        HTTP_AUTHORIZATION=f"Bearer {rita_token}",
    )
    assert r.json() == [
        {
            "rule_key": "trusted_worker",
            "params": {"threshold": 0.95, "min_answers": 30},
            "enabled": True,
        }
    ]
