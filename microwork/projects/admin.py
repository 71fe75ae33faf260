"""Operators see projects, batches and tasks here and change none of them: every field is
written by a service (project_update's locks and escrow top-ups, project_set_status's log and
reservation, the upload checks), and a plain save() would skip all of that."""

from django.contrib import admin

from microwork.lib.admin import ReadOnlyAdmin, ReadOnlyInline
from microwork.projects.models import Batch, Project, ProjectEvent, Task


class ProjectEventInline(ReadOnlyInline):
    model = ProjectEvent
    fields = ("at", "old_status", "new_status", "actor", "reason")
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "organisation",
        "status",
        "interface",
        "reward",
        "currency",
        "overlap",
        "created_at",
    )
    list_filter = ("status", "interface", "currency", "order")
    search_fields = ("name", "description", "organisation__name")
    date_hierarchy = "created_at"
    list_select_related = ("organisation",)
    inlines = [ProjectEventInline]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "project",
        "filename",
        "file_format",
        "status",
        "rows_added",
        "gold_added",
        "errors_total",
        "created_at",
    )
    list_filter = ("status", "file_format")
    search_fields = ("filename", "project__name", "sha256")
    list_select_related = ("project",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "project", "external_id", "is_gold", "answers_count", "done", "priority")
    list_filter = ("is_gold", "done")
    search_fields = ("external_id", "project__name")
    list_select_related = ("project",)
