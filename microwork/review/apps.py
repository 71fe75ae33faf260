from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """A verdict on answers: a requester's (approve, reject, bonus) or other workers' (peer
    review, its only models). The money moves are payments' primitives, the rejection
    decision is quality control's."""

    name = "microwork.review"
    label = "review"
    verbose_name = "Answer review"
