"""People who appear in the tests. Each fixture says who they are and why they exist."""

import contextlib
import gc
import os
import re
import shutil
import sys
import tempfile
import threading
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from microwork.accounts import services as account_services


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is slow on purpose; tests create hundreds of users. test_accounts checks that the
    # real setting hashes with Argon2.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _terms_gate_off(settings):
    # Test accounts are made without signing up, so none has accepted the terms; the gate's
    # own tests (accounts/tests/test_terms.py) turn it on.
    settings.TERMS_GATE = False


@pytest.fixture(autouse=True)
def _webhooks_to_the_loopback(settings):
    # Test receivers listen on 127.0.0.1, which production refuses (docs/webhooks.md).
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def past_opening_round():
    """Call it to move the clock just past the opening round that every release of work starts
    (docs/assignment.md): for tests that go live and then work at once."""
    from microwork.work import fairness

    clocks = []

    def step() -> None:
        later = timezone.now() + timedelta(seconds=fairness.OPENING_ROUND_SECONDS + 1)
        clock = time_machine.travel(later, tick=True)
        clock.start()
        clocks.append(clock)

    yield step
    for clock in reversed(clocks):
        clock.stop()


@pytest.fixture
def rita(db):
    # Rita is a requester at Acme Labs: she owns projects and their API token.
    return account_services.requester_signup(
        username="rita",
        email="rita@acme.example",
        password="rita-pass-123",
        organisation_name="Acme Labs",
    )


@pytest.fixture
def rob(db):
    # Rob is a requester at another organisation: he must never touch Rita's projects.
    return account_services.requester_signup(
        username="rob",
        email="rob@other.example",
        password="rob-pass-1234",
        organisation_name="Other Org",
    )


@pytest.fixture
def walt(db):
    # Walt is a worker in Lagos who reads English and Yoruba.
    return account_services.worker_signup(
        username="walt",
        email="walt@example.org",
        password="walt-pass-123",
        country="NG",
        languages=["en", "yo"],
        timezone_name="Africa/Lagos",
    )


@pytest.fixture
def nina(db):
    # Nina is a worker in Antananarivo who reads French and Malagasy.
    return account_services.worker_signup(
        username="nina",
        email="nina@example.org",
        password="nina-pass-123",
        country="MG",
        languages=["fr", "mg"],
        timezone_name="Indian/Antananarivo",
        language="fr",
    )


@pytest.fixture
def omar(db, django_user_model):
    # Omar is an operator: staff, works in the admin.
    return django_user_model.objects.create_user(
        username="omar", email="omar@microwork.example", password="omar-pass-123", is_staff=True
    )


@pytest.fixture
def rita_token(rita):
    from microwork.accounts.access import access_organisation_for_requester

    org = access_organisation_for_requester(user=rita)
    _token, key = account_services.api_token_create(user=rita, name="tests", organisation=org)
    return key


@pytest.fixture
def walt_token(walt):
    _token, key = account_services.api_token_create(user=walt, name="phone")
    return key


# A browser test that stops answering (a page call Playwright gives no time limit, such as an
# evaluate, a download's path or a context's close, waiting on a renderer that never replies)
# would hold its pytest worker, and the whole run, until CI gives up. After this long the test
# is interrupted where it waits (an alarm signal: stopping the worker instead left pytest-xdist's
# group scheduling waiting for the replaced worker for ever) and tried once more; it fails if
# it stops answering again. Any other failure is not retried. Each thread's stack is written
# to a file first and the run's summary prints it: which call hung.
BROWSER_TEST_SECONDS = 240
HANG_DIR = "MICROWORK_HANG_DIR"


def pytest_configure(config):
    # Set before the workers start, so they inherit it.
    if HANG_DIR not in os.environ:
        os.environ[HANG_DIR] = tempfile.mkdtemp(prefix="microwork-hangs-")


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Run only the tests that use the database (CI's second database: the others "
        "have already run on the first, and nothing they do depends on it), leaving out the "
        "long simulations marked one_database.",
    )


# A test reaches the database through one of these (directly or through a person fixture).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_setup", "live_server", "django_db_reset_sequences"}
)


def _uses_database(item) -> bool:
    if item.get_closest_marker("one_database"):
        return False
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres_only"):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    if config.getoption("database_tests_only"):
        kept = [item for item in items if _uses_database(item)]
        dropped = [item for item in items if not _uses_database(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_SECONDS, method="signal"))
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["Timeout"]))


def _write_stacks(path, nodeid):
    # Playwright's sync calls wait in a greenlet: the test's own frame is not any thread's
    # current one, so the greenlets' frames are written too.
    import greenlet

    parts = [f"{nodeid} stopped answering. Threads:\n"]
    for ident, frame in sys._current_frames().items():
        parts.append(f"-- thread {ident}\n{''.join(traceback.format_stack(frame, limit=12))}")
    parts.append("Waiting greenlets (a test's Playwright call is here):\n")
    for obj in gc.get_objects():
        if isinstance(obj, greenlet.greenlet) and obj.gr_frame is not None:
            parts.append(f"-- greenlet\n{''.join(traceback.format_stack(obj.gr_frame, limit=12))}")
    path.write_text("".join(parts))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not item.get_closest_marker("browser"):
        return (yield)
    name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
    path = Path(os.environ[HANG_DIR]) / f"{os.getpid()}-{name}.txt"
    timer = threading.Timer(BROWSER_TEST_SECONDS - 10, _write_stacks, (path, item.nodeid))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()


def pytest_terminal_summary(terminalreporter):
    folder = Path(os.environ.get(HANG_DIR, "/nonexistent"))
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else ():
        terminalreporter.section("browser test stopped answering")
        terminalreporter.write(path.read_text())


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: CI must run the browser tests")
        pytest.skip("Debian's chromium is not installed")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be
    # allowed from the test body.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (390×844, like most phones our workers use)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    _close(context)


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    _close(context)


def _close(context) -> None:
    """Leave each page for a blank one before closing: a page closed in the middle of its own
    requests (a task page saves its draft as it is hidden) could keep the close waiting."""
    for page in context.pages:
        # A page that will not leave is closed all the same.
        with contextlib.suppress(Exception):
            page.goto("about:blank", timeout=5000)
    context.close()
