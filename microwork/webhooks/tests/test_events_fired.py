"""The events fire where the platform decides them: the submit (the answer, the task it
completes, the project it completes) and the appeal. They are sent only once the transaction
that caused them has committed."""

import json

import pytest

from microwork.accounts.access import access_organisation_for_requester
from microwork.quality.services.appeals import appeal_create
from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.review import services as review_services
from microwork.webhooks.events import (
    ANSWER_SUBMITTED,
    APPEAL_OPENED,
    PROJECT_COMPLETED,
    SUBSCRIBABLE,
    TASK_COMPLETED,
)
from microwork.webhooks.models import Event
from microwork.webhooks.services.subscriptions import subscription_create


def _types(receiver):
    return [json.loads(r.body)["type"] for r in receiver.received]


def test_answers_then_the_task_then_the_project_reach_the_requester(
    rita, walt, omar, receiver, django_capture_on_commit_callbacks
):
    project = make_project(owner=rita, overlap=1)
    fund(project, omar)
    first, second = make_tasks(project, 2)
    sub = subscription_create(
        organisation=access_organisation_for_requester(user=rita),
        url=receiver.url,
        events=list(SUBSCRIBABLE),
    )
    receiver.secret = sub.secret
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = submit(task=first, worker=walt, label="cat")
        # Nothing is sent while the submit's transaction is open.
        assert receiver.received == []
    assert callbacks
    assert _types(receiver) == [ANSWER_SUBMITTED, TASK_COMPLETED]
    body = json.loads(receiver.received[0].body)
    assert body["data"]["submission_id"] == answer.pk
    assert body["data"]["answer"] == "cat"
    assert body["data"]["worker"] == "walt"
    assert body["project_id"] == project.pk
    with django_capture_on_commit_callbacks(execute=True):
        submit(task=second, worker=walt, label="dog")
    assert _types(receiver)[2:] == [ANSWER_SUBMITTED, TASK_COMPLETED, PROJECT_COMPLETED]
    assert json.loads(receiver.received[-1].body)["data"] == {
        "project_id": project.pk,
        "tasks": 2,
    }
    assert all(r.signature_ok for r in receiver.received)


def test_a_refused_answer_sends_nothing(rita, walt, receiver, django_capture_on_commit_callbacks):
    # No money on the account: the earning hook refuses the answer, so no event is kept.
    project = make_project(owner=rita, overlap=1)
    [task] = make_tasks(project, 1)
    subscription_create(
        organisation=project.organisation, url=receiver.url, events=[ANSWER_SUBMITTED]
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):
        submit(task=task, worker=walt, label="cat")
    assert Event.objects.count() == 0
    assert receiver.received == []


def test_an_appeal_reaches_the_requester(
    rita, walt, omar, receiver, django_capture_on_commit_callbacks
):
    project = make_project(owner=rita)
    fund(project, omar)
    sub = submit(task=make_tasks(project, 1)[0], worker=walt, label="cat")
    decision = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="incomplete", confirm=True
    )
    subscription_create(organisation=project.organisation, url=receiver.url, events=[APPEAL_OPENED])
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_create(worker=walt, decision=decision, message="It was complete.")
    [got] = receiver.received
    body = json.loads(got.body)
    assert body["type"] == APPEAL_OPENED
    assert body["data"]["appeal_id"] == appeal.pk
    assert body["data"]["message"] == "It was complete."
