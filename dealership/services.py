"""Changes to the directory: staff profiles, customers and vehicles.

Every function validates the whole object before writing (bad input raises ValidationError and
saves nothing) and records who made the change in the object's history.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dealership import identifiers
from dealership.errors import StaleObject
from dealership.identifiers import normalize_vin
from dealership.models import Customer, Staff, Vehicle

# Replies that mean "no more greetings or notes": the keyword Chinese SMS carriers use, and words for it.
OPT_OUT_KEYWORDS = {"TD", "退订"}


def ensure_staff(user: AbstractBaseUser) -> Staff:
    """Return the staff profile of a user with a role, creating it on first use."""
    try:
        return user.staff
    except Staff.DoesNotExist:
        pass
    name = user.get_full_name() or user.get_username()
    staff, _created = Staff.objects.get_or_create(user=user, defaults={"name": name[:50]})
    return staff


def _save(instance, *, by: AbstractBaseUser | None, version: int | None = None) -> None:
    """Validate and save; an edit made from `version` loses to anyone who saved since (StaleObject)."""
    instance.full_clean()
    if by is not None and by.is_authenticated:
        instance._history_user = by
    try:
        with transaction.atomic():
            if instance.pk is not None:
                _take_version(instance, version)
            instance.save()
    except IntegrityError as race:
        # full_clean saw no clash, so another desk saved the same VIN or plate a moment ago.
        raise ValidationError(
            _("Someone saved the same VIN or plate a moment ago: search for it and try again.")
        ) from race


def _take_version(instance, version: int | None) -> None:
    """Compare-and-set the row's version; the UPDATE holds the row until this transaction ends."""
    expected = instance.version if version is None else version
    model = type(instance)
    if not model.objects.filter(pk=instance.pk, version=expected).update(version=F("version") + 1):
        raise StaleObject()
    instance.version = expected + 1


def check_vin_is_new(vin: str) -> None:
    """Refuse a VIN already registered, naming its owner so the advisor finds the right record."""
    existing = Vehicle.objects.select_related("customer").filter(vin=normalize_vin(vin)).first()
    if existing:
        raise ValidationError(
            _("This VIN is already registered to %(customer)s (%(vehicle)s).")
            % {"customer": existing.customer.name, "vehicle": existing},
            code="unique",
        )


@transaction.atomic
def create_customer(
    *, by: AbstractBaseUser | None, name: str, mobile: str, landline: str = "", sms_opt_out: bool = False
) -> Customer:
    """Add a customer. Raises ValidationError on a bad name, mobile or landline."""
    customer = Customer(name=name.strip(), mobile=mobile, landline=landline, sms_opt_out=sms_opt_out)
    _save(customer, by=by)
    return customer


@transaction.atomic
def update_customer(
    *, by: AbstractBaseUser | None, customer: Customer, version: int | None = None, **changes
) -> Customer:
    """Change a customer's name, phone numbers or SMS opt-out. Raises ValidationError, StaleObject."""
    for name, value in changes.items():
        if name not in {"name", "mobile", "landline", "sms_opt_out"}:
            raise TypeError(f"cannot change {name!r} of a customer")
        setattr(customer, name, value.strip() if name == "name" else value)
    _save(customer, by=by, version=version)
    return customer


@transaction.atomic
def opt_out_by_reply(*, mobile: str, text: str) -> int:
    """A customer replied to a text with the opt-out keyword (TD, 退订): no more greetings or notes
    to that number. Returns how many customer records changed; any other reply changes nothing."""
    if text.strip().upper().replace(" ", "") not in OPT_OUT_KEYWORDS:
        return 0
    changed = 0
    for customer in Customer.objects.filter(mobile=identifiers.normalize_mobile(mobile), sms_opt_out=False):
        customer.sms_opt_out = True
        _save(customer, by=None)
        changed += 1
    return changed


@transaction.atomic
def register_vehicle(
    *,
    by: AbstractBaseUser | None,
    customer: Customer,
    vin: str,
    plate: str = "",
    model_name: str,
    mileage_km: int = 0,
) -> Vehicle:
    """Register a customer's car. Raises ValidationError on a bad or known VIN, or a bad or taken plate."""
    try:
        check_vin_is_new(vin)
    except ValidationError as known:
        raise ValidationError({"vin": known.messages}) from known
    vehicle = Vehicle(customer=customer, vin=vin, plate=plate, model_name=model_name.strip(), mileage_km=mileage_km)
    _save(vehicle, by=by)
    return vehicle


@transaction.atomic
def update_vehicle(*, by: AbstractBaseUser | None, vehicle: Vehicle, version: int | None = None, **changes) -> Vehicle:
    """Change a vehicle's owner, plate, model or mileage; the VIN stays. Raises ValidationError, StaleObject."""
    for name, value in changes.items():
        if name not in {"customer", "plate", "model_name", "mileage_km"}:
            raise TypeError(f"cannot change {name!r} of a vehicle")
        setattr(vehicle, name, value)
    _save(vehicle, by=by, version=version)
    return vehicle
