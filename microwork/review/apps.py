from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """A requester's verdict on answers: approve, reject, bonus. No models of its own: the
    money moves are payments' primitives, the rejection decision is quality control's."""

    name = "microwork.review"
    label = "review"
    verbose_name = "Answer review"
