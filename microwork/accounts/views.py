from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts import selectors, services
from microwork.accounts.access import access_organisation_for_requester, access_worker
from microwork.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RequesterSignupForm,
    TokenForm,
    WorkerSignupForm,
)
from microwork.accounts.models import ApiToken
from microwork.lib.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.redirects import safe_next_url
from microwork.lib.views import form_error


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def signup(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("as", request.POST.get("as", "worker"))
    form_class = RequesterSignupForm if kind == "requester" else WorkerSignupForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "requester":
                user = services.requester_signup(**data)
            else:
                user = services.worker_signup(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    country=data["country"],
                    languages=data["languages"].split(","),
                    timezone_name=data["timezone"],
                    language=data["language"],
                )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to microwork, %(name)s.") % {"name": user.username}
            )
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form, "kind": kind})


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["username"].strip()
        ip = _client_ip(request)
        try:
            services.login_throttle_check(username=name, ip=ip)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            username = selectors.login_username(name=name)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                services.login_failure_record(username=name, ip=ip)
                form.add_error(None, _("Username or password is wrong."))
            else:
                services.login_failures_clear(username=name)
                login(request, user)
                target = safe_next_url(request.GET.get("next"))
                if target:
                    return redirect(target)
                return redirect("home")
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                user=request_user(request),
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    worker = user.worker_profile if user.is_worker else None
    form = None
    if worker is not None:
        initial = {
            "country": worker.country,
            "languages": ", ".join(worker.languages),
            "timezone": worker.timezone,
            "language": user.language,
        }
        form = ProfileForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                access_worker(user=user)
                services.worker_profile_update(
                    user=user,
                    country=data["country"],
                    languages=data["languages"].split(","),
                    timezone_name=data["timezone"],
                    language=data["language"],
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "worker": worker})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user) if user.is_requester else None
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                user=user, name=form.cleaned_data["name"], organisation=organisation
            )
        except ApplicationError as exc:
            form_error(form, exc)
    rows = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": rows, "new_key": new_key, "organisation": organisation},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token is a missing one, as every other id of someone else's is.
    token = get_object_or_404(ApiToken, user=request_user(request), pk=token_id)
    services.api_token_revoke(token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        if user.is_worker:
            return redirect("work:home")
        if user.is_requester:
            return redirect("projects:list")
        if user.is_staff:
            return redirect("admin:index")
    return render(request, "accounts/landing.html")
