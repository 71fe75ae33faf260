import random
from datetime import UTC, datetime

import pytest

from microwork.work.tests.factories import add_tasks, live_project, make_worker

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def t0():
    return T0


@pytest.fixture
def rng():
    return random.Random(7)


@pytest.fixture
def project(rita):
    # Rita's live image-moderation project: three answers per task, no control tasks.
    return live_project(rita)


@pytest.fixture
def tasks(project):
    return add_tasks(project, 5)


@pytest.fixture
def wendy(db):
    # Wendy is a third worker, for tasks that need three different people.
    return make_worker("wendy")


@pytest.fixture
def xavi(db):
    # Xavi is a fourth worker: the one who finds every slot already taken.
    return make_worker("xavi")


@pytest.fixture(autouse=True)
def only_work_hooks(request, monkeypatch):
    # Most of these tests check the worker loop alone: what other apps do after a submission
    # (the pending earning, gold feedback, aggregation) is tested in those apps, against their
    # own set-up. Tests that ask for `with_all_hooks` run with every app's hooks instead.
    if "with_all_hooks" in request.fixturenames:
        return
    from microwork.work import hooks

    monkeypatch.setattr(hooks, "SUBMISSION_HOOKS", {})


@pytest.fixture
def with_all_hooks():
    """Every app's submission hooks, as in production: the earning is booked in the ledger,
    quality and aggregation see the answer. Use it with a funded project."""
    from microwork.work import hooks

    assert {"earning", "quality", "aggregation"} <= set(hooks.SUBMISSION_HOOKS)
