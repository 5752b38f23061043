"""Complaints (CC01) and home visits (CC07): a complaint is raised with its due times, answered
stage by stage, handed over and reopened. Each change of state is a transition of the complaint
(`dealership.transitions`) that writes its event on the complaint's timeline; the deadline sweep
lives in `escalation`."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import selectors
from customer_care.deadlines import MAX_DAYS, add_elapsed, add_working_time
from customer_care.models import (
    STAGE_DONE_BY,
    STAGES,
    Breach,
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPolicy,
    ComplaintStatus,
    Holiday,
    HomeVisit,
    HomeVisitStatus,
    Stage,
)
from customer_care.services.staff import staff_mobile, staff_name
from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from dealership.models import Customer, Role
from dealership.numbering import next_number
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import check_allowed, edit, transition
from parts import services as parts
from parts.models import CounterSale, GiftItem, GiftReason
from service_desk.models import RepairOrder

# What each step records: when the stage was done and, in words, what was said or done.
DONE_AT = {Stage.RESPOND: "responded_at", Stage.ORGANISE: "organised_at", Stage.CLOSE: "closed_at"}
WORDS = {ComplaintStatus.RESPONDED: "response", ComplaintStatus.ORGANISED: "plan", ComplaintStatus.CLOSED: "resolution"}
STAGE_OF = {status: stage for stage, status in STAGE_DONE_BY.items()}


def deadlines(start: datetime, policy: ComplaintPolicy) -> tuple[datetime, datetime, datetime]:
    """Respond, organise and close by: `start` plus the policy's spans, round the clock or in working hours."""
    spans = (policy.respond_within, policy.organise_within, policy.close_within)
    if not policy.working_hours_only:
        return tuple(add_elapsed(start, span) for span in spans)
    first = timezone.localdate(start)
    holidays = set(
        Holiday.objects.filter(day__gte=first, day__lte=first + timedelta(days=MAX_DAYS)).values_list("day", flat=True)
    )
    return tuple(
        add_working_time(start, span, day_starts=policy.day_starts, day_ends=policy.day_ends, holidays=holidays)
        for span in spans
    )


def _new_round(at: datetime) -> dict:
    """A round's clocks from `at`: its due times under the policy in force, the response first in hand."""
    respond_by, organise_by, close_by = deadlines(at, ComplaintPolicy.current())
    return {
        "round_started_at": at,
        "respond_by": respond_by,
        "organise_by": organise_by,
        "close_by": close_by,
        "next_due": respond_by,
        "watch_from": respond_by,
    }


def _event(complaint: Complaint, note: str, *, at: datetime, by: AbstractBaseUser | None, to_status: str = ""):
    """A line on the complaint's timeline for a change that is not a step (a step writes its own)."""
    ComplaintEvent.objects.create(complaint=complaint, at=at, by=by, to_status=to_status, note=note[:500])


def _check_assignee(assignee: AbstractBaseUser) -> None:
    if not assignee.is_active or not has_role(assignee, Role.ADVISOR, Role.MANAGER):
        raise ValidationError({"assignee": _("Hand the complaint to a service advisor or manager.")})


def _tell_assignee(complaint: Complaint, *, at: datetime, kind: str = "complaint_assigned") -> None:
    mobile = staff_mobile(complaint.assignee)
    if mobile:
        enqueue_sms(
            mobile=mobile,
            kind=kind,
            at=at,
            dedupe_key=f"complaint:{complaint.pk}:{complaint.round}:{kind}:{complaint.assignee_id}",
            context={
                "number": complaint.number,
                "customer": complaint.customer.name,
                "time": timezone.localtime(complaint.respond_by).strftime("%H:%M"),
            },
        )


def _current(complaint: Complaint, version: int | None) -> Complaint:
    """The complaint as stored now (the caller's copy may be old); StaleObject when the caller's form is."""
    current = Complaint.objects.select_related("customer", "assignee__staff").get(pk=complaint.pk)
    if version is not None and current.version != version:
        raise StaleObject()
    return current


def _check_care(by: AbstractBaseUser, refused: str) -> None:
    if not has_role(by, Role.MANAGER, Role.CALLCENTRE):
        raise NotPermitted(refused)


# --- Raising and answering ---------------------------------------------------------------------------------


