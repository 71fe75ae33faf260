import pytest

from microwork.work.tests.factories import add_tasks, live_project

VOICE = {
    "personal_data": ["voice"],
    "personal_data_purpose": "Training a speech recogniser for Yoruba.",
    "personal_data_retention_days": 30,
    "personal_data_recipients": "Acme Labs and its client, Example Speech Ltd.",
}


@pytest.fixture
def project(rita):
    # Rita's live project that collects workers' voices and declares it: 30 days' retention.
    return live_project(rita, name="Read aloud", max_open_per_worker=2, **VOICE)


@pytest.fixture
def tasks(project):
    return add_tasks(project, 5)


@pytest.fixture(autouse=True)
def recorded_erasures(monkeypatch):
    """Every eraser call, through a test eraser registered beside the real ones by name."""
    from microwork.privacy import erasure
    from microwork.privacy.tests import erasers

    erasers.CALLS.clear()
    monkeypatch.setitem(erasure.ERASERS, "test", "microwork.privacy.tests.erasers.record")
    return erasers.CALLS
