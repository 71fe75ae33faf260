"""A project declares the disturbing content its tasks show: a project whose tasks show
pictures or video cannot go live without saying either "no disturbing content" or its
categories; the declaration is edited in the form and the API and shown on the card."""

import json

import pytest

from microwork.lib.errors import ApplicationError, Conflict
from microwork.projects.models import Project
from microwork.projects.services.projects import project_set_status, project_update
from microwork.work.tests.factories import add_tasks, live_project


def _draft_with(rita, data, **fields):
    project = live_project(rita, status=Project.Status.DRAFT, **fields)
    for task in add_tasks(project, 2):
        task.data = data
        task.save(update_fields=["data"])
    return project


@pytest.mark.parametrize(
    "data",
    [
        {"image_url": "https://img.example/1.jpg"},
        {"video_url": "/media/clips/1.webm"},
        {"a_image_url": "https://img.example/a.jpg", "b_text": "b"},
    ],
)
def test_a_project_showing_pictures_or_video_cannot_go_live_undeclared(rita, data):
    project = _draft_with(rita, data)
    with pytest.raises(Conflict) as refused:
        project_set_status(project=project, actor=rita, status="live")
    assert refused.value.field == "disturbing_content"
    assert "disturbing_content" in refused.value.message
    project.refresh_from_db()
    assert project.status == "draft"


def test_the_api_refusal_names_the_field(client, rita, rita_token):
    project = _draft_with(rita, {"image_url": "https://img.example/1.jpg"})
    r = client.post(
        f"/api/projects/{project.pk}/status",
        data=json.dumps({"status": "live"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 409, r.content
    assert r.json()["field"] == "disturbing_content"


@pytest.mark.parametrize("declared", [[], ["violence", "hate"]])
def test_a_declared_project_goes_live(rita, declared):
    project = _draft_with(rita, {"image_url": "https://img.example/1.jpg"})
    project_update(project=project, actor=rita, changes={"disturbing_content": declared})
    project_set_status(project=project, actor=rita, status="live")
    project.refresh_from_db()
    assert project.status == "live" and project.disturbing_content == declared


def test_a_text_only_project_needs_no_declaration(rita):
    project = _draft_with(rita, {"text": "A dog in a park"})
    project_set_status(project=project, actor=rita, status="live")


@pytest.mark.parametrize(
    "value",
    ["violence", ["violence", "csam"], ["none", "violence"], [1], {"violence": True}],
)
def test_a_bad_declaration_is_refused_naming_the_field(rita, value):
    project = _draft_with(rita, {"text": "x"})
    with pytest.raises(ApplicationError) as refused:
        project_update(project=project, actor=rita, changes={"disturbing_content": value})
    assert refused.value.field == "disturbing_content"
    project.refresh_from_db()
    assert project.disturbing_content is None


def test_categories_are_kept_in_the_lists_order_and_none_means_empty(rita):
    project = _draft_with(rita, {"text": "x"})
    project_update(
        project=project, actor=rita, changes={"disturbing_content": ["hate", "violence"]}
    )
    project.refresh_from_db()
    assert project.disturbing_content == ["violence", "hate"]
    project_update(project=project, actor=rita, changes={"disturbing_content": ["none"]})
    project.refresh_from_db()
    assert project.disturbing_content == []


def test_a_live_project_cannot_withdraw_its_declaration(rita):
    project = live_project(rita, disturbing_content=["violence"])
    with pytest.raises(Conflict) as refused:
        project_update(project=project, actor=rita, changes={"disturbing_content": None})
    assert refused.value.field == "disturbing_content"
    project_update(
        project=project, actor=rita, changes={"disturbing_content": ["violence", "sexual"]}
    )
    assert project.events.last().reason == (
        "Shows disturbing content: Violence and gore, Sexual content and nudity."
    )


def test_the_api_creates_and_shows_the_declaration(client, rita_token):
    r = client.post(
        "/api/projects",
        data=json.dumps(
            {
                "name": "Moderation",
                "description": "Is it fine?",
                "interface": "bounding_boxes",
                "config": {"question": "Box the weapons", "labels": ["gun|Gun"]},
                "reward": "0.10",
                "estimated_seconds": 30,
                "disturbing_content": ["violence"],
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["disturbing_content"] == ["violence"]
    r = client.patch(
        f"/api/projects/{r.json()['id']}",
        data=json.dumps({"disturbing_content": ["gore"]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 400 and r.json()["field"] == "disturbing_content"


def test_the_form_edits_the_declaration_and_the_card_shows_it(client, rita):
    project = _draft_with(rita, {"image_url": "https://img.example/1.jpg"})
    client.force_login(rita)
    form = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'name="disturbing_content" value="none"' in form
    assert 'name="disturbing_content" value="self_harm"' in form
    data = {
        "name": project.name,
        "description": project.description,
        "instructions": project.instructions,
        "interface": "single_choice",
        "single_choice-question": "Is this image acceptable?",
        "single_choice-labels": "ok|Acceptable\ngory|Gory",
        "reward": "0.05",
        "currency": "USD",
        "estimated_seconds": "20",
        "overlap": "3",
        "time_limit_seconds": "600",
        "gold_rate": "0",
        "max_open_per_worker": "1",
        "order": "depth_first",
        "auto_approve_seconds": str(3 * 24 * 3600),
        "review_overlap": "0",
        "review_threshold": "0.5",
        "disturbing_content": ["violence", "self_harm"],
    }
    r = client.post(f"/projects/{project.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    project.refresh_from_db()
    assert project.disturbing_content == ["violence", "self_harm"]
    card = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Shows disturbing content: Violence and gore, Self-harm and suicide." in card
    data["disturbing_content"] = ["none", "violence"]
    r = client.post(f"/projects/{project.pk}/edit/", data)
    assert r.status_code == 400
    assert "either “no disturbing content” or categories" in r.content.decode()
