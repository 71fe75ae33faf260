"""What other apps do when a project changes, and what they store about it, as registries
(key → dotted path or model label), so the projects app never imports the apps built on top
of it (work, payments, aggregation).

The projects services fire each event with `run_hooks(REGISTRY, **kwargs)`
(microwork/lib/registry.py): every hook is called in the order listed, with the keyword
arguments named above its registry, and an exception from one stops the rest."""

from django.apps import apps
from django.db.models import QuerySet

# Fired inside the status change's transaction, after the new status is saved; a hook gets
# `project`, `old_status` and `actor`. A refusal (ApplicationError) undoes the change, e.g.
# going live without the funds for its tasks.
STATUS_CHANGED: dict[str, str] = {
    # Money first: going live checks the pay floor and funds every task, so a project that
    # cannot pay is refused before any work is released.
    "payments": "microwork.payments.services.escrow.project_money_on_status",
    # Going live releases the project's tasks to workers through an opening round.
    "work": "microwork.work.releases.release_on_status",
}

# Fired inside the upload's transaction once new tasks are stored; a hook gets `project`.
# A refusal (ApplicationError) undoes the upload, e.g. a live project without the funds.
TASKS_ADDED: dict[str, str] = {
    "payments": "microwork.payments.services.escrow.project_money_on_tasks_added",
}

# Fired inside the update's transaction before anything is written; a hook gets `project`,
# `changes` (the new value of each field that changes) and `actor`. A refusal
# (ApplicationError) stops the update, e.g. a live project edited to pay under the floor.
SETTINGS_PROPOSED: dict[str, str] = {
    "payments": "microwork.payments.services.floor.project_money_on_settings_proposed",
}

# Fired inside the update's transaction after a project's reward or overlap changed; a hook
# gets `project`, `old` (the previous values of the changed fields) and `actor`. A refusal
# undoes the change.
SETTINGS_CHANGED: dict[str, str] = {
    "payments": "microwork.payments.services.escrow.project_money_on_settings",
}

# Fired inside the upload's transaction when a batch has been added in full; a hook gets
# `batch`. The two hooks touch different things (aggregation asks for a fresh estimate, work
# releases the tasks), so their order is only the order they have always run in.
BATCH_DONE: dict[str, str] = {
    "aggregation": "microwork.aggregation.services.run_requests.batch_added",
    # New tasks reach workers through an opening round, now or at the announced time.
    "work": "microwork.work.releases.release_on_batch_added",
}

# Fired inside the clone's transaction once the copy and its control tasks are stored; a hook
# gets `source`, `project` (the copy), `actor` and `task_map` (each control task's id in the
# original → its id in the copy) and copies what its app keeps about a project.
PROJECT_CLONED: dict[str, str] = {
    # Tests (on the copied control tasks), rules, approval rules, settings, requirements.
    "quality": "microwork.quality.services.configuration.quality_clone",
}


# Who besides the owning organisation's members and operators may see a file a requester
# uploaded (projects/access.py): a hook gets `user` and `media_file` and answers True to let
# them. Asked where a signed address is made and again where the file is served.
MEDIA_VIEWERS: dict[str, str] = {
    # A worker holding (or having held) a task of the project whose data uses the file.
    "work": "microwork.work.selectors.worker_task_uses_media",
    # A worker taking (or having taken) a paid test of the project that asks a task using it.
    "quality": "microwork.quality.selectors.worker_test_uses_media",
}


# Projects whose tasks the platform makes as they come, not uploaded ahead: a hook gets
# `project` and answers True for one of them, which may then go live with no task yet. Asked
# when a project goes live (services.projects._check_ready).
TASKS_MADE_AS_THEY_COME: dict[str, str] = {
    # A live project's tasks are posted one at a time by the requester's system.
    "live": "microwork.live.selectors.project_answered_live",
}


# Where answers to a project's tasks are stored: "app_label.Model" of a model with a `project`
# foreign key. Projects counts them (lists, progress) and locks what answers mean once any
# exists.
ANSWER_MODELS: dict[str, str] = {
    "work": "work.Submission",
}


def answer_querysets() -> list[QuerySet]:
    return [apps.get_model(label)._default_manager.all() for label in ANSWER_MODELS.values()]