@transaction.atomic
def raise_complaint(
    *,
    by: AbstractBaseUser,
    customer: Customer,
    assignee: AbstractBaseUser,
    channel: str,
    category: str,
    summary: str,
    at: datetime,
    repair_order: RepairOrder | None = None,
    counter_sale: CounterSale | None = None,
    is_serious: bool = False,
    dealership_at_fault: bool = False,
) -> Complaint:
    """Raise a complaint contact sheet and hand it to the responsible advisor, with its due times."""
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the complaint came in.")
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose what the complaint is about.")
    if not summary.strip():
        errors["summary"] = _("Write down what the customer says.")
    if repair_order is not None and repair_order.customer_id != customer.pk:
        errors["repair_order"] = _("That work order belongs to another customer.")
    if counter_sale is not None and counter_sale.customer_id not in (None, customer.pk):
        errors["counter_sale"] = _("That parts sale belongs to another customer.")
    if errors:
        raise ValidationError(errors)
    _check_assignee(assignee)
    complaint = Complaint.objects.create(
        number=next_number("CP", at=at),
        customer=customer,
        repair_order=repair_order,
        counter_sale=counter_sale,
        channel=channel,
        category=category,
        summary=summary.strip(),
        is_serious=is_serious,
        dealership_at_fault=dealership_at_fault,
        assignee=assignee,
        raised_by=by,
        created_at=at,
        **_new_round(at),
    )
    note = _("Raised and handed to %(name)s") % {"name": staff_name(assignee)}
    _event(complaint, note, at=at, by=by, to_status=ComplaintStatus.OPEN)
    _tell_assignee(complaint, at=at)
    return complaint


@transaction.atomic
def sign_for(*, by: AbstractBaseUser, complaint: Complaint, at: datetime) -> Complaint:
    """The responsible advisor signs for the complaint sheet (签收)."""
    complaint = _current(complaint, None)
    if by.pk != complaint.assignee_id:
        raise NotPermitted(_("Only the responsible advisor signs for the complaint."))
    if complaint.signed_for_at is None:
        complaint = edit(complaint, at=at, signed_for_at=at)
        _event(complaint, _("Signed for"), at=at, by=by)
    return complaint


def _refusal(complaint: Complaint, to: ComplaintStatus) -> str:
    if complaint.status == ComplaintStatus.CLOSED:
        return _("This complaint is closed; reopen it to change it.")
    return _("A complaint that is “%(current)s” cannot become “%(next)s”: the stages go in order.") % {
        "current": ComplaintStatus(complaint.status).label,
        "next": to.label,
    }


def _advance(
    complaint: Complaint, to: ComplaintStatus, *, by: AbstractBaseUser, at: datetime, text: str, version: int | None
) -> Complaint:
    """Complete the stage in hand: one transition that also moves the clocks on to the next stage."""
    complaint = _current(complaint, version)
    if not selectors.may_handle(by, complaint):
        raise NotPermitted(_("Only the responsible advisor, a manager or customer care act on this complaint."))
    check_allowed(Complaint, complaint.status, to, refused=_refusal(complaint, to))
    if not text.strip():
        raise ValidationError({"text": _("Write down what was said or done.")})
    stage = STAGE_OF[to]
    due = complaint.due(stage)
    late = at > due  # CC01: "within 30 minutes" includes the deadline itself
    recorded = set(Breach.objects.filter(complaint=complaint, round=complaint.round).values_list("stage", flat=True))
    later = STAGES[STAGES.index(stage) + 1 :]
    fields = {
        DONE_AT[stage]: at,
        WORDS[to]: text.strip(),
        "next_due": complaint.due(later[0]) if later else None,
        # Where the sweep looks next: the first stage still to come whose miss it has not recorded.
        "watch_from": next((complaint.due(next_stage) for next_stage in later if next_stage not in recorded), None),
    }
    if by.pk == complaint.assignee_id:
        fields["signed_for_at"] = Coalesce(F("signed_for_at"), Value(at))  # answering it is signing for it
    if late:
        fields["first_breach_at"] = Coalesce(F("first_breach_at"), Value(due))
    note = f"{to.label}：{text.strip()}"
    complaint = transition(complaint, to, by=by, at=at, version=version, event_note=note, **fields)
    if late:  # a late step records its own breach, if the sweep has not yet
        breach = Breach(
            complaint=complaint,
            round=complaint.round,
            stage=stage,
            due_at=due,
            recorded_at=at,
            responsible_id=complaint.assignee_id,
        )
        Breach.objects.bulk_create([breach], ignore_conflicts=True)
    return complaint


