"""Who writes the words of each kind of inbox line: kind → dotted path of a function that
takes the lines of its kinds (a list of Notification) and returns, for each in the same order,
the sentence and the page it leads to (or None). One function sees all its lines at once, so
it can fetch what they refer to in one query. A new kind is one entry here."""

QUALITY = "microwork.quality.texts.inbox_lines"
WORK = "microwork.work.releases.inbox_lines"

KINDS: dict[str, str] = {
    "decision": QUALITY,
    "decision_reversed": QUALITY,
    "decision_expired": QUALITY,
    "appeal_received": QUALITY,
    "appeal_upheld": QUALITY,
    "appeal_reversed": QUALITY,
    "appeal_escalated": QUALITY,
    "pay_floor": "microwork.payments.texts.inbox_lines",
    "test_result": QUALITY,
    "project_opened": WORK,
}
