from django.contrib import admin

from microwork.wellbeing.models import WorkerWellbeing


@admin.register(WorkerWellbeing)
class WorkerWellbeingAdmin(admin.ModelAdmin):
    list_display = ("worker", "categories", "daily_cap", "updated_at")
    search_fields = ("worker__username",)
    # The worker's own choices: operators read them, only the worker changes them.
    readonly_fields = ("worker", "categories", "daily_cap", "updated_at")

    def has_add_permission(self, request):
        return False
