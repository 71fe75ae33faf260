"""ExternalQuestion: the requester's page in a frame, posting its form to
/mturk/externalSubmit with the unguessable AssignmentId it was given."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from microwork.accounts.access import access_organisation_for_requester
from microwork.mturk import questions
from microwork.mturk.keys import assignment_id_for, lease_id_from
from microwork.mturk.models import HitType
from microwork.mturk.services.hits import hit_create, hit_type_create, hit_type_settings_clean
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import fund

pytestmark = pytest.mark.django_db

EXTERNAL = """<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">
<ExternalURL>{url}</ExternalURL><FrameHeight>500</FrameHeight></ExternalQuestion>"""


def make_hit(rita, url="https://survey.example.org/hit?study=7"):
    organisation = access_organisation_for_requester(user=rita)
    fund(organisation, "20")
    now = timezone.now()
    settings = hit_type_settings_clean(
        organisation=organisation,
        title="Mood survey",
        description="Say how you feel.",
        keywords="",
        reward=questions_reward(),
        assignment_duration=600,
        auto_approval_delay=86400,
        requirements=[],
    )
    hit_type: HitType = hit_type_create(organisation=organisation, settings=settings, now=now)
    return hit_create(
        organisation=organisation,
        actor=rita,
        hit_type=hit_type,
        question=EXTERNAL.format(url=url),
        max_assignments=2,
        lifetime_seconds=3600,
        annotation="",
        request_token=None,
        now=now,
    )


def questions_reward():
    from decimal import Decimal

    return Decimal("0.50")


def claim(client, token, hit):
    got = client.post(
        f"/api/work/projects/{hit.project_id}/claim", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert got["state"] == "assigned", got
    return Assignment.objects.get(pk=got["assignment"]["id"])


def test_assignment_ids_are_unguessable_and_fit_mturks_pattern():
    first, second = assignment_id_for(41), assignment_id_for(42)
    for value in (first, second):
        assert re.fullmatch(r"[A-Z0-9]{1,64}", value)
    assert lease_id_from(first) == 41
    # The next number with the first one's MAC is refused: ids are not sequential.
    assert lease_id_from(first.replace("A41X", "A42X")) is None
    assert lease_id_from("A42") is None
    assert lease_id_from("A42X" + "A" * 24) is None
    assert lease_id_from("X" * 200) is None


def test_an_external_question_is_shown_in_a_sandboxed_frame_with_mturks_parameters(
    client, rita, walt, walt_token, past_opening_round
):
    hit = make_hit(rita)
    past_opening_round()
    lease = claim(client, walt_token, hit)
    client.force_login(walt)
    page = client.get(f"/work/a/{lease.pk}/")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    frame = re.search(r"<iframe class=\"external-question\"[^>]*>", html).group(0)
    assert 'sandbox="allow-scripts allow-forms"' in frame
    assert 'height="500"' in frame
    src = re.search(r'src="([^"]+)"', frame).group(1).replace("&amp;", "&")
    address = urlparse(src)
    assert address.netloc == "survey.example.org"
    query = parse_qs(address.query)
    assert query["study"] == ["7"]
    assert query["assignmentId"] == [assignment_id_for(lease.pk)]
    assert query["hitId"] == [hit.hit_id]
    assert query["turkSubmitTo"] == ["http://testserver"]
    assert "walt" not in query["workerId"][0].lower()
    # The task page lets the frame load a page of another site.
    policy = page.headers["Content-Security-Policy"]
    assert "https:" in re.search(r"frame-src([^;]*)", policy).group(1)


def test_the_page_posts_the_answer_and_a_replay_changes_nothing(
    client, rita, walt, walt_token, past_opening_round
):
    hit = make_hit(rita)
    past_opening_round()
    lease = claim(client, walt_token, hit)
    client.logout()  # the post comes from another site's frame: no session
    post = {"assignmentId": assignment_id_for(lease.pk), "mood": "calm", "topics": ["a", "b"]}
    sent = client.post("/mturk/externalSubmit", post)
    assert sent.status_code == 200
    assert "Answer sent" in sent.content.decode()
    # Framed by the task page only.
    assert "frame-ancestors 'self'" in sent.headers["Content-Security-Policy"]
    assert sent.headers["X-Frame-Options"] == "SAMEORIGIN"
    submission = Submission.objects.get(assignment=lease)
    assert submission.worker == walt
    assert submission.answer == {"mood": "calm", "topics": ["a", "b"]}
    again = client.post("/mturk/externalSubmit", {**post, "mood": "angry"})
    assert again.status_code == 200
    assert Submission.objects.filter(assignment=lease).count() == 1
    assert Submission.objects.get(assignment=lease).answer["mood"] == "calm"
    xml = questions.answers_xml(submission.answer)
    assert "<FreeText>calm</FreeText>" in xml


@pytest.mark.parametrize(
    "assignment_id", ["", "A1", "A1XAAAAAAAAAAAAAAAAAAAAAAAA", "ASSIGNMENT_ID_NOT_AVAILABLE"]
)
def test_a_bad_or_unknown_assignment_id_is_refused(client, assignment_id):
    sent = client.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "mood": "x"})
    assert sent.status_code == 404
    assert "does not exist" in sent.content.decode()
    assert not Submission.objects.exists()


def test_a_lease_of_another_kind_or_past_its_time_is_refused(
    client, rita, walt, walt_token, past_opening_round
):
    hit = make_hit(rita)
    past_opening_round()
    lease = claim(client, walt_token, hit)
    # A well-signed id of a lease that is not an external question's is unknown here.
    Assignment.objects.filter(pk=lease.pk).update(expires_at=timezone.now() - timedelta(1))
    late = client.post(
        "/mturk/externalSubmit", {"assignmentId": assignment_id_for(lease.pk), "mood": "x"}
    )
    assert late.status_code == 409
    assert not Submission.objects.exists()
    unknown = client.post(
        "/mturk/externalSubmit", {"assignmentId": assignment_id_for(lease.pk + 1000), "mood": "x"}
    )
    assert unknown.status_code == 404


def test_an_empty_post_is_not_an_answer(client, rita, walt, walt_token, past_opening_round):
    hit = make_hit(rita)
    past_opening_round()
    lease = claim(client, walt_token, hit)
    sent = client.post("/mturk/externalSubmit", {"assignmentId": assignment_id_for(lease.pk)})
    assert sent.status_code == 400
    assert not Submission.objects.exists()


def test_an_external_url_must_be_https_where_the_site_is(settings):
    settings.MTURK_EXTERNAL_HTTP = False
    with pytest.raises(questions.QuestionError, match="https"):
        questions.parse_question(EXTERNAL.format(url="http://survey.example.org/"))
    parsed = questions.parse_question(EXTERNAL.format(url="https://survey.example.org/"))
    assert parsed.kind == "external" and parsed.frame_height == 500


@pytest.mark.django_db(transaction=True)
def test_approval_feedback_reaches_the_worker(
    live_server, client, rita, walt, walt_token, past_opening_round
):
    from microwork.mturk.tests.helpers import requester_client

    hit = make_hit(rita)
    past_opening_round()
    lease = claim(client, walt_token, hit)
    assignment_id = assignment_id_for(lease.pk)
    client.post("/mturk/externalSubmit", {"assignmentId": assignment_id, "mood": "calm"})
    mt = requester_client(live_server.url, rita)
    mt.approve_assignment(AssignmentId=assignment_id, RequesterFeedback="Thorough, thank you!")
    got = mt.get_assignment(AssignmentId=assignment_id)["Assignment"]
    assert got["AssignmentStatus"] == "Approved"
    assert got["RequesterFeedback"] == "Thorough, thank you!"
    # The worker reads it with the approval, among the decisions on their answers.
    client.force_login(walt)
    assert "Thorough, thank you!" in client.get("/money/earnings/").content.decode()
