"""Worker API for personal data: agree to a project's declaration, withdraw, download what the
platform holds about you, delete your account."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.privacy.access import access_project_for_consent, access_project_for_withdrawal
from microwork.privacy.models import Consent, Withdrawal
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
def give(request: HttpRequest, project_id: int, payload: ConsentIn | None = None) -> Consent:
    """Agree to the project's personal data declaration as it stands. Idempotent: a retry
    returns the same consent."""
    user = request_user(request)
    project = access_project_for_consent(user=user, project_id=project_id)
    return consent_give(project=project, worker=user, version=payload.version if payload else None)


@router.delete("/work/projects/{project_id}/consent", response=responses(WithdrawalOut))
def withdraw(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """Withdraw your consent: your open tasks of the project go back, your personal data of
    the project is deleted, the requester is told which items went, and you keep your pay. A
    retry returns the same withdrawal."""
    user = request_user(request)
    project = access_project_for_withdrawal(user=user, project_id=project_id)
    return _withdrawal_out(consent_withdraw(project=project, worker=user))
