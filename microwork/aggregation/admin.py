"""Read-only admin for operators: runs with their log, and where a task's label came from."""

from django.contrib import admin

from microwork.aggregation.models import AggregationEvent, AggregationRun, TaskAggregate
from microwork.lib.admin import ReadOnlyAdmin, ReadOnlyInline


class AggregationEventInline(ReadOnlyInline):
    model = AggregationEvent
    fields = ("at", "kind", "actor", "details")
    readonly_fields = fields


@admin.register(AggregationRun)
class AggregationRunAdmin(ReadOnlyAdmin):
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
class TaskAggregateAdmin(ReadOnlyAdmin):
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
