from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from microwork.accounts.models import Organisation, User
from microwork.projects import hooks
from microwork.projects.models import Batch, MediaFile, Project, Task


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values("project_id").annotate(n=Count("id")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _answers_total() -> Any:
    """Answers to the outer project's tasks, in every app that stores them (hooks)."""
    total: Any = Value(0)
    for answers in hooks.answer_querysets():
        total = total + _count(answers.filter(project=OuterRef("pk")))
    return total


def project_answers_count(*, project: Project) -> int:
    return sum(answers.filter(project=project).count() for answers in hooks.answer_querysets())


def project_has_answers(*, project: Project) -> bool:
    return any(answers.filter(project=project).exists() for answers in hooks.answer_querysets())


def projects_for_requester(
    *, user: User, organisation: Organisation | None = None
) -> QuerySet[Project]:
    """The projects of the requester's organisations, newest first, with task and answer counts."""
    qs = Project.objects.filter(organisation__memberships__user=user)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.annotate(
        tasks_total=_count(Task.objects.filter(project=OuterRef("pk"))),
        gold_total=_count(Task.objects.filter(project=OuterRef("pk"), is_gold=True)),
        answers_total=_answers_total(),
    ).order_by("-created_at", "-id")


def project_counts(*, project: Project) -> dict[str, Any]:
    tasks = Task.objects.filter(project=project)
    counts = tasks.aggregate(
        tasks=Count("id"),
        gold=Count("id", filter=Q(is_gold=True)),
        complete=Count(
            "id",
            filter=Q(is_gold=False) & (Q(answers_count__gte=F("project__overlap")) | Q(done=True)),
        ),
    )
    regular = counts["tasks"] - counts["gold"]
    counts["answers"] = project_answers_count(project=project)
    counts["regular"] = regular
    counts["answers_wanted"] = regular * project.overlap
    counts["percent_complete"] = int(counts["complete"] * 100 / regular) if regular else 0
    return counts


def batches_for_project(*, project: Project) -> QuerySet[Batch]:
    return (
        Batch.objects.filter(project=project)
        .select_related("uploaded_by")
        .annotate(
            tasks_complete=Count(
                "tasks",
                filter=Q(tasks__is_gold=False)
                & (Q(tasks__answers_count__gte=project.overlap) | Q(tasks__done=True)),
            )
        )
        .order_by("-created_at", "-id")
    )


def tasks_for_project(*, project: Project) -> QuerySet[Task]:
    return Task.objects.filter(project=project).order_by("id")


def media_files_for_project(*, project: Project) -> QuerySet[MediaFile]:
    return MediaFile.objects.filter(project=project).order_by("-id")


def media_refs_by_name(*, project: Project) -> dict[str, str]:
    """Name → ref of the project's uploaded files, for task rows that name a file ("cat.png")
    instead of giving its ref."""
    return {
        name: MediaFile(storage_name=stored).ref
        for name, stored in MediaFile.objects.filter(project=project).values_list(
            "name", "storage_name"
        )
    }
