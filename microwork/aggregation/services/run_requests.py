"""Asking for a full re-estimate of a project with its method: from the requester, from new
tasks, from new settings, or when a batch has all its answers. The request only queues the
background job (microwork/aggregation/tasks.py, which runs `runs.aggregation_run_execute`);
requests close together share one run."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.aggregation.models import AggregationEvent, AggregationRun
from microwork.aggregation.services.events import aggregation_event_record
from microwork.aggregation.tasks import aggregate_project
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Batch, Project
from microwork.work.models import Submission

Run = AggregationRun
# A run queued this recently (and not started) already covers a new request.
COALESCE_WINDOW = timedelta(minutes=15)
# A run still "running" after this long lost its worker process (a restart, a kill); it is
# marked failed when the next run is asked for, so the page stops showing it as active.
STALE_RUNNING = timedelta(hours=1)


@transaction.atomic
def aggregation_run_request(
    *, project: Project, actor: User | None = None, reason: str = Run.Reason.REQUEST
) -> AggregationRun:
    """Queue a full re-estimate of the project with its method; the work happens in a
    background job after commit. A run already waiting to start covers the request (a double
    click, a retried API call, several uploads in a row), so it is returned instead."""
    if reason not in Run.Reason.values:
        raise ApplicationError(_("Unknown reason for a re-estimate."), field="reason")
    now = timezone.now()
    project = Project.objects.select_for_update().get(pk=project.pk)
    waiting = (
        Run.objects.filter(
            project=project,
            status=Run.Status.QUEUED,
            method=project.aggregation_method,
            created_at__gte=now - COALESCE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if waiting is not None:
        return waiting
    for stale in Run.objects.filter(
        project=project, status=Run.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    ):
        message = _("The job stopped without finishing (its worker process ended).")
        if Run.objects.filter(pk=stale.pk, status=Run.Status.RUNNING).update(
            status=Run.Status.FAILED, error=message, finished_at=now
        ):
            aggregation_event_record(
                project=project,
                run=stale,
                kind=AggregationEvent.Kind.FAILED,
                at=now,
                details={"error": message},
            )
    run = Run.objects.create(
        project=project,
        method=project.aggregation_method,
        reason=reason,
        requested_by=actor,
        created_at=now,
    )
    aggregation_event_record(
        project=project, run=run, kind=AggregationEvent.Kind.QUEUED, at=now, actor=actor
    )
    transaction.on_commit(lambda: aggregate_project.enqueue(run_id=run.pk))
    return run


def batch_added(*, batch: Batch) -> AggregationRun | None:
    """Called by the projects app when a batch of tasks is added: new tasks (and new control
    tasks, which calibrate workers) call for a fresh estimate once there are answers at all."""
    if not Submission.objects.filter(project_id=batch.project_id).exists():
        return None
    return aggregation_run_request(project=batch.project, reason=Run.Reason.UPLOAD)
