from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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


class RequesterSignupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=120)


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
