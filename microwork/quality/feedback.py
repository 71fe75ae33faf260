"""Release of control feedback: what a worker is shown of control tasks, and of the figures
derived answer by answer, changes only in releases that cannot be tied to one answer.

The rule (docs/quality.md, "When your figures change"): a release covers every answer up to a
cut-off. The cut-off is the worker's latest answer on the project that is at least
CONTROL_FEEDBACK_DELAY hours old, and a release is made only when that adds at least
CONTROL_FEEDBACK_MIN_ANSWERS answers to what the previous release covered. Both conditions
read only the times and the number of the worker's answers, never whether an answer was a
control, so the moment of a release says nothing about which answers were controls. Between
two releases the worker learns only totals over a block of at least that many answers
(how many were controls, how many of those were right), never which of them.

Releases are written by the periodic quality sweep and frozen: agreement with the labels
moves as other workers answer, so figures computed at read time would move between releases.
Requesters keep reading the live WorkerSkill row.
"""

from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.quality import selectors
from microwork.quality.models import FeedbackRelease, WorkerSkill
from microwork.work.models import Submission


def release_delay() -> timedelta:
    return timedelta(hours=settings.CONTROL_FEEDBACK_DELAY)


def release_min_answers() -> int:
    return settings.CONTROL_FEEDBACK_MIN_ANSWERS


def _after(release: FeedbackRelease | None) -> Q:
    """Answers after a release's cut-off, in (submitted_at, id) order."""
    if release is None:
        return Q()
    return Q(submitted_at__gt=release.cutoff_at) | Q(
        submitted_at=release.cutoff_at, pk__gt=release.cutoff_submission_id
    )


def latest_release(*, project: Project, worker: User) -> FeedbackRelease | None:
    return (
        FeedbackRelease.objects.filter(project=project, worker=worker).order_by("-number").first()
    )


def next_cutoff(
    *, project: Project, worker: User, previous: FeedbackRelease | None, now: datetime
) -> tuple[Submission, int] | None:
    """The cut-off answer of the release due now and how many answers it adds, or None.

    Answers old enough form a prefix of the worker's answers in time order, so the cut-off is
    the newest of them; it is due once the prefix holds enough answers the previous release
    did not cover."""
    old = Submission.objects.filter(
        project=project, worker=worker, submitted_at__lte=now - release_delay()
    ).filter(_after(previous))
    new = old.count()
    if new < release_min_answers():
        return None
    cutoff = old.order_by("-submitted_at", "-pk").first()
    return (cutoff, new) if cutoff is not None else None


@transaction.atomic
def feedback_release_create(
    *, project: Project, worker: User, now: datetime
) -> FeedbackRelease | None:
    """Release the worker's figures on the project if a release is due, else None."""
    # The skill row is the per-worker-and-project lock every answer takes: two sweeps cannot
    # both write release n, and the counts below cannot miss an answer arriving meanwhile.
    skill = WorkerSkill.objects.select_for_update().filter(project=project, worker=worker).first()
    if skill is None:
        return None
    previous = latest_release(project=project, worker=worker)
    due = next_cutoff(project=project, worker=worker, previous=previous, now=now)
    if due is None:
        return None
    cutoff, new = due
    covered = Submission.objects.filter(project=project, worker=worker).filter(
        selectors.covered_q(cutoff.submitted_at, cutoff.pk)
    )
    gold = covered.filter(gold_correct__isnull=False)
    compared, agreed, _ids = selectors.agreement_counts(
        project=project,
        worker=worker,
        since=None,
        window=None,
        upto=selectors.covered_q(cutoff.submitted_at, cutoff.pk),
    )
    times = list(
        covered.order_by("-submitted_at", "-pk").values_list("active_ms", flat=True)[
            : selectors.MEDIAN_WINDOW
        ]
    )
    return FeedbackRelease.objects.create(
        worker=worker,
        project=project,
        number=(previous.number if previous else 0) + 1,
        cutoff_submission=cutoff,
        cutoff_at=cutoff.submitted_at,
        answers=covered.count(),
        new_answers=new,
        gold_answers=gold.count(),
        gold_correct=gold.filter(gold_correct=True).count(),
        compared=compared,
        agreed=agreed,
        median_active_ms=int(median(times)) if times else None,
        released_at=now,
    )


def feedback_releases_run(*, now: datetime) -> int:
    """The periodic job's part: make every release that is due. Only workers with at least
    the minimum number of answers beyond their last release are looked at (the live answer
    count on the skill row says so without reading their answers)."""
    released = (
        FeedbackRelease.objects.filter(worker=OuterRef("worker"), project=OuterRef("project"))
        .order_by("-number")
        .values("answers")[:1]
    )
    candidates = (
        WorkerSkill.objects.annotate(released=Coalesce(Subquery(released), Value(0)))
        .filter(answers__gte=F("released") + release_min_answers())
        .select_related("project", "worker")
        .order_by("pk")
    )
    made = 0
    for skill in candidates.iterator():
        if feedback_release_create(project=skill.project, worker=skill.worker, now=now):
            made += 1
    return made
