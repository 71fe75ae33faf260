import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.inbox import selectors, services
from microwork.inbox.models import Notification
from microwork.lib.tests.redirect_attacks import OPEN_REDIRECT_ATTACKS
from microwork.quality.services.decisions import decision_record
from microwork.quality.tests.helpers import make_project


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def _warn(worker, project):
    return decision_record(
        worker=worker,
        project=project,
        kind="warning",
        rule_key="gold_accuracy",
        inputs={},
        starts_at=project.created_at,
    )


def test_lines_from_every_app_are_one_inbox_in_words_with_their_pages(client, project, walt):
    decision = _warn(walt, project)
    services.inbox_notify(
        users=[walt], kind="project_opened", params={"project_id": project.pk}, now=timezone.now()
    )
    lines = selectors.inbox_lines(user=walt)
    assert [line.notification.kind for line in lines] == ["project_opened", "decision"]
    assert lines[0].text == f"{project.name} has new work now."
    assert lines[0].url == reverse("work:home")
    assert lines[1].url == reverse("quality:decision", args=[decision.pk])
    client.force_login(walt)
    page = client.get(reverse("inbox:inbox")).content.decode()
    assert f"{project.name} has new work now." in page
    assert reverse("quality:decision", args=[decision.pk]) in page
    assert selectors.unread_count(user=walt) == 2


def test_a_french_reader_gets_french_words(client, project, nina):
    services.inbox_notify(
        users=[nina], kind="project_opened", params={"project_id": project.pk}, now=timezone.now()
    )
    client.force_login(nina)
    page = client.get(reverse("inbox:inbox")).content.decode()
    assert "Boîte de réception" in page
    assert f"{project.name} a du nouveau travail." in page


def test_the_work_page_shows_unread_lines_and_marking_them_read_returns_there(
    client, project, walt
):
    _warn(walt, project)
    client.force_login(walt)
    home = client.get(reverse("work:home")).content.decode()
    assert "News" in home and reverse("inbox:read") in home
    back = client.post(reverse("inbox:read"), {"next": reverse("work:home")})
    assert back.status_code == 302 and back["Location"] == reverse("work:home")
    assert selectors.unread_count(user=walt) == 0
    assert "News" not in client.get(reverse("work:home")).content.decode()
    # The lines stay in the inbox, read.
    [line] = selectors.inbox_lines(user=walt)
    assert line.notification.read_at is not None


def test_marking_read_never_sends_the_reader_to_another_site(client, walt):
    client.force_login(walt)
    away = client.post(reverse("inbox:read"), {"next": "https://evil.example/"})
    assert away["Location"] == reverse("inbox:inbox")


def test_one_inbox_page_is_a_few_queries_however_many_lines(
    client, project, walt, django_assert_max_num_queries
):
    for _ in range(30):
        _warn(walt, project)
    services.inbox_notify(
        users=[walt] * 30,
        kind="project_opened",
        params={"project_id": project.pk},
        now=timezone.now(),
    )
    client.force_login(walt)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("inbox:inbox"))
    assert page.content.decode().count('class="card') >= 60


def test_a_kind_nobody_can_put_into_words_is_refused(walt):
    with pytest.raises(ValueError):
        services.inbox_notify(users=[walt], kind="mystery", params={}, now=timezone.now())
    assert not Notification.objects.exists()


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_marking_read_never_sends_the_browser_off_the_site(client, walt, attack):
    client.force_login(walt)
    r = client.post(reverse("inbox:read"), {"next": attack})
    assert r.status_code == 302 and r["Location"] == reverse("inbox:inbox")
    r = client.post(reverse("inbox:read"), {"next": reverse("work:home")})
    assert r["Location"] == reverse("work:home")
