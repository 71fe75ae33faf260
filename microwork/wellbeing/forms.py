from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from microwork.projects.disturbing import CATEGORIES


class WellbeingForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("I agree to see"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    daily_cap = forms.IntegerField(
        label=_("Most disturbing items a day"),
        min_value=1,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        assert isinstance(field, forms.MultipleChoiceField)  # as declared above
        field.choices = [(key, f"{name} — {what}") for key, (name, what) in CATEGORIES.items()]
        platform = settings.WELLBEING_DAILY_CAP
        cap = self.fields["daily_cap"]
        assert isinstance(cap, forms.IntegerField)  # as declared above
        cap.max_value = platform
        cap.widget.attrs.update({"min": 1, "max": platform, "inputmode": "numeric"})
        cap.help_text = _(
            "At most %(n)d, the platform's limit. You may choose fewer; nobody else can change it."
        ) % {"n": platform}
