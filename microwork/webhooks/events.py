"""The closed list of events a requester may subscribe to. Each is fired by the app that
decides it happened, directly through `webhook_event_emit` (those apps sit above this one)."""

from django.utils.translation import gettext_lazy as _

ANSWER_SUBMITTED = "answer.submitted"
TASK_COMPLETED = "task.completed"
PROJECT_COMPLETED = "project.completed"
APPEAL_OPENED = "appeal.opened"
LIVE_TASK_ANSWERED = "live_task.answered"
# Sent only on request, to check a receiver; never fired by the platform.
TEST = "webhook.test"

EVENTS = {
    ANSWER_SUBMITTED: _("A worker submitted an answer"),
    TASK_COMPLETED: _("A task has all its answers"),
    PROJECT_COMPLETED: _("Every task of a project has its answers"),
    APPEAL_OPENED: _("A worker appealed a decision"),
    LIVE_TASK_ANSWERED: _("A live task was answered"),
    TEST: _("A test event you sent yourself"),
}
# What a subscription may name: everything but the test event, which reaches the one
# subscription it is sent to whatever it subscribes to.
SUBSCRIBABLE = tuple(name for name in EVENTS if name != TEST)
