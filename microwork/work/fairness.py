"""Fair sharing of scarce work (docs/assignment.md explains it in plain words).

When more workers want tasks than there are free slots, a click's speed must not decide who
works. Requests wait for a short round; each round serves first the workers who have had
the least work from this project lately, and breaks ties by lot, never by arrival time.

The ranking is a plain function so the simulation in the tests runs the very rule the
service applies.
"""

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

# A round every few seconds: short enough that a waiting worker hardly notices, long enough
# that everyone who asked within it is considered together.
ROUND_SECONDS = 5
# "Least work lately" looks back this far.
FAIR_WINDOW = timedelta(hours=24)
# When a project opens at a set time, everyone who asks within this first minute is in the
# same first round, so the worker who arrives a few seconds late is not behind.
OPENING_ROUND_SECONDS = 60
# The waiting page checks in every ROUND_SECONDS; a request not seen for this long belongs
# to someone who left, and giving them a lease would waste the slot.
REQUEST_STALE_SECONDS = 20
HOURLY_WINDOW = timedelta(hours=1)


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


def hourly_cap_check(project, worker, now: datetime) -> str | None:
    """Eligibility check: the requester's per-worker hourly cap (Project.hourly_cap_per_worker)."""
    cap = project.hourly_cap_per_worker
    if not cap:
        return None
    from microwork.work.selectors import worker_recent_starts

    starts = worker_recent_starts(project=project, worker=worker, since=now - HOURLY_WINDOW)
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


def explain_waiting(request) -> str:
    """The stored decision about one waiting request, in plain words for its worker."""
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


def explain_no_work() -> str:
    return _("There is no task left in this project for you. Thank you for your work!")


def explain_subscribed(project) -> str:
    if project.opens_at is None:
        return _("We will tell you when %(name)s has work.") % {"name": project.name}
    return _(
        "We will tell you when %(name)s opens (%(time)s UTC). Everyone who asks in its first "
        "minute is in the same first round."
    ) % {"name": project.name, "time": formats.date_format(project.opens_at, "Y-m-d H:i")}
