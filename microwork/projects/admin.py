from django.contrib import admin

from microwork.projects.models import Batch, Project, ProjectEvent, Task


class ProjectEventInline(admin.TabularInline):
    model = ProjectEvent
    extra = 0
    can_delete = False
    fields = ("at", "old_status", "new_status", "actor", "reason")
    readonly_fields = fields

    # The log is append-only: only services write it.
    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("organisation", "created_by")
    # Status changes go through project_set_status so they are logged (and escrow follows).
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [ProjectEventInline]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("project", "uploaded_by")
    readonly_fields = (
        "sha256",
        "stored_path",
        "bytes_checked",
        "errors",
        "created_at",
        "finished_at",
    )


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "external_id", "is_gold", "answers_count", "done", "priority")
    list_filter = ("is_gold", "done")
    search_fields = ("external_id", "project__name")
    raw_id_fields = ("project", "batch")
    list_select_related = ("project",)
