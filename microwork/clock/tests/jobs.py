"""Jobs for the worker's tests, one per queue; each notes that it ran."""

import time

from django.core.cache import cache
from django.tasks import task


def _note(name: str) -> None:
    cache.set("ran", [*cache.get("ran", []), name])


@task()
def periodic_job() -> None:
    _note("default")


@task(queue_name="uploads")
def upload_job(n: int) -> None:
    _note(f"uploads {n}")


@task()
def endless_job() -> None:
    # Pure Python: the time limit's signal interrupts it between two instructions.
    while True:
        time.sleep(0.01)
