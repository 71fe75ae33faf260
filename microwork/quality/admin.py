"""Operators' view of quality rows. Decisions and appeals are changed through services (the
quality operator page), so here they are read-only: an edit must leave an event row."""

from django.contrib import admin

from microwork.lib.admin import ReadOnlyAdmin
from microwork.quality.models import (
    Appeal,
    Decision,
    FeedbackRelease,
    Qualification,
    QualificationGrant,
    QualificationTest,
    RuleConfig,
    TestAttempt,
    TestPayment,
    WorkerSkill,
)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "worker", "project", "kind", "rule_key", "status", "starts_at", "ends_at")
    list_filter = ("kind", "status", "rule_key")
    search_fields = ("worker__username", "project__name", "outcome")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("id", "worker", "decision", "route", "status", "deadline_at")
    list_filter = ("status", "route")
    search_fields = ("worker__username", "message")


@admin.register(WorkerSkill)
class WorkerSkillAdmin(ReadOnlyAdmin):
    list_display = ("worker", "project", "answers", "gold_answers", "gold_correct", "agreed")
    search_fields = ("worker__username", "project__name")


@admin.register(FeedbackRelease)
class FeedbackReleaseAdmin(ReadOnlyAdmin):
    list_display = (
        "worker",
        "project",
        "number",
        "cutoff_at",
        "answers",
        "new_answers",
        "gold_answers",
        "released_at",
    )
    search_fields = ("worker__username", "project__name")


@admin.register(TestAttempt)
class TestAttemptAdmin(ReadOnlyAdmin):
    list_display = ("id", "test", "worker", "number", "status", "score", "active_ms")


@admin.register(TestPayment)
class TestPaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "worker", "project", "amount", "currency", "booked")
    list_filter = ("booked",)


admin.site.register(Qualification, ReadOnlyAdmin)
admin.site.register(QualificationGrant, ReadOnlyAdmin)
admin.site.register(QualificationTest, ReadOnlyAdmin)
admin.site.register(RuleConfig, ReadOnlyAdmin)
