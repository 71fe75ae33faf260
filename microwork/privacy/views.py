"""Worker pages about their personal data: a project's declaration and the "I agree" button,
withdrawal, and the page listing what they agreed to and what was deleted."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.views import action, page
from microwork.privacy import selectors
from microwork.privacy.access import access_project_for_consent, access_project_for_withdrawal
from microwork.privacy.downloads import worker_data_response
from microwork.privacy.services.account import account_delete
from microwork.privacy.services.consent import consent_give, consent_withdraw
from microwork.projects.personal_data import declaration_text, declaration_version, declares


@page
def consent(request: HttpRequest, project_id: int) -> HttpResponseBase:
    """GET shows the declaration in plain words; POST agrees and starts work."""
    user = request_user(request)
    project = access_project_for_consent(user=user, project_id=project_id)
    if request.method == "POST":
        return _agree(request, project_id)
    standing = (
        selectors.consent_standing(project=project, worker=user) if declares(project) else None
    )
    context = {
        "project": project,
        "declares": declares(project),
        "lines": declaration_text(project).splitlines() if declares(project) else [],
        "version": declaration_version(project),
        "standing": standing,
        "ever": selectors.consents_standing(project=project, worker=user).exists(),
    }
    return render(request, "privacy/consent.html", context)


@action
def _agree(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_consent(user=user, project_id=project_id)
    consent_give(project=project, worker=user, version=request.POST.get("version") or None)
    messages.success(request, _("Thank you: you agreed. You can withdraw at any time."))
    return redirect("work:home")


@require_POST
@action
def withdraw(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_withdrawal(user=user, project_id=project_id)
    withdrawal = consent_withdraw(project=project, worker=user)
    erased = len(withdrawal.deletion.task_ids) if withdrawal.deletion else 0
    messages.success(
        request,
        ngettext(
            "Consent withdrawn. Your personal data of “%(project)s” is deleted (%(n)d task); "
            "you keep what you were paid.",
            "Consent withdrawn. Your personal data of “%(project)s” is deleted (%(n)d tasks); "
            "you keep what you were paid.",
            erased,
        )
        % {"project": project.name, "n": erased},
    )
    return redirect("privacy:home")


@page
def download(request: HttpRequest) -> HttpResponseBase:
    """Everything the platform holds about the worker, as one JSON file, streamed."""
    user = request_user(request)
    access_worker(user=user)
    return worker_data_response(user)


@require_POST
@action
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    if not user.check_password(request.POST.get("password") or ""):
        raise ApplicationError(
            _("That is not your password: your account is not deleted."), field="password"
        )
    account_delete(user=user)
    logout(request)
    messages.success(
        request,
        _("Your account is deleted. Thank you for your work; we wish you well."),
    )
    return redirect("home")


@page
def my_data(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    context = {
        "consents": selectors.consents_of_worker(worker=user)[:200],
        "deletions": selectors.deletions_of_worker(worker=user)[:200],
    }
    return render(request, "privacy/my_data.html", context)
