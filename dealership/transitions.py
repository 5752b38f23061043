"""A record's change of state: the model's TRANSITIONS table, a compare-and-set, a history row.

Rescues and appointments move through it; the order, item, backorder, complaint and SMS transitions
still have their own copies of the same steps, to be moved onto it.

A model that moves through states declares `status` (a TextChoices field), `version` and a class
attribute `TRANSITIONS = {from: {to, ...}}`. `transition()` checks the move against the table, then
updates status, version, `updated_at` (when the model has one) and the given fields in one UPDATE
that must match the status and version the caller read: of two people acting at once, one wins and
the other gets `StaleObject` ("changed by someone else", 409 in the API). The same transaction
records who and when: through `log` when the caller keeps its own event table, else as a row of the
model's django-simple-history table.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from dealership.errors import StaleObject, TransitionNotAllowed

M = TypeVar("M", bound=models.Model)
Log = Callable[[str, str], None]  # log(from_status, to_status), in the same transaction


def status_label(model: type[models.Model], value: str) -> str:
    return str(dict(model._meta.get_field("status").flatchoices).get(value, value))


def transition(
    obj: M,
    to: str,
    *,
    by: AbstractBaseUser | None,
    at: datetime,
    version: int | None = None,
    note: str = "",
    log: Log | None = None,
    refused: str | None = None,
    **fields,
) -> M:
    """Move `obj` to status `to`, setting `fields` too; `version` is what the caller read (default: obj's).

    Raises TransitionNotAllowed (with `refused` as its message, if given) or StaleObject."""
    model = type(obj)
    current = obj.status
    if to not in model.TRANSITIONS[current]:
        raise TransitionNotAllowed(
            refused
            or _("“%(current)s” cannot become “%(next)s”.")
            % {"current": status_label(model, current), "next": status_label(model, to)}
        )
    if _has_field(model, "updated_at"):
        fields.setdefault("updated_at", at)
    expected = obj.version if version is None else version
    won = model._default_manager.filter(pk=obj.pk, version=expected, status=current).update(
        status=to, version=F("version") + 1, **fields
    )
    if not won:
        raise StaleObject()
    obj.refresh_from_db()
    if log is not None:
        log(current, to)
    else:
        record_history(obj, by=by, at=at, note=note or status_label(model, to))
    return obj


def record_history(obj: models.Model, *, by: AbstractBaseUser | None, at: datetime, note: str = "") -> None:
    """Write the row django-simple-history writes on save(), for a change made with UPDATE."""
    manager = getattr(type(obj), type(obj)._meta.simple_history_manager_attribute)
    manager.bulk_history_create([obj], update=True, default_user=by, default_date=at, default_change_reason=note[:100])


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
