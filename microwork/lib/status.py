"""The one way a status column changes: the new value and its append-only event row, written
together (the caller holds the row lock and the transaction)."""

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol

from django.db import models
from django.db.models.options import Options


class HasStatus(Protocol):
    """A model instance with a `status` column (a project, a decision, an appeal)."""

    status: str
    _meta: ClassVar[Options[Any]]

    def save(self, *, update_fields: Iterable[str] | None = ...) -> None: ...


def status_change(
    obj: HasStatus,
    new_status: str,
    event_model: type[models.Model],
    *,
    update_fields: Iterable[str] = (),
    **event_fields: Any,
) -> str:
    """Set `obj.status`, save it (with any `update_fields` that change alongside) and add an
    `event_model` row from the old status to the new one. The event's foreign key to `obj` is
    named after obj's model (`decision`, `appeal`, `project`). Returns the old status."""
    old = obj.status
    obj.status = new_status
    obj.save(update_fields=["status", *update_fields])
    link = obj._meta.model_name
    # Django sets it on every model class it builds; only the stubs allow None.
    assert link is not None
    event_model._default_manager.create(
        **{link: obj}, old_status=old, new_status=new_status, **event_fields
    )
    return old
