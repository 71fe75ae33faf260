from django.contrib import admin

from microwork.payments.models import PayFloorNotice, SubmissionReview


class ReadOnlyAdmin(admin.ModelAdmin):
    # Decisions and notices are records of what happened; services write them.
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SubmissionReview)
class SubmissionReviewAdmin(ReadOnlyAdmin):
    list_display = ("at", "submission", "action", "rule", "reason", "amount", "currency", "actor")
    list_filter = ("action", "rule", "reason")
    search_fields = ("submission__worker__username", "note")


@admin.register(PayFloorNotice)
class PayFloorNoticeAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "project", "real_hourly", "floor_hourly", "suggested_reward",
        "workers_topped_up", "topped_up_total", "topups_owed", "resolved_at",
    )  # fmt: skip
