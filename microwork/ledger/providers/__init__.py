"""Payment providers: one registry for payouts and one for deposits, key → dotted path, each
loaded on first use.

A payout provider sends money out of the platform; a deposit provider takes a requester's money
in. `send` and `charge` must be idempotent on `key`: the ledger retries with the same key after
a crash, and a provider that acted on the first call must answer with that same outcome instead
of moving the money again.
"""

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from microwork.lib.registry import plugin

PAYOUT_PROVIDERS: dict[str, str] = {
    "manual": "microwork.ledger.providers.manual.ManualProvider",
    "simulated": "microwork.ledger.providers.simulated.SimulatedProvider",
}

DEPOSIT_PROVIDERS: dict[str, str] = {
    "simulated": "microwork.ledger.providers.simulated.SimulatedCard",
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
    # True: an operator sends the money and records the outcome (`send` only says "pending").
    # False: the provider's answer settles each payout; an operator may ask it again, never
    # mark it sent or failed (the money may be on its way).
    operator_settles: bool

    def check_details(self, details: dict[str, Any]) -> dict[str, Any]:
        """The details cleaned, or an ApplicationError naming the bad field."""
        ...

    def describe(self, details: dict[str, Any]) -> str:
        """A short, partly masked description for pages: "M-Pesa …5678"."""
        ...

    def send(
        self, *, key: str, amount: Any, currency: str, details: dict[str, Any]
    ) -> SendResult: ...


def get_provider(key: str) -> PayoutProvider:
    return plugin(
        PAYOUT_PROVIDERS,
        key,
        unknown=_("Unknown payout provider %(key)s."),
        code="unknown_provider",
        field="provider",
    )


def method_text(*, provider: str, label: str, details: dict[str, Any]) -> str:
    """A payout method in one line: the provider's masked description, after the name the
    worker gave it. A method saved without a name is named after its provider, which the
    description already says: it is not said twice."""
    impl = get_provider(provider)
    description = impl.describe(details)
    provider_names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            provider_names.add(str(impl.label))
    if not label.strip() or label.strip() in provider_names:
        return description
    return f"{label} — {description}"


def provider_choices() -> list[tuple[str, str]]:
    return [(key, get_provider(key).label) for key in PAYOUT_PROVIDERS]


# --- deposits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeResult:
    # "paid": the money is ours, credit the requester; "failed": nothing was taken.
    status: Literal["paid", "failed"]
    reference: str = ""
    message: str = ""


class DepositProvider(Protocol):
    key: str
    label: str
    # The largest single deposit it takes, or None.
    max_amount: Any

    def enabled(self) -> bool:
        """Whether this site takes deposits through it (settings, credentials)."""
        ...

    def charge(
        self, *, key: str, amount: Any, currency: str, details: dict[str, Any]
    ) -> ChargeResult: ...


def get_deposit_provider(key: str) -> DepositProvider:
    return plugin(
        DEPOSIT_PROVIDERS,
        key,
        unknown=_("Unknown deposit provider %(key)s; use one of: %(keys)s."),
        code="unknown_provider",
        field="provider",
    )


def deposit_providers_enabled() -> list[str]:
    return [key for key in DEPOSIT_PROVIDERS if get_deposit_provider(key).enabled()]
