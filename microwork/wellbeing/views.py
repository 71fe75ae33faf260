"""The worker's wellbeing pages: what they choose to see and their daily limit, and the
break page."""

from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.views import form_error, form_status, page
from microwork.wellbeing import selectors
from microwork.wellbeing.forms import WellbeingForm
from microwork.wellbeing.services import wellbeing_update
from microwork.work.access import access_assignment_for_worker
from microwork.work.services.giving_back import assignment_return


@page
def wellbeing_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    now = timezone.now()
    choices = selectors.choices_for(worker=user)
    form = WellbeingForm(
        request.POST or None,
        initial={"categories": list(choices.categories), "daily_cap": choices.daily_cap},
    )
    if request.method == "POST" and form.is_valid():
        try:
            wellbeing_update(
                worker=user,
                categories=form.cleaned_data["categories"],
                daily_cap=form.cleaned_data["daily_cap"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("wellbeing:settings")
    context = {
        "form": form,
        "seen_today": selectors.exposure_today(worker=user, now=now),
        "daily_cap": choices.daily_cap,
        "platform_cap": settings.WELLBEING_DAILY_CAP,
        "pause_minutes": settings.WELLBEING_PAUSE_MINUTES,
        "break_minutes": settings.WELLBEING_BREAK_AFTER_MINUTES,
        "break_items": settings.WELLBEING_BREAK_AFTER_ITEMS,
    }
    return render(request, "wellbeing/settings.html", context, status=form_status(form))


@page
@require_POST
def take_break(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Give the task back (without penalty, like any return) and show the break page."""
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    # Already ended (a double tap, the time ran out): the break is still what was asked for.
    with suppress(ApplicationError):
        assignment_return(assignment=assignment, worker=user)
    return redirect("wellbeing:break")


@page
def break_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    return render(
        request,
        "wellbeing/break.html",
        {"pause_minutes": settings.WELLBEING_PAUSE_MINUTES},
    )
