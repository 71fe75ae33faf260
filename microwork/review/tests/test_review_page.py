"""The review page's buttons (approve, reject, bonus) with the money tests' projects."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from microwork.inbox.models import Notification
from microwork.ledger.models import Transaction
from microwork.payments.tests.conftest import (  # noqa: F401 - _money_settings is a fixture
    _money_settings,
    answer,
    go_live,
    make_project,
)
from microwork.quality.models import Decision
from microwork.work.models import Submission


def test_requester_reviews_rejects_with_a_reason_and_sends_a_bonus(client, rita, walt, walt_worked):
    project, subs = walt_worked
    client.force_login(rita)
    page = client.get(reverse("review:page", args=[project.pk]))
    assert page.status_code == 200
    url = reverse("review:act", args=[project.pk])
    # "Reject selected" hands the answers to quality control's form: nothing is rejected
    # until a reason is chosen there.
    r = client.post(url, {"action": "reject", "submission": [subs[3].pk]})
    subs[3].refresh_from_db()
    assert subs[3].status == Submission.Status.PENDING
    form = client.get(r["Location"])
    assert form.status_code == 200 and b"The instructions were not followed" in form.content
    form_url = r["Location"]
    fields = {
        "submission": [subs[3].pk],
        "reason": "wrong_answer",
        "note": "Image 4 is gory",
        "next": reverse("review:page", args=[project.pk]),
    }
    # It is all of Walt's work in review today, more than the project's share: confirm.
    r = client.post(form_url, fields)
    assert r.status_code == 400 and 'name="confirm" value="1"' in r.content.decode()
    r = client.post(form_url, {**fields, "confirm": "1"})
    assert r["Location"] == reverse("review:page", args=[project.pk])
    subs[3].refresh_from_db()
    assert subs[3].status == Submission.Status.REJECTED
    decision = Decision.objects.get(submission=subs[3], kind="rejection")
    assert decision.note == "Image 4 is gory"
    assert Notification.objects.filter(user=walt, params__decision_id=decision.pk).exists()
    client.post(
        url,
        {
            "action": "bonus",
            "worker": [walt.pk],
            "amount": "0.50",
            "message": "Careful work",
            "request_key": "k1",
        },
    )
    assert Transaction.objects.filter(kind="bonus").count() == 1
    client.force_login(walt)
    html = client.get(reverse("payments:worker")).content.decode()
    assert "Image 4 is gory" in html and "Careful work" in html


def test_another_requester_cannot_review_ritas_project(client, rob, walt_worked):
    # Rob runs another organisation: Rita's project does not exist for him.
    project, subs = walt_worked
    client.force_login(rob)
    assert client.get(reverse("review:page", args=[project.pk])).status_code == 404
    client.post(reverse("review:act", args=[project.pk]), {"action": "approve_all"})
    subs[3].refresh_from_db()
    assert subs[3].status == Submission.Status.PENDING


def test_a_refused_bonus_keeps_the_amount_and_message_and_names_the_amount_in_words(
    client, rita, walt, walt_worked
):
    project, _subs = walt_worked
    client.force_login(rita)
    r = client.post(
        reverse("review:act", args=[project.pk]),
        {
            "action": "bonus",
            "worker": [walt.pk],
            "amount": "0.5.5",
            "message": "Thanks for the careful work",
            "request_key": "b1",
        },
        follow=True,
    )
    page = r.content.decode()
    assert "“Amount per worker” must be a number such as 0.05." in page
    assert "amount must be" not in page
    assert 'value="0.5.5"' in page and 'value="Thanks for the careful work"' in page
    assert not Transaction.objects.filter(kind=Transaction.Kind.BONUS).exists()


def test_the_review_buttons_return_to_the_filtered_page_and_count_in_words(
    client, rita, walt, walt_worked
):
    project, subs = walt_worked
    client.force_login(rita)
    page = reverse("review:page", args=[project.pk])
    filtered = f"{page}?worker=walt&status=pending"
    html = client.get(filtered).content.decode()
    assert 'name="next" value="/' in html and "worker=walt&amp;status=pending" in html
    url = reverse("review:act", args=[project.pk])
    r = client.post(url, {"action": "approve", "submission": [subs[3].pk], "next": filtered})
    assert r["Location"] == filtered
    subs[3].refresh_from_db()
    assert subs[3].status == Submission.Status.APPROVED
    assert "1 answer approved." in client.get(filtered).content.decode()
    # Choosing answers to reject carries the filters to the form's way back.
    r = client.post(url, {"action": "reject", "submission": [subs[0].pk], "next": filtered})
    assert parse_qs(urlsplit(r["Location"]).query)["next"] == [filtered]
    # Only the same review page: anywhere else, even on this site, falls back to it bare.
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/accounts/logout/", ""):
        r = client.post(url, {"action": "approve_all", "next": elsewhere})
        assert r["Location"] == page
