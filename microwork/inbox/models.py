from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One line of a person's inbox, whichever part of the platform wrote it. Stored as a
    kind and its parameters (ids, names, figures), not as words: the app that owns the kind
    writes the sentence when the line is shown, in the reader's language at that moment
    (microwork/inbox/kinds.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
