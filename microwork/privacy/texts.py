"""The words of the privacy app's inbox lines (inbox/kinds.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.inbox.models import Notification

# The requester's line names this many task ids at most; the Deletion record has them all.
TASKS_NAMED = 50


def _deleted(params: dict) -> str:
    tasks = params.get("tasks") or []
    count = int(params.get("count") or len(tasks))
    named = ", ".join(str(t) for t in tasks[:TASKS_NAMED])
    if count > TASKS_NAMED:
        named += " …"
    if params.get("reason") == "withdrawal":
        head = _("Worker %(worker)s withdrew their consent to “%(project)s”.")
    elif params.get("reason") == "account":
        head = _("Worker %(worker)s deleted their account; their data of “%(project)s” is erased.")
    else:
        head = _("The retention period of “%(project)s” ended for worker %(worker)s.")
    head %= {"worker": params.get("worker", "?"), "project": params.get("project", "")}
    if not count:
        return head + " " + _("None of their items held personal data to delete.")
    return (
        head
        + " "
        + ngettext(
            "Their personal data in %(count)d task was deleted (task id: %(tasks)s); the "
            "answer stays, and so does the payment.",
            "Their personal data in %(count)d tasks was deleted (task ids: %(tasks)s); the "
            "answers stay, and so does the payment.",
            count,
        )
        % {"count": count, "tasks": named}
    )


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    return [
        (
            _deleted(n.params or {}),
            reverse("projects:detail", args=[n.params["project_id"]])
            if (n.params or {}).get("project_id")
            else None,
        )
        for n in notifications
    ]
