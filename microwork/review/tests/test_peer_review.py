"""Peer review end to end: an answer to a reviewed kind goes to N other workers, whose
verdicts approve it or reject it with their reasons through the requester's own paths."""

from decimal import Decimal

import pytest

from microwork.ledger.services.check import ledger_check
from microwork.lib.errors import ApplicationError
from microwork.payments.models import SubmissionReview
from microwork.payments.tests.conftest import _money_settings  # noqa: F401 - fixture
from microwork.projects.models import Project
from microwork.projects.services.projects import project_create, project_update
from microwork.quality import texts
from microwork.quality.models import Decision
from microwork.quality.services.appeals import appeal_create
from microwork.review import services as review_services
from microwork.review.models import PeerReview, PeerReviewRequest
from microwork.review.peer_reviews import submission_peer_review
from microwork.review.tests import peer_setup
from microwork.review.tests.peer_setup import answer, reviewed_project
from microwork.work.models import Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import assignment_return
from microwork.work.services.submitting import submission_create

pytestmark = pytest.mark.django_db

REJECT = {"verdict": "reject", "reason": "It names a dog; the scene has a cat."}
ACCEPT = {"verdict": "accept"}


@pytest.fixture(autouse=True)
def _peer_kind(monkeypatch):
    peer_setup.register(monkeypatch)


@pytest.fixture
def reviewers(nina):
    return [nina, peer_setup.worker("ada"), peer_setup.worker("bola")]


@pytest.fixture
def project(rich_acme, rita, past_opening_round):
    project = reviewed_project(rich_acme, rita)
    past_opening_round()
    return project


def _sent_for_review(project, walt, past_opening_round):
    original = answer(project, walt, "A dog on a mat")
    past_opening_round()  # the review project's opening minute
    return original


def test_an_answer_goes_to_its_reviewers_and_their_rejection_reaches_the_worker(
    project, walt, reviewers, past_opening_round
):
    original = _sent_for_review(project, walt, past_opening_round)
    request = PeerReviewRequest.objects.get(submission=original)
    companion = Project.objects.get(review_of=project)
    assert companion.interface == "answer_review"
    assert companion.status == Project.Status.LIVE
    assert companion.organisation_id == project.organisation_id
    assert (companion.reward, companion.overlap) == (Decimal("0.05"), 3)
    assert request.task.project_id == companion.pk
    assert request.task.excluded_worker_id == walt.pk
    source = request.task.data["source"]
    assert source["answer"] == "A dog on a mat"
    assert "walt" not in str(request.task.data)

    for who, verdict in zip(reviewers, [REJECT, ACCEPT, REJECT], strict=True):
        answer(companion, who, verdict)
    original.refresh_from_db()
    request.refresh_from_db()
    assert original.status == Submission.Status.REJECTED
    assert request.status == PeerReviewRequest.Status.REJECTED
    assert request.task.__class__.objects.get(pk=request.task_id).done

    decision = Decision.objects.get(submission=original)
    assert decision.rule_key == "peer_review"
    assert decision.decided_by is None
    assert decision.inputs["accepts"] == 1
    assert decision.inputs["reviews"][0] == REJECT
    review = SubmissionReview.objects.get(submission=original)
    assert review.rule == SubmissionReview.Rule.PEER_REVIEW
    text = texts.decision_text(decision)
    assert "1 of 3 workers who reviewed your answer accepted it" in text
    assert REJECT["reason"] in text
    for who in reviewers:
        assert who.username not in text
        assert who.username not in str(decision.inputs)

    # Appealed like any rejection.
    appeal = appeal_create(worker=walt, decision=decision, message="It is a dog, look again.")
    assert appeal.decision_id == decision.pk

    # Each reviewer's verdict is kept, measured against the outcome, and paid like any task.
    agrees = dict(PeerReview.objects.values_list("reviewer__username", "agrees"))
    assert agrees == {"nina": True, "ada": False, "bola": True}
    assert Submission.objects.filter(project=companion).count() == 3
    assert ledger_check(payouts=False).ok


def test_enough_accepts_approve_the_answer_through_the_approval_path(
    project, walt, reviewers, past_opening_round
):
    original = _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    for who, verdict in zip(reviewers, [ACCEPT, REJECT, ACCEPT], strict=True):
        answer(companion, who, verdict)
    original.refresh_from_db()
    assert original.status == Submission.Status.APPROVED
    review = SubmissionReview.objects.get(submission=original)
    assert review.rule == SubmissionReview.Rule.PEER_REVIEW
    assert "2 of 3 workers" in texts.approval_text(review.inputs)
    assert not Decision.objects.filter(submission=original).exists()
    assert ledger_check(payouts=False).ok


