"""Which account holds what: one per kind, currency and owner, made on first use."""

from collections.abc import Sequence
from dataclasses import dataclass

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account
from microwork.lib.money import check_currency

Kind = Account.Kind


def _account_key(
    kind: str,
    currency: str,
    organisation_id: int | None,
    user_id: int | None,
    project_id: int | None,
) -> str:
    if kind in (Kind.REQUESTER_AVAILABLE,):
        owner = f"org{organisation_id}"
    elif kind == Kind.REQUESTER_ESCROW:
        owner = f"project{project_id}"
    elif kind in (Kind.WORKER_PENDING, Kind.WORKER_AVAILABLE):
        owner = f"user{user_id}"
    else:
        owner = "platform"
    return f"{kind}:{owner}:{currency}"


@dataclass(frozen=True)
class AccountSpec:
    """Which account: a kind, a currency and, by kind, its owner."""

    kind: str
    currency: str
    organisation: Organisation | None = None
    user: User | None = None
    project_id: int | None = None

    def key(self) -> str:
        needs: dict[str, bool] = {
            Kind.REQUESTER_AVAILABLE: self.organisation is not None,
            Kind.REQUESTER_ESCROW: self.organisation is not None and self.project_id is not None,
            Kind.WORKER_PENDING: self.user is not None,
            Kind.WORKER_AVAILABLE: self.user is not None,
        }
        if not needs.get(self.kind, True):
            raise ValueError(f"account kind {self.kind} needs an owner")
        return _account_key(
            self.kind,
            self.currency,
            self.organisation.pk if self.organisation else None,
            self.user.pk if self.user else None,
            self.project_id,
        )


def ledger_accounts(*, specs: Sequence[AccountSpec]) -> list[Account]:
    """The accounts asked for, in the same order, made on first use. One query when they all
    exist already: the earning on every answer needs three."""
    specs = [
        AccountSpec(s.kind, check_currency(s.currency), s.organisation, s.user, s.project_id)
        for s in specs
    ]
    keys = [spec.key() for spec in specs]
    found = {a.key: a for a in Account.objects.filter(key__in=keys)}
    for spec, key in zip(specs, keys, strict=True):
        if key not in found:
            found[key], _created = Account.objects.get_or_create(
                key=key,
                defaults={
                    "kind": spec.kind,
                    "currency": spec.currency,
                    "organisation": spec.organisation,
                    "user": spec.user,
                    "project_id": spec.project_id if spec.kind == Kind.REQUESTER_ESCROW else None,
                },
            )
    return [found[key] for key in keys]


def ledger_account(
    *,
    kind: str,
    currency: str,
    organisation: Organisation | None = None,
    user: User | None = None,
    project_id: int | None = None,
) -> Account:
    """The account of this kind for this owner and currency, made on first use."""
    spec = AccountSpec(kind, currency, organisation, user, project_id)
    return ledger_accounts(specs=[spec])[0]


def world_account(currency: str) -> Account:
    return ledger_account(kind=Kind.WORLD, currency=currency)


def platform_fees_account(currency: str) -> Account:
    return ledger_account(kind=Kind.PLATFORM_FEES, currency=currency)


def in_flight_account(currency: str) -> Account:
    return ledger_account(kind=Kind.PAYOUTS_IN_FLIGHT, currency=currency)
