"""Reading customer care: the queues and boards, in a fixed number of queries however much is stored."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customer_care.models import (
    Breach,
    Call,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    FollowUp,
    FollowUpStatus,
    Rescue,
)
from dealership.identifiers import normalize_plate
from dealership.models import Role
from dealership.navigation import Waiting
from dealership.permissions import has_role
from service_desk.models import ItemStatus, RepairItem, RepairOrder

WARN_S = 10 * 60  # amber when a stage has less than ten minutes left


def complaints(
    *,
    at: datetime,
    mine: AbstractBaseUser | None = None,
    overdue: bool = False,
    assignee_id: int | None = None,
    status: str = "",
    query: str = "",
) -> QuerySet[Complaint]:
    """The complaint queue: open ones first by the due time of the stage in hand, then closed ones, newest first."""
    # The order and its car in their own query (none when no complaint on the page has an order):
    # two fewer joins for PostgreSQL to plan on every page.
    rows = Complaint.objects.select_related("customer", "assignee__staff").prefetch_related(
        Prefetch("repair_order", queryset=RepairOrder.objects.select_related("vehicle")),
        Prefetch("breaches", queryset=Breach.objects.order_by("round", "due_at")),
    )
    if mine is not None:
        rows = rows.filter(assignee=mine)
    if assignee_id:
        rows = rows.filter(assignee_id=assignee_id)
    query = query.strip()
    if query:
        # What a caller gives: the complaint or work-order number, their name, mobile or plate.
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
        rows = rows.filter(found).distinct()
    if overdue:
        rows = rows.filter(next_due__lt=at)
    # Only a complaint not yet closed has a next due time: open ones read from that index in due order.
    if status == "open" or overdue:
        return rows.filter(next_due__isnull=False).order_by("next_due", "pk")
    if status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def complaint_detail(pk: int) -> Complaint:
    return (
        Complaint.objects.select_related(
            "customer",
            "assignee__staff",
            "raised_by__staff",
            "repair_order__vehicle",
            "counter_sale",
            "home_visit__manager__staff",
            "home_visit__technician__staff",
            "home_visit__gift__gift",
        )
        .prefetch_related(
            Prefetch("breaches", queryset=Breach.objects.select_related("responsible__staff").order_by("round", "pk")),
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("by__staff").order_by("at", "pk")),
        )
        .get(pk=pk)
    )


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


def customer_follow_ups(customer) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(repair_order__customer=customer).select_related("repair_order").order_by("-due_at")[:10]
    )


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
    technicians = RepairItem.objects.filter(status=ItemStatus.PASSED).select_related("technician__staff")
    return (
        FollowUp.objects.select_related(
            "repair_order__customer", "repair_order__vehicle", "repair_order__advisor__staff", "care_agent__staff"
        )
        .prefetch_related(
            Prefetch("repair_order__items", queryset=technicians),
            "calls__by__staff",
            "praises__staff__staff",
        )
        .get(pk=pk)
    )


def rescue_board(*, at: datetime) -> dict:
    open_rows = (
        Rescue.objects.filter(status__in=Rescue.OPEN).select_related("zone", "customer").order_by("promised_by", "pk")
    )
    recent = Rescue.objects.exclude(status__in=Rescue.OPEN).select_related("zone", "customer").order_by("-requested_at")
    return {"open": list(open_rows[:100]), "recent": list(recent[:30])}


def calls(*, line: str = "") -> QuerySet[Call]:
    rows = Call.objects.select_related("taken_by__staff", "complaint", "rescue", "customer")
    if line:
        rows = rows.filter(line=line)
    return rows.order_by("-at", "-pk")


# --- What waits on the home page ---------------------------------------------------------------------------


def waiting_complaints(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Complaints not closed (an advisor's own; all for customer care and managers), and those overdue."""
    rows = Complaint.objects.filter(next_due__isnull=False)
    if not has_role(user, Role.CALLCENTRE, Role.MANAGER):
        rows = rows.filter(assignee=user)
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(next_due__lt=at))))


def waiting_follow_ups(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Calls due now for this agent (all for a manager); late once a day has passed without the call."""
    rows = follow_up_queue(at=at, agent=None if has_role(user, Role.MANAGER) else user).order_by()
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(due_at__lt=at - timedelta(days=1)))))


def waiting_rescues(user: AbstractBaseUser, at: datetime) -> Waiting:
    """Rescues under way, and those past their promised arrival."""
    rows = Rescue.objects.filter(status__in=Rescue.OPEN)
    return Waiting(**rows.aggregate(count=Count("pk"), late=Count("pk", filter=Q(promised_by__lt=at))))
