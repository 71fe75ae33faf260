import re
from typing import Any

from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def clean_phone(details: dict[str, Any]) -> dict[str, Any]:
    phone = re.sub(r"[\s\-().]", "", str(details.get("phone", "")))
    if not _PHONE.match(phone):
        raise ApplicationError(
            _("Enter the mobile-money number in international form, e.g. +2348012345678."),
            code="invalid_phone",
            field="phone",
        )
    name = str(details.get("name", "")).strip()[:120]
    return {"phone": phone, "name": name}


def mask_phone(details: dict[str, Any]) -> str:
    phone = str(details.get("phone", ""))
    return f"…{phone[-4:]}" if phone else ""
