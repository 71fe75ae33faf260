import pytest

from microwork.accounts.access import access_organisation_for_requester


@pytest.fixture(autouse=True)
def _simulated_payments(settings):
    # The demo's simulated card and mobile-money providers are what the tests pay through.
    settings.SIMULATED_PAYMENTS = True
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture
def acme(rita):
    return access_organisation_for_requester(user=rita)
