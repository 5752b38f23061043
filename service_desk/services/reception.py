"""A car's arrival and reception: the one-tap order, greeting and bay times, the walk-around check
and the reception sheet, the customer's requests word for word (SD03, SD05, SD06)."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dealership.errors import DomainError
from dealership.models import Vehicle
from dealership.numbering import next_number
from dealership.transitions import transition
from service_desk.models import Appointment, AppointmentStatus, OrderStatus, RepairOrder
from service_desk.services.orders import VehicleAlreadyInService, _note, _touch


@transaction.atomic
def receive_vehicle(
    *,
    by: AbstractBaseUser,
    vehicle: Vehicle,
    at: datetime,
    mileage_km: int | None = None,
    appointment: Appointment | None = None,
    customer_requests: str = "",
    advisor: AbstractBaseUser | None = None,
) -> RepairOrder:
    """Open a work order the moment a car arrives (one tap); the reception clock starts now.

    The advisor is the appointment's, else the one named, else whoever receives the car."""
    if appointment is not None and (
        appointment.vehicle_id != vehicle.pk or appointment.status != AppointmentStatus.BOOKED
    ):
        raise DomainError(_("This appointment is not a booking for this car."))
    if RepairOrder.objects.filter(vehicle=vehicle, status__in=RepairOrder.EDITABLE).exists():
        raise VehicleAlreadyInService()
    mileage = vehicle.mileage_km if mileage_km is None else mileage_km
    if mileage < 0 or mileage > 2_000_000:
        raise ValidationError({"mileage_km": _("Mileage must be between 0 and 2,000,000 km.")})
    order = RepairOrder(
        number=next_number("RO", at=at),
        vehicle=vehicle,
        customer=vehicle.customer,
        advisor=appointment.advisor if appointment else (advisor or by),
        appointment=appointment,
        is_green_channel=bool(appointment and appointment.is_green_channel),
        added_value_service=appointment.added_value_service if appointment else "",
        mileage_km=mileage,
        customer_requests=customer_requests.strip(),
        arrived_at=at,
        created_at=at,
        updated_at=at,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as race:
        raise VehicleAlreadyInService() from race
    RepairOrder.log_transitions([order.pk], "", OrderStatus.OPEN, by=by, at=at, note=pgettext("visit", "Arrived"))
    if appointment is not None:
        transition(appointment, AppointmentStatus.ARRIVED, by=by, at=at, event_note=order.number)
    if mileage > vehicle.mileage_km:
        Vehicle.objects.filter(pk=vehicle.pk).update(mileage_km=mileage)
    return order


@transaction.atomic
def record_greeting(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """The advisor greeted the customer (SD03: within 5 seconds). Only the first tap counts."""
    if order.greeted_at is None:
        RepairOrder.objects.filter(pk=order.pk, greeted_at__isnull=True).update(greeted_at=at, updated_at=at)
        _note(order, _("Greeted"), at=at, by=by)
        order.refresh_from_db()
    return order


@transaction.atomic
def record_in_bay(*, by: AbstractBaseUser, order: RepairOrder, at: datetime) -> RepairOrder:
    """The car is in a work bay (SD03: within one minute). Only the first tap counts."""
    if order.in_bay_at is None:
        fields = {"in_bay_at": at, "updated_at": at}
        if order.greeted_at is None:
            fields["greeted_at"] = at  # nobody can park the car without having greeted its owner
        RepairOrder.objects.filter(pk=order.pk, in_bay_at__isnull=True).update(**fields)
        _note(order, _("In a work bay"), at=at, by=by)
        order.refresh_from_db()
    return order


def _check_walkaround(order: RepairOrder, *, mileage_km, fuel_eighths, covers_fitted, signed_by, signature) -> None:
    errors = {}
    if not 0 <= fuel_eighths <= 8:
        errors["fuel_eighths"] = _("Fuel is between empty (0) and full (8 eighths).")
    if not covers_fitted:
        errors["covers_fitted"] = _("Fit the seat, wheel and floor covers (三件套) before the car goes in.")
    if not signed_by.strip():
        errors["signed_by"] = _("The customer signs the reception sheet.")
    if signature and (not signature.startswith("data:image/png;base64,") or len(signature) > 200_000):
        errors["signature"] = _("The drawn signature could not be read; please sign again.")
    if mileage_km < order.vehicle.mileage_km and mileage_km < order.mileage_km:
        errors["mileage_km"] = _("The mileage is lower than the car's last recorded mileage.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_walkaround(
    *,
    by: AbstractBaseUser,
    order: RepairOrder,
    at: datetime,
    mileage_km: int,
    fuel_eighths: int,
    damage: str,
    valuables: str,
    covers_fitted: bool,
    signed_by: str,
    signature: str = "",
    customer_requests: str | None = None,
    version: int | None = None,
) -> RepairOrder:
    """The walk-around check and the reception sheet the customer signs (SD05, SD06).

    `version` is the order's as the form showed it (default: as loaded). Raises ValidationError, StaleObject."""
    _check_walkaround(
        order,
        mileage_km=mileage_km,
        fuel_eighths=fuel_eighths,
        covers_fitted=covers_fitted,
        signed_by=signed_by,
        signature=signature,
    )
    walkaround = {
        "fuel_eighths": fuel_eighths,
        "damage": damage.strip(),
        "valuables": valuables.strip(),
        "covers_fitted": covers_fitted,
    }
    fields = {
        "walkaround": walkaround,
        "mileage_km": mileage_km,
        "reception_signed_by": signed_by.strip(),
        "reception_signed_at": at,
        "reception_signature": signature,
    }
    if customer_requests is not None:
        fields["customer_requests"] = customer_requests.strip()
    _touch(order, at=at, version=version, **fields)
    Vehicle.objects.filter(pk=order.vehicle_id, mileage_km__lt=mileage_km).update(mileage_km=mileage_km)
    _note(order, _("Reception sheet signed by %(name)s") % {"name": signed_by.strip()}, at=at, by=by)
    return order


@transaction.atomic
def update_requests(*, by: AbstractBaseUser, order: RepairOrder, text: str, at: datetime, version: int) -> RepairOrder:
    """Record the customer's requests and instructions, word for word (SD06); the words they
    replace stay in the order's history."""
    before = order.customer_requests
    _touch(order, at=at, version=version, customer_requests=text.strip())
    if before and before != order.customer_requests:
        _note(order, _("Customer's requests updated; before: %(before)s") % {"before": before}, at=at, by=by)
    else:
        _note(order, _("Customer's requests updated"), at=at, by=by)
    return order
