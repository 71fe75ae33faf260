"""Workers rate the projects they worked on (once each, changed in place), and write to the
operators, who answer; the public summary shows counts and shared answers, never a name or a
message."""

import pytest
from django.urls import reverse
from django.utils import translation

from microwork.lib.errors import ApplicationError, Forbidden
from microwork.projects.tests.factories import stored_answer
from microwork.voice.models import Feedback, ProjectRating
from microwork.voice.selectors import feedback_summary
from microwork.voice.services import feedback_answer, feedback_create, project_rating_save
from microwork.work.tests.factories import add_tasks, live_project


@pytest.fixture
def worked(rita, walt):
    project = live_project(rita)
    stored_answer(add_tasks(project, 1)[0], walt)
    return project


def test_a_rating_is_one_per_worker_and_project_and_can_be_changed(worked, walt):
    project_rating_save(worker=walt, project=worked, instructions=5, fairness=4, pay=2)
    project_rating_save(worker=walt, project=worked, instructions="3", fairness=4, pay=2)
    rating = ProjectRating.objects.get()
    assert (rating.instructions, rating.fairness, rating.pay) == (3, 4, 2)


@pytest.mark.parametrize("bad", [0, 6, "", None, "five"])
def test_a_mark_outside_one_to_five_is_refused_naming_the_field(worked, walt, bad):
    with pytest.raises(ApplicationError) as exc:
        project_rating_save(worker=walt, project=worked, instructions=5, fairness=bad, pay=2)
    assert exc.value.field == "fairness"
    assert "Fair review" in exc.value.message
    assert not ProjectRating.objects.exists()


def test_only_a_worker_who_answered_may_rate(worked, nina, client):
    with pytest.raises(Forbidden):
        project_rating_save(worker=nina, project=worked, instructions=5, fairness=5, pay=5)
    client.force_login(nina)
    assert client.get(reverse("voice:rate", args=[worked.pk])).status_code == 404


def test_the_rating_page_saves_and_shows_the_marks(worked, walt, client):
    client.force_login(walt)
    url = reverse("voice:rate", args=[worked.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"instructions": "4", "fairness": "5", "pay": "3"})
    assert response.status_code == 302
    page = client.get(reverse("voice:ratings")).content.decode()
    assert "instructions 4, review 5, pay 3" in page
    # A form missing a mark keeps the page, names the mark, stores nothing new.
    response = client.post(url, {"instructions": "1", "fairness": "5"})
    assert response.status_code == 400
    assert "Pay for the time" in response.content.decode()
    assert ProjectRating.objects.get().instructions == 4


def test_feedback_is_stored_once_answered_by_an_operator_and_seen_by_its_worker(
    walt, nina, omar, client
):
    first = feedback_create(worker=walt, subject="pay", message="Payouts are slow.", key="k1")
    # The same form sent twice (a retry on a bad connection) stores one message.
    assert (
        feedback_create(worker=walt, subject="pay", message="Payouts are slow.", key="k1") == first
    )
    assert Feedback.objects.count() == 1
    with pytest.raises(ApplicationError) as exc:
        feedback_create(worker=walt, subject="nonsense", message="x")
    assert exc.value.field == "subject"
    with pytest.raises(Forbidden):
        feedback_answer(feedback=first, operator=walt, answer="Me")
    feedback_answer(feedback=first, operator=omar, answer="Payouts now run hourly.", public=True)

    client.force_login(walt)
    page = client.get(reverse("voice:feedback")).content.decode()
    assert "Payouts are slow." in page and "Payouts now run hourly." in page
    # Another worker never sees it.
    client.force_login(nina)
    assert "Payouts are slow." not in client.get(reverse("voice:feedback")).content.decode()


def test_the_public_summary_counts_and_shows_shared_answers_but_no_name_or_message(
    walt, omar, client
):
    shared = feedback_create(worker=walt, subject="pay", message="My secret words", key="a")
    feedback_create(worker=walt, subject="pay", message="Other words", key="b")
    kept = feedback_create(worker=walt, subject="review", message="More", key="c")
    feedback_answer(feedback=shared, operator=omar, answer="Payouts now run hourly.", public=True)
    feedback_answer(feedback=kept, operator=omar, answer="Private answer", public=False)

    with translation.override("en"):  # the subjects' names, whatever an earlier test left
        summary = feedback_summary()
        labels = {(str(s.label), s.received, s.answered) for s in summary.subjects}
    assert (summary.received, summary.answered) == (3, 2)
    assert labels == {
        ("Pay and payouts", 2, 1),
        ("Rejections and appeals", 1, 1),
    }
    body = client.get(reverse("voice:summary")).content.decode()  # no log-in needed
    assert "Payouts now run hourly." in body
    assert "Private answer" not in body
    assert "My secret words" not in body and "walt" not in body


def test_the_feedback_page_keeps_what_was_typed_when_refused(walt, client):
    client.force_login(walt)
    response = client.post(
        reverse("voice:feedback"), {"subject": "", "message": "Typed text", "key": "z"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Typed text" in body and "Subject" in body


def test_operators_find_answer_and_are_recorded_in_their_feedback_tool(walt, omar, client):
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    sent = feedback_create(worker=walt, subject="pay", message="Payouts are slow.", key="k1")
    client.force_login(omar)
    tool = reverse("admin:voice_feedback_changelist")
    # The workers' page says operators answer there: an operator who opens it goes to the tool.
    assert client.get(reverse("voice:feedback"))["Location"] == tool
    assert f'href="{tool}"' in client.get(reverse("operator")).content.decode()
    change = reverse("admin:voice_feedback_change", args=[sent.pk])
    assert "Payouts are slow." in client.get(change).content.decode()
    r = client.post(change, {"answer": "Fixed this week.", "answer_public": "on"})
    assert r.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.answer, sent.answered_by) == ("answered", "Fixed this week.", omar)
    assert sent.answered_at is not None
    client.force_login(walt)
    assert "Fixed this week." in client.get(reverse("voice:feedback")).content.decode()
