"""Writes: a worker's rating of a project, a worker's message to the operators, and the
operators' answer to it."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.projects.models import Project
from microwork.voice.models import MARK_MAX, MARK_MIN, Feedback, ProjectRating
from microwork.work.models import Submission

MARK_FIELDS = {
    "instructions": gettext_lazy("Clear instructions"),
    "fairness": gettext_lazy("Fair review"),
    "pay": gettext_lazy("Pay for the time"),
}
FEEDBACK_MAX_CHARS = 4000
ANSWER_MAX_CHARS = 4000


def _mark(name: str, value: Any) -> int:
    try:
        mark = int(value)
    except (TypeError, ValueError):
        mark = 0
    if not MARK_MIN <= mark <= MARK_MAX:
        raise ApplicationError(
            _("%(field)s: choose a mark from %(low)d to %(high)d.")
            % {"field": MARK_FIELDS[name], "low": MARK_MIN, "high": MARK_MAX},
            code="invalid_mark",
            field=name,
        )
    return mark


@transaction.atomic
def project_rating_save(
    *,
    worker: User,
    project: Project,
    instructions: Any,
    fairness: Any,
    pay: Any,
    now: datetime | None = None,
) -> ProjectRating:
    """One rating per worker and project, made once and changed in place after: saving twice
    (a retried post) leaves one row with the last marks."""
    now = now or timezone.now()
    marks = {
        "instructions": _mark("instructions", instructions),
        "fairness": _mark("fairness", fairness),
        "pay": _mark("pay", pay),
    }
    if not Submission.objects.filter(worker=worker, project=project).exists():
        raise Forbidden(_("Rate a project after answering at least one of its tasks."))
    rating = (
        ProjectRating.objects.select_for_update().filter(worker=worker, project=project).first()
    )
    if rating is None:
        try:
            with transaction.atomic():
                return ProjectRating.objects.create(
                    worker=worker, project=project, created_at=now, updated_at=now, **marks
                )
        except IntegrityError:
            # The same rating sent twice at once: the other one is stored; change it instead.
            rating = ProjectRating.objects.select_for_update().get(worker=worker, project=project)
    for name, value in marks.items():
        setattr(rating, name, value)
    rating.updated_at = now
    rating.save(update_fields=[*marks, "updated_at"])
    return rating


@transaction.atomic
def feedback_create(
    *, worker: User, subject: str, message: str, key: str = "", now: datetime | None = None
) -> Feedback:
    """A worker's message to the operators. `key` (the form's own) makes a retried post store
    one message."""
    if subject not in Feedback.Subject.values:
        raise ApplicationError(
            _("Subject: choose one from the list."), code="invalid", field="subject"
        )
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Message: write what you want to tell us."), field="message")
    if len(message) > FEEDBACK_MAX_CHARS:
        raise ApplicationError(
            _("Message: at most %(n)d characters.") % {"n": FEEDBACK_MAX_CHARS},
            code="too_long",
            field="message",
        )
    key = (key or "")[:64]
    if key:
        existing = Feedback.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.worker_id != worker.pk:
                raise Conflict(_("That form was already sent; reload the page."), field="key")
            return existing
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                worker=worker,
                subject=subject,
                message=message,
                created_at=now or timezone.now(),
                idempotency_key=key or None,
            )
    except IntegrityError:
        return Feedback.objects.get(idempotency_key=key, worker=worker)


@transaction.atomic
def feedback_answer(
    *,
    feedback: Feedback,
    operator: User,
    answer: str,
    public: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """An operator's answer, which the worker reads on their feedback page. Answering again
    corrects the answer; the first answer's time is kept (it is what the summary measures)."""
    if not operator.is_staff:
        raise Forbidden(_("Only operators answer workers' feedback."))
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("Answer: write the answer."), field="answer")
    if len(answer) > ANSWER_MAX_CHARS:
        raise ApplicationError(
            _("Answer: at most %(n)d characters.") % {"n": ANSWER_MAX_CHARS},
            code="too_long",
            field="answer",
        )
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.answer = answer
    feedback.answer_public = public
    feedback.answered_by = operator
    feedback.answered_at = feedback.answered_at or now or timezone.now()
    feedback.status = Feedback.Status.ANSWERED
    feedback.save(update_fields=["answer", "answer_public", "answered_by", "answered_at", "status"])
    return feedback
