from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from microwork.accounts import services
from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, TooMany
from microwork.lib.net import client_address

REVOKE_TOKENS_HELP = _("Scripts that use them stop working until you make new tokens.")


class WorkerSignupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    country = forms.CharField(
        label=_("Country"), max_length=2, help_text=_("Two letters, e.g. NG, ZA, PK, MG")
    )
    languages = forms.CharField(
        label=_("Languages you read"), help_text=_("Comma-separated, e.g. en, yo"), initial="en"
    )
    timezone = forms.CharField(
        label=_("Time zone"), initial="UTC", help_text=_("e.g. Africa/Lagos")
    )
    language = forms.ChoiceField(label=_("Site language"), choices=settings.LANGUAGES)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of use and privacy notice"),
        error_messages={"required": _("Accept the terms of use and privacy notice to sign up.")},
    )


class RequesterSignupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=120)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of use and privacy notice"),
        error_messages={"required": _("Accept the terms of use and privacy notice to sign up.")},
    )


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username or email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Old password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    revoke_api_tokens = forms.BooleanField(
        label=_("Also revoke my API tokens"), required=False, help_text=REVOKE_TOKENS_HELP
    )

    def clean(self):
        super().clean()
        # What Form.clean() returns; its stub allows None, which only an override can give.
        data = self.cleaned_data
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class ProfileForm(forms.Form):
    country = forms.CharField(label=_("Country"), max_length=2)
    languages = forms.CharField(label=_("Languages you read"))
    timezone = forms.CharField(label=_("Time zone"))
    language = forms.ChoiceField(label=_("Site language"), choices=settings.LANGUAGES)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)


class PasswordResetRequestForm(PasswordResetForm):
    """Only the address: what happens next is services.password_reset_request."""


class PasswordResetConfirmForm(SetPasswordForm):
    # Checked by default: a forgotten password may be a stolen one.
    revoke_api_tokens = forms.BooleanField(
        label=_("Also revoke my API tokens"),
        required=False,
        initial=True,
        help_text=REVOKE_TOKENS_HELP,
    )

    def save(self, commit: bool = True) -> Any:
        try:
            return services.user_password_reset(
                user=self.user,
                new_password=self.cleaned_data["new_password1"],
                revoke_api_tokens=self.cleaned_data.get("revoke_api_tokens", False),
            )
        except ApplicationError as exc:
            # validate_password already ran in clean(); only a race gets here.
            raise ValidationError(exc.message) from None


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's log-in under the same throttling as the site's, so it is no side door for
    guessing passwords."""

    def clean(self) -> dict[str, Any]:
        name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if name is not None and password:
            try:
                user = services.user_log_in(
                    request=self.request,
                    name=name,
                    password=password,
                    ip=client_address(self.request) if self.request is not None else None,
                )
            except TooMany as exc:
                raise ValidationError(exc.message, code="throttled") from None
            except ApplicationError:
                raise self.get_invalid_login_error() from None
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data


def _admin_username(form: forms.ModelForm, name: str) -> str:
    try:
        return services.username_check_available(username=name, exclude_user_id=form.instance.pk)
    except ApplicationError as exc:
        raise ValidationError(exc.message, code=exc.code) from None


class AdminUserAddForm(AdminUserCreationForm):
    """An operator creating an account meets the sign-up's rules on names."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self) -> str:
        return _admin_username(self, self.cleaned_data.get("username") or "")


class AdminUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_username(self) -> str:
        return _admin_username(self, self.cleaned_data.get("username") or "")
