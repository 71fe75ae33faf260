"""Who is offered a project that declares disturbing content: only workers who chose to see
every category it declares, and only up to their daily limit of such items — on the work
page, at the API's claim, and at the page's start button."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from microwork.lib.errors import ApplicationError
from microwork.wellbeing.selectors import exposure_today
from microwork.wellbeing.services import wellbeing_update
from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.models import Assignment
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import assignment_skip
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import add_tasks, live_project


def claim(client, token, project):
    return client.post(
        f"/api/work/projects/{project.pk}/claim",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_worker_who_has_not_opted_in_is_not_offered_the_project(client, walt, gory):
    client.force_login(walt)
    page = client.get("/work/").content.decode()
    refused = page.split("Not open to you yet")[1]
    assert "Gory or not" in refused
    assert "you have not chosen to see (Violence and gore)" in refused
    assert 'href="/wellbeing/"' in refused
    assert f"/work/p/{gory.pk}/start/" not in page


def test_the_api_claim_is_refused_without_the_opt_in(client, walt, walt_token, gory):
    r = claim(client, walt_token, gory)
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "not_eligible"
    assert body["details"]["check"] == "disturbing_content"
    assert "Violence and gore" in body["message"]
    assert not Assignment.objects.filter(worker=walt).exists()


def test_every_declared_category_must_be_chosen(walt, rita, walt_sees_violence):
    both = disturbing_project(rita, categories=("violence", "sexual"), name="Both")
    with pytest.raises(ApplicationError) as refused:
        assignment_claim(worker=walt, project=both)
    assert "Sexual content and nudity" in refused.value.message
    assert "Violence and gore" not in refused.value.message


def test_opted_in_worker_gets_the_task_and_the_work_page_offers_it(
    client, walt, walt_token, gory, walt_sees_violence
):
    client.force_login(walt)
    page = client.get("/work/").content.decode()
    assert f"/work/p/{gory.pk}/start/" in page
    assert "Shows disturbing content: Violence and gore." in page
    r = claim(client, walt_token, gory)
    assert r.status_code == 200 and r.json()["state"] == "assigned"


def test_a_project_without_disturbing_content_ignores_the_choices(walt, rita):
    plain = live_project(rita, disturbing_content=[])
    add_tasks(plain, 2)
    assert assignment_claim(worker=walt, project=plain) is not None


def _work_through(worker, project, n, *, skip_every=2):
    """n disturbing items: answered or skipped (both are exposure)."""
    for i in range(n):
        assignment = assignment_claim(worker=worker, project=project)
        assert assignment is not None
        if i % skip_every:
            assignment_skip(assignment=assignment, worker=worker)
        else:
            submission_create(assignment=assignment, worker=worker, answer="ok", active_ms=9000)


def test_the_daily_cap_stops_disturbing_assignments_at_the_api(
    client, walt, walt_token, rita, gory
):
    wellbeing_update(worker=walt, categories=["violence"], daily_cap=3)
    _work_through(walt, gory, 3)
    assert exposure_today(worker=walt, now=timezone.now()) == 3
    r = claim(client, walt_token, gory)
    assert r.status_code == 400, r.content
    assert r.json()["details"]["check"] == "disturbing_content"
    assert "your daily limit of 3" in r.json()["message"]
    assert Assignment.objects.filter(worker=walt).count() == 3
    # The limit covers every disturbing project, and leaves other work open.
    other = disturbing_project(rita, name="More gore")
    assert claim(client, walt_token, other).status_code == 400
    plain = live_project(rita, name="Cats", disturbing_content=[])
    add_tasks(plain, 1)
    assert claim(client, walt_token, plain).json()["state"] == "assigned"


def test_the_daily_cap_stops_the_work_page_start(client, walt, gory):
    wellbeing_update(worker=walt, categories=["violence"], daily_cap=2)
    _work_through(walt, gory, 2)
    client.force_login(walt)
    page = client.get("/work/").content.decode()
    refused = page.split("Not open to you yet")[1]
    assert "You have seen 2 disturbing items today, your daily limit of 2" in refused
    r = client.post(f"/work/p/{gory.pk}/start/", follow=True)
    assert "your daily limit of 2" in r.content.decode()
    assert Assignment.objects.filter(worker=walt).count() == 2


def test_the_cap_starts_again_at_midnight_utc(walt, gory):
    wellbeing_update(worker=walt, categories=["violence"], daily_cap=1)
    with time_machine.travel("2026-03-02 23:50:00+00:00", tick=True):
        _work_through(walt, gory, 1)
        with pytest.raises(ApplicationError):
            assignment_claim(worker=walt, project=gory)
    with time_machine.travel("2026-03-03 00:00:05+00:00", tick=True):
        assert assignment_claim(worker=walt, project=gory) is not None


def test_an_open_lease_is_resumed_but_no_new_one_is_given_past_the_cap(walt, gory):
    wellbeing_update(worker=walt, categories=["violence"], daily_cap=1)
    first = assignment_claim(worker=walt, project=gory)
    assert assignment_claim(worker=walt, project=gory) == first
    submission_create(assignment=first, worker=walt, answer="ok", active_ms=9000)
    with pytest.raises(ApplicationError):
        assignment_claim(worker=walt, project=gory, now=timezone.now() + timedelta(seconds=1))


def test_the_worker_api_lists_the_refusal(client, walt_token, gory):
    r = client.get("/api/work/projects", headers={"Authorization": f"Bearer {walt_token}"})
    assert r.status_code == 200
    assert "Violence and gore" in json.dumps(r.json())


def test_the_worker_api_names_the_declared_categories(client, walt_token, gory, walt_sees_violence):
    headers = {"Authorization": f"Bearer {walt_token}"}
    [row] = client.get("/api/work/projects", headers=headers).json()
    assert row["disturbing_content"] == ["violence"]
    body = claim(client, walt_token, gory).json()
    assert body["assignment"]["project"]["disturbing_content"] == ["violence"]
