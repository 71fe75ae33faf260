"""A worker's own choices: the categories they agree to see and a daily limit that may go
below the platform's, never above; nobody else changes them."""

import pytest

from microwork.lib.errors import ApplicationError
from microwork.wellbeing.models import WorkerWellbeing
from microwork.wellbeing.selectors import choices_for
from microwork.wellbeing.services import wellbeing_update


def test_by_default_nothing_is_chosen_and_the_platforms_cap_applies(walt, settings):
    choices = choices_for(worker=walt)
    assert choices.categories == ()
    assert choices.daily_cap == settings.WELLBEING_DAILY_CAP == 100


def test_the_worker_may_lower_the_cap(walt):
    wellbeing_update(worker=walt, categories=["violence", "hate"], daily_cap=30)
    choices = choices_for(worker=walt)
    assert choices.daily_cap == 30
    # Kept in the list's order, whatever order they were sent in.
    assert choices.categories == ("violence", "hate")


@pytest.mark.parametrize("cap", [101, 1000, 0, -5, "lots", 2.5])
def test_the_cap_cannot_go_above_the_platforms_or_below_one(walt, cap):
    wellbeing_update(worker=walt, categories=[], daily_cap=40)
    with pytest.raises(ApplicationError) as refused:
        wellbeing_update(worker=walt, categories=[], daily_cap=cap)
    assert refused.value.field == "daily_cap"
    assert choices_for(worker=walt).daily_cap == 40


def test_a_lower_platform_cap_wins_over_a_workers_higher_one(walt, settings):
    wellbeing_update(worker=walt, categories=[], daily_cap=80)
    settings.WELLBEING_DAILY_CAP = 50
    assert choices_for(worker=walt).daily_cap == 50


def test_unknown_categories_are_refused_naming_the_field(walt):
    with pytest.raises(ApplicationError) as refused:
        wellbeing_update(worker=walt, categories=["violence", "csam"], daily_cap=None)
    assert refused.value.field == "categories"
    assert not WorkerWellbeing.objects.exists()


def test_the_settings_page_saves_choices_and_refuses_a_cap_above_the_platforms(client, walt):
    client.force_login(walt)
    page = client.get("/wellbeing/").content.decode()
    assert "Violence and gore" in page and 'max="100"' in page
    r = client.post("/wellbeing/", {"categories": ["violence", "medical"], "daily_cap": "20"})
    assert r.status_code == 302
    assert choices_for(worker=walt).categories == ("violence", "medical")
    assert choices_for(worker=walt).daily_cap == 20
    r = client.post("/wellbeing/", {"categories": ["violence"], "daily_cap": "150"})
    assert r.status_code == 400
    assert "100" in r.content.decode()
    # The refusal keeps the number typed and never names the field as the API does.
    assert 'value="150"' in r.content.decode() and "daily_cap can" not in r.content.decode()
    assert choices_for(worker=walt).daily_cap == 20


def test_a_requester_cannot_reach_the_settings(client, rita):
    client.force_login(rita)
    assert client.get("/wellbeing/").status_code == 403
    assert client.post("/wellbeing/", {"daily_cap": "100"}).status_code == 403