def test_the_author_never_gets_their_own_answer_to_review(project, walt, nina, past_opening_round):
    _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    assert assignment_claim(worker=walt, project=companion) is None
    assert assignment_claim(worker=nina, project=companion) is not None


def test_a_retried_submit_or_hook_never_makes_a_second_review_task(
    project, walt, past_opening_round
):
    assignment = assignment_claim(worker=walt, project=project)
    first = submission_create(assignment=assignment, worker=walt, answer="A cat")
    again = submission_create(assignment=assignment, worker=walt, answer="A cat")
    submission_peer_review(submission=first)
    assert again.pk == first.pk
    assert PeerReviewRequest.objects.filter(submission=first).count() == 1
    companion = Project.objects.get(review_of=project)
    assert companion.tasks.count() == 1


def test_a_review_given_back_goes_back_to_the_pool(project, walt, nina, past_opening_round):
    _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    ada = peer_setup.worker("ada")
    bola = peer_setup.worker("bola")
    held = [assignment_claim(worker=w, project=companion) for w in (nina, ada, bola)]
    assert all(held)
    carl = peer_setup.worker("carl")
    assert assignment_claim(worker=carl, project=companion) is None  # three slots taken
    assignment_return(assignment=held[0], worker=nina)
    assert assignment_claim(worker=carl, project=companion) is not None


def test_the_requesters_own_verdict_first_cancels_the_open_reviews(
    project, walt, rita, reviewers, past_opening_round
):
    original = _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    in_hand = assignment_claim(worker=reviewers[0], project=companion)
    assert review_services.submission_approve(submission=original, actor=rita)
    request = PeerReviewRequest.objects.get(submission=original)
    assert request.status == PeerReviewRequest.Status.CANCELLED
    assert assignment_claim(worker=reviewers[1], project=companion) is None
    # The reviewer who held it still sends it and is paid; nothing is decided again.
    sent = submission_create(assignment=in_hand, worker=reviewers[0], answer=REJECT)
    assert sent.status == Submission.Status.PENDING
    original.refresh_from_db()
    assert original.status == Submission.Status.APPROVED
    assert PeerReview.objects.get(review_submission=sent).agrees is None
    assert ledger_check(payouts=False).ok


def test_a_requesters_rejection_first_cancels_them_too(project, walt, rita, past_opening_round):
    original = _sent_for_review(project, walt, past_opening_round)
    review_services.submission_reject(
        submission=original, requester=rita, reason_code="wrong_answer", confirm=True
    )
    request = PeerReviewRequest.objects.get(submission=original)
    assert request.status == PeerReviewRequest.Status.CANCELLED


def test_review_settings_only_for_reviewed_kinds(rich_acme, rita):
    with pytest.raises(ApplicationError) as caught:
        project_create(
            organisation=rich_acme,
            actor=rita,
            name="Moderation",
            description="Is it fine?",
            interface="single_choice",
            config={"question": "Fine?", "labels": ["ok", "bad"]},
            reward="0.10",
            estimated_seconds=20,
            review_overlap=2,
            review_reward="0.05",
        )
    assert caught.value.field == "review_overlap"
    with pytest.raises(ApplicationError) as caught:
        reviewed_project(rich_acme, rita, reviewers=6)
    assert caught.value.field == "review_overlap"
    with pytest.raises(ApplicationError) as caught:
        reviewed_project(rich_acme, rita, threshold="0")
    assert caught.value.field == "review_threshold"


def test_a_review_reward_under_the_pay_floor_is_refused(rich_acme, rita):
    # 0.01 for 20 seconds is 1.80 an hour, under the tests' 8.00 floor.
    with pytest.raises(ApplicationError) as caught:
        reviewed_project(rich_acme, rita, review_reward=Decimal("0.01"))
    assert caught.value.field == "review_reward"
    project = Project.objects.filter(interface="peer_text").first()
    assert project is None or project.status == Project.Status.DRAFT


def test_a_live_project_cannot_lower_its_review_reward_under_the_floor(project, rita):
    with pytest.raises(ApplicationError) as caught:
        project_update(project=project, actor=rita, changes={"review_reward": "0.01"})
    assert caught.value.field == "review_reward"


def _reviewed_and_rejected(project, walt, reviewers, past_opening_round):
    original = _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    for who, verdict in zip(reviewers, [REJECT, REJECT, ACCEPT], strict=True):
        answer(companion, who, verdict)
    return original


