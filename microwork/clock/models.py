from django.db import models


class WorkerHeartbeat(models.Model):
    """A running `microwork db_worker`: it touches `seen_at` every few seconds while alive.
    A job whose worker has no fresh heartbeat (or whose process is gone) is recovered by
    another worker (microwork/clock/recovery.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.hostname}:{self.pid})"
