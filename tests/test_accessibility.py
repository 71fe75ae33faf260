"""Every page of the site, as a worker, a requester, an operator and a visitor, checked by
axe-core (shipped inside the axe-playwright-python wheel, so it runs offline) on a phone and a
desktop viewport, with no violation allowed.

One list, PAGES, names each page, who opens it and the objects in its address; a page added
to the URL confs must be added there (or to NOT_PAGES with the reason it is no page), which
test_every_page_of_the_url_confs_is_listed holds. To keep the suite quick, the demo data is
loaded once for the module, one browser context per role is logged in once, and each page's
test runs both viewports on the same tab."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The page tests carry no django_db marker: it would wrap each in a transaction, and SQLite's
# IMMEDIATE mode takes the write lock at its start, so a page that writes (the task page keeps
# the sitting in the session) would wait out the busy timeout and fail. The `world` fixture
# unblocks the database for the module's data and live server; the one marked test below makes
# the session create the test database even when this module runs alone.
# xdist_group: with `--dist loadgroup` (.ci/run) every page runs on one worker, so the demo is
# loaded once.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("accessibility"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class Page:
    url_name: str
    role: str  # "worker", "requester", "operator" or "visitor"
    args: tuple[str, ...] = ()  # keys of the `world` fixture, in the address's order

    @property
    def id(self) -> str:
        return f"{self.role}-{self.url_name}"


PAGES: list[Page] = [
    # Visitors
    Page("home", "visitor"),
    Page("accounts:login", "visitor"),
    Page("accounts:signup", "visitor"),
    Page("accounts:password_reset", "visitor"),
    Page("accounts:password_reset_done", "visitor"),
    Page("accounts:password_reset_complete", "visitor"),
    Page("accounts:terms", "visitor"),
    Page("voice:summary", "visitor"),
    # Workers
    Page("work:home", "worker"),
    Page("work:history", "worker"),
    Page("work:fair", "worker"),
    Page("work:task", "worker", ("assignment",)),
    Page("work:waiting", "worker", ("project",)),
    Page("payments:worker", "worker"),
    Page("ledger:payouts", "worker"),
    Page("quality:standing", "worker"),
    Page("quality:rules_doc", "worker"),
    Page("quality:decision", "worker", ("decision",)),
    Page("quality:test", "worker", ("training",)),
    Page("quality:attempt", "worker", ("attempt",)),
    Page("quality:attempt_result", "worker", ("finished_attempt",)),
    Page("wellbeing:settings", "worker"),
    Page("wellbeing:break", "worker"),
    Page("privacy:home", "worker"),
    Page("privacy:consent", "worker", ("voice_project",)),
    Page("inbox:inbox", "worker"),
    Page("inbox:mail", "worker"),
    Page("accounts:profile", "worker"),
    Page("accounts:password_change", "worker"),
    Page("accounts:tokens", "worker"),
    Page("accounts:terms_review", "worker"),
    Page("work:preview", "worker", ("project",)),
    Page("live:home", "worker"),
    Page("voice:requester", "worker", ("organisation",)),
    Page("voice:ratings", "worker"),
    Page("voice:rate", "worker", ("rated_project",)),
    Page("voice:feedback", "worker"),
    Page("mturk:qualifications", "worker"),
    # Requesters
    Page("projects:list", "requester"),
    Page("projects:create", "requester"),
    Page("projects:detail", "requester", ("project",)),
    Page("projects:edit", "requester", ("project",)),
    Page("projects:upload", "requester", ("project",)),
    Page("results:page", "requester", ("project",)),
    Page("quality:project", "requester", ("project",)),
    Page("payments:billing", "requester"),
    Page("review:page", "requester", ("project",)),
    Page("review:dashboard", "requester", ("project",)),
    Page("payments:go_live", "requester", ("project",)),
    Page("projects:task_preview", "requester", ("project",)),
    Page("projects:clone", "requester", ("project",)),
    Page("quality:blocks", "requester"),
    Page("webhooks:subscriptions", "requester"),
    Page("webhooks:subscription", "requester", ("subscription",)),
    Page("mturk:keys", "requester"),
    Page("review:reject", "requester", ("submission",)),
    Page("review:reject_many", "requester", ("project",)),
    Page("review:peer_reviews", "requester", ("peer_project",)),
    Page("accounts:profile", "requester"),
    Page("accounts:tokens", "requester"),
    Page("inbox:inbox", "requester"),
    # Operators
    Page("operator", "operator"),
    Page("quality:operator", "operator"),
    Page("ledger:operator_payouts", "operator"),
    Page("ledger:operator_deposit", "operator"),
]

# Named addresses that are no page to check, and why.
NOT_PAGES = {
    "accounts:logout": "a form's target",
    "accounts:token_revoke": "a form's target",
    "accounts:password_reset_confirm": "a signed one-time link (test_password_reset.py)",
    "favicon": "the icon",
    "set_language": "a form's target",
    "media": "files, not pages",
    "inbox:read": "a form's target",
    "ledger:payout_request": "a form's target",
    "ledger:payout_method_remove": "a form's target",
    "ledger:operator_payout_finish": "a form's target",
    "ledger:worker_statement": "a CSV download",
    "payments:requester_statement": "a CSV download",
    "projects:preview": "the instructions preview a form fetches",
    "projects:status": "a form's target",
    "projects:batch_progress": "a fragment the upload page fetches",
    "results:configure": "a form's target",
    "results:reestimate": "a form's target",
    "results:run_status": "a fragment the results page fetches",
    "review:approve_progress": "a fragment the review page fetches",
    "results:download": "a file download",
    "review:act": "a form's target",
    "review:peer_reviews_csv": "a CSV download",
    "quality:rule_save": "a form's target",
    "quality:approval_rule_save": "a form's target",
    "quality:settings_save": "a form's target",
    "quality:test_create": "a form's target",
    "quality:qualification_add": "a form's target",
    "quality:requirement_add": "a form's target",
    "quality:requirement_remove": "a form's target",
    "quality:grant_add": "a form's target",
    "quality:appeal_decide": "a form's target",
    "quality:operator_suspend": "a form's target",
    "quality:operator_lift": "a form's target",
    "quality:test_start": "a form's target",
    "wellbeing:take_break": "a form's target",
    "work:start": "a form's target",
    "work:notify": "a form's target",
    "work:leave": "a form's target",
    "work:skip": "a form's target",
    "work:return": "a form's target",
    "privacy:withdraw": "a form's target",
    "privacy:download": "a JSON download",
    "ledger:payout_method_add": "a form's target (the form is on the payouts page)",
    "quality:appeal_create": "a form's target (the form is on the decision's page)",
    "privacy:delete_account": "a form's target (the form is on the my-data page)",
    "payments:deposit": "a form's target (the form is on the billing page)",
    "payments:review": "the review page's old address, sent on to review:page",
    "accounts:terms_accept": "a form's target (the form is on the terms review page)",
    "live:opt_in": "a form's target (the form is on the live page)",
    "live:availability": "a form's target (the form is on the live page)",
    "live:accept": "a form's target (the offer on the live page)",
    "live:decline": "a form's target (the offer on the live page)",
    "mturk:endpoint": "the MTurk API's endpoint (JSON; test_operations.py)",
    "mturk:key_revoke": "a form's target (the form is on the keys page)",
    "mturk_endpoint": "the MTurk API's endpoint without its slash (JSON)",
    "mturk:external_submit": "the target of a requester's form inside a task's frame",
    "mturk:qualification_request": "a form's target (the form is on the qualifications page)",
    "quality:block_lift": "a form's target (the form is on the blocks page)",
    "webhooks:edit": "a form's target (the form is on the subscription's page)",
    "webhooks:pause": "a form's target (the form is on the subscription's page)",
    "webhooks:rotate": "a form's target (the form is on the subscription's page)",
    "webhooks:test": "a form's target (the form is on the subscription's page)",
    "webhooks:delete": "a form's target (the form is on the subscription's page)",
}


def _url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith(("admin/", "api/")):
                continue  # the admin is Django's; the API is JSON
            inner = entry.namespace or ""
            yield from _url_names(entry, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


@pytest.mark.django_db
def test_every_page_of_the_url_confs_is_listed():
    listed = {page.url_name for page in PAGES} | set(NOT_PAGES)
    assert sorted(set(_url_names()) - listed) == []
    assert sorted(listed - set(_url_names())) == []


def done_answer(project):
    """Any valid answer of the single-choice project: the first of its labels."""
    return project.config["labels"][0]["value"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and emptied after it; the pages only read."""
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from microwork.accounts.models import User
    from microwork.demo.seed import demo_load
    from microwork.projects.models import Project
    from microwork.quality.services.decisions import decision_record
    from microwork.quality.services.exams import (
        qualification_test_create,
        test_answer_submit,
        test_attempt_start,
    )
    from microwork.webhooks.services.subscriptions import subscription_create
    from microwork.work import fairness
    from microwork.work.models import Submission
    from microwork.work.services.claiming import assignment_claim

    with django_db_blocker.unblock():
        demo_load(crowd_size=2, answers_per_worker=1)
        walt = User.objects.get(username="walt")
        project = Project.objects.filter(interface="single_choice").order_by("pk").first()
        later = timezone.now() + timedelta(seconds=fairness.OPENING_ROUND_SECONDS + 1)
        assignment = assignment_claim(worker=walt, project=project, now=later)
        decision = decision_record(
            worker=walt,
            project=project,
            kind="warning",
            inputs={"note": "accessibility check"},
            starts_at=timezone.now(),
            decided_by=User.objects.get(username="rita"),
            note="Please read the instructions again.",
        )
        # A training in progress and a finished one: the test pages need an attempt each.
        gold = list(project.tasks.filter(is_gold=True).values_list("pk", flat=True))
        training, finished = (
            qualification_test_create(
                project=project,
                name=name,
                mode="training",
                task_ids=gold[:1],
                question_count=1,
                pass_mark="0",
            )
            for name in ("Practice", "Practice again")
        )
        attempt = test_attempt_start(test=training, worker=walt)
        done = test_attempt_start(test=finished, worker=walt)
        test_answer_submit(attempt=done, position=1, answer=done_answer(project), active_ms=5000)
        with override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True):
            subscription = subscription_create(
                organisation=project.organisation,
                url="http://127.0.0.1:9/microwork",
                events=["answer.submitted"],
            )
        ids = {
            "project": project.pk,
            "organisation": project.organisation_id,
            "rated_project": Submission.objects.filter(worker=walt).first().project_id,
            "subscription": subscription.pk,
            "training": training.pk,
            "attempt": attempt.pk,
            "finished_attempt": done.pk,
            "assignment": assignment.pk,
            "decision": decision.pk,
            "submission": Submission.objects.filter(project=project).first().pk,
            "voice_project": Project.objects.get(interface="voice_recording").pk,
            # The rewrite project's answers are checked by other workers.
            "peer_project": Project.objects.get(
                interface="free_text", organisation=project.organisation
            ).pk,
        }
        yield ids
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(world, django_db_blocker):
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        live = LiveServer("127.0.0.1:0")
        live._live_server_modified_settings.enable()
        yield live
        live._live_server_modified_settings.disable()
        live.stop()


PASSWORDS = {"worker": "walt", "requester": "rita", "operator": "omar"}


@pytest.fixture(scope="module")
def tabs(browser, server):
    """One tab per role, logged in once (the demo's people)."""
    from microwork.demo.seed import PASSWORD

    opened = {}
    contexts = []
    for role in ("visitor", "worker", "requester", "operator"):
        context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15000)
        if role in PASSWORDS:
            tab.goto(f"{server.url}/accounts/login/")
            tab.fill("input[name=username]", PASSWORDS[role])
            tab.fill("input[name=password]", PASSWORD)
            tab.click("main button[type=submit]")
            tab.wait_for_load_state()
        opened[role] = tab
    yield opened
    for context in contexts:
        context.close()


def _violations(tab) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_no_accessibility_violation_on_a_phone_or_a_desktop(page, world, server, tabs):
    tab = tabs[page.role]
    url = server.url + reverse(page.url_name, args=[world[key] for key in page.args])
    found = {}
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        tab.set_viewport_size(size)
        response = tab.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        problems = _violations(tab)
        if problems:
            found[label] = problems
    assert found == {}, found
