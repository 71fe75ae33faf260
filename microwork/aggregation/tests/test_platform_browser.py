"""The requester watches a re-estimate's progress on the results page, with no reload by hand."""

import pytest

from microwork.aggregation.models import AggregationRun
from microwork.projects.tests.factories import stored_answer
from microwork.work.tests.factories import add_tasks, live_project, make_worker

pytestmark = pytest.mark.browser


def test_results_page_follows_a_running_re_estimate_until_it_is_done(
    transactional_db, live_server, desktop, rita
):
    project = live_project(rita)
    [task] = add_tasks(project, 1)
    stored_answer(task, make_worker("crowd0"), "gory")

    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.fill("input[name=username]", "rita")
    desktop.fill("input[name=password]", "rita-pass-123")
    desktop.click("main button[type=submit]")
    desktop.wait_for_load_state()
    desktop.goto(f"{live_server.url}/projects/{project.pk}/results/")
    # No job worker runs in this test: the run stays queued until the test moves it along.
    desktop.click("text=Re-estimate now")
    desktop.wait_for_load_state()
    assert "Waiting to start" in desktop.locator("#run-status").inner_text()

    run = AggregationRun.objects.get()
    AggregationRun.objects.filter(pk=run.pk).update(status="running", stage="fitting", progress=45)
    # A function, not an expression: Playwright evals an expression in the page, which the
    # site's Content-Security-Policy (no 'unsafe-eval') refuses.
    desktop.wait_for_function(
        "() => document.querySelector('#run-status progress')"
        " && document.querySelector('#run-status progress').value === 45"
    )
    assert "Estimating" in desktop.locator("#run-status").inner_text()

    from microwork.aggregation.services import runs

    AggregationRun.objects.filter(pk=run.pk).update(status="queued")
    runs.aggregation_run_execute(run_id=run.pk)
    desktop.wait_for_selector("text=Up to date")
    row = desktop.locator("table tr", has_text="Picture number").inner_text()
    # The label in words, as the project shows it, and the method that gave it.
    assert "\tGory\t" in row and "ds" in row
