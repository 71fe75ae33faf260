"""An operator sends the money by hand (bank transfer, mobile-money app) and records it."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.ledger.providers import SendResult
from microwork.ledger.providers._phone import clean_phone, mask_phone


class ManualProvider:
    key = "manual"
    label = _("Mobile money, sent by our staff")
    operator_settles = True

    def check_details(self, details: dict[str, Any]) -> dict[str, Any]:
        return clean_phone(details)

    def describe(self, details: dict[str, Any]) -> str:
        return f"{self.label} {mask_phone(details)}"

    def send(self, *, key: str, amount: Any, currency: str, details: dict[str, Any]) -> SendResult:
        # Nothing leaves automatically: the payout waits in the operators' queue until one of
        # them marks it sent with the transfer's reference.
        return SendResult(status="pending")
