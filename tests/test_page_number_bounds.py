"""No number typed into a page can make it answer 500.

Every page of the apps is found through the URL configuration and every form field through the
templates, so a page or a field added later is probed too: each is sent values past every
database's integer range, past the ledger's precision, and not numbers at all, by a requester,
a worker and an operator."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from microwork.payments.tests.conftest import add_tasks, answer, go_live, make_project
from microwork.quality.rules import APPROVAL_RULES, RULES

ROOT = Path(__file__).resolve().parents[1] / "microwork"
NAMESPACES = ("projects", "quality", "payments", "review", "ledger", "results", "work")
BAD = [str(2**63), "1" + "0" * 30, "-1", "1e12", "9" * 5000]


def _pages() -> list[tuple[str, list[str]]]:
    """(namespaced url name, its path parameters) for every page of the apps."""
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace in NAMESPACES:
                found.append((f"{namespace}:{p.name}", list(p.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return sorted({(n, tuple(a)) for n, a in found})


def _field_names() -> list[str]:
    names = set()
    for path in ROOT.rglob("templates/**/*.html"):
        names.update(re.findall(r"\bname=\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    return sorted(names - {"csrfmiddlewaretoken", "next"})


@pytest.fixture
def world(rita, walt, omar, settings):
    from datetime import timedelta

    from django.utils import timezone

    from microwork.accounts.access import access_organisation_for_requester
    from microwork.ledger.services.deposits import deposit_record
    from microwork.work.models import Assignment

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="100", currency="USD", reference="a", actor=omar)
    project = make_project(acme, rita, tasks=5)
    batch = add_tasks(project, rita, 2, gold=2)
    go_live(project, rita)
    submission = answer(project, walt)
    task = project.tasks.exclude(pk=submission.task_id).filter(is_gold=False).first()
    now = timezone.now()
    assignment = Assignment.objects.create(
        project=project, task=task, worker=walt, leased_at=now, expires_at=now + timedelta(hours=1)
    )
    return {
        "project_id": project.pk,
        "batch_id": batch.pk,
        "submission_id": submission.pk,
        "assignment_id": assignment.pk,
    }


@pytest.mark.parametrize(("name", "params"), _pages())
def test_no_number_makes_a_page_fail(client, world, rita, walt, omar, name, params):
    url = reverse(name, kwargs={p: world.get(p, 1) for p in params})
    fields = _field_names()
    for user in (rita, walt, omar):
        client.force_login(user)
        for value in BAD:
            form = dict.fromkeys(fields, value)
            # the review page does one of several things with the same fields
            actions = ("approve", "bonus", "reject") if name == "review:act" else ("",)
            for action in actions:
                body = {
                    **form,
                    "action": action,
                    "rule_key": next(iter(RULES)),
                    "worker": [str(walt.pk), value],
                    "submission": [str(world["submission_id"]), value],
                }
                response = client.post(url, body)
                assert response.status_code < 500, (name, user, value[:30], action)
            response = client.get(url, dict.fromkeys(("page", "feedback", "currency"), value))
            assert response.status_code < 500, (name, user, value[:30])
        # the approval rules' form takes the same fields under other keys
        client.post(url, {**form, "rule_key": next(iter(APPROVAL_RULES))})
