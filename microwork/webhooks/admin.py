"""Operators see subscriptions and the delivery log read-only: secrets are never shown, and a
delivery changes only by being sent."""

from django.contrib import admin

from microwork.lib.admin import ReadOnlyAdmin, ReadOnlyInline
from microwork.webhooks.models import Attempt, Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "organisation__name")
    exclude = ("secret", "previous_secret")


class AttemptInline(ReadOnlyInline):
    model = Attempt
    fields = ("number", "started_at", "duration_ms", "status_code", "error")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "subscription", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status",)
    inlines = [AttemptInline]
