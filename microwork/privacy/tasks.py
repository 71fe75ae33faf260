"""Background jobs of the privacy app."""

from django.tasks import task

from microwork.privacy.services.retention import retention_sweep


@task()
def retention_sweep_task() -> int:
    """The periodic job: erase personal data past its project's retention period."""
    return len(retention_sweep())
