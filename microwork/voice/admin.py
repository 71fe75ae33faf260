from django.contrib import admin, messages

from microwork.lib.errors import ApplicationError
from microwork.voice.models import Feedback, ProjectRating
from microwork.voice.services import feedback_answer


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Operators answer workers here; the answer goes through the service, which records who
    answered and when (the public summary measures the time to answer)."""

    list_display = ("pk", "subject", "status", "created_at", "answered_at")
    list_filter = ("status", "subject")
    fields = ("worker", "subject", "message", "created_at", "answer", "answer_public")
    readonly_fields = ("worker", "subject", "message", "created_at")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        try:
            feedback_answer(
                feedback=obj,
                operator=request.user,
                answer=form.cleaned_data["answer"],
                public=form.cleaned_data["answer_public"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)


@admin.register(ProjectRating)
class ProjectRatingAdmin(admin.ModelAdmin):
    list_display = ("project", "instructions", "fairness", "pay", "updated_at")
    # Workers' own marks: operators read them, only the worker changes them.
    readonly_fields = (
        "worker",
        "project",
        "instructions",
        "fairness",
        "pay",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False
