"""Screenshots for the README, made from the demo data with Debian's chromium:

    .venv/bin/python scripts/screenshots.py

writes docs/screenshots/worker-task-phone.png (a worker's task page on a phone) and
docs/screenshots/requester-dashboard.png (a requester's project dashboard on a desktop).
Everything happens in a fresh
database in a temporary folder, served by a server in this process; nothing is left behind
but the two pictures."""

import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def main() -> int:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("Debian's chromium is needed: apt-get install chromium", file=sys.stderr)
        return 1
    var = Path(tempfile.mkdtemp(prefix="microwork-screenshots-"))
    os.environ.update(
        MICROWORK_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'screenshots.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        # The server below runs in this thread's event loop's shadow: the ORM must be allowed.
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    sys.path.insert(0, str(ROOT))
    try:
        return _take(chromium)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def _take(chromium: str) -> int:
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.testcases import LiveServerThread
    from django.urls import reverse
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from microwork.accounts.models import User
    from microwork.demo.seed import PASSWORD, demo_load
    from microwork.projects.models import Project
    from microwork.work import fairness
    from microwork.work.services.claiming import assignment_claim

    call_command("migrate", verbosity=0)
    demo_load()
    walt = User.objects.get(username="walt")
    # The recipe project: a text task that reads well on a phone, with a crowd's answers.
    project = Project.objects.filter(interface="multiple_choice").order_by("pk").first()
    assert project is not None
    later = timezone.now() + timedelta(seconds=fairness.OPENING_ROUND_SECONDS + 1)
    assignment = assignment_claim(worker=walt, project=project, now=later)
    assert assignment is not None, "the demo left no task for walt"
    dashboard = reverse("review:dashboard", args=[project.pk])

    server = LiveServerThread("127.0.0.1", static_handler=StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            shots = [
                (
                    "walt",
                    PHONE,
                    True,
                    reverse("work:task", args=[assignment.pk]),
                    "worker-task-phone.png",
                ),
                ("rita", DESKTOP, False, dashboard, "requester-dashboard.png"),
            ]
            for username, viewport, mobile, path, name in shots:
                context = browser.new_context(
                    viewport=viewport, device_scale_factor=1, is_mobile=mobile, has_touch=mobile
                )
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / name))
                context.close()
                print(f"wrote {OUT.relative_to(ROOT) / name} ({path})")
            browser.close()
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
