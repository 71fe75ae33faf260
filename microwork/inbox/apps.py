from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "microwork.inbox"
    label = "inbox"
    verbose_name = "Inbox"