@transaction.atomic
def respond(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """First response to the customer (due within 30 minutes by default)."""
    return _advance(complaint, ComplaintStatus.RESPONDED, by=by, at=at, text=text, version=version)


@transaction.atomic
def organise(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """What is being done about it, organised (due within 1 hour)."""
    return _advance(complaint, ComplaintStatus.ORGANISED, by=by, at=at, text=text, version=version)


@transaction.atomic
def close(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """Resolved with the customer (due within 2 days)."""
    return _advance(complaint, ComplaintStatus.CLOSED, by=by, at=at, text=text, version=version)


@transaction.atomic
def reopen(
    *, by: AbstractBaseUser, complaint: Complaint, reason: str, at: datetime, version: int | None = None
) -> Complaint:
    """The customer is not satisfied after all: a new round with new due times from now."""
    complaint = _current(complaint, version)
    _check_care(by, _("Only a manager or customer care reopens a complaint."))
    check_allowed(
        Complaint, complaint.status, ComplaintStatus.OPEN, refused=_("Only a closed complaint can be reopened.")
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the complaint is reopened.")})
    complaint = transition(
        complaint,
        ComplaintStatus.OPEN,
        by=by,
        at=at,
        version=version,
        event_note=_("Reopened: %(reason)s") % {"reason": reason.strip()},
        round=F("round") + 1,
        **_new_round(at),
        responded_at=None,
        organised_at=None,
        closed_at=None,
        # The last round's words stay in the timeline; this round starts afresh.
        response="",
        plan="",
        resolution="",
        signed_for_at=None,
        first_breach_at=None,
        escalation_level=0,
    )
    _tell_assignee(complaint, at=at, kind="complaint_reopened")
    return complaint


@transaction.atomic
def reassign(
    *, by: AbstractBaseUser, complaint: Complaint, assignee: AbstractBaseUser, at: datetime, version: int | None = None
) -> Complaint:
    """Hand the complaint to another advisor; the due times stay as they are."""
    complaint = _current(complaint, version)
    _check_care(by, _("Only a manager or customer care hands a complaint to someone else."))
    if complaint.status == ComplaintStatus.CLOSED:
        raise TransitionNotAllowed(_("This complaint is closed; reopen it to change it."))
    _check_assignee(assignee)
    if assignee.pk == complaint.assignee_id:
        raise ValidationError(
            {"assignee": _("The complaint is already with %(name)s.") % {"name": staff_name(assignee)}}
        )
    complaint = edit(complaint, at=at, assignee=assignee, signed_for_at=None)
    _event(complaint, _("Handed to %(name)s") % {"name": staff_name(assignee)}, at=at, by=by)
    _tell_assignee(complaint, at=at)
    return complaint


# --- Home visit (CC07) --------------------------------------------------------------------------------------


@transaction.atomic
def plan_home_visit(
    *,
    by: AbstractBaseUser,
    complaint: Complaint,
    planned_for: datetime,
    manager: AbstractBaseUser,
    technician: AbstractBaseUser,
    at: datetime,
) -> HomeVisit:
    """A serious complaint at the dealership's fault: the service manager and a technician visit the customer."""
    if not (complaint.is_serious and complaint.dealership_at_fault):
        raise TransitionNotAllowed(_("A home visit is for a serious complaint where the dealership is at fault."))
    _check_care(by, _("Only a manager or customer care plans a home visit."))
    errors = {}
    if not has_role(manager, Role.MANAGER):
        errors["manager"] = _("Choose the service manager.")
    if not has_role(technician, Role.TECHNICIAN):
        errors["technician"] = _("Choose a technician.")
    if planned_for < at:
        errors["planned_for"] = _("A visit is planned for a time still to come.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(
                complaint=complaint, planned_for=planned_for, manager=manager, technician=technician, planned_by=by
            )
    except IntegrityError as twice:
        raise TransitionNotAllowed(_("This complaint already has a home visit.")) from twice
    when = timezone.localtime(planned_for).strftime("%m-%d %H:%M")
    _event(complaint, _("Home visit planned for %(when)s") % {"when": when}, at=at, by=by)
    return visit


@transaction.atomic
def record_home_visit(
    *, by: AbstractBaseUser, visit: HomeVisit, outcome: str, at: datetime, gift: GiftItem | None = None
) -> HomeVisit:
    """The visit took place: its outcome and the gift handed over (from the gift stock, PT06)."""
    visit = HomeVisit.objects.select_related("complaint__customer").get(pk=visit.pk)
    check_allowed(HomeVisit, visit.status, HomeVisitStatus.VISITED, refused=_("This visit is already recorded."))
    if timezone.localdate(at) < timezone.localdate(visit.planned_for):
        raise TransitionNotAllowed(
            _("The visit is planned for %(day)s; record it on the day.")
            % {"day": timezone.localtime(visit.planned_for).strftime("%m-%d")}
        )
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write down how the visit went.")})
    complaint = visit.complaint
    given = None
    if gift is not None:
        given = parts.give_gift(
            by=by,
            gift=gift,
            customer=complaint.customer,
            quantity=1,
            reason=GiftReason.COMPLAINT_RESOLUTION,
            note=complaint.number,
            at=at,
        )
    visit = transition(visit, HomeVisitStatus.VISITED, by=by, at=at, visited_at=at, outcome=outcome.strip(), gift=given)
    _event(complaint, _("Home visit: %(outcome)s") % {"outcome": visit.outcome}, at=at, by=by)
    return visit
