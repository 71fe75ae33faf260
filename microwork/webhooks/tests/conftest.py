import pytest

from microwork.webhooks.tests.receiver import Receiver


@pytest.fixture
def immediate_jobs(settings):
    # Deliveries are attempted as soon as they are queued (after commit), in the test's thread.
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture
def receiver(immediate_jobs):
    """A receiver on the loopback that checks signatures (tests/receiver.py)."""
    started = Receiver().start()
    yield started
    started.stop()
