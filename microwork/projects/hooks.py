"""What other apps do when a project changes, and what they store about it, as registries
(key → dotted path or model label), so the projects app never imports the apps built on top
of it (work, payments, aggregation)."""

from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.module_loading import import_string

# Called inside the status change's transaction with (project, old_status, actor): a refusal
# (ApplicationError) undoes the change, e.g. going live without the funds for its tasks.
STATUS_CHANGED: dict[str, str] = {
    "payments": "microwork.payments.services.project_money_on_status",
    # Going live releases the project's tasks to workers through an opening round.
    "work": "microwork.work.releases.release_on_status",
}

# Called inside the upload's transaction with (project) once new tasks are stored.
TASKS_ADDED: dict[str, str] = {
    "payments": "microwork.payments.services.project_money_on_tasks_added",
}

# Called inside the update's transaction with (project, changes, actor) before anything is
# written; `changes` holds the new value of each field that changes. A refusal
# (ApplicationError) stops the update, e.g. a live project edited to pay under the floor.
SETTINGS_PROPOSED: dict[str, str] = {
    "payments": "microwork.payments.services.project_money_on_settings_proposed",
}

# Called inside the update's transaction with (project, old, actor) after its reward or
# overlap changed; `old` holds the previous values. A refusal undoes the change.
SETTINGS_CHANGED: dict[str, str] = {
    "payments": "microwork.payments.services.project_money_on_settings",
}

# Called inside the upload's transaction with (batch) when a batch has been added in full.
BATCH_DONE: dict[str, str] = {
    "aggregation": "microwork.aggregation.services.run_requests.batch_added",
    # New tasks reach workers through an opening round, now or at the announced time.
    "work": "microwork.work.releases.release_on_batch_added",
}


# Where answers to a project's tasks are stored: "app_label.Model" of a model with a `project`
# foreign key. Projects counts them (lists, progress) and locks what answers mean once any
# exists.
ANSWER_MODELS: dict[str, str] = {
    "work": "work.Submission",
}


def answer_querysets() -> list[QuerySet]:
    return [apps.get_model(label)._default_manager.all() for label in ANSWER_MODELS.values()]


def run(registry: dict[str, str], **kwargs: Any) -> None:
    for path in registry.values():
        import_string(path)(**kwargs)
