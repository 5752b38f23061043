"""Reads for the desk, the order pages, the price board and the daily report."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dealership.clock import day_bounds
from dealership.money import to_cny
from parts.models import Part
from service_desk.models import (
    AdvisorAway,
    Appointment,
    AppointmentStatus,
    CareRule,
    Category,
    CustomerQuestion,
    DeferredWork,
    DeskPairing,
    DeskPolicy,
    EveningMeeting,
    Handover,
    InsuranceClaim,
    ItemStatus,
    LabourOperation,
    OrderEvent,
    OrderStatus,
    PartLine,
    RepairItem,
    RepairOrder,
    ScriptViolation,
)

OPEN = RepairOrder.EDITABLE


def orders() -> QuerySet[RepairOrder]:
    """Orders with what every list of them shows: car, customer, advisor; newest arrival first."""
    return RepairOrder.objects.select_related("vehicle", "customer", "advisor__staff").order_by("-arrived_at", "-pk")


def appointments() -> QuerySet[Appointment]:
    """Appointments as the lists show them: green channel first, then by time."""
    return Appointment.objects.select_related("vehicle", "customer", "advisor__staff").order_by(
        "-is_green_channel", "scheduled_at", "pk"
    )


def partner_of(advisor: AbstractBaseUser, day: date) -> AbstractBaseUser | None:
    """The advisor who covers for `advisor` on `day` (SD04), if a pair is set."""
    pairing = (
        DeskPairing.objects.select_related("first", "second").filter(day=day).filter(first=advisor).first()
        or DeskPairing.objects.select_related("first", "second").filter(day=day, second=advisor).first()
    )
    if pairing is None:
        return None
    return pairing.second if pairing.first_id == advisor.pk else pairing.first


def customer_orders(customer) -> list[RepairOrder]:
    """A customer's latest visits, for their page in the directory."""
    return list(orders().filter(customer=customer)[:10])


def desk(advisor: AbstractBaseUser, *, at: datetime) -> dict:
    """Everything on an advisor's desk: today's appointments (green channel first), customers
    waiting (their own, and their partner's while the partner is away), their open orders."""
    today = timezone.localdate(at)
    booked = list(appointments().filter(scheduled_on=today, status=AppointmentStatus.BOOKED))
    partner = partner_of(advisor, today)
    covering = partner if partner is not None and AdvisorAway.objects.filter(advisor=partner).exists() else None
    waiting_for = [advisor] + ([covering] if covering else [])
    waiting = list(
        orders()
        .filter(advisor__in=waiting_for, status=OrderStatus.OPEN, in_bay_at__isnull=True)
        .order_by("arrived_at", "pk")[:50]
    )
    mine = list(
        orders()
        .filter(advisor=advisor, status__in=OPEN)
        .exclude(status=OrderStatus.OPEN, in_bay_at__isnull=True)  # those are in "waiting"
        .order_by("-is_green_channel", F("promised_at").asc(nulls_last=True), "pk")[:100]
    )
    questions = list(
        CustomerQuestion.objects.select_related("item__order__vehicle", "item__order__customer", "asked_by__staff")
        .filter(answered_at__isnull=True, item__order__advisor__in=waiting_for, item__order__status__in=OPEN)
        .order_by("asked_at")[:30]
    )
    return {
        "appointments": booked,
        "waiting": waiting,
        "open_orders": mine,
        "partner": partner,
        "covering": covering,
        "policy": DeskPolicy.current(),
        "questions": questions,
    }


def order_detail(pk: int) -> RepairOrder:
    lines = PartLine.objects.select_related("part").order_by("pk")
    items = (
        RepairItem.objects.select_related("labour_operation", "technician__staff")
        .prefetch_related(Prefetch("part_lines", queryset=lines))
        .order_by("pk")
    )
    events = OrderEvent.objects.select_related("by__staff").order_by("at", "pk")
    questions = CustomerQuestion.objects.select_related("asked_by__staff").order_by("asked_at")
    return (
        orders()
        .select_related("appointment", "settled_by__staff")
        .prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("events", queryset=events),
            Prefetch("items__questions", queryset=questions),
        )
        .get(pk=pk)
    )


