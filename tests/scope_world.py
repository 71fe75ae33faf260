"""A small platform with one of everything an id can name, owned by Rita's organisation and
by Walt, for the tests that call every endpoint and page as someone else."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from microwork.accounts import services as account_services
from microwork.accounts.models import Membership, Organisation, User
from microwork.aggregation.services.run_requests import aggregation_run_request
from microwork.ledger.services.payouts import payout_method_add
from microwork.live.models import LiveOffer, LiveSetup, LiveTask
from microwork.mturk.services.keys import access_key_create
from microwork.privacy.models import Consent
from microwork.projects.models import Batch, Project
from microwork.quality.models import ProjectRequirement
from microwork.quality.services import exams
from microwork.quality.services.appeals import appeal_create
from microwork.quality.services.qualifications import (
    project_requirement_add,
    qualification_create,
    qualification_grant,
)
from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.review import services as review_services
from microwork.webhooks.services.events import webhook_test_send
from microwork.webhooks.services.subscriptions import subscription_create
from microwork.work.models import Assignment, WorkerFile


@dataclass
class World:
    acme: Organisation
    other: Organisation
    project: Project
    batch: Batch
    ids: dict[str, Any]
    # Rob's own objects, for calls that name Rita's objects inside the body of his own.
    rob_project: Project
    rob_ids: dict[str, Any]


def build_world(*, rita: User, rob: User, walt: User, nina: User, omar: User) -> World:
    acme = Organisation.objects.get(memberships__user=rita)
    other = Organisation.objects.get(memberships__user=rob)
    project = make_project(owner=rita)
    fund(project, omar)
    gold = make_tasks(project, 3, gold=True)
    batch = gold[0].batch
    tasks = make_tasks(project, 4, batch=batch)
    pending = [submit(task=t, worker=walt, label="cat") for t in tasks[:3]]
    appealed = review_services.submission_reject(
        submission=pending[0], requester=rita, reason_code="wrong_answer", confirm=True
    )
    appeal = appeal_create(worker=walt, decision=appealed, message="Unfair")
    decision = review_services.submission_reject(
        submission=pending[1], requester=rita, reason_code="wrong_answer", confirm=True
    )
    qualification = qualification_create(organisation=acme, name="Cat expert")
    qualification_grant(qualification=qualification, worker=walt, value=1, granted_by=rita)
    requirement = project_requirement_add(
        project=project,
        subject=ProjectRequirement.Subject.LANGUAGE,
        comparator="in",
        values=["en", "fr"],
    )
    test = exams.qualification_test_create(
        project=project, name="Cats", task_ids=[t.pk for t in gold], question_count=2
    )
    attempt = exams.test_attempt_start(test=test, worker=walt)
    now = timezone.now()
    # Walt agreed to the project's personal data declaration once: his to withdraw.
    Consent.objects.create(
        worker=walt,
        project=project,
        text="The project collects: your voice.",
        version="v1",
        given_at=now,
    )
    assignment = Assignment.objects.create(
        project=project,
        task=tasks[3],
        worker=walt,
        leased_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    # A file Walt sent for that task, and one still arriving in pieces.
    stored = default_storage.save("worker-files/scope-world.jpg", ContentFile(b"\xff\xd8 photo"))
    common = {"assignment": assignment, "project": project, "worker": walt, "field": "photo"}
    WorkerFile.objects.create(
        ref="wf-scope-world",
        upload_key="up-scope-world-done",
        status=WorkerFile.Status.COMPLETE,
        declared_bytes=9,
        received_bytes=9,
        storage_name=stored,
        content_type="image/jpeg",
        size_bytes=9,
        created_at=now,
        updated_at=now,
        completed_at=now,
        **common,
    )
    WorkerFile.objects.create(
        ref="wf-scope-world-part",
        upload_key="up-scope-world",
        declared_bytes=100,
        created_at=now,
        updated_at=now,
        **common,
    )
    run = aggregation_run_request(project=project, actor=rita)
    method = payout_method_add(
        user=walt, provider="simulated", label="", details={"phone": "+2348012345678"}
    )
    rita_token, _key = account_services.api_token_create(user=rita, name="acme", organisation=acme)

    # Made last, so nothing above sends it an event; one test delivery for its log.
    subscription = subscription_create(
        organisation=acme, url="https://hooks.acme.example/microwork", events=["task.completed"]
    )
    delivery = webhook_test_send(subscription=subscription)

    # Rita's Mechanical Turk access key: only she may revoke it.
    mturk_key, _secret = access_key_create(user=rita, organisation=acme)
    # Answered live from here on: a live task posted to it, offered to Walt.
    LiveSetup.objects.create(
        project=project,
        use_statement="Answers are shown at once inside Acme's assistant, under its name.",
        standby_per_hour="9",
        updated_at=now,
    )
    live_task = LiveTask.objects.create(
        project=project,
        task=tasks[3],
        created_by=rita,
        created_at=now,
        deadline=now + timedelta(minutes=5),
        due_at=now + timedelta(minutes=5),
    )
    offer = LiveOffer.objects.create(
        live_task=live_task,
        worker=walt,
        offered_at=now,
        expires_at=now + timedelta(minutes=5),
    )

    rob_project = make_project(owner=rob)
    rob_qualification = qualification_create(organisation=other, name="Rob's")
    return World(
        acme=acme,
        other=other,
        project=project,
        batch=batch,
        ids={
            "project_id": project.pk,
            "organisation_id": acme.pk,
            "batch_id": batch.pk,
            "run_id": run.pk,
            "appeal_id": appeal.pk,
            "decision_id": decision.pk,
            "qualification_id": qualification.pk,
            "requirement_id": requirement.pk,
            "submission_id": pending[2].pk,
            "submission_ids": [pending[2].pk],
            "task_ids": [t.pk for t in gold],
            "assignment_id": assignment.pk,
            "ref": "wf-scope-world",
            "upload_id": "up-scope-world",
            "test_id": test.pk,
            "attempt_id": attempt.pk,
            "method_id": method.pk,
            "token_id": rita_token.pk,
            "worker_ids": [walt.pk],
            "username": "walt",
            "subscription_id": subscription.pk,
            "delivery_id": delivery.pk,
            "key_id": mturk_key.pk,
            "live_task_id": live_task.pk,
            "offer_id": offer.pk,
        },
        rob_project=rob_project,
        rob_ids={"project_id": rob_project.pk, "qualification_id": rob_qualification.pk},
    )


def join(user: User, organisation: Organisation) -> None:
    Membership.objects.get_or_create(user=user, organisation=organisation)


# Written on every authenticated call or log-in, never by what the call asked for.
VOLATILE = {("accounts", "apitoken"): {"last_used_at"}, ("accounts", "user"): {"last_login"}}
SKIPPED = {("sessions", "session")}


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the test databases hold a few hundred): two calls compare
    equal only if nothing was written in between."""
    state = {}
    for model in apps.get_models():
        key = (model._meta.app_label, model._meta.model_name)
        if key in SKIPPED:
            continue
        names = [
            f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE.get(key, ())
        ]
        state[model._meta.label] = [
            tuple(repr(v) for v in row)
            for row in model._default_manager.order_by("pk").values_list(*names)
        ]
    return state
