from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from microwork.accounts.forms import (
    AdminUserAddForm,
    AdminUserChangeForm,
    ThrottledAdminAuthenticationForm,
)
from microwork.accounts.models import (
    ApiToken,
    LoginFailure,
    Membership,
    Organisation,
    PasswordResetRequest,
    User,
    WorkerProfile,
)

admin.site.login_form = ThrottledAdminAuthenticationForm


class WorkerProfileInline(admin.StackedInline):
    model = WorkerProfile
    can_delete = False


@admin.register(User)
class MicroworkUserAdmin(UserAdmin):
    inlines = [WorkerProfileInline]
    form = AdminUserChangeForm
    add_form = AdminUserAddForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
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
    list_display = ("account", "ip", "at")
    list_filter = ("at",)
    search_fields = ("account", "ip")


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(admin.ModelAdmin):
    list_display = ("email", "ip", "at")
    search_fields = ("email", "ip")
