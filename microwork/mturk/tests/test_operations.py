"""Every operation of the MTurk requester API, driven through boto3's own `mturk` client
against a live server, with workers answering through microwork's worker API."""

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from microwork.inbox.models import Notification
from microwork.mturk.models import Hit, QualificationType
from microwork.mturk.services.qualifications import qualification_request_create
from microwork.mturk.tests.helpers import QUESTION_FORM, hit_params, requester_client
from microwork.quality.models import Decision
from microwork.webhooks.models import Delivery, Subscription
from microwork.work.tests.factories import fund

pytestmark = pytest.mark.django_db(transaction=True)


def _work(client, token, project_id, answer):
    claim = client.post(
        f"/api/work/projects/{project_id}/claim", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert claim["state"] == "assigned", claim
    aid = claim["assignment"]["id"]
    done = client.post(
        f"/api/work/assignments/{aid}/submit",
        {"answer": answer, "active_ms": 20000},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert done.status_code == 200, done.json()
    return done.json()


def test_every_operation(live_server, client, rita, walt, nina, walt_token, past_opening_round):
    from microwork.accounts.services import api_token_create

    nina_token = api_token_create(user=nina, name="phone")[1]
    fund(rita.memberships.first().organisation, "100")
    mt = requester_client(live_server.url, rita)
    start = Decimal(mt.get_account_balance()["AvailableBalance"])
    assert start == Decimal("100.00")

    # HIT types and HITs.
    type_id = mt.create_hit_type(
        AutoApprovalDelayInSeconds=86400,
        AssignmentDurationInSeconds=300,
        Reward="0.40",
        Title="Sky colour",
        Keywords="colour",
        Description="Say the colour of the sky.",
    )["HITTypeId"]
    hit = mt.create_hit_with_hit_type(
        HITTypeId=type_id,
        MaxAssignments=2,
        LifetimeInSeconds=3600,
        Question=QUESTION_FORM,
        RequesterAnnotation="batch 1",
        UniqueRequestToken="sky-1",
    )["HIT"]
    assert hit["HITStatus"] == "Assignable"
    assert hit["Title"] == "Sky colour" and hit["Reward"] == "0.40"
    assert hit["CreationTime"].tzinfo is not None
    with pytest.raises(ClientError) as retry:
        mt.create_hit_with_hit_type(
            HITTypeId=type_id,
            LifetimeInSeconds=3600,
            Question=QUESTION_FORM,
            UniqueRequestToken="sky-1",
        )
    assert hit["HITId"] in retry.value.response["Error"]["Message"]
    html_hit = mt.create_hit(**hit_params())["HIT"]
    assert mt.get_hit(HITId=hit["HITId"])["HIT"]["RequesterAnnotation"] == "batch 1"
    first = mt.list_hits(MaxResults=1)
    assert first["NumResults"] == 1 and "NextToken" in first
    second = mt.list_hits(MaxResults=1, NextToken=first["NextToken"])
    assert {first["HITs"][0]["HITId"], second["HITs"][0]["HITId"]} == {
        hit["HITId"],
        html_hit["HITId"],
    }
    assert "NextToken" not in second

    # Workers see the HIT under its title and answer through the worker API.
    past_opening_round()
    listed = client.get("/api/work/projects", HTTP_AUTHORIZATION=f"Bearer {walt_token}").json()
    sky = Hit.objects.get(hit_id=hit["HITId"])
    assert any(p["id"] == sky.project_id and p["name"] == "Sky colour" for p in listed)
    _work(client, walt_token, sky.project_id, {"colour": "blue", "comment": "clear day"})
    _work(client, nina_token, sky.project_id, {"colour": "green", "comment": ""})

    listed = mt.list_assignments_for_hit(HITId=hit["HITId"])
    assert listed["NumResults"] == 2
    by_answer = {("blue" in a["Answer"]): a for a in listed["Assignments"]}
    good, bad = by_answer[True], by_answer[False]
    assert "<SelectionIdentifier>blue</SelectionIdentifier>" in good["Answer"]
    assert "<FreeText>clear day</FreeText>" in good["Answer"]
    assert good["WorkerId"].startswith("A") and "walt" not in good["WorkerId"].lower()
    assert str(walt.pk) != good["WorkerId"][1:]
    assert mt.list_reviewable_hits()["HITs"][0]["HITId"] == hit["HITId"]

    got = mt.get_assignment(AssignmentId=good["AssignmentId"])
    assert got["Assignment"]["AssignmentStatus"] == "Submitted"
    assert got["HIT"]["HITId"] == hit["HITId"]
    mt.approve_assignment(AssignmentId=good["AssignmentId"], RequesterFeedback="Thanks")
    with pytest.raises(ClientError) as no_feedback:
        mt.reject_assignment(AssignmentId=bad["AssignmentId"], RequesterFeedback="  ")
    assert no_feedback.value.response["Error"]["Code"] == "ParameterValidationError"
    mt.reject_assignment(AssignmentId=bad["AssignmentId"], RequesterFeedback="The sky is blue.")
    rejected = mt.get_assignment(AssignmentId=bad["AssignmentId"])["Assignment"]
    assert rejected["AssignmentStatus"] == "Rejected"
    assert rejected["RequesterFeedback"] == "The sky is blue."
    decision = Decision.objects.get(worker=nina, kind=Decision.Kind.REJECTION)
    assert decision.note == "The sky is blue."  # the worker reads it and can appeal
    mt.approve_assignment(AssignmentId=bad["AssignmentId"], OverrideRejection=True)
    assert (
        mt.get_assignment(AssignmentId=bad["AssignmentId"])["Assignment"]["AssignmentStatus"]
        == "Approved"
    )

    mt.send_bonus(
        WorkerId=good["WorkerId"],
        BonusAmount="1.25",
        AssignmentId=good["AssignmentId"],
        Reason="Careful work",
        UniqueRequestToken="bonus-1",
    )
    mt.send_bonus(  # a retry pays nothing twice
        WorkerId=good["WorkerId"],
        BonusAmount="1.25",
        AssignmentId=good["AssignmentId"],
        Reason="Careful work",
        UniqueRequestToken="bonus-1",
    )
    bonuses = mt.list_bonus_payments(HITId=hit["HITId"])["BonusPayments"]
    assert [(b["BonusAmount"], b["WorkerId"]) for b in bonuses] == [("1.25", good["WorkerId"])]
    assert mt.list_bonus_payments(AssignmentId=good["AssignmentId"])["NumResults"] == 1

    # HIT changes.
    mt.create_additional_assignments_for_hit(
        HITId=hit["HITId"], NumberOfAdditionalAssignments=1, UniqueRequestToken="more-1"
    )
    mt.create_additional_assignments_for_hit(
        HITId=hit["HITId"], NumberOfAdditionalAssignments=1, UniqueRequestToken="more-1"
    )
    assert mt.get_hit(HITId=hit["HITId"])["HIT"]["MaxAssignments"] == 3
    mt.update_hit_review_status(HITId=hit["HITId"], Revert=False)
    assert mt.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewing"
    mt.update_hit_review_status(HITId=hit["HITId"], Revert=True)
    slower = mt.create_hit_type(
        AssignmentDurationInSeconds=300,
        Reward="0.60",
        Title="Sky colour (v2)",
        Description="Say the colour of the sky.",
    )["HITTypeId"]
    with pytest.raises(ClientError) as longer_wait:
        # Workers who answered wait for their money on the period they were told.
        mt.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=slower)
    assert "auto_approve_seconds" in longer_wait.value.response["Error"]["Message"]
    richer = mt.create_hit_type(
        AssignmentDurationInSeconds=300,
        Reward="0.60",
        Title="Sky colour (v2)",
        Description="Say the colour of the sky.",
        AutoApprovalDelayInSeconds=86400,
    )["HITTypeId"]
    mt.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=richer)
    changed = mt.get_hit(HITId=hit["HITId"])["HIT"]
    assert (changed["HITTypeId"], changed["Reward"]) == (richer, "0.60")
    import datetime as dt

    mt.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=dt.datetime(2015, 1, 1))
    expired = mt.get_hit(HITId=hit["HITId"])["HIT"]
    assert expired["HITStatus"] == "Reviewable"
    assert expired["NumberOfAssignmentsAvailable"] == 0
    mt.delete_hit(HITId=hit["HITId"])
    with pytest.raises(ClientError) as live:
        mt.delete_hit(HITId=html_hit["HITId"])
    assert live.value.response["Error"]["Code"] == "RequestError"

    # Qualifications.
    qt = mt.create_qualification_type(
        Name="Sky expert",
        Description="Knows skies",
        QualificationTypeStatus="Active",
        Keywords="sky",
    )["QualificationType"]
    qid = qt["QualificationTypeId"]
    assert mt.get_qualification_type(QualificationTypeId=qid)["QualificationType"]["Name"] == (
        "Sky expert"
    )
    assert [
        q["QualificationTypeId"]
        for q in mt.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True)[
            "QualificationTypes"
        ]
    ] == [qid]
    updated = mt.update_qualification_type(
        QualificationTypeId=qid, Description="Knows skies well", AutoGranted=False
    )["QualificationType"]
    assert updated["Description"] == "Knows skies well"
    mt.associate_qualification_with_worker(
        QualificationTypeId=qid,
        WorkerId=good["WorkerId"],
        IntegerValue=90,
        SendNotification=False,
    )
    score = mt.get_qualification_score(QualificationTypeId=qid, WorkerId=good["WorkerId"])
    assert score["Qualification"]["IntegerValue"] == 90
    workers = mt.list_workers_with_qualification_type(QualificationTypeId=qid, Status="Granted")
    assert [w["WorkerId"] for w in workers["Qualifications"]] == [good["WorkerId"]]
    mt.disassociate_qualification_from_worker(
        QualificationTypeId=qid, WorkerId=good["WorkerId"], Reason="test"
    )
    assert (
        mt.get_qualification_score(QualificationTypeId=qid, WorkerId=good["WorkerId"])[
            "Qualification"
        ]["Status"]
        == "Revoked"
    )
    mturk_qt = QualificationType.objects.get(qualification_type_id=qid)
    from django.utils import timezone

    first_req = qualification_request_create(
        qt=mturk_qt, worker=walt, answer="I look up", now=timezone.now()
    )
    second_req = qualification_request_create(
        qt=mturk_qt, worker=nina, answer="", now=timezone.now()
    )
    requests = mt.list_qualification_requests(QualificationTypeId=qid)["QualificationRequests"]
    assert {r["QualificationRequestId"] for r in requests} == {
        first_req.request_id,
        second_req.request_id,
    }
    mt.accept_qualification_request(QualificationRequestId=first_req.request_id, IntegerValue=5)
    mt.reject_qualification_request(QualificationRequestId=second_req.request_id, Reason="no")
    assert mt.list_qualification_requests(QualificationTypeId=qid)["NumResults"] == 0
    with pytest.raises(ClientError):
        mt.accept_qualification_request(QualificationRequestId=second_req.request_id)
    gated = mt.create_hit(
        **hit_params(
            Title="For sky experts",
            QualificationRequirements=[
                {
                    "QualificationTypeId": qid,
                    "Comparator": "GreaterThanOrEqualTo",
                    "IntegerValues": [3],
                }
            ],
        )
    )["HIT"]
    assert gated["QualificationRequirements"][0]["QualificationTypeId"] == qid
    mt.delete_qualification_type(QualificationTypeId=qid)
    with pytest.raises(ClientError):
        mt.get_qualification_type(QualificationTypeId=qid)

    # Workers: messages and blocks.
    sent = mt.notify_workers(
        Subject="New HITs",
        MessageText="More skies tomorrow.",
        WorkerIds=[good["WorkerId"], "AUNKNOWN0000"],
    )
    assert [f["WorkerId"] for f in sent["NotifyWorkersFailureStatuses"]] == ["AUNKNOWN0000"]
    assert Notification.objects.filter(user=walt, kind="requester_message").count() == 1
    mt.create_worker_block(WorkerId=bad["WorkerId"], Reason="Random answers")
    assert mt.list_worker_blocks()["WorkerBlocks"] == [
        {"WorkerId": bad["WorkerId"], "Reason": "Random answers"}
    ]
    block = Decision.objects.get(worker=nina, kind=Decision.Kind.BLOCK)
    assert block.status == Decision.Status.ACTIVE and block.note == "Random answers"
    refused = client.post(
        f"/api/work/projects/{Hit.objects.get(hit_id=html_hit['HITId']).project_id}/claim",
        HTTP_AUTHORIZATION=f"Bearer {nina_token}",
    )
    assert "blocked" in str(refused.json()).lower()
    mt.delete_worker_block(WorkerId=bad["WorkerId"], Reason="Second chance")
    assert mt.list_worker_blocks()["NumResults"] == 0

    # Notifications (delivered as signed webhooks).
    mt.update_notification_settings(
        HITTypeId=type_id,
        Notification={
            "Destination": "https://hooks.example/mturk",
            "Transport": "SNS",
            "Version": "2014-08-15",
            "EventTypes": ["AssignmentSubmitted"],
        },
        Active=True,
    )
    subscription = Subscription.objects.get(url="https://hooks.example/mturk")
    assert subscription.events == ["answer.submitted"] and subscription.is_active
    mt.update_notification_settings(HITTypeId=type_id, Active=False)
    subscription.refresh_from_db()
    assert not subscription.is_active
    with pytest.raises(ClientError) as by_mail:
        mt.update_notification_settings(
            HITTypeId=type_id,
            Notification={
                "Destination": "rita@acme.example",
                "Transport": "Email",
                "Version": "2014-08-15",
                "EventTypes": ["AssignmentSubmitted"],
            },
        )
    assert "https" in by_mail.value.response["Error"]["Message"]
    mt.send_test_event_notification(
        Notification={
            "Destination": "https://hooks.example/mturk",
            "Transport": "SNS",
            "Version": "2014-08-15",
            "EventTypes": ["Ping"],
        },
        TestEventType="Ping",
    )
    assert Delivery.objects.filter(subscription=subscription, event__name="webhook.test").exists()

    # The money: every movement is the ledger's.
    after = mt.get_account_balance()
    assert Decimal(after["AvailableBalance"]) < start
    assert Decimal(after["OnHoldBalance"]) > 0
