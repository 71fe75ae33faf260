"""Read-only admin for operators: runs with their log, and where a task's label came from."""

from django.contrib import admin

from microwork.aggregation.models import AggregationEvent, AggregationRun, TaskAggregate


class ReadOnly(admin.ModelAdmin):
    # Only services write these rows; an operator looks, and re-runs from the results page.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AggregationEventInline(admin.TabularInline):
    model = AggregationEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "details")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AggregationRun)
class AggregationRunAdmin(ReadOnly):
    list_display = (
        "id",
        "project",
        "method",
        "reason",
        "status",
        "stage",
        "progress",
        "n_answers",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "method", "reason")
    search_fields = ("project__name",)
    raw_id_fields = ("project", "requested_by")
    inlines = [AggregationEventInline]


@admin.register(TaskAggregate)
class TaskAggregateAdmin(ReadOnly):
    list_display = (
        "task",
        "project",
        "label",
        "confidence",
        "method",
        "source",
        "answers_count",
        "stop_rule",
        "updated_at",
    )
    list_filter = ("source", "method", "stop_rule")
    raw_id_fields = ("task", "project", "run")
