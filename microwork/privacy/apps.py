from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data: workers' consent to a project's declaration, withdrawal, deletion at
    withdrawal and at the end of retention, a worker's own data to download, and account
    deletion. Above the apps whose data it gathers and erases (docs/personal-data.md)."""

    name = "microwork.privacy"
    label = "privacy"
    verbose_name = "Personal data"
