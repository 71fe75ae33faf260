"""Fair sharing of scarce work (docs/assignment.md explains it in plain words).

When more workers want tasks than there are free slots, a click's speed must not decide who
works. Requests wait for a short round; each round serves first the workers who have had
the least work from this project lately, and breaks ties by lot, never by arrival time.

The ranking is a plain function of (worker, tasks received lately) pairs so that it can be
tested on its own; the crowd simulation in the tests drives the services that apply it.
"""

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.lib.l10n import datetime_text

# A round every few seconds: short enough that a waiting worker hardly notices, long enough
# that everyone who asked within it is considered together.
ROUND_SECONDS = 5
# "Least work lately" looks back this far.
FAIR_WINDOW = timedelta(hours=24)
# Whenever work is released (a project opening at a set time or going live, a new batch),
# everyone who asks within this first minute is in the same first round, so the worker who
# arrives a few seconds late is not behind.
OPENING_ROUND_SECONDS = 60
# The waiting page checks in every ROUND_SECONDS; a request not seen for this long belongs
# to someone who left, and giving them a lease would waste the slot.
REQUEST_STALE_SECONDS = 20
HOURLY_WINDOW = timedelta(hours=1)
# While newly released work waits for its first round nothing can change for a waiting
# worker, so the page checks in less often (still well inside REQUEST_STALE_SECONDS): an
# opening that thousands wait for then costs a third of the requests.
CHECK_IN_WHILE_OPENING = 15


def check_in_after(first_round_at: datetime | None, now: datetime) -> int:
    """Seconds until the waiting page should check in again."""
    if first_round_at is None:
        return ROUND_SECONDS
    until = int((first_round_at - now).total_seconds())
    return max(ROUND_SECONDS, min(CHECK_IN_WHILE_OPENING, until))


@dataclass(frozen=True, slots=True)
class Ranked:
    key: Hashable
    received: int
    lot: float


def rank_requests(requests: Sequence[tuple[Hashable, int]], *, rng: random.Random) -> list[Ranked]:
    """Order (key, tasks received lately) pairs: fewest received first, ties by lot.

    The lot is drawn for every request of the round, including the ones served anyway, so
    the stored decision always shows the draw."""
    ranked = [Ranked(key=key, received=received, lot=rng.random()) for key, received in requests]
    ranked.sort(key=lambda r: (r.received, r.lot))
    return ranked


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative shares: 0 when all equal, near 1 when one has all."""
    xs = sorted(values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def cap_refusal(project, starts: list[datetime]) -> str | None:
    """The refusal of the requester's hourly cap, given the worker's starts in the last hour."""
    cap = project.hourly_cap_per_worker
    if len(starts) < cap:
        return None
    # The oldest start in the window leaves it first; that is when one more task is allowed.
    free_at = starts[len(starts) - cap] + HOURLY_WINDOW
    return _(
        "You have started %(count)d tasks in this project in the last hour. The requester "
        "allows %(cap)d an hour per worker so the work is shared; you can continue at %(time)s UTC."
    ) % {"count": len(starts), "cap": cap, "time": formats.time_format(free_at, "H:i")}


def policy_summary() -> str:
    return _(
        "When more people want tasks than there are free tasks, nobody wins by clicking first. "
        "Everyone who asks waits for a short round (every %(seconds)d seconds). Each round "
        "gives the free tasks first to the people who have had the fewest tasks from this "
        "project in the last 24 hours; people with the same number are ordered by lot. When "
        "a project opens at a set time, everyone who asks in its first minute is in the same "
        "first round, so arriving a few seconds late costs you nothing."
    ) % {"seconds": ROUND_SECONDS}


def release_summary() -> str:
    return _(
        "The same holds whenever new tasks are released (a project going live, or a new "
        "batch, at once or at a time the requester announced): for their first minute nobody "
        "is given them, and everyone who asks in that minute, and everyone who asked to be "
        "told, is in the same first round. If a project has run out, ask to be told and you "
        "will get a message when new tasks come."
    )


def project_rules(project, *, now: datetime, next_release: tuple[datetime, int] | None = None):
    """What this project's requester chose, in plain words (opening times, hourly cap)."""
    rules = []
    if project.opens_at is not None and project.opens_at > now:
        rules.append(_("Work opens at %(time)s UTC.") % {"time": datetime_text(project.opens_at)})
    if next_release is not None:
        at, count = next_release
        rules.append(
            ngettext(
                "%(n)d new task opens at %(time)s UTC.",
                "%(n)d new tasks open at %(time)s UTC.",
                count,
            )
            % {"n": count, "time": datetime_text(at)}
        )
    if project.hourly_cap_per_worker:
        rules.append(
            ngettext(
                "At most %(n)d task per person per hour, so the work reaches more people.",
                "At most %(n)d tasks per person per hour, so the work reaches more people.",
                project.hourly_cap_per_worker,
            )
            % {"n": project.hourly_cap_per_worker}
        )
    return rules


def explain_waiting(request, first_round_at: datetime | None = None) -> str:
    """The stored decision about one waiting request, in plain words for its worker."""
    if first_round_at is not None:
        return _(
            "New tasks have just been released. Everyone who asks before %(time)s UTC is in "
            "the same first round, which hands them out then: fewest tasks first, ties by lot. "
            "Keep this page open."
        ) % {"time": formats.time_format(first_round_at, "H:i:s")}
    if request.received_in_window is None:
        return _(
            "You are in the waiting round. Free tasks are shared every %(seconds)d seconds, "
            "first to the people who have had the fewest tasks here in the last 24 hours."
        ) % {"seconds": ROUND_SECONDS}
    return _(
        "Last round you had had %(received)d tasks from this project in the last 24 hours and "
        "were number %(rank)d in line (fewest tasks first, ties by lot). There were not enough "
        "free tasks for everyone; you stay in line for the next round in %(seconds)d seconds."
    ) % {
        "received": request.received_in_window,
        "rank": request.rank or 0,
        "seconds": ROUND_SECONDS,
    }


def explain_no_work(next_release_at: datetime | None = None) -> str:
    if next_release_at is not None:
        return _(
            "There is no task for you in this project right now. New tasks open at %(time)s "
            "UTC; ask to be told and you will get a message then."
        ) % {"time": datetime_text(next_release_at)}
    return _(
        "There is no task left in this project for you right now. Thank you for your work! "
        "Ask to be told and you will get a message when new tasks are added."
    )


def explain_subscribed(project, now: datetime | None = None) -> str:
    if project.opens_at is None or (now is not None and project.opens_at <= now):
        return _(
            "We will tell you when %(name)s has new tasks. Everyone who asks in the first "
            "minute after they are released is in the same first round."
        ) % {"name": project.name}
    return _(
        "We will tell you when %(name)s opens (%(time)s UTC). Everyone who asks in its first "
        "minute is in the same first round."
    ) % {"name": project.name, "time": datetime_text(project.opens_at)}
