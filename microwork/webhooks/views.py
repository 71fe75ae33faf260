"""The requester's webhook pages: the list with a form to subscribe, one subscription with its
delivery log, and the actions on it. The secret is shown once, on the page that made it."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.views import action, form_error, form_status, page
from microwork.webhooks import selectors
from microwork.webhooks.access import access_subscription_for_requester
from microwork.webhooks.forms import SubscriptionForm
from microwork.webhooks.models import Subscription
from microwork.webhooks.services.events import webhook_test_send
from microwork.webhooks.services.subscriptions import (
    subscription_create,
    subscription_delete,
    subscription_rotate_secret,
    subscription_update,
)
from microwork.webhooks.signing import SIGNATURE_HEADER

LOG_LINES = 50


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return access_subscription_for_requester(
        user=request_user(request), subscription_id=subscription_id
    )


@page
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = subscription_create(organisation=organisation, actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            return _detail(request, made, secret=made.secret)
    return render(
        request,
        "webhooks/subscriptions.html",
        {
            "organisation": organisation,
            "form": form,
            "subscriptions": selectors.subscriptions_for_organisation(organisation=organisation),
        },
        status=form_status(form),
    )


def _detail(
    request: HttpRequest,
    subscription: Subscription,
    *,
    secret: str = "",
    form: SubscriptionForm | None = None,
) -> HttpResponse:
    form = form or SubscriptionForm(
        initial={
            "url": subscription.url,
            "events": subscription.events,
            "description": subscription.description,
        }
    )
    deliveries = selectors.deliveries_for_subscription(subscription=subscription)[:LOG_LINES]
    return render(
        request,
        "webhooks/subscription.html",
        {
            "subscription": subscription,
            "form": form,
            "deliveries": deliveries,
            "secret": secret,
            "signature_header": SIGNATURE_HEADER,
        },
        status=form_status(form),
    )


@page
def subscription(request: HttpRequest, subscription_id: int) -> HttpResponse:
    return _detail(request, _subscription(request, subscription_id))


@require_POST
@action
def subscription_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    found = _subscription(request, subscription_id)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            subscription_update(subscription=found, **form.cleaned_data)
        except ApplicationError as exc:
            form_error(form, exc)
    if form.errors:
        # The page again with what was typed and each problem beside its field.
        return _detail(request, found, form=form)
    messages.success(request, _("Webhook saved."))
    return redirect("webhooks:subscription", subscription_id=found.pk)


@require_POST
@action
def subscription_pause(request: HttpRequest, subscription_id: int) -> HttpResponse:
    found = _subscription(request, subscription_id)
    subscription_update(subscription=found, is_active=not found.is_active)
    messages.success(
        request, _("Webhook resumed.") if not found.is_active else _("Webhook paused.")
    )
    return redirect("webhooks:subscription", subscription_id=found.pk)


@require_POST
@action
def subscription_rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    rotated = subscription_rotate_secret(subscription=_subscription(request, subscription_id))
    return _detail(request, rotated, secret=rotated.secret)


@require_POST
@action
def subscription_test(request: HttpRequest, subscription_id: int) -> HttpResponse:
    found = _subscription(request, subscription_id)
    webhook_test_send(subscription=found)
    messages.success(
        request, _("Test event sent; reload the page to see what your server answered.")
    )
    return redirect("webhooks:subscription", subscription_id=found.pk)


@require_POST
@action
def subscription_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription_delete(subscription=_subscription(request, subscription_id))
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks:subscriptions")
