from django import forms
from django.utils.translation import gettext_lazy as _

from microwork.webhooks.events import EVENTS, SUBSCRIBABLE


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("Where each event is sent by POST: http:// or https://."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, f"{EVENTS[name]} ({name})") for name in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
