from django.apps import AppConfig


class VoiceConfig(AppConfig):
    """What workers say and what the platform measures about those they work for: ratings of
    projects, the feedback channel to operators, and each requester's record."""

    name = "microwork.voice"
    label = "voice"
    verbose_name = "Worker voice"
