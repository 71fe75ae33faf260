"""The whole life of a HIT as a Mechanical Turk requester runs it with boto3, unchanged: a HIT
with an HTMLQuestion, answered by a worker on a phone, listed, approved or rejected with
feedback, a bonus paid, and the account's balance showing each movement."""

from decimal import Decimal

import pytest

from microwork.ledger.models import Transaction
from microwork.mturk.models import Hit
from microwork.mturk.tests.helpers import hit_params, requester_client
from microwork.quality.models import Decision
from microwork.work.models import Submission
from microwork.work.tests.factories import fund
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_hit_from_creation_to_bonus(
    live_server, phone, client, rita, walt, nina, past_opening_round
):
    from microwork.accounts.services import api_token_create

    fund(rita.memberships.first().organisation, "20")
    mt = requester_client(live_server.url, rita)
    hit = mt.create_hit(**hit_params(MaxAssignments=2))["HIT"]
    held = mt.get_account_balance()
    # Two answers' rewards and fees are held in escrow from the start.
    assert Decimal(held["AvailableBalance"]) < Decimal("20.00")
    assert Decimal(held["OnHoldBalance"]) > Decimal("1.00")
    project_id = Hit.objects.get(hit_id=hit["HITId"]).project_id
    past_opening_round()

    # Walt answers on his phone, in the sandboxed frame, like any other task.
    log_in(phone, live_server.url, "walt", "walt-pass-123")
    assert "Polite or not" in phone.inner_text("main")
    phone.click(f"form[action='/work/p/{project_id}/start/'] button")
    frame = phone.frame_locator("iframe[data-html-form]")
    assert frame.locator("h1").inner_text() == "Is this sentence polite?"
    frame.locator("input[value=yes]").tap()
    frame.locator("#why").fill("It says please")
    phone.click("#task-form button[type=submit]")
    # The HIT has no other task for him: he is back on the work page, thanked.
    phone.wait_for_url(f"{live_server.url}/work/")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == {"polite": "yes", "why": "It says please"}

    # Nina answers through the worker API: the form's fields as a JSON object.
    token = api_token_create(user=nina, name="phone")[1]
    claim = client.post(
        f"/api/work/projects/{project_id}/claim", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    client.post(
        f"/api/work/assignments/{claim['assignment']['id']}/submit",
        {"answer": {"polite": "no", "why": ""}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assignments = mt.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert len(assignments) == 2
    walts = next(a for a in assignments if "It says please" in a["Answer"])
    ninas = next(a for a in assignments if a is not walts)
    assert "<QuestionIdentifier>polite</QuestionIdentifier>" in walts["Answer"]
    assert "<FreeText>yes</FreeText>" in walts["Answer"]
    assert walts["WorkerId"] != ninas["WorkerId"]
    # The same worker keeps the same WorkerId from one call to the next.
    again = mt.get_assignment(AssignmentId=walts["AssignmentId"])["Assignment"]
    assert again["WorkerId"] == walts["WorkerId"]

    before = mt.get_account_balance()
    mt.approve_assignment(AssignmentId=walts["AssignmentId"])
    mt.reject_assignment(
        AssignmentId=ninas["AssignmentId"], RequesterFeedback="The sentence says please."
    )
    decided = mt.get_account_balance()
    # The approved answer's pay goes from the worker's pending earnings to their available
    # ones; the rejected one's reward comes back into escrow (the HIT may take another
    # answer): more is on hold, and the available funds do not move.
    assert Decimal(decided["OnHoldBalance"]) > Decimal(before["OnHoldBalance"])
    assert decided["AvailableBalance"] == before["AvailableBalance"]
    rejection = Decision.objects.get(worker=nina, kind=Decision.Kind.REJECTION)
    assert rejection.note == "The sentence says please."

    mt.send_bonus(
        WorkerId=walts["WorkerId"],
        BonusAmount="0.75",
        AssignmentId=walts["AssignmentId"],
        Reason="Good explanation",
        UniqueRequestToken="walt-bonus",
    )
    after = mt.get_account_balance()
    spent = Decimal(decided["AvailableBalance"]) - Decimal(after["AvailableBalance"])
    bonus = Transaction.objects.get(kind=Transaction.Kind.BONUS)
    assert spent >= Decimal("0.75")
    assert bonus.entries.filter(amount=Decimal("0.75")).exists()
    statuses = {
        a["AssignmentId"]: a["AssignmentStatus"]
        for a in mt.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    }
    assert statuses == {walts["AssignmentId"]: "Approved", ninas["AssignmentId"]: "Rejected"}
