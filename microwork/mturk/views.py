"""The MTurk endpoint (JSON 1.1 over POST, signed with Signature V4) and the requester's
access keys page."""

import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.views import action, page, typed_values
from microwork.mturk import selectors, sigv4
from microwork.mturk.keys import secret_decrypt
from microwork.mturk.models import AccessKey
from microwork.mturk.operations import OPERATIONS
from microwork.mturk.protocol import Context, MturkError
from microwork.mturk.services.external import external_answer_submit
from microwork.mturk.services.keys import access_key_create, access_key_revoke, access_key_used
from microwork.mturk.services.qualifications import qualification_request_create

log = logging.getLogger(__name__)

TARGET_PREFIX = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY = 1024 * 1024
UNKNOWN_KEY = "The security token included in the request is invalid."


def _respond(body: dict, status: int = 200) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _error(error: MturkError) -> HttpResponse:
    return _respond(error.body(), status=error.status)


def _authenticate(request: HttpRequest, body: bytes) -> Context:
    now = timezone.now()
    try:
        signed = sigv4.parse(request, now)
        key = selectors.access_key_active(signed.access_key_id)
        secret = secret_decrypt(key.secret_encrypted) if key is not None else None
        if key is None or secret is None:
            raise sigv4.SignatureError("UnrecognizedClientException", UNKNOWN_KEY)
        sigv4.verify(request, signed, secret, body)
    except sigv4.SignatureError as exc:
        raise MturkError(exc.code, exc.message) from None
    user = key.user
    # A key works only while its requester is active and still in the organisation.
    if not user.is_active or not key.organisation.memberships.filter(user=user).exists():
        raise MturkError("UnrecognizedClientException", UNKNOWN_KEY)
    access_key_used(key=key, now=now)
    return Context(user=user, organisation=key.organisation, key=key, now=now)


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(MturkError("UnknownOperationException", "Send operations with POST."))
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error(MturkError("RequestError", "The request is larger than 1 MB."))
    body = request.body
    try:
        ctx = _authenticate(request, body)
    except MturkError as exc:
        return _error(exc)
    target = request.META.get("HTTP_X_AMZ_TARGET", "")
    name = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else ""
    handler = OPERATIONS.get(name)
    if handler is None:
        return _error(
            MturkError(
                "UnknownOperationException",
                f"Operation {name or target!r} is not served here.",
            )
        )
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return _error(MturkError("SerializationException", "The body is not JSON."))
    if not isinstance(params, dict):
        return _error(MturkError("SerializationException", "The body is not a JSON object."))
    try:
        return _respond(handler(ctx, params))
    except MturkError as exc:
        return _error(exc)
    except ApplicationError as exc:
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return _error(
            MturkError("RequestError", message, turk_code=f"AWS.MechanicalTurk.{exc.code}")
        )
    except Exception:
        log.exception("MTurk operation %s failed", name)
        return _error(
            MturkError(
                "ServiceFault",
                "The service is temporarily unable to process your request. Try your call again.",
                status=500,
            )
        )


@page
def keys_page(request: HttpRequest) -> HttpResponse:
    """The requester's access keys; a POST makes one, whose secret this response shows once
    (never stored in the session or anywhere readable)."""
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    new_key = None
    if request.method == "POST":
        try:
            key, secret = access_key_create(user=user, organisation=organisation)
            new_key = {"id": key.access_key_id, "secret": secret}
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "mturk/keys.html",
        {
            "organisation": organisation,
            "keys": selectors.access_keys_of(user),
            "new_key": new_key,
            "endpoint": request.build_absolute_uri("/mturk"),
        },
    )


@page
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    # Someone else's key is a missing one, as every other id of someone else's is.
    key = get_object_or_404(AccessKey, pk=key_id, user=request_user(request))
    access_key_revoke(key=key)
    messages.success(request, _("Access key revoked: it no longer works."))
    return redirect("mturk:keys")


# The page shown in the requester's frame after their form is sent: framed by the task page,
# so it may have this site as its ancestor (and only this site).
_FRAMED_CSP: dict[str, Any] = {**settings.SECURE_CSP, "frame-ancestors": ["'self'"]}


# CSRF-exempt, and only this view of the site's forms: the post comes from the requester's
# page (another site, in a sandboxed frame with an opaque origin), which cannot hold our CSRF
# token, and the worker's cookies are not sent with it. It acts on nobody's session: the
# unguessable AssignmentId in the post is what names, and authorises, the lease.
@csrf_exempt
@require_POST
@xframe_options_sameorigin
@csp_override(_FRAMED_CSP)
def external_submit(request: HttpRequest) -> HttpResponse:
    fields = {
        name: values if len(values) > 1 else values[0]
        for name, values in request.POST.lists()
        if name != "assignmentId"
    }
    try:
        external_answer_submit(
            assignment_id=request.POST.get("assignmentId", ""), fields=fields, now=timezone.now()
        )
    except ApplicationError as exc:
        return render(
            request, "mturk/external_submitted.html", {"error": exc.message}, status=exc.status
        )
    return render(request, "mturk/external_submitted.html", {})


@page
def qualifications_page(request: HttpRequest) -> HttpResponse:
    """The qualifications requesters let workers ask for, and the worker's own requests."""
    user = request_user(request)
    mine = selectors.requests_of(user)
    held = set(
        user.qualification_grants.filter(revoked_at__isnull=True).values_list(
            "qualification_id", flat=True
        )
    )
    rows = [
        {"type": qt, "request": mine.get(qt.pk), "held": qt.qualification_id in held}
        for qt in selectors.requestable_types()
    ]
    # A refused request comes back with what the worker wrote (kept by `action`).
    return render(
        request, "mturk/qualifications.html", {"rows": rows, "typed": typed_values(request)}
    )


@action
@require_POST
def qualification_request(request: HttpRequest, type_id: str) -> HttpResponse:
    # A type that is deleted or not requestable is a missing one.
    qt = get_object_or_404(selectors.requestable_types(), qualification_type_id=type_id)
    made = qualification_request_create(
        qt=qt,
        worker=request_user(request),
        answer=request.POST.get("answer", "")[:4000],
        now=timezone.now(),
    )
    if made.status == made.Status.ACCEPTED:
        messages.success(request, _("Qualification granted: it is yours now."))
    else:
        messages.success(request, _("Request sent: the requester will answer it."))
    return redirect("mturk:qualifications")
