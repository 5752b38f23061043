"""The customer's confirmation of the items, the time and the cost, in the shop or by a texted link (SD09)."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dealership.errors import DomainError, StaleObject
from dealership.money import format_cny
from dealership.transitions import transition
from service_desk import links
from service_desk.models import DeferredWork, ItemStatus, RepairItem, RepairOrder
from service_desk.services.orders import (
    OrderNotEditable,
    _lock_order,
    _note,
    _recompute_totals,
    _release_parts,
    _text_customer,
    _touch,
)
from service_desk.services.progress import follow_items


@transaction.atomic
def confirm(
    *,
    order: RepairOrder,
    signed_by: str,
    at: datetime,
    by: AbstractBaseUser | None = None,
    declined: Iterable[int] = (),
    version: int | None = None,
) -> RepairOrder:
    """The customer confirms the items, the promised time and the cost (SD09), in the shop or by link.

    Items the customer declines are kept on the car's record as deferred work (offered next visit).
    `by` is the advisor at the desk, None when the customer confirms by link.
    """
    if not signed_by.strip():
        raise ValidationError({"signed_by": _("The customer signs with their name.")})
    _lock_order(order)
    if version is not None and order.version != version:
        raise StaleObject()  # the items or the total changed since the customer read them
    _check_ready_to_confirm(order)
    declined = set(declined)
    pending = list(order.items.filter(RepairItem.COUNTED, is_confirmed=False))
    if declined - {item.pk for item in pending}:
        raise ValidationError(_("Only items awaiting confirmation can be declined."))
    for item in pending:
        if item.pk in declined:
            _decline(item, at=at, by=by)
    RepairItem.objects.filter(pk__in=[i.pk for i in pending if i.pk not in declined]).update(
        is_confirmed=True, updated_at=at
    )
    _touch(
        order,
        at=at,
        confirmed_at=at,
        confirmed_by=signed_by.strip(),
        confirmation_round=F("confirmation_round") + 1,
        needs_confirmation=False,
    )
    _recompute_totals(order, at=at)
    _note(
        order,
        _("Confirmed by %(name)s: %(count)d items, %(total)s")
        % {"name": signed_by.strip(), "count": len(pending) - len(declined), "total": format_cny(order.total)},
        at=at,
        by=by,
    )
    # Declining the last unfinished item may leave every remaining one passed: the car is ready.
    return follow_items(order=order, at=at, by=by)


def _check_ready_to_confirm(order: RepairOrder) -> None:
    """SD05: the work order is issued only after the walk-around, on a reception sheet the customer
    signed; and there must be something to confirm."""
    if order.reception_signed_at is None:
        raise DomainError(_("First the walk-around check and the reception sheet signed by the customer."))
    if not order.items.filter(RepairItem.COUNTED, is_confirmed=False).exists():
        raise DomainError(_("No item waits for the customer's confirmation."))


def _decline(item: RepairItem, *, at: datetime, by: AbstractBaseUser | None) -> None:
    transition(
        item,
        ItemStatus.DECLINED,
        by=by,
        at=at,
        event_note=_("Declined by the customer, kept for the next visit: %(item)s") % {"item": item},
        refused=_("Work on “%(item)s” has started: it can no longer be declined.") % {"item": item},
    )
    _release_parts(item, by=by or item.added_by, at=at, reason=_("Declined by the customer"))
    DeferredWork.objects.create(
        vehicle_id=item.order.vehicle_id,
        source_item=item,
        category=item.category,
        description=str(item),
        labour_operation=item.labour_operation,
        declined_at=at,
    )


@transaction.atomic
def send_confirmation_link(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> str:
    """Text the customer a link to confirm (or decline) the items on their phone. Returns the link."""
    if not order.is_editable:
        raise OrderNotEditable()
    _check_ready_to_confirm(order)
    url = links.order_url(order)
    _text_customer(
        order,
        "order_confirm_link",
        at=at,
        by=by,
        dedupe_key=f"order:{order.pk}:confirm:{order.confirmation_round}:{order.version}",
        total=format_cny(order.total),
        link=url,
    )
    _note(order, _("Confirmation link sent by SMS"), at=at, by=by)
    return url
