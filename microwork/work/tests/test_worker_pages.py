"""What a worker reads around a task: who the requester is and its record, a preview before
taking a task, a confirmation with the sitting's count after each step, a search once the
list grows, and an answer saved while the project was being paused said to be saved."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.templatetags.static import static
from django.urls import reverse

from microwork.projects.interfaces import REGISTRY, get_interface
from microwork.projects.models import Project
from microwork.work import selectors
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import add_tasks, live_project


@pytest.fixture(autouse=True)
def _fresh_records():
    # Requester records are cached by organisation id, which a new test database reuses.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def walt_client(client, walt):
    client.force_login(walt)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_work_list_names_the_requester_and_links_its_record(walt_client, project, tasks):
    html = walt_client.get("/work/").content.decode()
    assert "Acme Labs" in html
    assert reverse("voice:requester", args=[project.organisation_id]) in html
    assert "No answer decided yet" in html
    assert reverse("work:preview", args=[project.pk]) in html


def test_the_preview_shows_instructions_and_an_example_never_a_task_of_the_project(
    walt_client, rita
):
    project = live_project(rita)
    add_tasks(project, 2, gold=3, gold_answer="gory")
    Project.objects.filter(pk=project.pk).update(
        config={**project.config, "question": "Is this picture fine?"}
    )
    html = walt_client.get(reverse("work:preview", args=[project.pk])).content.decode()
    # The project's own instructions and question, the kind's example task.
    assert "<strong>Gory</strong>" in html
    assert "Is this picture fine?" in html
    assert "Picture number" not in html  # none of its tasks, control or not
    assert "No blood in this picture." not in html  # a control's explanation
    assert "disabled" in html
    assert Assignment.objects.count() == 0  # looking takes no task


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_previews_its_example_under_the_projects_settings(walt_client, rita, kind):
    example = get_interface(kind).example
    project = live_project(
        rita, interface=kind, config=example["config"], **example.get("project", {})
    )
    response = walt_client.get(reverse("work:preview", args=[project.pk]))
    assert response.status_code == 200
    config, data = selectors.project_example(project)
    # The example's own words, and media that load: files shipped with the site, never the
    # documentation's example.org-style addresses.
    for field, value in example["data"].items():
        if field in selectors.EXAMPLE_MEDIA and ".example/" in str(value):
            assert data[field] == static(selectors.EXAMPLE_MEDIA[field])
            assert finders.find(selectors.EXAMPLE_MEDIA[field]) is not None
            assert data[field] in response.content.decode()
        else:
            assert data[field] == value


def test_each_step_is_confirmed_with_the_sittings_count_and_earnings(
    walt_client, walt, project, tasks
):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    walt_client.get(f"/work/a/{a.pk}/")
    r = walt_client.post(f"/work/a/{a.pk}/", {"label": "ok", "active_ms": "3000"})
    assert "Answer sent. 1 answer this sitting, 0.05 USD earned." in _messages(r)
    b = Assignment.objects.get(worker=walt, status="leased")
    page = walt_client.get(f"/work/a/{b.pk}/").content.decode()
    assert "This sitting: 1 answer" in page and "0.05 USD earned" in page
    r = walt_client.post(f"/work/a/{b.pk}/skip/")
    assert any(m.startswith("Task skipped") for m in _messages(r))
    c = Assignment.objects.get(worker=walt, status="leased")
    r = walt_client.post(f"/work/a/{c.pk}/return/")
    assert any(m.startswith("Task given back") for m in _messages(r))


def test_an_answer_sent_as_the_project_was_paused_is_said_to_be_saved(
    walt_client, walt, project, tasks
):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.PAUSED)
    r = walt_client.post(f"/work/a/{a.pk}/", {"label": "ok", "active_ms": "3000"})
    assert Submission.objects.filter(assignment=a).exists()
    assert r["Location"] == "/work/"
    said = " ".join(_messages(r))
    assert "Your answer was saved and counts as usual." in said
    assert "paused" in said


def test_the_work_list_offers_a_search_once_it_grows(walt_client, rita):
    for name in ("Bird songs", "Street signs", "Receipts", "Menus", "Cats", "Dogs"):
        add_tasks(live_project(rita, name=name, description=f"About {name.lower()}"), 1)
    html = walt_client.get("/work/").content.decode()
    assert 'type="search"' in html
    html = walt_client.get("/work/", {"q": "sign"}).content.decode()
    assert "Street signs" in html and "Bird songs" not in html
    # The requester's name finds its projects too.
    html = walt_client.get("/work/", {"q": "acme"}).content.decode()
    assert "Bird songs" in html
    assert "matches" in walt_client.get("/work/", {"q": "zzz"}).content.decode()


def test_the_history_table_labels_every_cell_for_a_phone(walt_client, walt, project, tasks):
    walt_client.post(f"/work/p/{project.pk}/start/")
    a = Assignment.objects.get(worker=walt)
    walt_client.post(f"/work/a/{a.pk}/", {"label": "ok", "active_ms": "3000"})
    html = walt_client.get("/work/history/").content.decode()
    assert 'class="stack"' in html
    for label in ("Project", "Answer", "When", "Status", "Reward"):
        assert f'data-label="{label}"' in html


def test_the_sitting_counts_only_this_workers_answers_since_it_began(walt, project, tasks):
    from django.utils import timezone

    assert selectors.sitting_summary(worker=walt, since=timezone.now()).answers == 0
    assert selectors.Sitting(answers=2, earned=((Decimal("0.1"), "USD"),)).earned_display


@pytest.mark.parametrize(
    ("draft", "started"),
    [
        (None, False),
        ({"label": None}, False),  # saved as the page was hidden, nothing chosen
        ({"text": "  ", "tags": []}, False),
        ("", False),
        ({"label": "ok"}, True),
        (["onion"], True),
    ],
)
def test_a_lease_says_answer_started_only_when_something_was_typed_or_chosen(
    walt_client, walt, project, tasks, draft, started
):
    walt_client.post(f"/work/p/{project.pk}/start/")
    Assignment.objects.filter(worker=walt).update(draft=draft)
    html = walt_client.get("/work/").content.decode()
    assert ("answer started" in html) is started
