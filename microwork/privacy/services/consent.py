"""A worker's consent to a project's personal data declaration: given (idempotent: a retry
finds the consent it made), and withdrawn at any time — the open tasks of the project go
back, the personal data is erased, the requester is told which items went, and the payment
stays where it is (nothing here touches the books)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.lib.errors import ApplicationError, Conflict, NotFound
from microwork.privacy.models import Consent, Deletion, Withdrawal
from microwork.privacy.services.deletion import deletion_run
from microwork.projects.models import Project
from microwork.projects.personal_data import declaration_text, declaration_version, declares
from microwork.work.models import Assignment, WorkRequest
from microwork.work.services.giving_back import assignment_return
from microwork.work.services.sharing import work_request_cancel


def _lock(worker: User, project: Project) -> Project:
    # The worker's profile row, the one every claim locks first: a claim and a withdrawal of
    # the same worker run one after the other, so no task is handed out on a consent being
    # withdrawn, and two taps on "I agree" make one consent. The project is read again so
    # the declaration agreed to is the one stored now.
    WorkerProfile.objects.select_for_update().filter(user_id=worker.pk).first()
    return Project.objects.get(pk=project.pk)


@transaction.atomic
def consent_give(
    *, project: Project, worker: User, version: str | None = None, now: datetime | None = None
) -> Consent:
    """The worker agrees to the declaration as it stands, in the words of their language now.
    `version`, when given, is the one they read: a declaration changed since is refused, so
    nobody agrees to words they did not see."""
    now = now or timezone.now()
    project = _lock(worker, project)
    if not declares(project):
        raise ApplicationError(
            _("This project collects no personal data: there is nothing to agree to."),
            code="no_declaration",
        )
    current = declaration_version(project)
    if version and version != current:
        raise Conflict(
            _(
                "The project changed what it says about personal data since you read it: read it again."
            ),
            code="declaration_changed",
            field="version",
        )
    standing = Consent.objects.filter(
        project=project, worker=worker, version=current, withdrawn_at__isnull=True
    ).first()
    if standing is not None:
        return standing
    try:
        with transaction.atomic():
            return Consent.objects.create(
                worker=worker,
                project=project,
                text=declaration_text(project),
                language=translation.get_language() or "",
                version=current,
                given_at=now,
            )
    except IntegrityError:
        # Another request of the same worker stored it first (a database without row locks).
        return Consent.objects.get(
            project=project, worker=worker, version=current, withdrawn_at__isnull=True
        )


@transaction.atomic
def consent_withdraw(*, project: Project, worker: User, now: datetime | None = None) -> Withdrawal:
    """Withdraw every standing consent of the worker to the project. A retry returns the
    withdrawal already made."""
    now = now or timezone.now()
    project = _lock(worker, project)
    standing = list(
        Consent.objects.filter(project=project, worker=worker, withdrawn_at__isnull=True).order_by(
            "-given_at", "-id"
        )
    )
    if not standing:
        previous = (
            Withdrawal.objects.filter(consent__project=project, consent__worker=worker)
            .order_by("-at", "-id")
            .first()
        )
        if previous is not None:
            return previous
        raise NotFound(
            _("You have not agreed to anything for this project: there is nothing to withdraw."),
            code="no_consent",
        )
    Consent.objects.filter(pk__in=[c.pk for c in standing]).update(withdrawn_at=now)
    returned = []
    for assignment in Assignment.objects.filter(
        project=project, worker=worker, status=Assignment.Status.LEASED
    ).order_by("id"):
        assignment_return(assignment=assignment, worker=worker, now=now)
        returned.append(assignment.pk)
    for waiting in WorkRequest.objects.filter(
        project=project, worker=worker, status=WorkRequest.Status.WAITING
    ):
        work_request_cancel(request=waiting, worker=worker)
    deletion = deletion_run(
        project=project, worker=worker, reason=Deletion.Reason.WITHDRAWAL, now=now
    )
    return Withdrawal.objects.create(
        consent=standing[0], at=now, assignments_returned=returned, deletion=deletion
    )
