import json

import pytest
from django.urls import reverse

from microwork.privacy.models import Consent
from microwork.projects.models import ProjectEvent
from microwork.projects.personal_data import declaration_version
from microwork.projects.services.projects import project_update
from microwork.work.models import Assignment


def call(client, method, url, token, body=None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _listing(client, token, project):
    rows = call(client, "get", "/api/work/projects", token).json()
    return next(r for r in rows if r["id"] == project.pk)


def test_no_claim_without_consent(client, walt_token, walt, project, tasks):
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "not_eligible" and body["details"] == {"check": "consent"}
    assert "collects your voice" in body["message"] and "agree" in body["message"]
    assert not Assignment.objects.filter(worker=walt).exists()


def test_listing_carries_the_declaration_to_agree_to(client, walt_token, project, tasks):
    row = _listing(client, walt_token, project)
    consent = row["consent"]
    assert consent["agreed"] is False and row["can_start"] is False
    assert consent["categories"] == [{"key": "voice", "name": "your voice"}]
    assert consent["purpose"] == project.personal_data_purpose
    assert consent["retention_days"] == 30
    assert consent["recipients"] == project.personal_data_recipients
    assert "Training a speech recogniser" in consent["text"]
    assert consent["version"] == declaration_version(project)


def test_a_project_without_personal_data_has_no_consent_object(client, walt_token, rita):
    from microwork.work.tests.factories import add_tasks, live_project

    plain = live_project(rita)
    add_tasks(plain, 2)
    row = _listing(client, walt_token, plain)
    assert row["consent"] is None and row["can_start"] is True


def test_consent_is_stored_with_its_text_and_time_and_a_retry_makes_one(
    client, walt_token, walt, project, tasks
):
    url = f"/api/work/projects/{project.pk}/consent"
    first = call(client, "post", url, walt_token)
    assert first.status_code == 200, first.content
    again = call(client, "post", url, walt_token, {"version": declaration_version(project)})
    assert again.json()["id"] == first.json()["id"]
    consent = Consent.objects.get(worker=walt, project=project)
    assert "Training a speech recogniser for Yoruba." in consent.text
    assert "30 days after your last task" in consent.text
    assert consent.given_at is not None and consent.withdrawn_at is None
    assert consent.version == declaration_version(project)
    assert _listing(client, walt_token, project)["consent"]["agreed"] is True
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 200 and r.json()["state"] == "assigned"


def test_consent_to_a_version_no_longer_current_is_refused(client, walt_token, walt, project):
    r = call(
        client,
        "post",
        f"/api/work/projects/{project.pk}/consent",
        walt_token,
        {"version": "0" * 64},
    )
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert not Consent.objects.filter(worker=walt).exists()


def test_a_project_without_declaration_has_nothing_to_agree_to(client, walt_token, rita):
    from microwork.work.tests.factories import live_project

    plain = live_project(rita)
    r = call(client, "post", f"/api/work/projects/{plain.pk}/consent", walt_token)
    assert r.status_code == 400 and r.json()["code"] == "no_declaration"


def test_a_changed_declaration_asks_again(client, walt_token, walt, rita, project, tasks):
    call(client, "post", f"/api/work/projects/{project.pk}/consent", walt_token)
    project_update(
        project=project,
        actor=rita,
        changes={"personal_data_retention_days": 60},
    )
    project.refresh_from_db()
    row = _listing(client, walt_token, project)
    assert row["consent"]["agreed"] is False and row["consent"]["retention_days"] == 60
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 400 and r.json()["details"] == {"check": "consent"}
    assert ProjectEvent.objects.filter(
        project=project, reason__contains="asked to agree again"
    ).exists()
    client.force_login(walt)
    page = client.get(reverse("privacy:consent", args=[project.pk]))
    assert "changed what it says" in page.content.decode()
    call(client, "post", f"/api/work/projects/{project.pk}/consent", walt_token)
    assert Consent.objects.filter(worker=walt, project=project).count() == 2
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 200


def test_work_page_offers_read_and_agree_instead_of_start(client, walt, project, tasks):
    client.force_login(walt)
    html = client.get(reverse("work:home")).content.decode()
    consent_url = reverse("privacy:consent", args=[project.pk])
    assert "Read and agree" in html and consent_url in html
    assert reverse("work:start", args=[project.pk]) not in html
    page = client.get(consent_url).content.decode()
    assert "Training a speech recogniser for Yoruba." in page and "I agree" in page
    r = client.post(consent_url, {"version": declaration_version(project)})
    assert r.status_code == 302
    assert Consent.objects.filter(worker=walt, project=project).count() == 1
    html = client.get(reverse("work:home")).content.decode()
    assert reverse("work:start", args=[project.pk]) in html
    assert "Read and agree" not in html


@pytest.mark.parametrize("lang", ["fr"])
def test_the_consent_is_kept_in_the_words_the_worker_read(client, nina, project, lang):
    client.force_login(nina)
    client.post(
        reverse("privacy:consent", args=[project.pk]),
        {"version": declaration_version(project)},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    consent = Consent.objects.get(worker=nina)
    assert consent.version == declaration_version(project)
    assert consent.text.startswith(("The project", "Le projet"))


def test_a_bare_post_with_no_body_agrees(client, walt, walt_token, project):
    # curl -X POST …/consent sends no body and no content type: that is agreeing as it stands.
    r = client.generic(
        "POST",
        f"/api/work/projects/{project.pk}/consent",
        data=b"",
        headers={"Authorization": f"Bearer {walt_token}"},
    )
    assert r.status_code == 200, r.content
    assert Consent.objects.filter(worker=walt, project=project, withdrawn_at=None).count() == 1
