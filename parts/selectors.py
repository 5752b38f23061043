"""Reads for the parts pages, the API and reports."""

import re
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from dealership.clock import month_bounds
from dealership.navigation import Waiting
from dealership.permissions import has_role
from parts.models import (
    Backorder,
    BackorderCall,
    BackorderEvent,
    BackorderStatus,
    CounterSale,
    CounterSaleLine,
    GiftMovement,
    Part,
    StockMovement,
)
from parts.services import normalize_part_number

_LETTERS = re.compile(r"^[A-Za-z]+$")
_PART_NUMBER = re.compile(r"^[A-Za-z0-9\s\-.]+$")


def search_parts(query: str = "") -> QuerySet[Part]:
    """Parts matching what a clerk types (every part for nothing typed), by part number."""
    return Part.objects.filter(part_match(query)).order_by("part_number")  # unique: a total order the index gives


def part_match(query: str) -> Q:
    """The condition of `search_parts`: the start of a number, pinyin initials, or part of the name.

    Each kind of query uses its own index (a prefix index on the number, trigram indexes on the
    name and the initials on PostgreSQL), which keeps the search fast with 100,000 parts.
    """
    query = query.strip()
    if _LETTERS.match(query):
        # Initials anywhere: "jzq" finds 前减震器 and 后减震器.
        return Q(initials__contains=query.lower()) | Q(part_number__startswith=query.upper())
    if _PART_NUMBER.match(query):
        return Q(part_number__startswith=normalize_part_number(query))
    return Q(name__icontains=query) if query else Q()


def part_by_number(number: str) -> Part | None:
    """The catalogue part with this number as printed or typed (spaces and dashes ignored), or None."""
    return Part.objects.filter(part_number=normalize_part_number(number)).first()


def part_detail(pk: int) -> Part:
    return Part.objects.get(pk=pk)


def recent_movements(part: Part, limit: int = 50) -> list[StockMovement]:
    return list(part.movements.select_related("by__staff").order_by("-at", "-pk")[:limit])


def backorders(*, advisor: AbstractBaseUser | None = None) -> QuerySet[Backorder]:
    """Backorders (one advisor's, or all) with their part, customer and advisor, by expected date.

    `filters.BackorderFilter` narrows them as the page or the API asks."""
    rows = Backorder.objects.select_related("part", "customer", "advisor__staff")
    if advisor is not None:
        rows = rows.filter(advisors_own(advisor))
    return rows.order_by("expected_on", "pk")


def backorder_match(query: str) -> Q:
    """A backorder found by its number, the part's description, the customer's name or the start of a mobile."""
    query = query.strip()
    if not query:
        return Q()
    return (
        Q(number__icontains=query)
        | Q(description__icontains=query)
        | Q(customer__name__icontains=query)
        | Q(mobile__startswith=query)
    )


def get_backorder_for(user: AbstractBaseUser, pk: int) -> Backorder:
    """The backorder if this user may see it: parts clerks and managers all, an advisor their own."""
    rows = Backorder.objects.select_related("part", "customer", "advisor__staff").prefetch_related(
        Prefetch("events", queryset=BackorderEvent.objects.select_related("by__staff").order_by("at", "pk"))
    )
    if not has_role(user, "parts", "manager"):
        rows = rows.filter(advisors_own(user))
    return rows.get(pk=pk)


def advisors_own(advisor: AbstractBaseUser, prefix: str = "") -> Q:
    """An advisor's backorders: those they placed and those for their work orders (PT02 rev. 2)."""
    return Q(**{f"{prefix}advisor": advisor}) | Q(**{f"{prefix}repair_order__advisor": advisor})


def _calls_for(user: AbstractBaseUser) -> QuerySet[BackorderCall]:
    rows = BackorderCall.objects.all()
    if not has_role(user, "parts", "manager"):
        rows = rows.filter(advisors_own(user, prefix="backorder__"))
    return rows


def calls_to_make(user: AbstractBaseUser) -> QuerySet[BackorderCall]:
    """Customers with a landline only, to be phoned about their open backorders, oldest notice first."""
    return (
        _calls_for(user)
        .filter(called_at__isnull=True, backorder__status__in=Backorder.OPEN)
        .select_related("backorder__customer", "backorder__part", "backorder__advisor__staff")
        .order_by("listed_at", "pk")
    )


def calls_made(user: AbstractBaseUser, limit: int = 20) -> list[BackorderCall]:
    """The latest calls recorded as made, with who made them."""
    rows = _calls_for(user).filter(called_at__isnull=False)
    return list(rows.select_related("backorder__customer", "called_by__staff").order_by("-called_at", "-pk")[:limit])


def get_call_for(user: AbstractBaseUser, pk: int) -> BackorderCall:
    """The call if this user may record it: parts clerks and managers all, an advisor their customers'."""
    return _calls_for(user).select_related("backorder").get(pk=pk)


def waiting_calls(user: AbstractBaseUser, at: datetime) -> Waiting:
    return Waiting(count=calls_to_make(user).count())


def counter_sales() -> QuerySet[CounterSale]:
    return CounterSale.objects.select_related("customer", "by__staff").order_by("-sold_at", "-pk")


def counter_sale_detail(pk: int) -> CounterSale:
    lines = CounterSaleLine.objects.select_related("part").order_by("pk")
    return (
        CounterSale.objects.select_related("customer", "by__staff")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=pk)
    )


def gift_cost_by_reason(month: date) -> list[dict]:
    """Gifts given in a local month: per reason, how many and what they cost (unit cost at the time)."""
    start, end = month_bounds(month)
    cost = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        GiftMovement.objects.filter(quantity__lt=0, at__gte=start, at__lt=end)
        .values("reason")
        .annotate(given=Sum("quantity"), cost=Sum(cost))
        .order_by("reason")
    )
    return [{"reason": row["reason"], "given": -row["given"], "cost": -row["cost"]} for row in rows]


def waiting_backorders(advisor: AbstractBaseUser | None, at: datetime) -> Waiting:
    """Backorders still open (one advisor's, or all), and those past their expected date without the
    part, whether or not the hourly job has marked them delayed yet."""
    rows = Backorder.objects.filter(status__in=Backorder.OPEN)
    if advisor is not None:
        rows = rows.filter(advisors_own(advisor))
    late = Q(status=BackorderStatus.DELAYED) | Q(status=BackorderStatus.ORDERED, expected_on__lt=timezone.localdate(at))
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=late)))
