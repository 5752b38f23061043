"""Appointments with numbered cards and a green channel (SD01, SD02)."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import TransitionNotAllowed
from dealership.models import Vehicle
from dealership.numbering import next_sequence
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import transition
from dealership.wording import cn_time
from service_desk.models import (
    GREEN_CHANNEL_KINDS,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    DeskPolicy,
)

REMINDER_HOUR = 10  # the day before, at 10:00 local time


@transaction.atomic
def book_appointment(
    *,
    by: AbstractBaseUser,
    vehicle: Vehicle,
    kind: str,
    scheduled_at: datetime,
    at: datetime,
    advisor: AbstractBaseUser | None = None,
    added_value_service: str = "",
    note: str = "",
) -> Appointment:
    """Book a visit and give it its card number; green-channel kinds get their dedicated advisor (SD01).

    The customer is reminded by text the day before at 10:00.
    """
    errors = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = _("Choose the kind of visit.")
    if scheduled_at <= at:
        errors["scheduled_at"] = _("An appointment is for a time still to come.")
    green = kind in GREEN_CHANNEL_KINDS
    advisor = advisor or (DeskPolicy.current().green_channel_advisor if green else None) or by
    if not has_role(advisor, "advisor"):
        errors["advisor"] = _("Choose a service advisor.")
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(scheduled_at)
    prefix = "G" if green else "R"  # green-channel cards are told apart at a glance
    card = f"{prefix}{next_sequence('AP' + prefix, day=day):03d}"
    appointment = Appointment(
        customer=vehicle.customer,
        vehicle=vehicle,
        kind=kind,
        scheduled_at=scheduled_at,
        scheduled_on=day,
        card_number=card,
        is_green_channel=green,
        advisor=advisor,
        added_value_service=added_value_service.strip(),
        note=note.strip(),
        created_by=by,
        created_at=at,
    )
    # Its history starts with who booked it and when, as every later step's row names who and when.
    appointment.save_without_historical_record()
    Appointment.history.bulk_history_create([appointment], default_user=by, default_date=at)
    _remind_the_day_before(appointment, by=by, at=at)
    return appointment


def _remind_the_day_before(appointment: Appointment, *, by: AbstractBaseUser, at: datetime) -> None:
    """Text the customer at 10:00 the day before the visit, unless that time has passed."""
    local = timezone.localtime(appointment.scheduled_at)
    remind_at = timezone.make_aware(
        datetime.combine(appointment.scheduled_on - timedelta(days=1), datetime.min.time()), local.tzinfo
    ) + timedelta(hours=REMINDER_HOUR)
    if remind_at <= at:
        return
    vehicle = appointment.vehicle
    enqueue_sms(
        mobile=vehicle.customer.mobile,
        kind="appointment_reminder",
        at=at,
        not_before=remind_at,
        by=by,
        dedupe_key=f"appointment:{appointment.pk}:reminder",
        context={
            "customer": vehicle.customer.name,
            "time": cn_time(local),
            "card": appointment.card_number,
            "plate": vehicle.short_label,
        },
    )


@transaction.atomic
def close_appointment(
    *, by: AbstractBaseUser, appointment: Appointment, to: str, at: datetime, version: int | None = None
) -> Appointment:
    """Record that the customer did not come, or cancelled; who and when go into the appointment's history.

    Raises ValidationError (not a status), TransitionNotAllowed (no longer booked), StaleObject."""
    if to == AppointmentStatus.ARRIVED:
        raise TransitionNotAllowed(_("An appointment becomes “arrived” when its car is received."))
    if to not in AppointmentStatus.values:
        raise ValidationError({"to": _("Unknown status.")})
    return transition(
        appointment, to, by=by, at=at, version=version, refused=_("This appointment can no longer be changed.")
    )
