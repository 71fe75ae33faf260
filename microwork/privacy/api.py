"""Worker API for personal data: agree to a project's declaration, withdraw, download what the
platform holds about you, delete your account."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.lib.bounds import Id
from microwork.lib.errors import ApplicationError
from microwork.privacy.access import access_project_for_consent, access_project_for_withdrawal
from microwork.privacy.downloads import worker_data_response
from microwork.privacy.models import Consent, Withdrawal
from microwork.privacy.services.account import account_delete
from microwork.privacy.services.consent import consent_give, consent_withdraw

router = Router(tags=["personal data"])


class ConsentIn(Schema):
    version: str | None = Field(
        None,
        description="The `consent.version` you read (GET /api/work/projects): if the "
        "declaration changed since, the consent is refused (409) so you can read it again.",
    )


class ConsentGivenOut(Schema):
    id: int
    project_id: int
    text: str = Field(description="The exact words you agreed to.")
    version: str
    given_at: datetime
    withdrawn_at: datetime | None


class WithdrawalOut(Schema):
    project_id: int
    withdrawn_at: datetime
    assignments_returned: list[int] = Field(description="Your open tasks given back.")
    tasks_erased: list[int] = Field(
        description="Tasks whose personal data of yours was deleted (their answers and your "
        "pay for them stay)."
    )


def _withdrawal_out(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "project_id": withdrawal.consent.project_id,
        "withdrawn_at": withdrawal.at,
        "assignments_returned": withdrawal.assignments_returned,
        "tasks_erased": withdrawal.deletion.task_ids if withdrawal.deletion else [],
    }


@router.post("/work/projects/{project_id}/consent", response=responses(ConsentGivenOut))
def give(request: HttpRequest, project_id: Id, payload: ConsentIn | None = None) -> Consent:
    """Agree to the project's personal data declaration as it stands. Idempotent: a retry
    returns the same consent."""
    user = request_user(request)
    project = access_project_for_consent(user=user, project_id=project_id)
    return consent_give(project=project, worker=user, version=payload.version if payload else None)


@router.delete("/work/projects/{project_id}/consent", response=responses(WithdrawalOut))
def withdraw(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    """Withdraw your consent: your open tasks of the project go back, your personal data of
    the project is deleted, the requester is told which items went, and you keep your pay. A
    retry returns the same withdrawal."""
    user = request_user(request)
    project = access_project_for_withdrawal(user=user, project_id=project_id)
    return _withdrawal_out(consent_withdraw(project=project, worker=user))


class AccountDeleteIn(Schema):
    password: str = Field(description="Your password, to show it is you.")


class AccountDeletedOut(Schema):
    deleted_at: datetime
    balance_kept: dict[str, str] = Field(
        description="Money left on your balances below the payout minimum, kept on the books "
        "(currency → amount)."
    )


@router.get("/work/me/data", response=responses({200: None}))
def my_data(request: HttpRequest) -> HttpResponseBase:
    """Everything the platform holds about you, as one JSON document (streamed): profile,
    consents and deletions, answers, decisions and appeals, money."""
    user = request_user(request)
    access_worker(user=user)
    return worker_data_response(user)


@router.post("/work/me/delete", response=responses(AccountDeletedOut))
def delete_me(request: HttpRequest, payload: AccountDeleteIn) -> dict[str, Any]:
    """Delete your account. Refused (409) while money can still move: earnings awaiting
    approval, a payout on its way, or a balance you can withdraw — withdraw first."""
    user = request_user(request)
    access_worker(user=user)
    if not user.check_password(payload.password):
        raise ApplicationError(
            _("That is not your password: your account is not deleted."), field="password"
        )
    record = account_delete(user=user)
    return {"deleted_at": record.at, "balance_kept": record.balance_kept}
