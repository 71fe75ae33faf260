from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkerWellbeing(models.Model):
    """A worker's own choices about disturbing content. No row means the defaults: no
    category chosen (no disturbing project is offered) and the platform's daily limit."""

    worker = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wellbeing"
    )
    # Keys of projects.disturbing.CATEGORIES the worker agrees to see.
    categories = models.JSONField(_("categories I agree to see"), default=list, blank=True)
    # The worker's own daily limit of disturbing items, at most the platform's
    # (settings.WELLBEING_DAILY_CAP); null: the platform's.
    daily_cap = models.PositiveIntegerField(_("my daily limit"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "worker wellbeing"
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_cap__isnull=True) | Q(daily_cap__gte=1),
                name="wellbeing_daily_cap_positive",
            )
        ]

    def __str__(self) -> str:
        return f"wellbeing of {self.worker_id}"
