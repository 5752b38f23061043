"""Roadside rescue (CC03): the arrival promised by the zone is stored when the call is taken and
texted to the caller; the crew is dispatched, arrives or is called off, each a transition of the
rescue with who and when; the sweep records a missed promise once and tells the managers."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care.deadlines import add_elapsed
from customer_care.models import Rescue, RescueStatus, RescueZone
from customer_care.services.staff import BATCH, staff_mobile
from dealership.identifiers import normalize_mobile, normalize_plate, validate_mobile
from dealership.models import Customer, Role
from dealership.numbering import next_number
from dealership.outbox import enqueue_many, enqueue_sms
from dealership.transitions import transition


@transaction.atomic
def request_rescue(
    *,
    by: AbstractBaseUser,
    caller: str,
    mobile: str = "",
    zone: RescueZone,
    location: str,
    problem: str,
    at: datetime,
    customer: Customer | None = None,
    plate: str = "",
    note: str = "",
) -> Rescue:
    """Take a rescue call: the promised arrival comes from the zone and is stored; the caller is texted it."""
    errors = {}
    if not zone.is_active:
        errors["zone"] = _("Choose a rescue zone in use.")
    if not caller.strip():
        errors["caller"] = _("Who is calling?")
    if not location.strip():
        errors["location"] = _("Where is the car?")
    if not problem.strip():
        errors["problem"] = _("What is wrong with the car?")
    # A known customer's own mobile is where the promise is texted unless the caller gives another.
    mobile = normalize_mobile(mobile) or (customer.mobile if customer else "")
    try:
        validate_mobile(mobile)
    except ValidationError as wrong:
        errors["mobile"] = wrong.messages
    if errors:
        raise ValidationError(errors)
    promised_by = add_elapsed(at, zone.promise)  # the rescue line runs round the clock
    rescue = Rescue.objects.create(
        number=next_number("RS", at=at),
        customer=customer,
        caller=caller.strip(),
        mobile=mobile,
        plate=normalize_plate(plate),
        zone=zone,
        location=location.strip(),
        problem=problem.strip(),
        requested_at=at,
        promised_by=promised_by,
        taken_by=by,
        note=note.strip(),
    )
    enqueue_sms(
        mobile=mobile,
        kind="rescue_promised",
        at=at,
        by=by,
        dedupe_key=f"rescue:{rescue.pk}:promised",
        context={"caller": rescue.caller, "time": timezone.localtime(promised_by).strftime("%H:%M")},
    )
    return rescue


def _move_rescue(
    rescue: Rescue,
    to: RescueStatus,
    *,
    by: AbstractBaseUser,
    at: datetime,
    version: int | None,
    note: str = "",
    **fields,
) -> Rescue:
    return transition(
        rescue,
        to,
        by=by,
        at=at,
        version=version,
        event_note=note,
        refused=_("A rescue that is “%(current)s” cannot become “%(next)s”.")
        % {"current": RescueStatus(rescue.status).label, "next": to.label},
        **fields,
    )


@transaction.atomic
def dispatch_crew(
    *, by: AbstractBaseUser, rescue: Rescue, crew: str, at: datetime, version: int | None = None
) -> Rescue:
    """The crew is on its way."""
    if not crew.strip():
        raise ValidationError({"crew": _("Who goes out?")})
    return _move_rescue(
        rescue, RescueStatus.DISPATCHED, by=by, at=at, version=version, crew=crew.strip(), dispatched_at=at
    )


@transaction.atomic
def rescue_arrived(*, by: AbstractBaseUser, rescue: Rescue, at: datetime, version: int | None = None) -> Rescue:
    """The crew is with the car; arriving after the promise records the miss (if the sweep has not).

    CC01 rev. 2: arriving at the promised minute itself keeps the promise."""
    fields = {"arrived_at": at, "dispatched_at": Coalesce(F("dispatched_at"), Value(at))}
    if at > rescue.promised_by:
        fields["breached_at"] = Coalesce(F("breached_at"), Value(at))
    return _move_rescue(rescue, RescueStatus.ARRIVED, by=by, at=at, version=version, **fields)


@transaction.atomic
def cancel_rescue(
    *, by: AbstractBaseUser, rescue: Rescue, reason: str, at: datetime, version: int | None = None
) -> Rescue:
    """Called off. The reason is the note of the history row (who, when, why); the rescue's own `note`
    keeps what was said when it was taken."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the rescue is called off.")})
    return _move_rescue(rescue, RescueStatus.CANCELLED, by=by, at=at, version=version, note=reason.strip())


def record_rescue_breaches(*, at: datetime) -> int:
    """The sweep: an open rescue past its promise is recorded as missed, once, and the managers told.

    It stamps `breached_at` only, never the state, so a crew's arrival recorded meanwhile is not stale."""
    with transaction.atomic():
        late = list(
            Rescue.objects.select_for_update(skip_locked=True)
            .filter(status__in=Rescue.OPEN, promised_by__lt=at, breached_at__isnull=True)
            .order_by("promised_by")[:BATCH]
        )
        if not late:
            return 0
        Rescue.objects.filter(pk__in=[r.pk for r in late], breached_at__isnull=True).update(breached_at=at)
        managers = get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True).select_related("staff")
        enqueue_many(
            [
                {
                    "mobile": staff_mobile(person),
                    "kind": "rescue_late",
                    "dedupe_key": f"rescue:{rescue.pk}:late:{person.pk}",
                    "context": {"number": rescue.number, "location": rescue.location[:30]},
                }
                for rescue in late
                for person in managers
                if staff_mobile(person)
            ],
            at=at,
        )
        return len(late)
