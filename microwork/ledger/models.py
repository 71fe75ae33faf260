"""Double-entry money: accounts, transactions of balanced entries, payouts to the world.

Entries and transactions are append-only; a balance is the sum of an account's entries. The
cached `Account.balance` exists so a "not below zero" check can be a row lock plus a database
constraint instead of a full sum, and `ledger_check` proves it equals the sum.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microwork.accounts.models import Organisation
from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, CURRENCY_CHOICES


def _amount_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)


class Account(models.Model):
    class Kind(models.TextChoices):
        REQUESTER_AVAILABLE = "requester_available", _("Requester funds")
        REQUESTER_ESCROW = "requester_escrow", _("Project escrow")
        WORKER_PENDING = "worker_pending", _("Pending earnings")
        WORKER_AVAILABLE = "worker_available", _("Available earnings")
        PLATFORM_FEES = "platform_fees", _("Platform fees")
        PAYOUTS_IN_FLIGHT = "payouts_in_flight", _("Payouts being sent")
        WORLD = "world", _("Outside world")

    kind = models.CharField(max_length=24, choices=Kind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A project's escrow; a plain id because the ledger does not depend on the projects app.
    project_id = models.PositiveBigIntegerField(null=True, blank=True)
    # "kind:owner:currency", unique: one account per owner, kind and currency, whatever the
    # database does with NULLs in composite unique indexes.
    key = models.CharField(max_length=120, unique=True)
    balance = _amount_field(default=Decimal(0))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Only the outside world may owe: every other balance is money someone holds.
            models.CheckConstraint(
                condition=Q(kind="world") | Q(balance__gte=0), name="ledger_account_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "kind"]),
            models.Index(fields=["organisation", "kind"]),
        ]

    def __str__(self) -> str:
        return self.key


class Transaction(models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        ESCROW_FUND = "escrow_fund", _("Escrow for tasks")
        ESCROW_RELEASE = "escrow_release", _("Unused escrow returned")
        EARNING = "earning", _("Earning (pending)")
        APPROVAL = "approval", _("Earning approved")
        REJECTION = "rejection", _("Earning rejected")
        OVERTURN = "overturn", _("Rejection overturned")
        BONUS = "bonus", _("Bonus")
        FLOOR_TOPUP = "floor_topup", _("Top-up to the pay floor")
        TEST_PAYMENT = "test_payment", _("Paid test or training")
        STANDBY = "standby", _("Standby for live tasks")
        PAYOUT_RESERVE = "payout_reserve", _("Payout requested")
        PAYOUT_SENT = "payout_sent", _("Payout sent")
        PAYOUT_RETURN = "payout_return", _("Payout failed, money returned")

    kind = models.CharField(max_length=24, choices=Kind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # SHA-256 of kind and (account, amount) pairs: a retry with the same key must carry the
    # same content, or it is refused.
    fingerprint = models.CharField(max_length=64)
    memo = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # References to other apps' rows by id (the ledger imports none of them).
    project_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    submission_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    metadata = models.JSONField(default=dict, blank=True)

    # Not stored: set by ledger_post on the transaction it has just written, account id →
    # balance after it, for every account it locked. Callers that must look at a balance right
    # after posting (the funds guard on every answer) read it here instead of asking again.
    balances: dict[int, Decimal] | None = None

    class Meta:
        indexes = [
            models.Index(fields=["kind", "created_at"]),
            # A project's latest transaction of a kind (its latest task funding, read on
            # every task added), found without reading the project's others.
            models.Index(fields=["project_id", "kind", "id"], name="ledger_tx_project_kind_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    # Signed: positive adds to the account, negative takes from it.
    amount = _amount_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.account_id}"


class ExchangeRate(models.Model):
    """Operator-kept rates used only to show estimates in a worker's local currency; money
    never moves at these rates."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    base = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    # Units of `currency` for one unit of `base`.
    rate = models.DecimalField(max_digits=18, decimal_places=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base", "currency"], name="one_rate_per_pair"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.currency}"


class PayoutMethod(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_methods"
    )
    provider = models.CharField(max_length=32)
    label = models.CharField(_("name"), max_length=80)
    # What the provider needs, checked by it: e.g. {"phone": "+2348012345678"}.
    details = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} ({self.provider})"


class Payout(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PROCESSING = "processing", _("Being sent")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed, money returned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    method = models.ForeignKey(PayoutMethod, on_delete=models.PROTECT, related_name="payouts")
    provider = models.CharField(max_length=32)
    amount = _amount_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # The key the provider sees; the same on every retry, so a re-sent request never pays twice.
    provider_key = models.CharField(max_length=64, unique=True)
    # The worker's own retry token (a hidden form field): a double-tapped "Pay me" asks once.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    provider_reference = models.CharField(max_length=200, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField()
    # When the current processing claim was taken: a claim older than the recovery delay is
    # treated as abandoned by a crashed process.
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payout_positive")]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"payout {self.pk} {self.amount} {self.currency} {self.status}"


class PayoutEvent(models.Model):
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="events")
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status}"


class SimulatedTransfer(models.Model):
    """The simulated provider's own books (it stands for a remote mobile-money service): one row
    per idempotency key, so asking it twice for the same payout sends once."""

    key = models.CharField(max_length=64, unique=True)
    amount = _amount_field()
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=200)
    succeeded = models.BooleanField()
    reference = models.CharField(max_length=64)
    message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class LedgerCheckRun(models.Model):
    """One run of the books check (`ledger_check`), kept so an operator sees a mismatch on the
    operator pages and in the admin, not only in a log."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    transactions = models.PositiveBigIntegerField()
    entries = models.PositiveBigIntegerField()
    accounts = models.PositiveBigIntegerField()
    problem_count = models.PositiveIntegerField()
    # The first problems found, in the check's words; problem_count says how many in all.
    problems = models.JSONField(default=list, blank=True)
    # Currency → sum of all entries, as a decimal string (zero when the books balance).
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["-started_at"])]

    def __str__(self) -> str:
        return f"ledger check {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'PROBLEMS'}"
