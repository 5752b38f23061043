"""Reading customer care: who sees which complaint, the queues and boards (in a fixed number of
queries however much is stored), and the reads the services decide with."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customer_care.models import (
    Breach,
    Broadcast,
    Call,
    CarePair,
    Complaint,
    ComplaintEvent,
    FollowUp,
    FollowUpStatus,
    Rescue,
)

# The ledger's reads (selectors/ledger.py), here too so callers write `selectors.ledger_entries_for(...)`.
from customer_care.selectors.ledger import (  # noqa: F401
    RATE_CASES,
    award_notice,
    complaint_faults,
    ledger_entries,
    ledger_entries_for,
    ledger_entry_for,
    ledger_owner_for,
    ledger_people,
    ledger_statement,
    published_months,
    rate_board,
    rates_on,
    sees_every_ledger,
)
from dealership.identifiers import normalize_plate
from dealership.models import Customer, Role, Vehicle
from dealership.navigation import Waiting
from dealership.permissions import has_role
from service_desk.models import ItemStatus, OrderStatus, RepairItem, RepairOrder

WARN_S = 10 * 60  # amber when a stage has less than ten minutes left
# A car's own distance per day is estimated from its visits; a car seen once drives this much.
DEFAULT_KM_PER_DAY = 40
MIN_KM_PER_DAY = Decimal("0.1")


# --- Who sees which complaint: the one rule for the pages, the API and the services ------------------


CARE = (Role.CALLCENTRE, Role.MANAGER)  # customer care's pages and endpoints
COMPLAINT_HANDS = (*CARE, Role.ADVISOR)  # and an advisor, for the complaints handed to them


def sees_every_complaint(user: AbstractBaseUser) -> bool:
    """Customer care and managers see (and act on) every complaint; an advisor those handed to them."""
    return has_role(user, *CARE)


def complaints_for(user: AbstractBaseUser) -> QuerySet[Complaint]:
    rows = Complaint.objects.all()
    return rows if sees_every_complaint(user) else rows.filter(assignee=user)


def may_handle(user: AbstractBaseUser, complaint: Complaint) -> bool:
    """The responsible advisor, a manager and customer care act on a complaint: those who see it."""
    return complaint.assignee_id == user.pk or sees_every_complaint(user)


def complaint_for(user: AbstractBaseUser, pk: int) -> Complaint:
    """The complaint with everything its page shows. Raises Http404 when `user` may not see it (an
    advisor asking for a colleague's complaint learns nothing about it)."""
    rows = complaints_for(user).select_related(
        "customer",
        "assignee__staff",
        "raised_by__staff",
        "repair_order__vehicle",
        "counter_sale",
        "home_visit__manager__staff",
        "home_visit__technician__staff",
        "home_visit__gift__gift",
    )
    rows = rows.prefetch_related(
        Prefetch("breaches", queryset=Breach.objects.select_related("responsible__staff").order_by("round", "pk")),
        Prefetch("events", queryset=ComplaintEvent.objects.select_related("by__staff").order_by("at", "pk")),
    )
    return get_object_or_404(rows, pk=pk)


# --- Complaints ---------------------------------------------------------------------------------------


def complaint_queue(user: AbstractBaseUser) -> QuerySet[Complaint]:
    """The complaints `user` sees, with what a row of the queue shows (filter and order with ComplaintFilter)."""
    # The order and its car in their own query (none when no complaint on the page has an order):
    # two fewer joins for PostgreSQL to plan on every page.
    return (
        complaints_for(user)
        .select_related("customer", "assignee__staff")
        .prefetch_related(
            Prefetch("repair_order", queryset=RepairOrder.objects.select_related("vehicle")),
            Prefetch("breaches", queryset=Breach.objects.order_by("round", "due_at")),
        )
    )


def search_complaints(rows: QuerySet[Complaint], query: str) -> QuerySet[Complaint]:
    """What a caller gives: the complaint or work-order number, their name, mobile or plate."""
    query = query.strip()
    if not query:
        return rows
    compact = normalize_plate(query)
    found = (
        Q(number__startswith=query.upper())
        | Q(customer__name__contains=query)
        | Q(repair_order__number__startswith=query.upper())
    )
    if query.isdigit() and len(query) >= 4:
        found |= Q(customer__mobile__startswith=query) | Q(customer__mobile__endswith=query)
    if len(compact) >= 4:
        found |= Q(repair_order__vehicle__plate__contains=compact) | Q(customer__vehicles__plate__contains=compact)
    return rows.filter(found).distinct()


def overdue(at: datetime, *, rows: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """Complaints past the due time of the stage in hand: right at every read, with or without a sweep."""
    return (Complaint.objects.all() if rows is None else rows).filter(next_due__lt=at)


def timeline(complaint: Complaint) -> list[dict]:
    """The complaint's events and missed deadlines in time order, for its page."""
    rows = [{"at": event.at, "by": event.by, "note": event.note, "late": False} for event in complaint.events.all()]
    for breach in complaint.breaches.all():
        rows.append(
            {
                "at": breach.recorded_at,
                "by": None,
                "note": _("Deadline missed: %(stage)s (was due %(due)s)")
                % {
                    "stage": breach.get_stage_display(),
                    "due": date_format(timezone.localtime(breach.due_at), "m-d H:i"),
                },
                "late": True,
            }
        )
    return sorted(rows, key=lambda row: row["at"])


def stage_clocks(complaint: Complaint, *, at: datetime) -> list[dict]:
    """Each stage of the current round: due time, done or not, and whether it is late."""
    recorded = set(complaint.late_stages)
    clocks = []
    for stage in ("respond", "organise", "close"):
        due, done = complaint.due(stage), complaint.done_at(stage)
        clocks.append(
            {
                "stage": stage,
                "due": due,
                "done": done,
                "late": stage in recorded or (done is None and due < at) or (done is not None and done > due),
            }
        )
    return clocks


def customer_complaints(customer) -> list[Complaint]:
    return list(
        Complaint.objects.filter(customer=customer).select_related("assignee__staff").order_by("-created_at")[:10]
    )


# --- Follow-up calls ----------------------------------------------------------------------------------


def customer_follow_ups(customer) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(repair_order__customer=customer).select_related("repair_order").order_by("-due_at")[:10]
    )


def queue_agent(user: AbstractBaseUser, *, everyone: bool = False) -> AbstractBaseUser | None:
    """Whose calls a person's queue holds: their own (None: everyone's, as a manager's always is)."""
    return None if everyone or has_role(user, Role.MANAGER) else user


def follow_up_queue(*, at: datetime, agent: AbstractBaseUser | None) -> QuerySet[FollowUp]:
    """Follow-up calls due now, the agent's own first (their paired advisors' customers), then unassigned."""
    rows = FollowUp.objects.filter(status=FollowUpStatus.DUE, due_at__lte=at).select_related(
        "repair_order__customer", "repair_order__vehicle", "repair_order__advisor__staff", "care_agent__staff"
    )
    if agent is not None:
        rows = rows.filter(Q(care_agent=agent) | Q(care_agent__isnull=True))
    return rows.order_by("due_at", "pk")


def finished_follow_ups(*, agent: AbstractBaseUser | None) -> QuerySet[FollowUp]:
    """Calls finished lately, reached or given up, with their satisfaction and praise."""
    rows = (
        FollowUp.objects.exclude(status=FollowUpStatus.DUE)
        .select_related("repair_order__customer", "repair_order__vehicle", "care_agent__staff")
        .prefetch_related("praises__staff__staff")
    )
    if agent is not None:
        rows = rows.filter(care_agent=agent)
    return rows.order_by("-completed_at", "-pk")


def follow_up_detail(pk: int) -> FollowUp:
    """A follow-up call with its visit, the calls made and the praise; Http404 if there is none."""
    technicians = RepairItem.objects.filter(status=ItemStatus.PASSED).select_related("technician__staff")
    rows = FollowUp.objects.select_related(
        "repair_order__customer", "repair_order__vehicle", "repair_order__advisor__staff", "care_agent__staff"
    ).prefetch_related(
        Prefetch("repair_order__items", queryset=technicians), "calls__by__staff", "praises__staff__staff"
    )
    return get_object_or_404(rows, pk=pk)


def follow_ups() -> QuerySet[FollowUp]:
    """Follow-up calls for the API, newest due first, with their praise."""
    return FollowUp.objects.prefetch_related("praises").order_by("-due_at", "-pk")


def praise_choices(follow_up: FollowUp) -> list:
    """The staff a customer can praise for a visit: its advisor and the technicians who did the work."""
    order = follow_up.repair_order
    people = {order.advisor_id: order.advisor}
    for item in order.items.filter(status=ItemStatus.PASSED).select_related("technician__staff"):
        if item.technician_id:
            people.setdefault(item.technician_id, item.technician)
    return [person for person in people.values() if person.is_active]


def care_pairs() -> QuerySet[CarePair]:
    return CarePair.objects.select_related("advisor__staff", "care_agent__staff").order_by("care_agent__staff__name")


# --- Care SMS ----------------------------------------------------------------------------------------


def km_per_day(vehicle: Vehicle, *, mileage_km: int, on: date) -> Decimal:
    """The car's own distance per day, from its earliest recorded visit to this one."""
    first = (
        RepairOrder.objects.filter(vehicle=vehicle, status__in=[OrderStatus.SETTLED, OrderStatus.DELIVERED])
        .exclude(mileage_km__isnull=True)
        .order_by("arrived_at")
        .values_list("arrived_at", "mileage_km")
        .first()
    )
    if first is not None:
        days = (on - timezone.localdate(first[0])).days
        driven = mileage_km - first[1]
        if days >= 30 and driven > 0:
            # A car that hardly moves still falls due by time; never a rate of zero.
            return max((Decimal(driven) / days).quantize(Decimal("0.1")), MIN_KM_PER_DAY)
    return Decimal(DEFAULT_KM_PER_DAY)


def broadcast_audience(
    *, at: datetime, visited_within_days: int | None, model_contains: str = ""
) -> QuerySet[Customer]:
    """The customers a greeting or weather note is meant for (those who opted out included: count them apart)."""
    customers = Customer.objects.all()
    if visited_within_days:
        customers = customers.filter(repair_orders__arrived_at__gte=at - timedelta(days=visited_within_days))
    if model_contains.strip():
        customers = customers.filter(vehicles__model_name__icontains=model_contains.strip())
    return customers.distinct()


def recent_broadcasts() -> QuerySet[Broadcast]:
    return Broadcast.objects.select_related("by__staff").order_by("-at", "-pk")[:20]


# --- Rescues and calls ------------------------------------------------------------------------------------


def rescue_board(*, at: datetime) -> dict:
    open_rows = (
        Rescue.objects.filter(status__in=Rescue.OPEN).select_related("zone", "customer").order_by("promised_by", "pk")
    )
    recent = Rescue.objects.exclude(status__in=Rescue.OPEN).select_related("zone", "customer").order_by("-requested_at")
    return {"open": list(open_rows[:100]), "recent": list(recent[:30])}


def rescues() -> QuerySet[Rescue]:
    """Rescues for the API, newest first."""
    return Rescue.objects.select_related("zone").order_by("-requested_at", "-pk")


def calls() -> QuerySet[Call]:
    """The call log, newest first (filter by line with CallFilter)."""
    return Call.objects.select_related("taken_by__staff", "complaint", "rescue", "customer").order_by("-at", "-pk")


# --- What waits on the home page ---------------------------------------------------------------------------


def waiting_complaints(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Complaints not closed that `user` sees (an advisor's own; all for care and managers), and those overdue."""
    rows = complaints_for(user).filter(next_due__isnull=False)
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(next_due__lt=at))))


def waiting_follow_ups(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Calls due now for this agent (all for a manager); late once a day has passed without the call."""
    rows = follow_up_queue(at=at, agent=queue_agent(user)).order_by()
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(due_at__lt=at - timedelta(days=1)))))


def waiting_rescues(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Rescues under way, and those past their promised arrival."""
    rows = Rescue.objects.filter(status__in=Rescue.OPEN)
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(promised_by__lt=at))))
