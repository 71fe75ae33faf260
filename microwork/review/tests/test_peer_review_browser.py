"""On a phone: a reviewer opens a review task, taps Reject, types why and sends it."""

import pytest

from microwork.payments.tests.conftest import _money_settings  # noqa: F401 - fixture
from microwork.projects.models import Project
from microwork.review.models import PeerReview
from microwork.review.tests import peer_setup
from microwork.review.tests.peer_setup import answer, reviewed_project
from microwork.work.services.claiming import assignment_claim

pytestmark = pytest.mark.browser


def test_a_reviewer_rejects_an_answer_with_a_reason_on_a_phone(
    transactional_db,
    live_server,
    phone,
    monkeypatch,
    rich_acme,
    rita,
    walt,
    nina,
    past_opening_round,
):
    peer_setup.register(monkeypatch)
    project = reviewed_project(rich_acme, rita, reviewers=1)
    past_opening_round()
    answer(project, walt, "A dog on a mat")
    past_opening_round()
    companion = Project.objects.get(review_of=project)
    assignment = assignment_claim(worker=nina, project=companion)
    base = live_server.url

    phone.goto(f"{base}/accounts/login/")
    phone.fill("input[name=username]", "nina")
    phone.fill("input[name=password]", "nina-pass-123")
    phone.tap("main button[type=submit]")
    phone.wait_for_url(f"{base}/work/")
    phone.goto(f"{base}/work/a/{assignment.pk}/")
    phone.wait_for_selector("#task-form")
    # The task under review, shown by its own kind's view, and the answer to check.
    assert phone.locator(".checked-task").inner_text().count("A dog on a mat") == 1
    assert "Scene" in phone.locator(".checked-task").inner_text()
    assert "walt" not in phone.content()
    phone.tap("input[name=verdict][value=reject]")
    phone.fill("textarea[name=reason]", "It is a cat, not a dog.")
    phone.tap("#task-form button[type=submit]")
    phone.wait_for_url(lambda url: f"/work/a/{assignment.pk}/" not in url)

    review = PeerReview.objects.get(reviewer=nina)
    assert (review.verdict, review.reason) == ("reject", "It is a cat, not a dog.")
