"""The words of the books' inbox lines (microwork/inbox/kinds.py): a payout sent or failed."""

from django.urls import reverse
from django.utils.translation import gettext as _

from microwork.inbox.models import Notification
from microwork.lib.l10n import amount_text


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    page = reverse("ledger:payouts")
    lines: list[tuple[str, str | None]] = []
    for n in notifications:
        amount = amount_text(n.params.get("amount"), n.params.get("currency", ""))
        if n.kind == "payout_sent":
            text = _("Your payout of %(amount)s was sent.") % {"amount": amount}
        else:
            text = _(
                "Your payout of %(amount)s could not be sent: %(reason)s. The money is back "
                "in your balance."
            ) % {"amount": amount, "reason": n.params.get("reason", "")}
        lines.append((text, page))
    return lines
