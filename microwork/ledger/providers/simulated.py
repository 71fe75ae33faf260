"""Stand-ins for a mobile-money API and a card processor, for the demo and tests.

The payout side is deterministic: a transfer fails when the number ends in 0000 or the amount's
last two digits are 13 (e.g. 2.13), and succeeds otherwise. It keeps its own books
(SimulatedTransfer), one row per key, like a real provider that honours idempotency keys. The
card takes any deposit up to 10,000 at once; its reference is derived from the key, so asking
again answers the same."""

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from microwork.ledger.providers import ChargeResult, SendResult
from microwork.ledger.providers._phone import clean_phone, mask_phone


class SimulatedProvider:
    key = "simulated"
    label = _("Mobile money (simulated, demo)")
    operator_settles = False

    def check_details(self, details: dict[str, Any]) -> dict[str, Any]:
        return clean_phone(details)

    def describe(self, details: dict[str, Any]) -> str:
        return f"{self.label} {mask_phone(details)}"

    def send(self, *, key: str, amount: Any, currency: str, details: dict[str, Any]) -> SendResult:
        from microwork.ledger.models import SimulatedTransfer

        existing = SimulatedTransfer.objects.filter(key=key).first()
        if existing is None:
            amount = Decimal(amount)
            phone = str(details.get("phone", ""))
            cents = int((amount * 100).to_integral_value()) % 100
            fails = phone.endswith("0000") or cents == 13
            try:
                # Its own transaction: the provider's books are not the ledger's and must not
                # roll back with it.
                with transaction.atomic():
                    existing = SimulatedTransfer.objects.create(
                        key=key,
                        amount=amount,
                        currency=currency,
                        destination=phone,
                        succeeded=not fails,
                        reference="SIM-" + hashlib.sha256(key.encode()).hexdigest()[:12].upper(),
                        message="destination refused the transfer" if fails else "",
                    )
            except IntegrityError:
                existing = SimulatedTransfer.objects.get(key=key)
        if existing.succeeded:
            return SendResult(status="paid", reference=existing.reference)
        return SendResult(status="failed", reference=existing.reference, message=existing.message)


class SimulatedCard:
    key = "simulated"
    label = _("simulated card")
    max_amount = Decimal("10000")

    def enabled(self) -> bool:
        # It makes money from nothing: off unless the site asks for it (the demo, tests).
        return bool(settings.SIMULATED_PAYMENTS)

    def charge(
        self, *, key: str, amount: Any, currency: str, details: dict[str, Any]
    ) -> ChargeResult:
        return ChargeResult(
            status="paid",
            reference="SIMCARD-" + hashlib.sha256(key.encode()).hexdigest()[:12].upper(),
        )
