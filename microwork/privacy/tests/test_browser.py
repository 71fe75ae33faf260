"""On a phone: a worker reads what a project collects about them, agrees, starts, and later
withdraws."""

import pytest

from microwork.privacy.models import Consent
from microwork.work.models import Assignment
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser


def _leave(page):
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def test_a_worker_reads_agrees_starts_and_withdraws_on_a_phone(
    transactional_db, live_server, phone, walt, project, tasks
):
    base = live_server.url
    log_in(phone, base, "walt", "walt-pass-123")

    # No Start button: "Read and agree" instead.
    assert phone.locator(f"form[action='/work/p/{project.pk}/start/']").count() == 0
    phone.click("text=Read and agree")
    phone.wait_for_selector("#declaration")
    declaration = phone.inner_text("#declaration")
    assert "your voice" in declaration
    assert "Training a speech recogniser for Yoruba." in declaration
    assert "30 days after your last task" in declaration
    # It fits the phone's width: nothing to scroll sideways to read.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.click("#agree")
    phone.wait_for_url(f"{base}/work/")
    consent = Consent.objects.get(worker=walt, project=project)
    assert "Training a speech recogniser" in consent.text

    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector("#task-form")
    assignment = Assignment.objects.get(worker=walt)
    assert assignment.status == Assignment.Status.LEASED

    # On a phone the site's menu folds behind its Menu button.
    phone.click("label[for=menu-toggle]")
    phone.click("a[href='/privacy/']")
    phone.click(f"form[action='/privacy/p/{project.pk}/withdraw/'] button")
    phone.wait_for_selector("text=Consent withdrawn")
    assert wait_for(lambda: Consent.objects.get(pk=consent.pk).withdrawn_at is not None)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.RETURNED

    phone.goto(f"{base}/work/")
    assert phone.locator("text=Read and agree").count() == 1
    _leave(phone)
