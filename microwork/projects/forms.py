from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microwork.lib.errors import ApplicationError
from microwork.lib.money import CURRENCY_CHOICES
from microwork.lib.views import form_labels, in_words
from microwork.projects import disturbing
from microwork.projects.interfaces import TaskInterface, get_interface, interfaces_all
from microwork.projects.models import Project
from microwork.projects.personal_data import FIELDS as PERSONAL_DATA_FIELDS
from microwork.projects.personal_data import MAX_PURPOSE, MAX_RECIPIENTS, Category
from microwork.projects.services.project_checks import LOCKED_ONCE_ANSWERED

# What a datetime-local input sends and shows; the platform's time zone is UTC.
OPENING_FORMAT = "%Y-%m-%dT%H:%M"
LOCK_HELP = _("Locked: tasks already have answers, and changing it would change what they mean.")
# Shown above the interface's own settings; the rest of the form follows them.
TOP_FIELDS = ("name", "description", "instructions", "interface")
HOUR = 3600
DAY = 24 * HOUR
APPROVAL_PERIODS = [
    (HOUR, _("1 hour")),
    (6 * HOUR, _("6 hours")),
    (12 * HOUR, _("12 hours")),
    (DAY, _("1 day")),
    (2 * DAY, _("2 days")),
    (3 * DAY, _("3 days")),
    (5 * DAY, _("5 days")),
    (7 * DAY, _("7 days")),
]


