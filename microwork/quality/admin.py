"""Operators' view of quality rows. Decisions and appeals are changed through services (the
quality operator page), so here they are read-only: an edit must leave an event row."""

from django.contrib import admin

from microwork.quality.models import (
    Appeal,
    Decision,
    Qualification,
    QualificationGrant,
    QualificationTest,
    RuleConfig,
    TestAttempt,
    TestPayment,
    WorkerSkill,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ("id", "worker", "project", "kind", "rule_key", "status", "starts_at", "ends_at")
    list_filter = ("kind", "status", "rule_key")
    search_fields = ("worker__username", "project__name", "outcome")


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ("id", "worker", "decision", "route", "status", "deadline_at")
    list_filter = ("status", "route")
    search_fields = ("worker__username", "message")


@admin.register(WorkerSkill)
class WorkerSkillAdmin(ReadOnly):
    list_display = ("worker", "project", "answers", "gold_answers", "gold_correct", "agreed")
    search_fields = ("worker__username", "project__name")


@admin.register(TestAttempt)
class TestAttemptAdmin(ReadOnly):
    list_display = ("id", "test", "worker", "number", "status", "score", "active_ms")


@admin.register(TestPayment)
class TestPaymentAdmin(ReadOnly):
    list_display = ("reference", "worker", "project", "amount", "currency", "booked")
    list_filter = ("booked",)


admin.site.register(Qualification, ReadOnly)
admin.site.register(QualificationGrant, ReadOnly)
admin.site.register(QualificationTest, ReadOnly)
admin.site.register(RuleConfig, ReadOnly)
