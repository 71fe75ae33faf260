"""What happens after a submission is stored: the registry of the submit's hooks, key →
dotted path of `hook(*, submission)`, called in the order listed here with the Submission
just stored (its task row locked by the submit).

Hooks run inside the submit transaction: if one fails, the answer is not stored either, so a
worker never has an answer without its earning. A hook that does slow work must queue it
with `transaction.on_commit` or a background task instead of doing it inline.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microwork.lib.registry import loaded, run_hooks

SUBMISSION_HOOKS: dict[str, str] = {
    # Live tasks first: an answer after the requester's deadline, or from a worker whose
    # offer was handed over, is refused before anything else counts it (docs/live.md).
    "live": "microwork.live.services.answers.submission_live",
    # Aggregation first: it relabels the task, and quality compares the answer with that label.
    "aggregation": "microwork.aggregation.services.live.submission_aggregate",
    # Quality second: it counts the answer in the worker's skill, applies the project's rules
    # and may queue an early approval, which only runs after the whole submit has committed.
    "quality": "microwork.quality.services.enforcement.submission_recorded",
    # The answer's reward becomes the worker's pending earning. Booked in this same
    # transaction, so no answer is ever stored unpaid, and a project out of funds refuses the
    # answer itself. Last, where it has always run: the hooks share the transaction, so its
    # refusal undoes the two before it and the order changes no outcome; and quality's
    # early approval, queued above, moves this earning once everything has committed.
    "earning": "microwork.payments.services.earnings.submission_earning_record",
    # Peer review last: an answer to check gets its review task (funded in this transaction,
    # like the earning before it), and a reviewer's verdict, once booked and paid, may decide
    # the answer it checks through the approval or rejection above.
    "review": "microwork.review.peer_reviews.submission_peer_review",
    # The requester's webhooks after everything that may refuse the answer or close the task
    # early: the events are stored here and sent once the submit has committed.
    "webhooks": "microwork.work.webhook_events.submission_webhooks",
}


# Where the task page goes after an answer, a skip or a give-back instead of the project's
# next task: key → dotted path of `after(*, assignment) -> str | None` (an address), asked in
# order; the first address wins. A live task's worker goes back to the live page.
AFTER_ANSWER: dict[str, str] = {
    "live": "microwork.live.selectors.after_answer",
}


def after_answer_url(*, assignment: Any) -> str | None:
    for path in AFTER_ANSWER.values():
        url = loaded(path)(assignment=assignment)
        if url:
            return str(url)
    return None


def submission_hooks_run(*, submission: Any) -> None:
    run_hooks(SUBMISSION_HOOKS, submission=submission)


# What the task page says above a task, beside the task itself: key → dotted path of
# `notice(*, assignment, worker, now) -> TaskNotice | None`, asked in the order listed each
# time the page is drawn; every notice given is shown. The wellbeing app suggests a break
# after a long stretch of disturbing content.
TASK_NOTICES: dict[str, str] = {
    "wellbeing": "microwork.wellbeing.selectors.break_notice",
}


@dataclass(frozen=True)
class TaskNotice:
    """A line for the worker, with one optional action (a form posted to `action_url`)."""

    text: str
    action_url: str = ""
    action_label: str = ""


def task_notices(*, assignment: Any, worker: Any, now: datetime) -> list[TaskNotice]:
    found = (
        loaded(path)(assignment=assignment, worker=worker, now=now)
        for path in TASK_NOTICES.values()
    )
    return [notice for notice in found if notice is not None]


# Who a project's requester is, as the platform measured it: key → dotted path of
# `summaries(*, organisation_ids) -> dict[int, str]`, asked once for every project the work
# page, a preview or a task page shows; each gives one short line per organisation. The voice
# app gives the requester's record (hourly rate paid, approvals, workers' ratings), whose full
# page the line links to.
REQUESTER_RECORDS: dict[str, str] = {
    "voice": "microwork.voice.selectors.requester_summaries",
}


def requester_summaries(*, organisation_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(organisation_ids))
    found: dict[int, str] = {}
    for path in REQUESTER_RECORDS.values():
        found.update(loaded(path)(organisation_ids=ids))
    return found
