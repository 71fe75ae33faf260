from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from microwork.accounts.models import (
    ApiToken,
    LoginFailure,
    Membership,
    Organisation,
    User,
    WorkerProfile,
)


class WorkerProfileInline(admin.StackedInline):
    model = WorkerProfile
    can_delete = False


@admin.register(User)
class MicroworkUserAdmin(UserAdmin):
    inlines = [WorkerProfileInline]
    list_display = ("username", "email", "is_staff", "is_active", "date_joined")
    # UserAdmin sets fieldsets, but its stub keeps ModelAdmin's Optional (None: one per field).
    fieldsets = (*UserAdmin.fieldsets, ("microwork", {"fields": ("language",)}))  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    inlines = [MembershipInline]
    search_fields = ("name", "slug")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "organisation", "created_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "at")