def deferred_work(vehicle_id: int) -> list[DeferredWork]:
    return list(DeferredWork.objects.filter(vehicle_id=vehicle_id, taken_up_at__isnull=True).order_by("declined_at"))


def care_recommendations(order: RepairOrder, *, at: datetime) -> list[dict]:
    """SD15: care operations due for this car's model by time since the last one (or never done)."""
    model = order.vehicle.model_name
    last_done = (
        RepairItem.objects.filter(
            order__vehicle_id=order.vehicle_id,
            labour_operation=OuterRef("labour_operation"),
            order__status__in=[OrderStatus.SETTLED, OrderStatus.DELIVERED],
        )
        .exclude(status=ItemStatus.DECLINED)  # offered and declined is not done
        .order_by()
        .values("labour_operation")
        .annotate(last=Max("order__settled_at"))
        .values("last")
    )
    on_this_order = RepairItem.objects.filter(order=order, labour_operation=OuterRef("labour_operation"))
    rules = (
        CareRule.objects.select_related("labour_operation")
        .filter(is_active=True)
        .annotate(last_done=last_done[:1], on_order=Exists(on_this_order))
        .order_by("labour_operation__code")
    )
    due = []
    for rule in rules:
        if rule.on_order or (rule.model_contains and rule.model_contains not in model):
            continue
        if rule.last_done is None or rule.last_done <= at - timedelta(days=rule.interval_days):
            due.append({"rule": rule, "last_done": rule.last_done})
    return due


def price_board(*, at: datetime) -> dict:
    """SD11: labour and parts prices, always current, by category; the parts fitted most in 90 days."""
    operations = LabourOperation.objects.filter(is_active=True).order_by("code")
    by_category = {category: [] for category in Category}
    for operation in operations:
        by_category[Category(operation.category)].append(operation)
    sections = [(category.label, rows) for category, rows in by_category.items() if rows]
    common_parts = (
        Part.objects.filter(order_lines__item__order__arrived_at__gte=at - timedelta(days=90))
        .annotate(fitted=Sum("order_lines__quantity"))
        .order_by("-fitted", "part_number")[:30]
    )
    return {"sections": sections, "parts": common_parts}


# --- SD14 daily report ---------------------------------------------------------------------------------


def daily_output(day: date) -> list[dict]:
    """Per category: items and their amount on orders settled that local day (for every category)."""
    start, end = day_bounds(day)
    rows = (
        RepairItem.objects.filter(RepairItem.COUNTED, order__settled_at__gte=start, order__settled_at__lt=end)
        .values("category")
        .annotate(count=Count("pk"), labour=Sum("labour_price"), parts=Sum("parts_amount"))
    )
    found = {row["category"]: row for row in rows}
    report = []
    for category in Category:
        row = found.get(category.value, {})
        amount = (row.get("labour") or 0) + (row.get("parts") or 0)
        report.append(
            {"category": category.value, "label": category.label, "count": row.get("count", 0), "amount": amount}
        )
    return report


