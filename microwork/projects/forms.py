from django import forms
from django.utils.translation import gettext_lazy as _

from microwork.lib.money import CURRENCY_CHOICES
from microwork.projects.interfaces import interface_choices
from microwork.projects.interfaces.relevance import DEFAULT_SCALE
from microwork.projects.models import Project
from microwork.projects.services import LOCKED_ONCE_ANSWERED

INSTRUCTIONS_EXAMPLE = _(
    """Say whether each image would be fine on a family website.

- Choose **Acceptable** when nothing in it would upset a child.
- Choose **Gory** for blood, wounds or dead animals.

## Examples

Worked examples help more than rules. Show two or three, with the answer and why:

1. A dog playing in a park → **Acceptable**: nothing upsetting.
2. A butcher's counter with raw meat → **Gory**: blood is visible.
"""
)

# What a datetime-local input sends and shows; the platform's time zone is UTC.
OPENING_FORMAT = "%Y-%m-%dT%H:%M"
LOCK_HELP = _("Locked: tasks already have answers, and changing it would change what they mean.")
# Form fields holding the interface config; locked together with it.
CONFIG_FIELDS = ("question", "labels", "scale")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


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
    question = forms.CharField(
        label=_("Question"),
        required=False,
        help_text=_("Shown above every task (choice interfaces)."),
    )
    labels = forms.CharField(
        label=_("Labels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: value|shown text, e.g. ok|Acceptable (choice interfaces)."),
    )
    scale = forms.CharField(
        label=_("Graded scale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(DEFAULT_SCALE),
        help_text=_("4 or 5 lines, from the lowest grade (0) up (graded relevance)."),
    )
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
    order = forms.ChoiceField(
        label=_("Order tasks are given out"),
        choices=Project.Order.choices,
        initial=Project.Order.DEPTH_FIRST,
    )

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interface"].choices = interface_choices()
        self.fields["instructions"].initial = INSTRUCTIONS_EXAMPLE
        if locked:
            for name in (*LOCKED_ONCE_ANSWERED, *CONFIG_FIELDS):
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
    def initial_for(project: Project) -> dict:
        config = project.config or {}
        return {
            "name": project.name,
            "description": project.description,
            "instructions": project.instructions,
            "interface": project.interface,
            "question": config.get("question", ""),
            "labels": "\n".join(
                f"{label['value']}|{label['text']}" for label in config.get("labels", [])
            ),
            "scale": "\n".join(config.get("scale", DEFAULT_SCALE)),
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
        }

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
            )
            if not self.fields[name].disabled
        }
        if not self.fields["question"].disabled:
            config = {"question": data["question"], "labels": _lines(data["labels"])}
            if data["interface"] == "graded_relevance":
                config = {"question": data["question"], "scale": _lines(data["scale"])}
            out["config"] = config
        return out


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tasks file"),
        help_text=_("CSV (UTF-8), JSON (an array of objects) or JSON Lines."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.jsonl,.ndjson"}),
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
