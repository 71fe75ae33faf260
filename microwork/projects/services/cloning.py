"""A new project from an existing one: its settings, instructions and control tasks, as a
draft the requester then edits; what the apps above keep about a project (quality's tests,
rules and requirements) is copied by their PROJECT_CLONED hooks. Ordinary tasks, answers,
money and history stay with the original."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError
from microwork.lib.registry import run_hooks
from microwork.projects.hooks import PROJECT_CLONED
from microwork.projects.models import Batch, Project, ProjectEvent, Task

# Not copied: who and when, the lifecycle, an opening time that belongs to the original's
# launch, and the link a peer-review project keeps to the project it reviews.
NOT_COPIED = {"id", "organisation", "created_by", "name", "status", "created_at", "updated_at"}
CLEARED = {"opens_at": None, "review_of": None}
MAX_NAME = 200


@transaction.atomic
def project_clone(*, project: Project, actor: User, name: str = "") -> Project:
    """Copy `project` into a new draft of the same organisation, named `name` (default: the
    original's name marked as a copy). Control tasks come along, so tests built on them work
    in the copy; hooks copy the rest."""
    if project.review_of_id is not None:
        raise ApplicationError(
            _("A peer-review project is made with the project it reviews; clone that one."),
            field="project",
        )
    name = (name or "").strip() or _("%(name)s (copy)") % {"name": project.name}
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME]
    values: dict[str, Any] = {
        f.attname: getattr(project, f.attname)
        for f in Project._meta.concrete_fields
        if f.name not in NOT_COPIED
    }
    values.update({k if k != "review_of" else "review_of_id": v for k, v in CLEARED.items()})
    clone = Project.objects.create(
        organisation_id=project.organisation_id,
        created_by=actor,
        name=name,
        status=Project.Status.DRAFT,
        **values,
    )
    ProjectEvent.objects.create(
        project=clone,
        old_status="",
        new_status=clone.status,
        actor=actor,
        reason=_("Cloned from project %(id)d") % {"id": project.pk},
        at=clone.created_at,
    )
    task_map = _copy_controls(source=project, clone=clone, actor=actor)
    run_hooks(PROJECT_CLONED, source=project, project=clone, actor=actor, task_map=task_map)
    return clone


def _copy_controls(*, source: Project, clone: Project, actor: User) -> dict[int, int]:
    controls = list(Task.objects.filter(project=source, is_gold=True).order_by("row_number", "pk"))
    if not controls:
        return {}
    batch = Batch.objects.create(
        project=clone,
        uploaded_by=actor,
        filename=_("control tasks of project %(id)d") % {"id": source.pk},
        file_format="clone",
        status=Batch.Status.DONE,
        rows_seen=len(controls),
        rows_added=len(controls),
        gold_added=len(controls),
    )
    copies = Task.objects.bulk_create(
        [
            Task(
                project=clone,
                batch=batch,
                row_number=i,
                external_id=t.external_id,
                data=t.data,
                is_gold=True,
                gold_answer=t.gold_answer,
                gold_explanation=t.gold_explanation,
                priority=t.priority,
            )
            for i, t in enumerate(controls)
        ]
    )
    if any(c.pk is None for c in copies):
        # Databases that do not return keys from a bulk insert: read them back in order.
        copies = list(Task.objects.filter(batch=batch).order_by("row_number"))
    return {t.pk: c.pk for t, c in zip(controls, copies, strict=True)}