def test_the_requester_reads_the_reviews_on_a_page_in_csv_and_through_the_api(
    client, project, walt, rita, rita_token, reviewers, past_opening_round
):
    original = _reviewed_and_rejected(project, walt, reviewers, past_opening_round)
    client.force_login(rita)
    page = client.get(f"/projects/{project.pk}/peer-reviews/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "It names a dog; the scene has a cat." in body
    assert "A dog on a mat" in body
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert f"/projects/{project.pk}/peer-reviews/" in detail

    csv = client.get(f"/projects/{project.pk}/peer-reviews.csv")
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("submission_id,task_id")
    assert len(lines) == 4  # a header and one line per review
    assert all(line.startswith(str(original.pk)) for line in lines[1:])

    r = client.get(
        f"/api/projects/{project.pk}/peer-reviews",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 200, r.content
    [row] = r.json()
    assert row["status"] == "rejected"
    assert row["accepts"] == 1
    assert [v["verdict"] for v in row["reviews"]] == ["reject", "reject", "accept"]
    assert row["decision_id"] == Decision.objects.get(submission=original).pk


def test_only_the_projects_requesters_read_its_reviews(client, project, rob, walt, walt_token):
    client.force_login(rob)
    assert client.get(f"/projects/{project.pk}/peer-reviews/").status_code == 404
    assert client.get(f"/projects/{project.pk}/peer-reviews.csv").status_code == 404
    client.force_login(walt)
    assert client.get(f"/projects/{project.pk}/peer-reviews/").status_code == 403
    r = client.get(
        f"/api/projects/{project.pk}/peer-reviews",
        headers={"Authorization": f"Bearer {walt_token}"},
    )
    assert r.status_code == 403


def test_the_worker_reads_the_reasons_on_their_decision_page_and_can_appeal(
    client, project, walt, reviewers, past_opening_round
):
    original = _reviewed_and_rejected(project, walt, reviewers, past_opening_round)
    decision = Decision.objects.get(submission=original)
    client.force_login(walt)
    body = client.get(f"/quality/decisions/{decision.pk}/").content.decode()
    assert "It names a dog; the scene has a cat." in body
    assert "Send appeal" in body
    for who in reviewers:
        assert who.username not in body


def test_a_requester_turns_peer_review_on_through_the_api_and_the_form(
    client, rich_acme, rita, rita_token
):
    auth = {"Authorization": f"Bearer {rita_token}"}
    body = {
        "name": "Describe it",
        "description": "One sentence per scene.",
        "interface": "peer_text",
        "config": {},
        "reward": "0.10",
        "estimated_seconds": 20,
        "review_overlap": 2,
        "review_reward": "0.05",
        "review_threshold": "0.75",
    }
    r = client.post("/api/projects", body, content_type="application/json", headers=auth)
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["review_overlap"] == 2
    assert Decimal(made["review_reward"]) == Decimal("0.05")
    assert Decimal(made["review_threshold"]) == Decimal("0.75")
    r = client.patch(
        f"/api/projects/{made['id']}",
        {"review_overlap": 9},
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 400
    assert r.json()["field"] == "review_overlap"

    client.force_login(rita)
    form = {
        "name": "Describe it again",
        "description": "One sentence per scene.",
        "instructions": "## Examples\n",
        "interface": "peer_text",
        "reward": "0.10",
        "currency": "USD",
        "estimated_seconds": "20",
        "overlap": "1",
        "time_limit_seconds": "600",
        "gold_rate": "0",
        "max_open_per_worker": "1",
        "order": "depth_first",
        "auto_approve_seconds": "259200",
        "review_overlap": "3",
        "review_reward": "0.04",
        "review_threshold": "0.5",
    }
    r = client.post("/projects/new/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    project = Project.objects.get(name="Describe it again")
    assert (project.review_overlap, project.review_reward) == (3, Decimal("0.04"))


def test_the_review_project_carries_the_reviewed_projects_disturbing_content(
    project, walt, rita, past_opening_round
):
    # Reviewers see the reviewed task itself: they are asked only if they chose to see it.
    project_update(project=project, actor=rita, changes={"disturbing_content": ["violence"]})
    _sent_for_review(project, walt, past_opening_round)
    companion = Project.objects.get(review_of=project)
    assert companion.disturbing_content == ["violence"]
    with pytest.raises(ApplicationError) as refused:
        assignment_claim(worker=peer_setup.worker("ada"), project=companion)
    assert "Violence and gore" in refused.value.message
