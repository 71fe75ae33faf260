"""Review decisions and pay-floor notices are records of what happened: services write them,
operators look."""

from django.contrib import admin

from microwork.lib.admin import ReadOnlyAdmin
from microwork.payments.models import CountryPayFloor, PayFloorNotice, SubmissionReview


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


@admin.register(CountryPayFloor)
class CountryPayFloorAdmin(admin.ModelAdmin):
    """The one table operators keep by hand: each country's hourly figure, applied to the
    workers of that country when it is above the platform floor."""

    list_display = ("country", "per_hour", "source", "updated_at")
    search_fields = ("country", "source")
    ordering = ("country",)

    def save_model(self, request, obj, form, change):
        obj.country = obj.country.upper()
        super().save_model(request, obj, form, change)
