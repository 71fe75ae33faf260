import re
from decimal import Decimal

import pytest

from microwork.projects.models import Task
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import add_tasks, live_project


@pytest.fixture
def walt_client(client, walt):
    client.force_login(walt)
    return client


def test_home_lists_work_with_hourly_rate(walt_client, project, tasks):
    html = walt_client.get("/work/").content.decode()
    assert project.name in html
    assert "9.00 USD/hour" in html
    assert "5 tasks available" in html
    assert "How work is shared" in html


def test_start_submit_and_move_on(walt_client, walt, project, tasks):
    r = walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    assert r.status_code == 302 and r["Location"] == f"/work/a/{a.pk}/"
    page = walt_client.get(r["Location"]).content.decode()
    assert "Is this image acceptable?" in page
    assert "work/task.js" in page
    r = walt_client.post(f"/work/a/{a.pk}/", {"label": "gory", "active_ms": "3000"})
    assert Submission.objects.get().answer == "gory"
    nxt = Assignment.objects.get(worker=walt, status="leased")
    assert r["Location"] == f"/work/a/{nxt.pk}/"
    # A browser re-posting the same form does not add a second answer.
    walt_client.post(f"/work/a/{a.pk}/", {"label": "gory", "active_ms": "3000"})
    assert Submission.objects.count() == 1