def daily_by_advisor(day: date) -> list[dict]:
    """Per advisor: orders settled and their amount, and reception timing of cars that arrived that day."""
    start, end = day_bounds(day)
    policy = DeskPolicy.current()
    settled = {
        row["advisor"]: row
        for row in RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end)
        .values("advisor")
        .annotate(orders=Count("pk"), amount=Sum("total"))
    }
    greet = timedelta(seconds=policy.greet_within_s)
    in_bay = timedelta(seconds=policy.in_bay_within_s)
    arrivals = {
        row["advisor"]: row
        for row in RepairOrder.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
        .values("advisor")
        .annotate(
            arrived=Count("pk"),
            greeted_in_time=Count("pk", filter=Q(greeted_at__lte=F("arrived_at") + greet)),
            in_bay_in_time=Count("pk", filter=Q(in_bay_at__lte=F("arrived_at") + in_bay)),
        )
    }
    ids = set(settled) | set(arrivals)
    names = {
        user.pk: (getattr(user, "staff", None) and user.staff.name) or user.get_username()
        for user in get_user_model().objects.filter(pk__in=ids).select_related("staff")
    }
    report = []
    for advisor_id in sorted(ids, key=lambda pk: names.get(pk, "")):
        done, came = settled.get(advisor_id, {}), arrivals.get(advisor_id, {})
        arrived = came.get("arrived", 0)
        report.append(
            {
                "advisor": names.get(advisor_id, "?"),
                "orders": done.get("orders", 0),
                "amount": done.get("amount") or 0,
                "arrived": arrived,
                "greeted_share": _share(came.get("greeted_in_time", 0), arrived),
                "in_bay_share": _share(came.get("in_bay_in_time", 0), arrived),
            }
        )
    return report


# --- SD17-SD19 the desk's records ---------------------------------------------------------------------


def desk_records(*, today: date) -> dict:
    """The records page: recent meetings with their decisions, handovers, claims, and the pairs to come."""
    return {
        "meetings": EveningMeeting.objects.prefetch_related("decisions__owner__staff").order_by("-day")[:10],
        "handovers": Handover.objects.select_related(
            "vehicle__customer", "advisor__staff", "care_agent__staff"
        ).order_by("-handed_over_on", "-pk")[:20],
        "claims": InsuranceClaim.objects.select_related("order__vehicle", "specialist__staff").order_by(
            "-updated_at", "-pk"
        )[:30],
        "pairings": DeskPairing.objects.select_related("first__staff", "second__staff")
        .filter(day__gte=today)
        .order_by("day", "pk")[:20],
    }


# --- SD16 phone-script violations ----------------------------------------------------------------------


def script_violations(*, advisor: AbstractBaseUser | None = None, limit: int = 20) -> list[dict]:
    """The latest violations with what each costs: half the advisor's output value that day (the
    orders they settled), as it stands; a violation of today can still grow until the day is over."""
    violations = ScriptViolation.objects.select_related("advisor__staff", "found_by__staff").order_by("-day", "-pk")
    if advisor is not None:
        violations = violations.filter(advisor=advisor)
    violations = list(violations[:limit])
    if not violations:
        return []
    that_day = Q(pk__in=[])
    for violation in violations:
        start, end = day_bounds(violation.day)
        that_day |= Q(advisor_id=violation.advisor_id, settled_at__gte=start, settled_at__lt=end)
    output = {
        (row["advisor"], row["day"]): row["amount"]
        for row in RepairOrder.objects.filter(that_day)
        .annotate(day=TruncDate("settled_at", tzinfo=timezone.get_current_timezone()))
        .values("advisor", "day")
        .annotate(amount=Sum("total"))
    }
    today = timezone.localdate()
    rows = []
    for violation in violations:
        amount = output.get((violation.advisor_id, violation.day)) or Decimal(0)
        rows.append(
            {"violation": violation, "output": amount, "penalty": to_cny(amount / 2), "so_far": violation.day >= today}
        )
    return rows


def advisor_output(advisor_id: int, day: date) -> Decimal:
    """The value of the orders an advisor settled on a day (IN06 costs half of it)."""
    start, end = day_bounds(day)
    orders = RepairOrder.objects.filter(advisor_id=advisor_id, settled_at__gte=start, settled_at__lt=end)
    return orders.aggregate(amount=Sum("total"))["amount"] or Decimal(0)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def open_items_with_status(status: ItemStatus) -> QuerySet[RepairItem]:
    return RepairItem.objects.filter(status=status, order__status__in=OPEN)
