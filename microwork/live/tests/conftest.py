import pytest

from microwork.live import wakeups


@pytest.fixture(autouse=True)
def _listener_let_go():
    # The wake-up listener holds a connection of its own to the test database: let it go
    # before the database is dropped.
    yield
    wakeups.stop_listener()
