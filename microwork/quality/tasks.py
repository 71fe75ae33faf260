"""Background jobs: the periodic sweep never runs inside a web request."""

from django.tasks import task

from microwork.quality import services
from microwork.work.models import Submission


@task()
def quality_sweep_task() -> dict[str, int]:
    return services.quality_sweep()


@task()
def submission_approve_by_rules_task(submission_id: int) -> bool:
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return False
    return services.submission_approve_by_rules(submission=submission)
