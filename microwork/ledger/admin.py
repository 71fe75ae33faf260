"""The books are read-only here: money moves only through services (the operator pages for
deposits and payouts call them). Exchange rates are the one thing operators edit."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from microwork.ledger.models import (
    Account,
    Entry,
    ExchangeRate,
    LedgerCheckRun,
    Payout,
    PayoutEvent,
    PayoutMethod,
    Transaction,
)
from microwork.lib.admin import ReadOnlyAdmin, ReadOnlyInline


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "amount", "currency")
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("key", "kind", "currency", "balance", "organisation", "user", "project_id")
    list_filter = ("kind", "currency")
    search_fields = ("key", "user__username", "organisation__name")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "created_at", "kind", "memo", "project_id", "submission_id", "created_by")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "memo")
    date_hierarchy = "created_at"
    inlines = [EntryInline]


class PayoutEventInline(ReadOnlyInline):
    model = PayoutEvent
    fields = ("at", "old_status", "new_status", "actor", "note")
    readonly_fields = fields


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("pk", "requested_at", "user", "amount", "currency", "provider", "status", "act")
    list_filter = ("status", "provider", "currency")
    search_fields = ("user__username", "provider_reference", "provider_key")
    inlines = [PayoutEventInline]

    @admin.display(description=_("complete"))
    def act(self, obj: Payout) -> str:
        if obj.status in (Payout.Status.REQUESTED, Payout.Status.PROCESSING):
            return format_html(
                '<a href="{}">{}</a>', reverse("ledger:operator_payouts"), _("complete")
            )
        return ""


@admin.register(PayoutMethod)
class PayoutMethodAdmin(ReadOnlyAdmin):
    list_display = ("pk", "user", "provider", "label", "is_active", "created_at")
    list_filter = ("provider", "is_active")
    search_fields = ("user__username",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("base", "currency", "rate", "updated_at")
    list_editable = ("rate",)


@admin.register(LedgerCheckRun)
class LedgerCheckRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "ok", "problem_count", "transactions", "entries", "accounts")
    list_filter = ("ok",)
    date_hierarchy = "started_at"