def config_field_name(interface: TaskInterface, name: str) -> str:
    """Each interface's settings get their own form fields, so two interfaces may both have a
    `question` with different rules."""
    return f"{interface.key}-{name}"


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Public description"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Workers read this before choosing your project."),
    )
    instructions = forms.CharField(
        label=_("Instructions (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "data-preview": "instructions-preview"}),
        help_text=_("Keep the “## Examples” section: worked examples are what workers use most."),
    )
    interface = forms.ChoiceField(label=_("Task interface"), choices=())
    reward = forms.CharField(
        label=_("Reward per task"),
        help_text=_("Up to 6 decimal places, e.g. 0.05"),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    estimated_seconds = forms.IntegerField(
        label=_("Estimated seconds per task"),
        help_text=_("Be honest: workers see the hourly rate it implies."),
    )
    overlap = forms.IntegerField(label=_("Answers per task (overlap)"), initial=3)
    time_limit_seconds = forms.IntegerField(label=_("Time limit per task (seconds)"), initial=600)
    opens_at = forms.DateTimeField(
        label=_("Work opens at (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=OPENING_FORMAT),
        help_text=_(
            "Optional. No task is handed out before then; workers can ask to be told, and "
            "everyone who asks in the first minute is in the same first round."
        ),
    )
    hourly_cap_per_worker = forms.IntegerField(
        label=_("Tasks per worker per hour (cap)"),
        required=False,
        help_text=_("Optional. Spreads scarce work over more people; empty means no cap."),
    )
    gold_rate = forms.CharField(
        label=_("Share of gold (control) tasks"),
        initial="0.1",
        help_text=_("0 to 1; 0.1 means about one task in ten is a control task."),
    )
    max_open_per_worker = forms.IntegerField(label=_("Open tasks per worker at once"), initial=1)
    review_overlap = forms.IntegerField(
        label=_("Reviewers per answer (peer review)"),
        required=False,
        initial=0,
        min_value=0,
        max_value=5,
        help_text=_(
            "For kinds reviewed rather than aggregated (free text, transcription checked by "
            "reviewers): each answer goes to this many other workers. 0 turns it off."
        ),
    )
    review_reward = forms.CharField(
        label=_("Reward per review"),
        required=False,
        help_text=_("Paid to each reviewer, e.g. 0.02."),
    )
    review_threshold = forms.CharField(
        label=_("Share of reviewers who must accept"),
        required=False,
        initial="0.5",
        help_text=_("0.5: an answer is approved when at least half its reviewers accept it."),
    )
    disturbing_content = forms.MultipleChoiceField(
        label=_("Disturbing content the tasks show"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        help_text=_(
            "Required before going live when tasks show pictures or video. Workers see only "
            "the categories they chose to see; such items are blurred until tapped and can be "
            "skipped without penalty. Sexual abuse of children is never allowed."
        ),
    )
    order = forms.ChoiceField(
        label=_("Order tasks are given out"),
        choices=Project.Order.choices,
        initial=Project.Order.DEPTH_FIRST,
    )

    personal_data = forms.MultipleChoiceField(
        label=_("Personal data collected about workers"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their voice, face, identity documents, location or anything else about them. "
            "Workers read what you declare here and agree before their first task; a kind "
            "that records voices or faces cannot go live without it."
        ),
    )
    personal_data_purpose = forms.CharField(
        label=_("Why you collect it"),
        required=False,
        max_length=MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    personal_data_retention_days = forms.IntegerField(
        label=_("Days it is kept"),
        required=False,
        help_text=_("After the worker's last task in the project; then it is deleted."),
    )
    personal_data_recipients = forms.CharField(
        label=_("Who receives it"),
        required=False,
        max_length=MAX_RECIPIENTS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    auto_approve_seconds = forms.TypedChoiceField(
        label=_("Approval period"),
        coerce=int,
        choices=APPROVAL_PERIODS,
        initial=3 * DAY,
        help_text=_(
            "Answers you have not approved or rejected by then are approved and paid "
            "automatically. At most 7 days: workers wait for this money."
        ),
    )

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.interfaces = interfaces_all()
        interface_field = self.fields["interface"]
        assert isinstance(interface_field, forms.ChoiceField)  # as declared above
        interface_field.choices = [(i.key, i.title) for i in self.interfaces]
        disturbing_field = self.fields["disturbing_content"]
        assert isinstance(disturbing_field, forms.MultipleChoiceField)  # as declared above
        disturbing_field.choices = [
            (disturbing.NONE, _("No disturbing content")),
            *disturbing.category_choices(),
        ]
        period = self.initial.get("auto_approve_seconds")
        if period and period not in dict(APPROVAL_PERIODS):
            # Set through the API to a period the list does not have: keep it choosable.
            field = self.fields["auto_approve_seconds"]
            assert isinstance(field, forms.ChoiceField)  # as declared above
            field.choices = sorted([*APPROVAL_PERIODS, (period, duration_text(period))])
        for interface in self.interfaces:
            for config_field in interface.config_fields:
                self.fields[config_field_name(interface, config_field.name)] = (
                    config_field.form_field()
                )
        if locked:
            config_names = [
                config_field_name(i, f.name) for i in self.interfaces for f in i.config_fields
            ]
            for name in (*LOCKED_ONCE_ANSWERED, *config_names):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = LOCK_HELP
            self.fields["overlap"].help_text = _(
                "Tasks already have answers: overlap can only go up."
            )
            self.fields["reward"].help_text = _(
                "Tasks already have answers: the reward can only go up (escrow is topped up)."
            )

    @staticmethod
    def initial_for_template(interface: TaskInterface) -> dict:
        """A new project started from a kind's template (its `starter`), not from another
        project's instructions."""
        starter = interface.starter()
        initial: dict[str, Any] = {
            "interface": interface.key,
            "instructions": starter.get("instructions", ""),
        }
        for config_field in interface.config_fields:
            value = starter.get("config", {}).get(config_field.name)
            if value is not None:
                initial[config_field_name(interface, config_field.name)] = config_field.to_form(
                    value
                )
        return initial

    @staticmethod
    def initial_for(project: Project) -> dict:
        initial: dict[str, Any] = {
            "name": project.name,
            "description": project.description,
            "instructions": project.instructions,
            "interface": project.interface,
            "reward": str(project.reward.normalize()) if project.reward else "",
            "currency": project.currency,
            "estimated_seconds": project.estimated_seconds,
            "overlap": project.overlap,
            "time_limit_seconds": project.time_limit_seconds,
            "opens_at": project.opens_at,
            "hourly_cap_per_worker": project.hourly_cap_per_worker,
            "gold_rate": str(project.gold_rate.normalize()),
            "max_open_per_worker": project.max_open_per_worker,
            "order": project.order,
            "auto_approve_seconds": project.auto_approve_seconds,
            "review_overlap": project.review_overlap,
            "review_reward": str(project.review_reward.normalize())
            if project.review_reward
            else "",
            "review_threshold": str(project.review_threshold.normalize()),
            **{name: getattr(project, name) for name in PERSONAL_DATA_FIELDS},
            "disturbing_content": (
                []
                if project.disturbing_content is None
                else list(project.disturbing_content) or [disturbing.NONE]
            ),
        }
        interface = get_interface(project.interface)
        for config_field in interface.config_fields:
            initial[config_field_name(interface, config_field.name)] = config_field.to_form(
                (project.config or {}).get(config_field.name)
            )
        return initial

    def values(self) -> dict:
        """The service's arguments; disabled (locked) fields are left out."""
        data = self.cleaned_data
        out = {
            name: data[name]
            for name in (
                "name",
                "description",
                "instructions",
                "interface",
                "reward",
                "currency",
                "estimated_seconds",
                "overlap",
                "time_limit_seconds",
                "opens_at",
                "hourly_cap_per_worker",
                "gold_rate",
                "max_open_per_worker",
                "order",
                "auto_approve_seconds",
                "review_overlap",
                "review_reward",
                "review_threshold",
                *PERSONAL_DATA_FIELDS,
            )
            if not self.fields[name].disabled
        }
        # Nothing ticked: not declared (refused at going live when tasks show pictures).
        out["disturbing_content"] = list(data["disturbing_content"]) or None
        interface = self.chosen_interface()
        names = {f.name: config_field_name(interface, f.name) for f in interface.config_fields}
        if not any(self.fields[n].disabled for n in names.values()):
            out["config"] = {
                f.name: f.from_form(data.get(names[f.name], "")) for f in interface.config_fields
            }
        return out

    def chosen_interface(self) -> TaskInterface:
        key = self.cleaned_data.get("interface") if hasattr(self, "cleaned_data") else None
        return get_interface(key or self["interface"].value() or self.interfaces[0].key)

    def service_error(self, exc: ApplicationError) -> None:
        """A service's error beside its field; an interface setting's beside that interface's
        form field."""
        name = exc.field
        if name not in self.fields and name:
            name = config_field_name(self.chosen_interface(), name)
        self.add_error(
            name if name in self.fields else None, in_words(exc.message, form_labels(self))
        )

    # What the template lays out: the common fields, then one section per interface (the page
    # shows the chosen one), then the rest.
    def top_fields(self) -> list[BoundField]:
        return [self[name] for name in TOP_FIELDS]

    def config_sections(self) -> list[dict[str, Any]]:
        return [
            {
                "key": i.key,
                "title": i.title,
                "description": i.description,
                "fields": [self[config_field_name(i, f.name)] for f in i.config_fields],
            }
            for i in self.interfaces
        ]

    def other_fields(self) -> list[BoundField]:
        config = {config_field_name(i, f.name) for i in self.interfaces for f in i.config_fields}
        return [self[name] for name in self.fields if name not in TOP_FIELDS and name not in config]


def duration_text(seconds: int) -> str:
    """A period in the largest whole unit: "3 days", "90 minutes"."""
    if seconds % DAY == 0:
        n = seconds // DAY
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if seconds % HOUR == 0:
        n = seconds // HOUR
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tasks file"),
        help_text=_("CSV (UTF-8), JSON (an array of objects) or JSON Lines."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.jsonl,.ndjson"}),
    )
    media_zip = forms.FileField(
        label=_("Media files (ZIP, optional)"),
        required=False,
        help_text=_(
            "Pictures, sound or video the tasks show, in one ZIP. A row names a file by its "
            "name in the ZIP, e.g. image_url = cat-17.png."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    opens_at = forms.DateTimeField(
        label=_("These tasks open at (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=OPENING_FORMAT),
        help_text=_(
            "Optional. Empty: they open as soon as they are added. Either way, everyone who "
            "asks in the first minute after they open is in the same first round."
        ),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Project.Status.choices)
    reason = forms.CharField(required=False, max_length=500)
