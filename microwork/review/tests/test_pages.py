"""The reject form through the test client, asserting on the database afterwards."""

import pytest
from django.urls import reverse

from microwork.inbox.models import Notification
from microwork.quality.models import Decision
from microwork.quality.tests.helpers import make_project, make_tasks


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def test_reject_form_asks_to_confirm_above_the_share(client, project, rita, walt, omar):
    from microwork.quality.tests.helpers import fund, submit

    fund(project, omar)
    subs = [submit(task=t, worker=walt, label="cat") for t in make_tasks(project, 2)]
    client.force_login(rita)
    url = reverse("review:reject", args=[subs[0].pk])
    assert b"The instructions were not followed" in client.get(url).content
    r = client.post(url, {"reason": "incomplete"})
    assert r.status_code == 400
    assert "This would reject 1 of walt&#x27;s 2 answers in" in r.content.decode()
    assert 'name="confirm" value="1"' in r.content.decode()
    subs[0].refresh_from_db()
    assert subs[0].status == "pending"
    r = client.post(url, {"reason": "incomplete", "confirm": "1"})
    assert r.status_code == 302
    subs[0].refresh_from_db()
    assert subs[0].status == "rejected"
    decision = Decision.objects.get(submission=subs[0], kind="rejection")
    assert Notification.objects.filter(user=walt, params__decision_id=decision.pk).exists()
    client.force_login(walt)
    assert client.get(url).status_code == 403


def test_answers_chosen_on_the_review_page_are_rejected_through_quality_control(
    client, project, rita, walt, nina, omar
):
    from microwork.quality.tests.helpers import fund, submit

    fund(project, omar)
    tasks = make_tasks(project, 4)
    walts = [submit(task=t, worker=walt, label="dog") for t in tasks]
    ninas = [submit(task=t, worker=nina, label="cat") for t in tasks[:1]]
    client.force_login(rita)
    review = reverse("review:page", args=[project.pk])
    page = client.get(review).content.decode()
    assert reverse("review:reject", args=[walts[0].pk]) in page
    r = client.post(
        reverse("review:act", args=[project.pk]),
        {"action": "reject", "submission": [walts[0].pk, ninas[0].pk]},
    )
    form_url = r["Location"]
    assert form_url.startswith(reverse("review:reject_many", args=[project.pk]))
    form = client.get(form_url).content.decode()
    assert "Reject 2 answers" in form and "walt" in form and "nina" in form
    chosen = {"submission": [walts[0].pk, ninas[0].pk], "next": review}
    # A bad reason changes nothing, for either answer.
    r = client.post(form_url, {**chosen, "reason": "meh"})
    assert r.status_code == 400 and "reason must be one of" in r.content.decode()
    # Nina's only answer today is more than the share: one confirmation covers the batch.
    r = client.post(form_url, {**chosen, "reason": "wrong_answer"})
    assert r.status_code == 400 and "reject 1 of nina&#x27;s 1 answer in" in r.content.decode()
    assert not Decision.objects.exists()
    r = client.post(form_url, {**chosen, "reason": "wrong_answer", "confirm": "1"})
    assert r["Location"] == review
    for sub, worker in ((walts[0], walt), (ninas[0], nina)):
        sub.refresh_from_db()
        decision = Decision.objects.get(submission=sub, kind="rejection", worker=worker)
        assert sub.status == "rejected" and decision.evidence[0]["submission"] == sub.pk
        assert Notification.objects.filter(user=worker, params__decision_id=decision.pk).exists()
    # A worker cannot open the form.
    client.force_login(walt)
    assert client.get(form_url).status_code == 403


def test_the_reject_pages_name_whose_answer_the_requester_is_reading(
    client, project, rita, walt, nina, omar
):
    from microwork.quality.tests.helpers import fund, submit

    fund(project, omar)
    tasks = make_tasks(project, 2)
    walts = submit(task=tasks[0], worker=walt, label="dog")
    ninas = submit(task=tasks[1], worker=nina, label="cat")
    client.force_login(rita)
    one = client.get(reverse("review:reject", args=[walts.pk])).content.decode()
    assert "walt’s answer" in one and "Your answer" not in one
    many = client.get(
        reverse("review:reject_many", args=[project.pk]),
        {"submission": [walts.pk, ninas.pk]},
    ).content.decode()
    assert "walt’s answer" in many and "nina’s answer" in many and "Your answer" not in many
