"""Work on the items, and the order following them: started, ready when every item passed, back at work."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from dealership.errors import DomainError
from dealership.transitions import transition
from service_desk.models import ItemStatus, OrderStatus, RepairItem, RepairOrder
from service_desk.services.orders import _cannot_become, _lock_order, _move, _text_customer, may_start


@transaction.atomic
def move_item(
    *,
    item: RepairItem,
    to: ItemStatus,
    at: datetime,
    by: AbstractBaseUser | None = None,
    version: int | None = None,
    **fields,
) -> RepairItem:
    """Move an item along its arrows (the workshop's assign, start, QC); the order follows its items.

    The order is locked first, as every change of its items does, so a move never crosses the
    advisor removing the item or the customer declining it, and nothing moves on a closed order.
    Who moved it and when is an event of the order. Raises TransitionNotAllowed, StaleObject.
    """
    _lock_order(item.order)
    if to == ItemStatus.ASSIGNED and item.status == ItemStatus.PENDING and not may_start(item):
        raise DomainError(_("The customer has not confirmed this item yet."))
    refused = _cannot_become(_("An item that is “%(current)s” cannot become “%(next)s”."), RepairItem, item.status, to)
    transition(item, to, by=by, at=at, version=version, refused=refused, **fields)
    follow_items(order=item.order, at=at, by=by)
    return item


def follow_items(*, order: RepairOrder, at: datetime, by: AbstractBaseUser | None = None) -> RepairOrder:
    """Keep the order's status in step with its items: started, all passed (ready), or back at work."""
    order.refresh_from_db()
    items = order.items.filter(RepairItem.COUNTED)
    if not items.exists() or order.status not in RepairOrder.EDITABLE:
        return order
    all_passed = not items.exclude(status=ItemStatus.PASSED).exists()
    started = items.exclude(status=ItemStatus.PENDING).exists()
    if all_passed and order.status != OrderStatus.READY:
        _move(order, OrderStatus.READY, at=at, by=by, note=_("Every item passed the final check"))
        _text_customer(order, "order_ready", at=at, dedupe_key=f"order:{order.pk}:ready:{order.version}")
    elif not all_passed and order.status == OrderStatus.READY:
        _move(order, OrderStatus.IN_PROGRESS, at=at, by=by, note=_("An item is back in the workshop"))
    elif started and order.status == OrderStatus.OPEN:
        _move(order, OrderStatus.IN_PROGRESS, at=at, by=by, note=_("Work started"))
    return order
