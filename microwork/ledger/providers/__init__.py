"""Payout providers: one registry, key → dotted path, loaded on first use.

A provider sends money out of the platform. `send` must be idempotent on `key`: the ledger
retries with the same key after a crash, and a provider that paid on the first call must answer
with that same outcome instead of paying again.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

PAYOUT_PROVIDERS: dict[str, str] = {
    "manual": "microwork.ledger.providers.manual.ManualProvider",
    "simulated": "microwork.ledger.providers.simulated.SimulatedProvider",
}


@dataclass(frozen=True)
class SendResult:
    # "paid": money left; "failed": it never will, return it; "pending": someone (an operator,
    # a bank) finishes later.
    status: Literal["paid", "failed", "pending"]
    reference: str = ""
    message: str = ""


class PayoutProvider(Protocol):
    key: str
    label: str

    def check_details(self, details: dict[str, Any]) -> dict[str, Any]:
        """The details cleaned, or an ApplicationError naming the bad field."""
        ...

    def describe(self, details: dict[str, Any]) -> str:
        """A short, partly masked description for pages: "M-Pesa …5678"."""
        ...

    def send(
        self, *, key: str, amount: Any, currency: str, details: dict[str, Any]
    ) -> SendResult: ...


@cache
def get_provider(key: str) -> PayoutProvider:
    path = PAYOUT_PROVIDERS.get(key)
    if path is None:
        raise ApplicationError(
            _("Unknown payout provider %(key)s.") % {"key": key},
            code="unknown_provider",
            field="provider",
        )
    return import_string(path)()


def provider_choices() -> list[tuple[str, str]]:
    return [(key, get_provider(key).label) for key in PAYOUT_PROVIDERS]
