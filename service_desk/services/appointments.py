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
    appointment = Appointment.objects.create(
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
    local = timezone.localtime(scheduled_at)
    remind_at = timezone.make_aware(
        datetime.combine(day - timedelta(days=1), datetime.min.time()), local.tzinfo
    ) + timedelta(hours=REMINDER_HOUR)
    if remind_at > at:
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
                "card": card,
                "plate": vehicle.short_label,
            },
        )
    return appointment


@transaction.atomic
def close_appointment(
    *, by: AbstractBaseUser, appointment: Appointment, to: str, at: datetime, version: int | None = None
) -> Appointment:
    """Record that the customer did not come, or cancelled; who and when go into the appointment's history."""
    target = AppointmentStatus(to)
    if target == AppointmentStatus.ARRIVED:
        raise TransitionNotAllowed(_("An appointment becomes “arrived” when its car is received."))
    return transition(appointment, target, by=by, at=at, version=version)
