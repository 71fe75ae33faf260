"""Every error the API answers is JSON `{code, message}`, whoever produced it: a service, ninja,
Django's URL resolver, the CSRF check, throttling or a bug."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from ninja.errors import Throttled

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.content.decode()
    return body


def test_a_call_without_credentials_is_told_to_authenticate(client):
    assert_error_shape(client.get("/api/projects"), 401, "unauthenticated")


def test_a_post_without_credentials_is_401_not_a_csrf_failure(walt):
    # A phone app posting with no token at all must learn it needs one, not that a browser
    # cookie check failed.
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/api/projects", "{}", content_type="application/json")
    assert_error_shape(response, 401, "unauthenticated")


def test_a_session_post_without_the_csrf_token_is_refused_in_the_error_shape(walt):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(walt)
    response = browser.post("/api/work/projects/1/notify", "{}", content_type="application/json")
    assert_error_shape(response, 403, "csrf_failed")


def test_a_session_post_with_the_csrf_token_passes_the_check(walt):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(walt)
    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/work/projects/999999/notify",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert_error_shape(response, 404, "project_not_found")


def test_an_unknown_address_under_the_api_is_a_json_404(client, rita_token):
    response = client.get("/api/no/such/thing", headers={"Authorization": f"Bearer {rita_token}"})
    assert_error_shape(response, 404, "not_found")


def test_a_method_the_path_does_not_take_is_a_json_405_with_allow(client, rita_token):
    response = client.delete("/api/projects", headers={"Authorization": f"Bearer {rita_token}"})
    assert_error_shape(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_parameter_of_the_wrong_type_is_a_422_naming_the_field(client, rita_token):
    response = client.get("/api/projects/abc", headers={"Authorization": f"Bearer {rita_token}"})
    body = assert_error_shape(response, 422, "invalid")
    assert body["field"] == "project_id"


def test_a_body_that_is_not_json_is_a_400(client, rita_token):
    response = client.post(
        "/api/projects",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert_error_shape(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (Http404("no such row"), 404, "not_found"),
        (PermissionDenied(), 403, "forbidden"),
        (Throttled(wait=30), 429, "throttled"),
    ],
)
def test_django_and_ninja_exceptions_in_a_handler_keep_the_shape(
    client, rita_token, monkeypatch, raised, status, code
):
    def boom():
        raise raised

    monkeypatch.setattr("microwork.projects.api.interfaces_described", boom)
    response = client.get("/api/interfaces", headers={"Authorization": f"Bearer {rita_token}"})
    assert_error_shape(response, status, code)
    if status == 429:
        assert response["Retry-After"] == "30"


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_is_a_json_500_without_a_traceback(
    client, rita_token, monkeypatch, settings, caplog, debug
):
    settings.DEBUG = debug

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr("microwork.projects.api.interfaces_described", boom)
    response = client.get("/api/interfaces", headers={"Authorization": f"Bearer {rita_token}"})
    assert_error_shape(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    # The operators still see what happened.
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_every_operation_refuses_a_call_without_credentials_with_401():
    # Every operation of the document, called as a script with no token would call it.
    from config.api import api

    anonymous = Client(enforce_csrf_checks=True)
    document = api.get_openapi_schema()
    for path, methods in document["paths"].items():
        url = path.replace("{key}", "single_choice").replace("{username}", "walt")
        url = url.replace("{", "").replace("}", "")
        for part in ("project_id", "batch_id", "assignment_id", "submission_id", "run_id"):
            url = url.replace(part, "1")
        for part in ("qualification_id", "appeal_id", "decision_id"):
            url = url.replace(part, "1")
        for method in methods:
            response = anonymous.generic(method.upper(), url, "{}", content_type="application/json")
            assert_error_shape(response, 401, "unauthenticated")
