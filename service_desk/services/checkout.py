"""Checkout with the customer's own rating, delivery, and cancelling an order nothing was done on (SD12, SD13)."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dealership.errors import TransitionNotAllowed
from service_desk import signals
from service_desk.models import ItemStatus, OrderStatus, Rating, RepairItem, RepairOrder
from service_desk.services.orders import _move, _release_parts


@transaction.atomic
def settle(
    *, order: RepairOrder, rating: str, at: datetime, by: AbstractBaseUser, version: int | None = None
) -> RepairOrder:
    """Checkout with the customer's own rating, once (SD13); refused until every item passed final QC (WS02).

    `by` is the cashier who settles, recorded with the order (IN03 rev. 2). "refused" is the customer's
    own tap on the rating screen; "missing" an order settled without handing the customer the tablet."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Unknown rating.")})
    if order.status in (OrderStatus.SETTLED, OrderStatus.DELIVERED):
        raise TransitionNotAllowed(_("This work order is already settled."))
    counted = order.items.filter(RepairItem.COUNTED)
    if not counted.exists() or counted.exclude(status=ItemStatus.PASSED).exists():
        raise TransitionNotAllowed(_("Not every item has passed the final check yet."))
    _move(
        order,
        OrderStatus.SETTLED,
        at=at,
        by=by,
        version=version,
        rating=rating,
        settled_at=at,
        settled_by=by,
        note=_("Settled, rating: %(rating)s") % {"rating": Rating(rating).label},
    )
    signals.order_settled.send(sender=RepairOrder, order=order, at=at)
    return order


@transaction.atomic
def deliver(*, by: AbstractBaseUser, order: RepairOrder, at: datetime, version: int | None = None) -> RepairOrder:
    """The car leaves with its owner; refused until the order is settled."""
    _move(
        order,
        OrderStatus.DELIVERED,
        at=at,
        by=by,
        version=version,
        delivered_at=at,
        note=pgettext("order", "Delivered"),
        refused=_("Settle the work order before the car leaves."),
    )
    signals.order_delivered.send(sender=RepairOrder, order=order, at=at)
    return order


@transaction.atomic
def cancel(*, by: AbstractBaseUser, order: RepairOrder, reason: str, at: datetime) -> RepairOrder:
    """Cancel an order nothing was done on; parts go back to stock."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if order.items.filter(~Q(status__in=[ItemStatus.PENDING, ItemStatus.DECLINED])).exists():
        raise TransitionNotAllowed(_("Work has started on this order: it cannot be cancelled."))
    for item in order.items.filter(status=ItemStatus.PENDING):
        _release_parts(item, by=by, at=at, reason=_("Order cancelled"))
    return _move(order, OrderStatus.CANCELLED, at=at, by=by, cancelled_at=at, note=reason.strip())
