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


@pytest.fixture
def unfunded_project(rita):
    """Rita's live project in an organisation with no money: the first answer's earning is
    refused, so only tests without submission hooks (or about that refusal) may use it."""
    return live_project(rita, deposit=None)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "without_submission_hooks: the worker loop alone, with no app's submission hook (no "
        "earning, quality or aggregation after an answer): say in the test why.",
    )


@pytest.fixture(autouse=True)
def submission_hooks(request, monkeypatch):
    """Every app's submission hooks run, as in production (the earning is booked in the
    ledger, quality and aggregation see the answer), unless the test is marked
    `without_submission_hooks`."""
    from microwork.work import hooks

    if request.node.get_closest_marker("without_submission_hooks"):
        monkeypatch.setattr(hooks, "SUBMISSION_HOOKS", {})
    else:
        assert {"earning", "quality", "aggregation"} <= set(hooks.SUBMISSION_HOOKS)
