"""In a real browser, under the site's Content-Security-Policy, the pages' own scripts still do
their work and the browser reports no violation: the worker's task, test and standing pages,
the requester's project form, upload, project and results pages, /api/docs and the admin."""

import pytest

from microwork.ledger.services.deposits import deposit_record
from microwork.projects.models import Batch
from microwork.quality.services.exams import qualification_test_create
from microwork.quality.tests.helpers import make_tasks
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import add_tasks, live_project
from tests.csp import csp_directives

pytestmark = pytest.mark.browser

# Playwright runs this before the page's own scripts; the policy does not apply to it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """Collects what the browser says about the policy, and script errors, on one page."""

    def __init__(self, page, base):
        self.page, self.base, self.problems = page, base, []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def goto(self, path):
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, path
        policy = csp_directives(response.headers.get("content-security-policy", ""))
        assert policy.get("script-src") == ["'self'"], path
        self.page.wait_for_load_state("load")
        return response

    def log_in(self, username, password):
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()


def test_worker_pages_run_their_scripts_without_a_violation(
    transactional_db, live_server, phone, rita, walt, omar
):
    project = live_project(rita)
    deposit_record(
        organisation=project.organisation, amount="20", currency="USD", reference="w", actor=omar
    )
    add_tasks(project, 3)
    gold = make_tasks(project, 2, gold=True)
    training = qualification_test_create(
        project=project,
        name="Practice",
        mode="training",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="0",
    )
    watch = Watch(phone, live_server.url)
    watch.log_in("walt", "walt-pass-123")

    # The task page: picking an answer saves the draft in the background (work/task.js).
    watch.goto("/work/")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#task-form")
    phone.wait_for_timeout(300)
    first_label = phone.locator("#task-form input[type=radio]").first
    value = first_label.get_attribute("value")
    first_label.check()
    phone.wait_for_function(
        "() => document.getElementById('draft-state') === null"
        " || document.getElementById('draft-state').textContent !== ''"
    )
    assert Assignment.objects.get(worker=walt).draft == value
    phone.wait_for_timeout(1000)
    phone.click("#task-form button[type=submit]")
    phone.wait_for_load_state()
    # The visible time the script counted reached the server with the answer.
    sent = Submission.objects.filter(worker=walt).first()
    assert sent is not None and sent.active_ms > 0, phone.locator("main").inner_text()

    # A training question counts visible time (quality/attempt.js) and takes the answer.
    watch.goto(f"/quality/tests/{training.pk}/")
    phone.click("main form button[type=submit]")
    phone.wait_for_selector("form#answer")
    phone.wait_for_timeout(300)
    phone.locator("form#answer input[type=radio]").first.check()
    phone.click("form#answer button[type=submit]")
    phone.wait_for_load_state()
    # The visible time the script counted reached the server with the answer.
    assert walt.test_attempts.get().answers.get(position=1).active_ms > 0

    for path in ("/quality/", "/work/history/", "/money/earnings/", "/inbox/", "/money/payouts/"):
        watch.goto(path)
    assert watch.problems == []


def test_requester_pages_run_their_scripts_without_a_violation(
    transactional_db, live_server, desktop, rita, omar
):
    project = live_project(rita)
    add_tasks(project, 2)
    deposit_record(
        organisation=project.organisation, amount="20", currency="USD", reference="r", actor=omar
    )
    # A batch still being checked: the project page asks for its progress (microwork/progress.js).
    checking = Batch.objects.create(
        project=project, uploaded_by=rita, filename="big.csv", file_format="csv", status="pending"
    )
    watch = Watch(desktop, live_server.url)
    watch.log_in("rita", "rita-pass-123")

    # The project form previews the instructions as the requester types (projects/form.js).
    watch.goto("/projects/new/")
    desktop.fill("[data-preview]", "Look for **whiskers**.")
    desktop.wait_for_function(
        "() => document.querySelector('#instructions-preview strong')?.textContent === 'whiskers'"
    )
    shown = desktop.locator("fieldset[data-interface]:visible").count()
    assert shown <= 1 < desktop.locator("fieldset[data-interface]").count()

    with desktop.expect_request(f"**/projects/batches/{checking.pk}/progress/"):
        watch.goto(f"/projects/{project.pk}/")

    watch.goto(f"/projects/{project.pk}/upload/")
    desktop.set_input_files(
        "input[type=file]",
        files=[{"name": "more.csv", "mimeType": "text/csv", "buffer": b"text\nA cat\nA dog\n"}],
    )
    desktop.click("main form button[type=submit]")
    desktop.wait_for_load_state()
    assert project.batches.filter(filename="more.csv").exists(), desktop.locator(
        "main"
    ).inner_text()

    for path in (
        f"/projects/{project.pk}/results/",
        f"/quality/projects/{project.pk}/",
        f"/money/billing/projects/{project.pk}/review/",
        "/money/billing/",
        "/accounts/tokens/",
    ):
        watch.goto(path)
    assert watch.problems == []


def test_api_docs_show_the_operations_from_local_files(
    live_server, desktop, transactional_db, walt
):
    watch = Watch(desktop, live_server.url)
    requested = []
    desktop.on("request", lambda r: requested.append(r.url))
    watch.log_in("walt", "walt-pass-123")
    watch.goto("/api/docs")
    desktop.wait_for_selector(".opblock", timeout=20000)
    assert desktop.locator(".opblock").count() > 20
    assert "microwork API" in desktop.locator(".info .title").inner_text()
    # "Try it out" works from the page: the call goes to this site with Walt's session.
    operation = desktop.locator(
        ".opblock-get", has=desktop.locator("[data-path='/api/work/history']")
    )
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    with desktop.expect_response("**/api/work/history*") as call:
        operation.locator(".execute").click()
    assert call.value.status == 200
    operation.locator(".live-responses-table").wait_for()
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)
    assert watch.problems == []


def test_admin_works_under_the_policy(transactional_db, live_server, browser, omar, walt):
    # Omar, the operator, works in Django's admin: its scripts run from files too.
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        watch = Watch(page, live_server.url)
        watch.goto("/admin/login/")
        page.fill("input[name=username]", "omar")
        page.fill("input[name=password]", "omar-pass-123")
        page.click("input[type=submit]")
        page.wait_for_selector("#content-main")
        watch.goto("/admin/accounts/user/")
        # The changelist's select-all box is driven by admin/js/actions.js.
        page.check("#action-toggle")
        assert page.locator("tr.selected").count() >= 2
        watch.goto(f"/admin/accounts/user/{walt.pk}/change/")
        page.wait_for_selector("#user_form")
        assert watch.problems == []
    finally:
        context.close()
