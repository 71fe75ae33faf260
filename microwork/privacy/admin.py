"""Operators read consents and deletions (what a worker agreed to, what went and why); only
the services write them, so the admin is read-only."""

from django.contrib import admin

from microwork.privacy.models import AccountDeletion, Consent, Deletion, Withdrawal


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ("id", "worker", "project", "given_at", "withdrawn_at", "version")
    list_filter = ("withdrawn_at",)
    search_fields = ("worker__username", "project__name")


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnly):
    list_display = ("id", "consent", "at")


@admin.register(Deletion)
class DeletionAdmin(ReadOnly):
    list_display = ("id", "worker", "project", "reason", "at")
    list_filter = ("reason",)


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnly):
    list_display = ("pseudonym", "at", "balance_kept")
