"""Every page whose address names an object, opened and posted to by everyone who must not
reach it. The pages come from the URL resolver, so a new page is in this test the day it is
added. Each must answer 403 or 404 (405 to a GET on a form's target) and change nothing;
then the owner's own visit shows that the ids were real."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from microwork.ledger.models import Payout, PayoutMethod
from tests.scope_world import World, build_world, database_state

# Not pages of ours: the admin has its own permissions, the API has tests/test_api_scope.py,
# media has its own signed addresses.
SKIPPED_PREFIXES = ("admin/", "api/", "media/")
# The password-reset link names an account by a signed one-time token, not by an id anyone
# could hold; microwork/accounts/tests/test_password_reset.py covers it.
# Asking for a qualification names a type every worker may ask for (MTurk lists requestable
# types to all workers); one that is not requestable is a 404, which
# microwork/mturk/tests/test_qualification_requests.py covers.
SKIPPED_NAMES = {"accounts:password_reset_confirm", "mturk:qualification_request"}

# Pages any worker may open: a live project's work and its qualification tests.
PUBLIC_TO_WORKERS = {
    "work:start",
    "work:notify",
    "work:waiting",
    "work:leave",
    "quality:test",
    "quality:test_start",
    # A live project's personal data declaration, to read and agree to.
    "privacy:consent",
    # A live project's instructions and example, before taking a task.
    "work:preview",
    # The record of a requester that has offered work.
    "voice:requester",
    # A live project's statement, to agree to, and being available for it.
    "live:opt_in",
    "live:availability",
}
WORKER_PAGES = (
    "work:",
    "live:",
    "wellbeing:",
    "privacy:",
    "voice:",
    "quality:decision",
    "quality:appeal_create",
    "quality:attempt",
)
WORKER_PAGES_EXACT = {"ledger:payout_method_remove", "quality:test", "quality:test_start"}
OPERATOR_PAGES = {"quality:operator_lift", "ledger:operator_payout_finish"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p


def _pages() -> list[tuple[str, str]]:
    return sorted(
        (name, route)
        for route, name, p in _walk(get_resolver().url_patterns)
        if p.pattern.converters
        and not route.startswith(SKIPPED_PREFIXES)
        and name not in SKIPPED_NAMES
    )


PAGES = _pages()


def _owner(name: str) -> str:
    if name in OPERATOR_PAGES:
        return "omar"
    if name.startswith(WORKER_PAGES) or name in WORKER_PAGES_EXACT:
        return "walt"
    return "rita"


@pytest.fixture
def world(settings, rita, rob, walt, nina, omar) -> World:
    settings.SIMULATED_PAYMENTS = True
    world = build_world(rita=rita, rob=rob, walt=walt, nina=nina, omar=omar)
    method = PayoutMethod.objects.get(pk=world.ids["method_id"])
    payout = Payout.objects.create(
        user=walt,
        method=method,
        provider=method.provider,
        amount=Decimal("1.00"),
        currency="USD",
        provider_key="scope-test",
        requested_at=timezone.now() - timedelta(minutes=1),
    )
    world.ids |= {"payout_id": payout.pk, "kind": "results", "fmt": "csv"}
    return world


def test_every_page_that_names_an_object_is_in_this_test():
    assert len(PAGES) > 35
    known = {"project_id", "batch_id", "assignment_id", "decision_id", "test_id", "attempt_id"}
    known |= {"submission_id", "requirement_id", "appeal_id", "method_id", "payout_id"}
    known |= {"token_id", "kind", "fmt", "organisation_id", "subscription_id", "key_id", "offer_id"}
    for name, route in PAGES:
        for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
            assert param in known, f"{name}: say which object {param} names"


@pytest.mark.parametrize(("name", "route"), PAGES, ids=[n for n, _r in PAGES])
def test_nobody_else_reaches_the_object_through_any_page(
    client, world, rita, rob, walt, nina, omar, name, route
):
    people = {"rita": rita, "rob": rob, "walt": walt, "nina": nina, "omar": omar}
    owner = _owner(name)
    url = "/" + _fill(route, world.ids)
    for who, user in people.items():
        if who == owner or (who == "omar" and owner != "omar"):
            # Operators may look into anything; their pages are tested apart.
            continue
        if name in PUBLIC_TO_WORKERS and who in ("walt", "nina"):
            continue
        client.force_login(user)
        before = database_state()
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            allowed = (403, 404, 405) if method == "get" else (403, 404)
            assert r.status_code in allowed, (who, method, r.status_code)
            assert database_state() == before, f"{who} changed the database by {method} {url}"
    client.force_login(people[owner])
    r = client.get(url)
    assert r.status_code not in (403, 404), r.status_code


def _fill(route: str, ids: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route)
