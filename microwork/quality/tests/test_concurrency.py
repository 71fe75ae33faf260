"""Rule evaluations racing for one worker on PostgreSQL: the skill row lock makes them take
turns, so one drift gives one warning, not one per thread."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from microwork.quality.models import Decision, WorkerSkill
from microwork.quality.services.configuration import rule_configure
from microwork.quality.services.enforcement import rules_evaluate
from microwork.quality.tests.helpers import answer, make_project, make_tasks

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has a single writer, so nothing races there")


def test_racing_evaluations_give_one_warning(rita, walt):
    project = make_project(owner=rita)
    for task in make_tasks(project, 10, gold=True):
        answer(task=task, worker=walt, label="dog", run_hooks=False)
    rule_configure(
        project=project, rule_key="gold_accuracy", params={"min_answers": 5}, action="pause"
    )
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body() -> None:
        try:
            barrier.wait()
            rules_evaluate(project=project, worker=walt, now=timezone.now())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert WorkerSkill.objects.filter(project=project, worker=walt).count() == 1
    assert list(Decision.objects.filter(worker=walt).values_list("kind", flat=True)) == ["warning"]
