"""The declaration on the project: checked field by field, required before a kind that
collects personal data goes live, edited through the API and the form, shown to the
requester."""

import json

import pytest
from django.urls import reverse

from microwork.lib.errors import ApplicationError
from microwork.privacy.tests.conftest import VOICE
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.projects.services.projects import project_set_status, project_update
from microwork.work.tests.factories import add_tasks, live_project

BASE = {
    "name": "Faces",
    "description": "Take a photo of your face in daylight.",
    "interface": "single_choice",
    "config": {
        "question": "Is it daylight?",
        "labels": [{"value": "yes", "text": "Yes"}, {"value": "no", "text": "No"}],
    },
    "reward": "0.50",
    "estimated_seconds": 60,
}


def api(client, method, url, token, body=None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def collects_faces(monkeypatch):
    """single_choice stands for a kind that collects faces by nature (photo collection)."""
    monkeypatch.setattr(type(get_interface("single_choice")), "personal_data", ("face",))


def test_create_update_and_read_the_declaration_through_the_api(client, rita_token):
    r = api(client, "post", "/api/projects", rita_token, {**BASE, **VOICE})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["personal_data"] == ["voice"]
    assert body["personal_data_retention_days"] == 30
    r = api(
        client,
        "patch",
        f"/api/projects/{body['id']}",
        rita_token,
        {"personal_data": ["location", "voice"], "personal_data_retention_days": 90},
    )
    assert r.status_code == 200, r.content
    # One canonical order, whatever order was sent.
    assert r.json()["personal_data"] == ["voice", "location"]
    got = api(client, "get", f"/api/projects/{body['id']}", rita_token).json()
    assert got["personal_data_retention_days"] == 90
    assert got["personal_data_purpose"] == VOICE["personal_data_purpose"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"personal_data": ["fingerprints"]}, "personal_data"),
        ({"personal_data": "voice"}, "personal_data"),
        ({"personal_data_retention_days": 0}, "personal_data_retention_days"),
        ({"personal_data_retention_days": 3651}, "personal_data_retention_days"),
        ({"personal_data_purpose": ""}, "personal_data_purpose"),
        ({"personal_data_recipients": " "}, "personal_data_recipients"),
        ({"personal_data_purpose": "x" * 2001}, "personal_data_purpose"),
        (
            {"personal_data": [], "personal_data_retention_days": 30},
            "personal_data_purpose",
        ),
    ],
)
def test_a_bad_declaration_is_refused_naming_its_field(client, rita_token, change, field):
    r = api(client, "post", "/api/projects", rita_token, {**BASE, **VOICE, **change})
    assert r.status_code in (400, 422), r.content
    if r.status_code == 400:
        assert r.json()["field"] == field
    assert not Project.objects.exists()


def test_a_kind_that_collects_faces_cannot_go_live_undeclared(rita, collects_faces):
    project = live_project(rita, status=Project.Status.DRAFT)
    add_tasks(project, 2)
    with pytest.raises(ApplicationError) as refused:
        project_set_status(project=project, actor=rita, status=Project.Status.LIVE)
    assert refused.value.field == "personal_data"
    assert "face" in refused.value.message.lower()
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    # Declaring the voice is not declaring the face.
    project_update(project=project, actor=rita, changes=VOICE)
    with pytest.raises(ApplicationError) as refused:
        project_set_status(project=project, actor=rita, status=Project.Status.LIVE)
    assert refused.value.field == "personal_data"
    project_update(project=project, actor=rita, changes={"personal_data": ["voice", "face"]})
    project_set_status(project=project, actor=rita, status=Project.Status.LIVE)
    project.refresh_from_db()
    assert project.status == Project.Status.LIVE


def test_a_live_project_of_such_a_kind_cannot_drop_its_declaration(rita, collects_faces):
    project = live_project(rita, **{**VOICE, "personal_data": ["face"]})
    with pytest.raises(ApplicationError) as refused:
        project_update(
            project=project,
            actor=rita,
            changes={
                "personal_data": [],
                "personal_data_purpose": "",
                "personal_data_retention_days": None,
                "personal_data_recipients": "",
            },
        )
    assert refused.value.field == "personal_data"
    project.refresh_from_db()
    assert project.personal_data == ["face"]


def test_the_interface_api_says_what_a_kind_collects(client, rita_token, collects_faces):
    body = api(client, "get", "/api/interfaces/single_choice", rita_token).json()
    assert body["personal_data"] == ["face"]


def test_the_requester_edits_the_declaration_in_the_form_and_reads_it(client, rita):
    project = live_project(rita)
    client.force_login(rita)
    edit = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'name="personal_data"' in edit and 'name="personal_data_retention_days"' in edit
    from microwork.projects.forms import ProjectForm

    data = {**ProjectForm.initial_for(project), **VOICE}
    data = {k: v for k, v in data.items() if v is not None}
    r = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    project.refresh_from_db()
    assert project.personal_data == ["voice"] and project.personal_data_retention_days == 30
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Training a speech recogniser for Yoruba." in detail
    assert "Example Speech Ltd." in detail and "30 days" in detail
