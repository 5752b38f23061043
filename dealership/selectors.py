"""Reads for the directory pages and the API."""

import re

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from dealership.identifiers import normalize_plate, normalize_vin
from dealership.models import Customer, SmsEvent, SmsMessage, SmsStatus, SmsTemplate, Vehicle
from dealership.permissions import ALL_ROLES

_DIGITS = re.compile(r"^[0-9]{3,11}$")
_VIN_OR_PLATE_TAIL = re.compile(r"^[A-HJ-NP-Z0-9]{4,17}$")
_PLATE_WITH_PROVINCE = re.compile(r"^[\u4e00-\u9fff][A-Z]")


def search_customers(query: str = "", *, by_phone: bool = True) -> QuerySet[Customer]:
    """Customers matching a name, the start of a mobile, a plate or the end of a VIN, newest first.

    `by_phone=False` for roles that see masked numbers: matching digits would reveal the hidden
    ones. Each customer comes with its vehicles prefetched.
    """
    customers = Customer.objects.all()
    query = query.strip()
    if query:
        customers = customers.filter(customer_match(query, by_phone=by_phone))
    vehicles = Vehicle.objects.order_by("pk").only("pk", "customer_id", "plate", "vin", "model_name")
    return customers.prefetch_related(Prefetch("vehicles", queryset=vehicles)).order_by("-pk")


def customer_match(query: str, *, by_phone: bool) -> Q:
    """The condition of `search_customers`: a name, the start of a mobile, a plate or the end of a VIN."""
    compact = normalize_vin(query)  # upper case, half width, no spaces or dashes: "138 0013" → "1380013"
    if _DIGITS.match(compact):
        # Digits are the start of a mobile, part of a landline, or the last digits of a VIN
        # (the serial number, which staff read off the windscreen).
        match = _owning(Q(vin__endswith=compact)) if len(compact) >= 4 else Q(pk__in=[])
        if by_phone:
            match |= Q(mobile__startswith=compact) | Q(landline__contains=compact)
        return match
    plate = normalize_plate(query)
    if _PLATE_WITH_PROVINCE.match(plate):
        return _owning(Q(plate__startswith=plate))
    if _VIN_OR_PLATE_TAIL.match(compact):
        if len(compact) == 17:
            return _owning(Q(vin=compact))
        # Letters and digits: a plate without its province character (PD12345), or a VIN's end.
        return _owning(Q(plate__contains=compact) | Q(vin__endswith=compact))
    return Q(name__icontains=query)


def _owning(vehicle_match: Q) -> Q:
    """Customers owning a matching vehicle, each once however many vehicles match."""
    return Q(pk__in=Vehicle.objects.filter(vehicle_match).values("customer_id"))


def customer_detail(pk: int) -> Customer:
    vehicles = Vehicle.objects.order_by("pk")
    return Customer.objects.prefetch_related(Prefetch("vehicles", queryset=vehicles)).get(pk=pk)


def staff_users() -> QuerySet:
    """Users who hold at least one role, with their profile and groups loaded."""
    User = get_user_model()
    return (
        User.objects.filter(groups__name__in=ALL_ROLES)
        .distinct()
        .select_related("staff")
        .prefetch_related("groups")
        .order_by("pk")
    )


def sms_messages() -> QuerySet[SmsMessage]:
    """Outbox rows, newest first (`filters.SmsFilter` narrows them as the page or the API asks)."""
    return SmsMessage.objects.select_related("template").order_by("-created_at", "-pk")


def sms_status_counts() -> dict[str, int]:
    """How many messages are in each status, in one query."""
    counts = dict.fromkeys(SmsStatus.values, 0)
    for row in SmsMessage.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def sms_kinds() -> list[tuple[str, str]]:
    return list(SmsTemplate.objects.order_by("name", "pk").values_list("kind", "name"))


def sms_detail(pk: int) -> SmsMessage:
    events = SmsEvent.objects.select_related("by__staff").order_by("at", "pk")
    return (
        SmsMessage.objects.select_related("template").prefetch_related(Prefetch("events", queryset=events)).get(pk=pk)
    )
