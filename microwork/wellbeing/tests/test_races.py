"""The daily limit holds when one worker's claims race (two devices, a double tap, many
projects at once): the claim locks the worker's row before the wellbeing check counts, so
the claims take turns. Only PostgreSQL can race: SQLite runs one writer at a time."""

import threading

import pytest
from django.db import connection, connections

from microwork.lib.errors import ApplicationError
from microwork.wellbeing.services import wellbeing_update
from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.models import Assignment
from microwork.work.services.claiming import assignment_claim

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

CAP = 3
PROJECTS = 12


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has a single writer, so claims cannot race there")


def run_threads(n, target):
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_racing_claims_never_pass_the_daily_limit(rita, walt):
    wellbeing_update(worker=walt, categories=["violence"], daily_cap=CAP)
    projects = [disturbing_project(rita, tasks=2, name=f"Gore {i}") for i in range(PROJECTS)]
    refused = []

    def claim(i):
        try:
            assignment_claim(worker=walt, project=projects[i])
        except ApplicationError as exc:
            refused.append(exc.code)

    run_threads(PROJECTS, claim)
    assert Assignment.objects.filter(worker=walt).count() == CAP
    assert refused == ["not_eligible"] * (PROJECTS - CAP)
