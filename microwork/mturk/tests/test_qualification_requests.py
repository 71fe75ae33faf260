"""Workers ask for a requestable qualification on a page of their own; the requester sees the
request through ListQualificationRequests, and an auto-granted type is granted at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from microwork.accounts.access import access_organisation_for_requester
from microwork.mturk.models import QualificationRequest
from microwork.mturk.services.qualifications import (
    qualification_request_decide,
    qualification_type_create,
)
from microwork.mturk.tests.helpers import requester_client
from microwork.quality.models import QualificationGrant

pytestmark = pytest.mark.django_db


def make_type(rita, **extra):
    values = {
        "name": "Birdwatcher",
        "description": "Knows birds.",
        "keywords": "",
        "active": True,
        "auto_granted": False,
        "auto_granted_value": 1,
        "retry_delay": None,
    }
    values.update(extra)
    return qualification_type_create(
        organisation=access_organisation_for_requester(user=rita),
        now=timezone.now(),
        **values,
    )


def test_a_worker_asks_and_the_request_waits_once(client, rita, walt):
    qt = make_type(rita)
    client.force_login(walt)
    page = client.get("/mturk/qualifications/")
    assert page.status_code == 200
    assert "Birdwatcher" in page.content.decode()
    url = f"/mturk/qualifications/{qt.qualification_type_id}/request/"
    client.post(url, {"answer": "I keep a list"})
    client.post(url, {"answer": "I keep a list"})  # a double tap
    request = QualificationRequest.objects.get(worker=walt)
    assert request.status == "pending" and request.answer == "I keep a list"
    assert "waiting for the requester" in client.get("/mturk/qualifications/").content.decode()


def test_an_auto_granted_type_is_granted_at_once(client, rita, walt):
    qt = make_type(rita, auto_granted=True, auto_granted_value=3)
    client.force_login(walt)
    client.post(f"/mturk/qualifications/{qt.qualification_type_id}/request/")
    grant = QualificationGrant.objects.get(worker=walt, qualification=qt.qualification)
    assert grant.value == 3
    assert QualificationRequest.objects.get(worker=walt).status == "accepted"
    assert "You hold this qualification" in client.get("/mturk/qualifications/").content.decode()


def test_after_a_refusal_the_retry_delay_holds(client, rita, walt):
    qt = make_type(rita, retry_delay=3600)
    client.force_login(walt)
    url = f"/mturk/qualifications/{qt.qualification_type_id}/request/"
    client.post(url)
    first = QualificationRequest.objects.get(worker=walt)
    qualification_request_decide(
        request=first, accept=False, value=0, reason="Not yet.", by=rita, now=timezone.now()
    )
    client.post(url)
    assert QualificationRequest.objects.filter(worker=walt).count() == 1
    QualificationRequest.objects.filter(pk=first.pk).update(
        decided_at=timezone.now() - timedelta(hours=2)
    )
    client.post(url)
    assert QualificationRequest.objects.filter(worker=walt, status="pending").count() == 1


def test_an_inactive_type_cannot_be_asked_for(client, rita, walt):
    qt = make_type(rita, active=False)
    client.force_login(walt)
    assert "Birdwatcher" not in client.get("/mturk/qualifications/").content.decode()
    refused = client.post(f"/mturk/qualifications/{qt.qualification_type_id}/request/")
    assert refused.status_code == 404
    assert not QualificationRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_requester_lists_the_request(live_server, client, rita, walt):
    qt = make_type(rita)
    client.force_login(walt)
    client.post(f"/mturk/qualifications/{qt.qualification_type_id}/request/", {"answer": "hi"})
    mt = requester_client(live_server.url, rita)
    listed = mt.list_qualification_requests(QualificationTypeId=qt.qualification_type_id)
    assert [r["Answer"] for r in listed["QualificationRequests"]] == ["hi"]


def test_a_refused_request_keeps_what_the_worker_wrote(client, rita, walt):
    qt = make_type(rita, retry_delay=3600)
    client.force_login(walt)
    url = f"/mturk/qualifications/{qt.qualification_type_id}/request/"
    client.post(url)
    first = QualificationRequest.objects.get(worker=walt)
    qualification_request_decide(
        request=first, accept=False, value=0, reason="Not yet.", by=rita, now=timezone.now()
    )
    r = client.post(
        url,
        {"answer": "I have logged 300 species", "type": qt.qualification_type_id},
        HTTP_REFERER="http://testserver/mturk/qualifications/",
        follow=True,
    )
    page = r.content.decode()
    assert "you may ask again after" in page
    assert "I have logged 300 species</textarea>" in page
    assert QualificationRequest.objects.filter(worker=walt).count() == 1
