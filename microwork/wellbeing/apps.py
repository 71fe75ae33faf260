from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    """Protection for those who look at disturbing content: what each worker chooses to see,
    their daily limit, breaks, and the blur and penalty-free skip the task page applies."""

    name = "microwork.wellbeing"
    label = "wellbeing"
    verbose_name = "Worker wellbeing"
