"""The promised time from the workshop's load, and a delay reported and told to the customer (SD10)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import DomainError
from dealership.wording import cn_time
from service_desk import capacity
from service_desk.models import DeskPolicy, ItemStatus, OrderStatus, RepairItem, RepairOrder
from service_desk.services.orders import _note, _text_customer, _touch


def _technicians(policy: DeskPolicy, at: datetime) -> int:
    """Who shares the queue: the policy's number, else today's shift, else every technician."""
    return max(
        policy.technicians_on_shift
        or capacity.technicians_on_shift(timezone.localdate(at))
        or get_user_model().objects.filter(groups__name="technician", is_active=True).count(),
        1,
    )


@transaction.atomic
def make_promise(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """Promise a time from the workshop's load: queued hours shared by the technicians, then this car's.

    A green-channel car goes first in the workshop (SD01), so only other green-channel work is ahead of it.
    """
    policy = DeskPolicy.current()
    technicians = _technicians(policy, at)
    open_work = RepairItem.objects.filter(
        order__status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS],
    ).exclude(status__in=[ItemStatus.PASSED, ItemStatus.DECLINED])
    ahead = open_work.exclude(order=order)
    if order.is_green_channel:
        ahead = ahead.filter(order__is_green_channel=True)
    queued = ahead.aggregate(h=Sum("labour_hours"))["h"] or Decimal("0")
    own = open_work.filter(order=order).aggregate(h=Sum("labour_hours"))["h"] or Decimal("0")
    hours = queued / technicians + own
    promised = add_working_hours(at, hours, start=policy.workday_start, end=policy.workday_end)
    basis = _(
        "%(queued)s h queued ÷ %(technicians)d technicians + %(own)s h for this car = %(hours)s h of "
        "workshop time (%(start)s–%(end)s)"
    ) % {
        "queued": _hours(queued),
        "technicians": technicians,
        "own": _hours(own),
        "hours": _hours(hours),
        "start": policy.workday_start.strftime("%H:%M"),
        "end": policy.workday_end.strftime("%H:%M"),
    }
    _touch(order, at=at, promised_at=promised, promise_basis=basis[:300])
    _note(
        order, _("Promised for %(time)s") % {"time": timezone.localtime(promised).strftime("%m-%d %H:%M")}, at=at, by=by
    )
    return order


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def add_working_hours(start_at: datetime, hours: Decimal, *, start, end) -> datetime:
    """`start_at` plus `hours` of workshop time, counting only opening hours, day after day."""
    remaining = timedelta(hours=float(hours))
    moment = timezone.localtime(start_at)
    while True:
        opens = moment.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        closes = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        moment = max(moment, opens)
        if moment < closes:
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
        following = (moment + timedelta(days=1)).replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        moment = timezone.localtime(following)


@transaction.atomic
def report_overrun(
    *, by: AbstractBaseUser, order: RepairOrder, new_promise: datetime, reason: str, at: datetime
) -> RepairOrder:
    """The workshop says the car will be late (SD10): the advisor sees it at once and tells the customer."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the work will take longer.")})
    if new_promise <= at:
        raise ValidationError({"new_promise": _("The new time must be in the future.")})
    _touch(
        order,
        at=at,
        promised_at=new_promise,
        overrun_reported_at=at,
        overrun_note=reason.strip()[:200],
        customer_told_of_overrun_at=None,
    )
    _note(
        order,
        _("Will be late: %(reason)s; new time %(time)s")
        % {"reason": reason.strip(), "time": timezone.localtime(new_promise).strftime("%m-%d %H:%M")},
        at=at,
        by=by,
    )
    return order


@transaction.atomic
def tell_customer_of_overrun(
    *, by: AbstractBaseUser, order: RepairOrder, at: datetime, by_phone: bool = False
) -> RepairOrder:
    """The advisor tells the customer about the delay: by text, or records that they phoned."""
    if order.overrun_reported_at is None:
        raise DomainError(_("No delay has been reported for this order."))
    if not by_phone:
        _text_customer(
            order,
            "order_overrun",
            at=at,
            by=by,
            dedupe_key=f"order:{order.pk}:overrun:{order.overrun_reported_at.isoformat()}",
            time=cn_time(order.promised_at),
            reason=order.overrun_note,
        )
    _touch(order, at=at, customer_told_of_overrun_at=at)
    _note(
        order,
        _("Customer told of the delay by phone") if by_phone else _("Customer told of the delay by SMS"),
        at=at,
        by=by,
    )
    return order
