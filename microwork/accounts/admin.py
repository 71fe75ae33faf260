from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone

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
    TermsAcceptance,
    TermsVersion,
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


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Operators publish a new version here, with its date and what changed. Once in force a
    version is read-only: people accepted those words, so a change is a new version."""

    list_display = ("number", "effective_at", "acceptance_count")
    ordering = ("-number",)

    @admin.display(description="accepted by")
    def acceptance_count(self, obj: TermsVersion) -> int:
        return obj.acceptances.count()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.effective_at <= timezone.now():
            return [f.name for f in TermsVersion._meta.fields]
        return ["created_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.acceptances.exists()


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at", "via")
    list_filter = ("version", "via")
    search_fields = ("user__username",)
    readonly_fields = ("user", "version", "accepted_at", "via")

    def has_add_permission(self, request):
        return False
