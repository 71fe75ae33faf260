"""Operators look at leases, answers and sharing decisions; they change them only through the
services (the admin is read-only for these rows)."""

from django.contrib import admin

from microwork.work.models import (
    AllocationRound,
    Assignment,
    AssignmentEvent,
    Release,
    Submission,
    WorkRequest,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = AssignmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("old_status", "new_status", "reason", "at")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = ("id", "project", "worker", "status", "leased_at", "expires_at", "active_ms")
    list_filter = ("status",)
    search_fields = ("worker__username", "project__name")
    raw_id_fields = ("task", "worker", "project")
    inlines = [EventInline]


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ("id", "project", "worker", "status", "submitted_at", "active_ms", "elapsed_ms")
    list_filter = ("status",)
    search_fields = ("worker__username", "project__name")
    raw_id_fields = ("assignment", "task", "worker", "project")


@admin.register(WorkRequest)
class WorkRequestAdmin(ReadOnly):
    list_display = (
        "id",
        "project",
        "worker",
        "status",
        "received_in_window",
        "rank",
        "lot",
        "rounds_waited",
        "decided_at",
    )
    list_filter = ("status",)
    search_fields = ("worker__username", "project__name")


@admin.register(AllocationRound)
class AllocationRoundAdmin(ReadOnly):
    list_display = ("id", "project", "at", "waiting", "granted")


@admin.register(Release)
class ReleaseAdmin(ReadOnly):
    list_display = ("id", "project", "batch", "reason", "announced", "opens_at", "first_round_at")
    list_filter = ("reason", "announced")
    raw_id_fields = ("project", "batch")
