"""Who writes the words of each kind of inbox line: kind → dotted path of a writer,
`writer(*, notifications) -> list[(sentence, page or None)]`, called each time an inbox page
is shown with the lines of its kinds on that page (a list of Notification) and answering for
each in the same order. One writer sees all its lines at once, so it can fetch what they
refer to in one query; writers are independent, so the order of the kinds does not matter.
A new kind is one entry here, and `inbox_notify` refuses a kind not listed."""

QUALITY = "microwork.quality.texts.inbox_lines"
WORK = "microwork.work.releases.inbox_lines"
LEDGER = "microwork.ledger.texts.inbox_lines"

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
    # To a project's requesters: a worker's personal data of it deleted, and which items.
    "personal_data_deleted": "microwork.privacy.texts.inbox_lines",
    # A requester's message to workers who did their work (MTurk's NotifyWorkers).
    "requester_message": "microwork.mturk.texts.inbox_lines",
    "payout_sent": LEDGER,
    "payout_failed": LEDGER,
}

# The kinds that also go out by e-mail, each under the topic a person switches on or off on
# their e-mail page (inbox.models.MailChoice): what changes someone's pay or standing, and
# the news they asked for. The other kinds stay in the inbox only.
MAIL_TOPICS: dict[str, str] = {
    "decision": "decisions",
    "decision_reversed": "decisions",
    "decision_expired": "decisions",
    "appeal_received": "appeals",
    "appeal_upheld": "appeals",
    "appeal_reversed": "appeals",
    "appeal_escalated": "appeals",
    "payout_sent": "payouts",
    "payout_failed": "payouts",
    "project_opened": "new_work",
}
