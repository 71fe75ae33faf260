from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts import services
from microwork.accounts.access import (
    access_operator,
    access_organisation_for_requester,
    access_worker,
)
from microwork.accounts.auth import request_user
from microwork.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    ProfileForm,
    RequesterSignupForm,
    TokenForm,
    WorkerSignupForm,
)
from microwork.accounts.models import ApiToken, User
from microwork.accounts.operator import operator_sections
from microwork.accounts.terms import terms_current
from microwork.lib.errors import ApplicationError
from microwork.lib.net import client_address
from microwork.lib.redirects import safe_next_url
from microwork.lib.views import form_error, form_status, page


def signup(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("as", request.POST.get("as", "worker"))
    form_class = RequesterSignupForm if kind == "requester" else WorkerSignupForm
    form = form_class(request.POST or None)
    terms = terms_current()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # The form refuses an unticked box; the version is the one the page showed in force.
        data.pop("accept_terms")
        try:
            if kind == "requester":
                user = services.requester_signup(**data, terms=terms)
            else:
                user = services.worker_signup(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    country=data["country"],
                    languages=data["languages"].split(","),
                    timezone_name=data["timezone"],
                    language=data["language"],
                    terms=terms,
                )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to microwork, %(name)s.") % {"name": user.username}
            )
            return redirect("home")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "kind": kind, "terms": terms},
        status=form_status(form),
    )


# The browser's mark of having logged in to an account before (services.login_device_token).
DEVICE_COOKIE = "mw_device"
DEVICE_COOKIE_SALT = "microwork.accounts.login-device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 365


def _remember_device(response: HttpResponse, user: User) -> HttpResponse:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        services.login_device_token(user=user),
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_log_in(
                request=request,
                name=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_address(request),
                device=request.get_signed_cookie(
                    DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_AGE
                ),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            # A wrong password is an ordinary answer; only throttling has its own status.
            status = exc.status if exc.status == 429 else 200
        else:
            login(request, user)
            target = safe_next_url(request.GET.get("next"))
            return _remember_device(redirect(target or "home"), user)
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
                revoke_api_tokens=form.cleaned_data["revoke_api_tokens"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            if form.cleaned_data["revoke_api_tokens"]:
                messages.success(
                    request, _("Your password was changed and your API tokens were revoked.")
                )
            else:
                messages.success(request, _("Your password was changed."))
            return redirect("accounts:profile")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=form_status(form)
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address and always answers the same way (services.password_reset_request)."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], ip=client_address(self.request)
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PasswordResetConfirmForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


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
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "worker": worker},
        status=form_status(form),
    )


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
        status=form_status(form),
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
            return redirect("operator")
    return render(request, "accounts/landing.html")


@page
def operator_home(request: HttpRequest) -> HttpResponse:
    user = access_operator(user=request_user(request))
    return render(request, "accounts/operator.html", {"sections": operator_sections(user=user)})


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers and crawlers ask /favicon.ico whatever the page links: send them to the icon.
    return HttpResponsePermanentRedirect(static("microwork/favicon.svg"))