def test_bad_answer_redisplays_the_task_with_the_reason(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    r = walt_client.post(f"/work/a/{a.pk}/", {"label": "blue"})
    assert r.status_code == 400
    assert "Choose one of: ok, gory." in r.content.decode()
    assert not Submission.objects.exists()


def test_skip_moves_on_and_return_goes_home(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    r = walt_client.post(f"/work/a/{a.pk}/skip/")
    b = Assignment.objects.get(worker=walt, status="leased")
    assert r["Location"] == f"/work/a/{b.pk}/"
    r = walt_client.post(f"/work/a/{b.pk}/return/")
    assert r["Location"] == "/work/"
    assert set(Assignment.objects.values_list("status", flat=True)) == {"skipped", "returned"}


def test_continue_where_you_left_off(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    html = walt_client.get("/work/").content.decode()
    assert "Continue where you left off" in html
    assert f"/work/a/{a.pk}/" in html


def test_someone_elses_task_page_is_not_found(client, nina, walt, project, tasks):
    client.force_login(walt)
    client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    client.force_login(nina)
    assert client.get(f"/work/a/{a.pk}/").status_code == 404
    assert client.post(f"/work/a/{a.pk}/", {"label": "ok"}).status_code == 404
    assert not Submission.objects.exists()


def test_history_lists_answers(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    walt_client.post(f"/work/a/{a.pk}/", {"label": "gory"})
    html = walt_client.get("/work/history/").content.decode()
    # The answer as the worker saw it: the label's shown text, not its stored value.
    label_text = {label["value"]: label["text"] for label in project.config["labels"]}["gory"]
    assert f'<td data-label="Answer">{label_text}</td>' in html
    assert "Awaiting approval" in html and "0.05 USD" in html


def _normalise(html):
    html = re.sub(r"/work/a/\d+/", "/work/a/N/", html)
    html = re.sub(r"/api/work/assignments/\d+/", "/api/work/assignments/N/", html)
    html = re.sub(r"Picture number \d+", "Picture", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\d+:\d\d left|data-seconds-left=\"\d+\"", "", html)


def test_control_task_page_is_identical_to_an_ordinary_one(client, walt, nina, rita):
    project = live_project(rita, gold_rate=Decimal("1"))
    add_tasks(project, 1, gold=1)
    client.force_login(walt)
    client.post(f"/work/p/{project.pk}/start/")
    gold = Assignment.objects.get(worker=walt)
    assert gold.task.is_gold
    gold_html = client.get(f"/work/a/{gold.pk}/").content.decode()
    Task.objects.filter(pk=gold.task_id).update(is_gold=False)
    plain_html = client.get(f"/work/a/{gold.pk}/").content.decode()
    assert "gold" not in gold_html.lower()
    assert str(gold.task_id) not in re.findall(r"/work/a/\d+/", gold_html)
    assert _normalise(gold_html) == _normalise(plain_html)


def test_waiting_page_explains_the_policy(client, walt, nina, rita):
    project = live_project(rita, overlap=1)
    add_tasks(project, 1)
    client.force_login(walt)
    client.post(f"/work/p/{project.pk}/start/")
    client.force_login(nina)
    r = client.post(f"/work/p/{project.pk}/start/")
    assert r["Location"] == f"/work/p/{project.pk}/wait/"
    html = client.get(r["Location"]).content.decode()
    # Nina reads French: the policy is explained in her language.
    assert "en ont reçu le moins" in html and "tiré au sort" in html
    r = client.post(f"/work/p/{project.pk}/leave/")
    assert client.get(f"/work/p/{project.pk}/wait/")["Location"] == "/work/"


def test_fair_sharing_page_is_public(client):
    html = client.get("/work/fair/").content.decode()
    assert "never by who clicked first" in html


def test_pages_need_a_worker(client, rita, project, tasks):
    client.force_login(rita)
    assert client.get("/work/").status_code == 403
    assert client.post(f"/work/p/{project.pk}/start/").status_code == 403


def test_late_answer_after_the_place_was_taken_is_explained_on_the_work_page(
    client, walt, nina, rita
):
    from datetime import timedelta

    from django.utils import timezone

    from microwork.work.services.claiming import assignment_claim

    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 1)
    long_ago = timezone.now() - timedelta(minutes=5)
    mine = assignment_claim(worker=walt, project=project, now=long_ago)
    assignment_claim(worker=nina, project=project)
    client.force_login(walt)
    r = client.post(f"/work/a/{mine.pk}/", {"label": "ok"}, follow=True)
    assert "given to someone else after your time ran out" in r.content.decode()
    assert r.redirect_chain[-1][0] == "/work/"
    assert not Submission.objects.exists()


def refuse_nina_on_hard_projects(*, project, worker, now):
    if worker.username == "nina" and project.name.startswith("Hard"):
        return "Pass the paid test “Image basics” first: /quality/tests/7/"
    return None


def test_home_lists_apart_the_projects_a_worker_cannot_do_with_what_to_do(
    client, nina, rita, monkeypatch
):
    from microwork.work import eligibility

    monkeypatch.setitem(
        eligibility.ELIGIBILITY_CHECKS,
        "test",
        "microwork.work.tests.test_pages.refuse_nina_on_hard_projects",
    )
    easy = live_project(rita, name="Easy pictures")
    hard = live_project(rita, name="Hard pictures")
    add_tasks(easy, 2)
    add_tasks(hard, 2)
    from django.utils import translation

    client.force_login(nina)
    html = client.get("/work/").content.decode()
    # Nina reads French: the page's headings are in her language.
    with translation.override("fr"):
        heading = translation.gettext("Not open to you yet")
    available, _sep, rest = html.partition(heading)
    assert "Easy pictures" in available and f"/work/p/{easy.pk}/start/" in available
    assert "Hard pictures" not in available and f"/work/p/{hard.pk}/start/" not in html
    # Listed apart: the project is named under the heading, with what to do about it.
    assert "<strong>Hard pictures</strong>" in rest
    assert '<a href="/quality/tests/7/">Pass the paid test “Image basics” first.</a>' in rest
    r = client.get("/api/work/projects", headers={"Accept": "application/json"})
    rows = {row["name"]: row for row in r.json()}
    assert rows["Hard pictures"]["can_start"] is False
    assert rows["Hard pictures"]["refusal_url"] == "/quality/tests/7/"
    assert rows["Easy pictures"]["can_start"] is True and rows["Easy pictures"]["refusal"] == ""


def test_the_work_page_asks_a_bounded_number_of_queries(
    client, walt, rita, django_assert_max_num_queries
):
    # The work app's own reads are a constant dozen or so (the hourly cap is asked once for
    # all projects); the quality app's check asks three queries per listed project, and the
    # page lists at most OFFERS_MAX of them.
    from microwork.work.selectors import OFFERS_MAX

    for i in range(OFFERS_MAX + 5):
        add_tasks(live_project(rita, name=f"Project {i}", hourly_cap_per_worker=10), 2)
    client.force_login(walt)
    with django_assert_max_num_queries(15 + 3 * OFFERS_MAX):
        html = client.get("/work/").content.decode()
    assert html.count("/start/") == OFFERS_MAX


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (
            "Agree to the declaration before your first task: /privacy/p/3/",
            "Agree to the declaration before your first task.",
        ),
        # French sets a no-break space before the colon: no "tâche ." left behind.
        (
            "Acceptez-la avant votre première tâche\u00a0: /privacy/p/3/",
            "Acceptez-la avant votre première tâche.",
        ),
    ],
)
def test_a_refusal_ending_in_an_address_becomes_a_sentence_and_a_link(reason, text):
    from microwork.work.selectors import _refusal

    assert _refusal(reason) == (text, "/privacy/p/3/")


def test_the_task_page_counts_down_in_minutes_and_seconds(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    html = walt_client.get(f"/work/a/{a.pk}/").content.decode()
    assert re.search(r'id="time-left"[^>]*data-words="\{time\} left">\d+:\d\d left<', html)
    assert not re.search(r"\d+ s left", html)
