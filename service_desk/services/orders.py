"""What every change of a repair order shares (SD05-SD13): its errors, its moves, its notes, its lock,
its totals and the texts to its customer.

Every status change goes through `dealership.transitions` (the table in RepairOrder.TRANSITIONS, a
compare-and-set on `version`, an OrderEvent naming who and when); every change of items or parts
recomputes the totals in the same transaction. The steps themselves live in the modules beside
this one: reception, items, confirmation, promise, progress, checkout, questions.
"""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from dealership.errors import DomainError, TransitionNotAllowed
from dealership.money import to_cny
from dealership.outbox import enqueue_sms
from dealership.transitions import edit, status_label, transition
from parts import services as parts
from parts.models import BackorderStatus
from service_desk.models import (
    DeskPolicy,
    ItemStatus,
    OrderEvent,
    OrderStatus,
    RepairItem,
    RepairOrder,
)


class VehicleAlreadyInService(DomainError):
    message = _("This car already has an open work order.")


class OrderNotEditable(DomainError):
    message = _("This work order is settled, delivered or cancelled: it cannot be changed.")


# SD09 written once, as a query: the dispatch board lists exactly these waiting items, and
# `may_start` (dispatch) asks the database the same question.
STARTABLE = (
    Q(order__confirmed_at__isnull=False)
    & RepairItem.COUNTED
    & (Q(is_confirmed=True) | Q(order__needs_confirmation=False))
)


def may_start(item: RepairItem) -> bool:
    """SD09: work starts once the customer confirmed; items beyond the allowance wait for a new confirmation."""
    return RepairItem.objects.filter(STARTABLE, pk=item.pk).exists()


def _move(
    order: RepairOrder,
    to: OrderStatus,
    *,
    at: datetime,
    by: AbstractBaseUser | None,
    note: str = "",
    version: int | None = None,
    refused: str | None = None,
    **fields,
) -> RepairOrder:
    """Move the order along RepairOrder.TRANSITIONS; its OrderEvent records who and when."""
    refused = refused or _cannot_become(
        _("A work order that is “%(current)s” cannot become “%(next)s”."), RepairOrder, order.status, to
    )
    return transition(order, to, by=by, at=at, version=version, event_note=note, refused=refused, **fields)


def _cannot_become(wording: str, model, current: str, to: str) -> str:
    """A refused move in the words of its own record ("A claim that is … cannot become …")."""
    return wording % {"current": status_label(model, current), "next": status_label(model, to)}


def _touch(order: RepairOrder, *, at: datetime, version: int | None = None, **fields) -> None:
    """Change fields of an editable order under its version (no status change)."""
    if not order.is_editable:
        raise OrderNotEditable()
    edit(order, at=at, version=version, where=Q(status__in=RepairOrder.EDITABLE), **fields)


def _note(order: RepairOrder, text: str, *, at: datetime, by: AbstractBaseUser | None) -> None:
    OrderEvent.objects.create(order=order, at=at, by=by, note=text[:300])


def _text_customer(
    order: RepairOrder, kind: str, *, at: datetime, dedupe_key: str, by: AbstractBaseUser | None = None, **context
) -> None:
    """Queue an SMS to the order's customer, addressed by name and naming their car."""
    enqueue_sms(
        mobile=order.customer.mobile,
        kind=kind,
        at=at,
        by=by,
        dedupe_key=dedupe_key,
        context={"customer": order.customer.name, "plate": order.vehicle.short_label, **context},
    )


def _lock_order(order: RepairOrder) -> RepairOrder:
    """Lock an editable order for a change of its items: one change at a time, never on a closed order.

    The caller's object is brought up to date under the lock, so it sees what the change did.
    """
    list(RepairOrder.objects.select_for_update(no_key=True).filter(pk=order.pk).values_list("pk"))
    order.refresh_from_db()
    if not order.is_editable:
        raise OrderNotEditable()
    return order


def _lock_for_parts(item: RepairItem) -> tuple[RepairOrder, RepairItem]:
    order = _lock_order(item.order)
    item.refresh_from_db()
    if item.status in (ItemStatus.DECLINED, ItemStatus.PASSED):
        raise TransitionNotAllowed(
            _("“%(item)s” is declined or has passed QC: add a new item for more work.") % {"item": item}
        )
    return order, item


def _release_parts(item: RepairItem, *, by: AbstractBaseUser, at: datetime, reason: str) -> None:
    """Parts of an item that will not be done: those taken from stock go back, backorders not yet
    arrived are cancelled (an arrived part is already in stock for the parts counter)."""
    for line in item.part_lines.select_related("part", "backorder"):
        if not line.is_backordered:
            parts.return_stock(
                by=by, part=line.part, quantity=line.quantity, at=at, reference=item.order.number, reason=reason
            )
        elif line.backorder is not None and line.backorder.status in (
            BackorderStatus.ORDERED,
            BackorderStatus.DELAYED,
        ):
            parts.cancel_backorder(by=by, backorder=line.backorder, reason=reason, at=at)


def _recompute_totals(order: RepairOrder, *, at: datetime) -> None:
    """Totals from the lines, in SQL: labour per item, parts per line, rounded once per line."""
    for item in order.items.all():
        parts_amount = item.part_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if parts_amount != item.parts_amount:
            RepairItem.objects.filter(pk=item.pk).update(parts_amount=parts_amount)
    counted = order.items.filter(RepairItem.COUNTED)
    labour = counted.aggregate(total=Sum("labour_price"))["total"] or Decimal("0")
    parts_total = counted.aggregate(total=Sum("parts_amount"))["total"] or Decimal("0")
    # A new version: a confirmation signed against the old items and total is refused as stale.
    RepairOrder.objects.filter(pk=order.pk).update(
        labour_total=to_cny(labour),
        parts_total=to_cny(parts_total),
        total=to_cny(labour + parts_total),
        version=F("version") + 1,
        updated_at=at,
    )
    order.refresh_from_db()


def _unconfirmed_beyond_allowance(order: RepairOrder) -> bool:
    """SD09: more items added since the customer confirmed than the policy lets start unconfirmed."""
    unconfirmed = order.items.filter(RepairItem.COUNTED, is_confirmed=False).count()
    return unconfirmed > DeskPolicy.current().reconfirm_after_items
