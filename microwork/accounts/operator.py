"""The operators' start page: every operator tool in one list, each with what it is for.

A tool is a URL name (its app's page, or an admin list) and the words that say when to use
it. A new operator page is one line here; tests/test_operator_tools.py opens every link."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from microwork.accounts.models import User


@dataclass(frozen=True)
class Tool:
    url_name: str
    title: str | Promise
    purpose: str | Promise
    section: str | Promise


PEOPLE = _("People and decisions")
MONEY = _("Money")
PLATFORM = _("Platform")

TOOLS: list[Tool] = [
    Tool(
        "quality:operator",
        _("Appeals, flags and suspensions"),
        _(
            "Answer the appeals that reach operators, clear flags raised by the rules, "
            "suspend an account or lift a suspension."
        ),
        PEOPLE,
    ),
    Tool(
        "admin:quality_decision_changelist",
        _("Decisions"),
        _("Every decision about a worker, with its rule, inputs and outcome."),
        PEOPLE,
    ),
    Tool(
        "admin:quality_appeal_changelist",
        _("All appeals"),
        _("Every appeal, open or answered, and who answered it."),
        PEOPLE,
    ),
    Tool(
        "admin:voice_feedback_changelist",
        _("Workers' feedback"),
        _(
            "Read the messages workers send from their feedback page and answer them; the "
            "worker sees the answer there, and the time to answer is recorded."
        ),
        PEOPLE,
    ),
    Tool(
        "admin:accounts_user_changelist",
        _("Accounts"),
        _("Workers, requesters and operators."),
        PEOPLE,
    ),
    Tool(
        "ledger:operator_payouts",
        _("Payouts"),
        _("Workers' payouts waiting for a person, and the state of the books check."),
        MONEY,
    ),
    Tool(
        "ledger:operator_deposit",
        _("Deposits"),
        _("Record a requester's deposit that arrived outside the platform."),
        MONEY,
    ),
    Tool(
        "admin:ledger_ledgercheckrun_changelist",
        _("Books check"),
        _("Each hourly check of the books, and any problem it found."),
        MONEY,
    ),
    Tool(
        "admin:payments_payfloornotice_changelist",
        _("Pay floor notices"),
        _("Projects that paid under the pay floor, and the top-ups made."),
        MONEY,
    ),
    Tool(
        "admin:projects_project_changelist",
        _("Projects"),
        _("Every requester's projects and their status."),
        PLATFORM,
    ),
    Tool(
        "admin:index",
        _("Administration"),
        _("The full administration site: every table, read-only where only services write."),
        PLATFORM,
    ),
]


@dataclass(frozen=True)
class Link:
    url: str
    title: str | Promise
    purpose: str | Promise


def _may_open(user: User, url_name: str) -> bool:
    # An admin list opens for an operator allowed to view its rows (a superuser, or staff
    # given that permission); the operator pages themselves ask only for staff.
    if not url_name.startswith("admin:") or url_name == "admin:index":
        return True
    app_label, _sep, rest = url_name.removeprefix("admin:").partition("_")
    model = rest.removesuffix("_changelist")
    return user.has_perm(f"{app_label}.view_{model}")


def operator_sections(*, user: User) -> list[tuple[str | Promise, list[Link]]]:
    """The tools this operator may open, grouped by section in the order above; a tool whose
    page is not installed is left out rather than breaking the page."""
    sections: dict[str, tuple[str | Promise, list[Link]]] = {}
    for tool in TOOLS:
        if not _may_open(user, tool.url_name):
            continue
        try:
            url = reverse(tool.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(tool.section), (tool.section, []))[1].append(
            Link(url, tool.title, tool.purpose)
        )
    return list(sections.values())
