"""Pay-floor notices for any requester page: the project page and dashboard (in the projects
app, which knows nothing of payments) load them by tag, as base.html loads the inbox badge."""

from typing import Any

from django import template

from microwork.payments import selectors

register = template.Library()


@register.inclusion_tag("payments/_pay_floor_notices.html")
def pay_floor_notices(*, project: Any = None, organisation: Any = None) -> dict[str, Any]:
    """The open notices of one project, or of every project of an organisation."""
    if project is not None:
        notices = selectors.pay_floor_notices_open(project=project)
    elif organisation is not None:
        notices = selectors.pay_floor_notices_open(organisation=organisation)
    else:
        notices = []
    return {"notices": list(notices), "one_project": project is not None}
