"""Every change of a record's state, in one place: the model's table, a compare-and-set, the event row.

A model that moves through states declares `status` (a TextChoices field) and a class attribute
`TRANSITIONS = {from: {to, ...}}`; most also have a `version`. `transition()` checks the move against
the table, then sets status, `version + 1`, `updated_at` (when the model has them) and the given
fields in one UPDATE that must match the status and version the caller read. Of two people acting
at once, one wins; the other gets `StaleObject` ("changed by someone else" on a page, 409 in the
API). In the same transaction it records who and when: in the model's own event table (rows with
`at`, `by`, `from_status`, `to_status` and `note`) when the model names it in `TRANSITION_EVENTS`, or
as the model's `log_transitions()` writes it, else as a row of its django-simple-history table.

    order = transition(order, OrderStatus.SETTLED, by=cashier, at=now, version=form_version, rating=rating)

`try_transition()` is the same move for a caller for whom losing is normal (a worker claiming a
message another worker took): it returns None instead of raising. `transition_rows()` moves a batch
the caller has already locked (a sweep). `edit()` changes fields under the version without a change
of state (the order's promised time, a complaint's assignee).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext as _

from dealership.errors import StaleObject, TransitionNotAllowed

M = TypeVar("M", bound=models.Model)


class LogsTransitions(Protocol):
    """A model that keeps its own event table instead of django-simple-history rows."""

    @classmethod
    def log_transitions(
        cls, pks: list[int], from_status: str, to_status: str, *, by: AbstractBaseUser | None, at: datetime, note: str
    ) -> None: ...


def status_label(model: type[models.Model], value: str) -> str:
    return str(dict(model._meta.get_field("status").flatchoices).get(value, value))


def check_allowed(model: type[models.Model], current: str, to: str, *, refused: str | None = None) -> None:
    """Raise TransitionNotAllowed unless the table has the arrow current → to."""
    if to not in model.TRANSITIONS.get(current, ()):
        raise TransitionNotAllowed(
            refused
            or _("“%(current)s” cannot become “%(next)s”.")
            % {"current": status_label(model, current), "next": status_label(model, to)}
        )


def transition(
    obj: M,
    to: str,
    *,
    by: AbstractBaseUser | None,
    at: datetime,
    version: int | None = None,
    event_note: str = "",
    refused: str | None = None,
    where: Q | None = None,
    **fields,
) -> M:
    """Move `obj` to status `to`, setting `fields` too, and return it refreshed.

    `version` is what the caller read (default: the object's own); `where` adds a condition the row
    must still meet; `event_note` says why, on the event row (a model's own field may be called
    `note`). Raises TransitionNotAllowed (with `refused` as its message, if given) or StaleObject."""
    moved = try_transition(
        obj, to, by=by, at=at, version=version, event_note=event_note, refused=refused, where=where, **fields
    )
    if moved is None:
        raise StaleObject()
    return moved


def try_transition(
    obj: M,
    to: str,
    *,
    by: AbstractBaseUser | None,
    at: datetime,
    version: int | None = None,
    event_note: str = "",
    refused: str | None = None,
    where: Q | None = None,
    **fields,
) -> M | None:
    """As `transition()`, but return None when the row no longer matches (someone else moved it first)."""
    model = type(obj)
    current = obj.status
    check_allowed(model, current, to, refused=refused)
    rows = model._default_manager.filter(pk=obj.pk, status=current)
    if _has_field(model, "version"):
        rows = rows.filter(version=obj.version if version is None else version)
    if where is not None:
        rows = rows.filter(where)
    if not _update(rows, at=at, status=to, **fields):
        return None
    obj.refresh_from_db()
    _log(model, [obj], current, to, by=by, at=at, note=event_note)
    return obj


def transition_rows(
    model: type[M],
    pks: Iterable[int],
    from_status: str,
    to: str,
    *,
    by: AbstractBaseUser | None = None,
    at: datetime,
    event_note: str = "",
    **fields,
) -> int:
    """Move the rows `pks` that are still in `from_status`; the caller holds their locks (a sweep's batch).

    Returns how many moved; each moved row gets its event row."""
    check_allowed(model, from_status, to)
    pks = list(pks)
    if not pks:
        return 0
    rows = model._default_manager.filter(pk__in=pks, status=from_status)
    moved = _update(rows, at=at, status=to, **fields)
    if moved:
        moved_rows = list(model._default_manager.filter(pk__in=pks, status=to))
        _log(model, moved_rows, from_status, to, by=by, at=at, note=event_note)
    return moved


def edit(obj: M, *, at: datetime, version: int | None = None, where: Q | None = None, **fields) -> M:
    """Change fields of `obj` under its version, without a change of state; StaleObject if it moved on."""
    model = type(obj)
    rows = model._default_manager.filter(pk=obj.pk, version=obj.version if version is None else version)
    if where is not None:
        rows = rows.filter(where)
    if not _update(rows, at=at, **fields):
        raise StaleObject()
    obj.refresh_from_db()
    return obj


def record_event(
    obj: models.Model, from_status: str, to_status: str, *, by: AbstractBaseUser | None, at: datetime, note: str = ""
) -> None:
    """Write the event row a transition writes, for a record's creation ("" → its first status) or a
    change that keeps its status (a new date)."""
    _log(type(obj), [obj], from_status, to_status, by=by, at=at, note=note)


def record_history(obj: models.Model, *, by: AbstractBaseUser | None, at: datetime, note: str = "") -> None:
    """Write the row django-simple-history writes on save(), for a change made with UPDATE."""
    record_histories([obj], by=by, at=at, note=note)


def record_histories(objs: list[models.Model], *, by: AbstractBaseUser | None, at: datetime, note: str = "") -> None:
    model = type(objs[0])
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    manager.bulk_history_create(objs, update=True, default_user=by, default_date=at, default_change_reason=note[:100])


def _update(rows, *, at: datetime, **fields) -> int:
    model = rows.model
    if _has_field(model, "version"):
        fields["version"] = F("version") + 1
    if _has_field(model, "updated_at"):
        fields.setdefault("updated_at", at)
    return rows.update(**fields)


def _log(model, objs: list, from_status: str, to: str, *, by, at: datetime, note: str) -> None:
    """The event rows: the model's own (given the caller's note, maybe empty), else history rows
    whose change reason is the note or the new status's name."""
    if not objs:
        return
    if hasattr(model, "log_transitions"):
        model.log_transitions([obj.pk for obj in objs], from_status, to, by=by, at=at, note=note)
    elif hasattr(model, "TRANSITION_EVENTS"):
        _write_events(model, [obj.pk for obj in objs], from_status, to, by=by, at=at, note=note)
    else:
        record_histories(objs, by=by, at=at, note=note or status_label(model, to))


def _write_events(model, pks: list[int], from_status: str, to: str, *, by, at: datetime, note: str) -> None:
    """One row per moved record in the event table named by `TRANSITION_EVENTS` (its related name):
    who, when, from, to and why."""
    relation = model._meta.get_field(model.TRANSITION_EVENTS)
    events, owner = relation.related_model, relation.field.attname
    limit = events._meta.get_field("note").max_length
    events.objects.bulk_create(
        events(**{owner: pk}, at=at, by=by, from_status=from_status, to_status=to, note=note[:limit]) for pk in pks
    )


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
