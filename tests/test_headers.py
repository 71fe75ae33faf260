"""Every page carries a strict Content-Security-Policy and nothing it would block; HTTPS is
enforced when the site says it is served over HTTPS; /api/docs needs no other site."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.models import ApiToken
from microwork.ledger.services.deposits import deposit_record
from microwork.quality.services import exams
from microwork.quality.services.appeals import appeal_create
from microwork.quality.services.decisions import decision_record
from microwork.quality.tests.helpers import answer, make_batch, make_project, make_tasks
from microwork.work.models import Assignment
from tests.csp import html_problems, strict_csp_problems

ROOT = Path(__file__).resolve().parent.parent

# Pages that must open (200, HTML) for at least one of the named users: one list per app, so a
# page that stops rendering, or that the walk can no longer reach, fails here.
PAGES = {
    "home",
    "accounts:login",
    "accounts:signup",
    "accounts:password_change",
    "accounts:profile",
    "accounts:tokens",
    "projects:list",
    "projects:create",
    "projects:detail",
    "projects:edit",
    "projects:upload",
    "projects:batch_progress",
    "results:page",
    "work:home",
    "work:history",
    "work:fair",
    "work:task",
    "quality:standing",
    "quality:rules_doc",
    "quality:decision",
    "quality:test",
    "quality:attempt",
    "quality:project",
    "quality:operator",
    "inbox:inbox",
    "ledger:payouts",
    "ledger:operator_payouts",
    "payments:worker",
    "payments:billing",
    "review:page",
    "api:openapi-view",
}


def _patterns(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # walked model by model below
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix, entry, namespace + (entry.name or "")


def _site_urls(ids):
    """(name, path) of every route of the site with its parameters filled from `ids`;
    routes whose parameters the walk has no value for are returned with path None."""
    for prefix, pattern, name in _patterns(get_resolver()):
        if name.startswith("api:") and name != "api:openapi-view":
            continue  # JSON, checked by the API tests; the header is checked once below
        if (prefix + str(pattern.pattern)).startswith(("media/", "i18n/")):
            continue  # files and a POST-only language switch
        converters = getattr(pattern.pattern, "converters", {})
        if not all(key in ids for key in converters):
            yield name, None
            continue
        yield name, reverse(name, kwargs={key: ids[key] for key in converters})


def _admin_urls(objects):
    yield "admin:index", reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        yield f"{base}_changelist", reverse(f"{base}_changelist")
        yield f"{base}_add", reverse(f"{base}_add")
        first = objects.get(model) or model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"{base}_change", reverse(f"{base}_change", args=[first.pk])


@pytest.fixture
def site(rita, walt, nina, omar, rita_token):
    """A small but complete site: a live project with tasks and answers, a batch, a test and
    an attempt, a decision with an appeal, a token, money on Rita's account."""
    org = access_organisation_for_requester(user=rita)
    deposit_record(organisation=org, amount="50", currency="USD", reference="wire-csp", actor=omar)
    project = make_project(owner=rita, instructions="Look for **whiskers**.")
    batch = make_batch(project)
    tasks = make_tasks(project, 4, batch=batch)
    gold = make_tasks(project, 2, gold=True, batch=batch)
    submission = answer(task=tasks[0], worker=nina, label="cat")
    now = timezone.now()
    assignment = Assignment.objects.create(
        project=project,
        task=tasks[1],
        worker=walt,
        leased_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    test = exams.qualification_test_create(
        project=project,
        name="Practice",
        mode="training",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="0",
    )
    attempt = exams.test_attempt_start(test=test, worker=walt)
    decision = decision_record(
        worker=walt, project=project, kind="warning", inputs={}, starts_at=now
    )
    appeal = appeal_create(worker=walt, decision=decision, message="I was careful.")
    return {
        "project_id": project.pk,
        "batch_id": batch.pk,
        "assignment_id": assignment.pk,
        "submission_id": submission.pk,
        "test_id": test.pk,
        "attempt_id": attempt.pk,
        "decision_id": decision.pk,
        "appeal_id": appeal.pk,
        "token_id": ApiToken.objects.filter(user=rita).first().pk,
        "kind": "results",
        "fmt": "csv",
    }


def _clients(**users):
    clients = {"anonymous": Client()}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


def test_every_page_has_a_strict_policy_and_nothing_it_would_block(site, walt, rita, omar):
    clients = _clients(walt=walt, rita=rita, omar=omar)
    problems: list[str] = []
    opened: set[str] = set()
    unreached: list[str] = []
    for name, path in _site_urls(site):
        if path is None:
            unreached.append(name)
            continue
        for who, client in clients.items():
            response = client.get(path)
            for problem in strict_csp_problems(response):
                problems.append(f"{who} GET {path}: {problem}")
            if response.get("Content-Type", "").startswith("text/html"):
                for problem in html_problems(response.content.decode()):
                    problems.append(f"{who} GET {path}: {problem}")
                if response.status_code == 200:
                    opened.add(name)
    assert not problems, "\n".join(problems)
    assert opened >= PAGES, f"never opened: {sorted(PAGES - opened)}; unreached: {unreached}"


def test_admin_pages_have_the_strict_policy_and_no_inline_script(site, omar):
    # Omar is the operator: Django's admin is where he works, so it runs under the same policy.
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    client = _clients(omar=omar)["omar"]
    problems: list[str] = []
    seen = 0
    for name, path in _admin_urls({}):
        response = client.get(path)
        problems += [f"{path}: {p}" for p in strict_csp_problems(response)]
        if response.status_code == 403 and not name.endswith("changelist"):
            continue  # a model the operator may list but not add or edit by hand
        assert response.status_code == 200, path
        seen += 1
        problems += [f"{path}: {p}" for p in html_problems(response.content.decode())]
    assert seen > 10
    assert not problems, "\n".join(problems)


def test_api_responses_and_errors_carry_the_policy_too(client, walt_token):
    for response in (
        client.get("/api/work/projects", HTTP_AUTHORIZATION=f"Bearer {walt_token}"),
        client.get("/api/work/projects"),
        client.get("/no-such-page/"),
    ):
        assert strict_csp_problems(response) == []


def test_api_docs_use_only_files_the_platform_ships(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert strict_csp_problems(response) == []
    html = response.content.decode()
    # html_problems also checks that every static file named exists on this site.
    assert html_problems(html) == []
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "/static/microwork/api-docs.js" in html
    # The start-up script finds its settings in a data- attribute, not in an inline script.
    start = html.index('data-settings="') + len('data-settings="')
    settings_json = html[start : html.index('"', start)].replace("&quot;", '"')
    settings = json.loads(settings_json)
    assert settings["url"] == reverse("api:openapi-json")
    assert settings["validatorUrl"] is None


def test_https_is_enforced_when_the_site_is_served_over_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_proxy_the_forwarded_scheme_counts_only_when_configured(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    # Without SECURE_PROXY_SSL_HEADER a client cannot claim HTTPS with a header.
    forged = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000"


def _settings_from_env(tmp_path, **env):
    """config.settings as a fresh process reads it with these environment variables."""
    code = (
        "import json, config.settings as s;"
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        "'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE', 'SECURE_CSP')}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE", "CSP_")) and k != "DATABASE_URL"
    }
    clean.update(MICROWORK_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 50, **env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_secure_setting_turns_on_redirect_hsts_and_secure_cookies(tmp_path):
    default = _settings_from_env(tmp_path)
    assert default["SECURE_SSL_REDIRECT"] is False
    assert default["SECURE_HSTS_SECONDS"] == 0
    assert default["SESSION_COOKIE_SECURE"] is False
    assert "upgrade-insecure-requests" not in default["SECURE_CSP"]
    # A plain-HTTP site may show task pictures from plain-HTTP addresses; an HTTPS one upgrades.
    assert default["SECURE_CSP"]["img-src"] == ["'self'", "data:", "blob:", "https:", "http:"]

    secure = _settings_from_env(tmp_path, SECURE="1", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert secure["SECURE_SSL_REDIRECT"] is True
    assert secure["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert secure["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert secure["SESSION_COOKIE_SECURE"] is True and secure["CSRF_COOKIE_SECURE"] is True
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert secure["SECURE_CSP"]["upgrade-insecure-requests"] is True
    assert secure["SECURE_CSP"]["img-src"] == ["'self'", "data:", "blob:", "https:"]

    # SECURE_COOKIES, the setting's older name, means the same; each part can be tuned.
    older = _settings_from_env(
        tmp_path, SECURE_COOKIES="1", SECURE_HSTS_SECONDS="3600", SECURE_HSTS_PRELOAD="1"
    )
    assert older["SECURE_SSL_REDIRECT"] is True
    assert older["SECURE_HSTS_SECONDS"] == 3600 and older["SECURE_HSTS_PRELOAD"] is True
    assert older["SECURE_PROXY_SSL_HEADER"] is None


def test_task_picture_hosts_can_be_narrowed(tmp_path):
    narrow = _settings_from_env(tmp_path, CSP_IMAGE_SOURCES="https://img.example.org")
    assert narrow["SECURE_CSP"]["img-src"] == [
        "'self'",
        "data:",
        "blob:",
        "https://img.example.org",
    ]


def test_no_template_carries_inline_script_handlers_or_style():
    # Pages the walk above cannot reach (partials, error pages, mails shown in a browser) are
    # held to the same rule at the source.
    problems = []
    for template in sorted((ROOT / "microwork").glob("**/templates/**/*.html")):
        for problem in html_problems(template.read_text(encoding="utf-8")):
            problems.append(f"{template.relative_to(ROOT)}: {problem}")
    assert not problems, "\n".join(problems)
