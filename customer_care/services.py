"""Every change in customer care. Views, the API and Celery tasks call these; nothing else writes.

Complaints (CC01) keep their due times from the moment they are raised; the sweep `record_breaches`
records each missed stage once and `escalate` climbs the chain. Rescues (CC03) keep their promised
arrival. Follow-up calls (CC04, CC05) and care SMS (CC06) are scheduled inside the transaction that
delivers the car, so a delivery never commits without them.
"""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care.deadlines import MAX_DAYS, add_elapsed, add_working_time
from customer_care.models import (
    STAGE_DONE_BY,
    STAGES,
    Breach,
    Broadcast,
    BroadcastKind,
    Call,
    CarePair,
    CarePolicy,
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPolicy,
    ComplaintStatus,
    FollowUp,
    FollowUpAttempt,
    FollowUpStatus,
    Holiday,
    HomeVisit,
    Line,
    MaintenanceDue,
    Praise,
    Rescue,
    RescueStatus,
    RescueZone,
    Satisfaction,
    Stage,
)
from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from dealership.identifiers import normalize_mobile, normalize_plate, validate_mobile
from dealership.models import Customer, Staff, Vehicle
from dealership.numbering import next_number
from dealership.outbox import enqueue_many, enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import transition
from dealership.wording import cn_day
from parts import services as parts
from parts.models import CounterSale, GiftItem, GiftReason
from service_desk.models import ItemStatus, OrderStatus, RepairOrder

BATCH = 1000
# What the deadline sweep reads of a complaint besides its number, customer, assignee and round.
SWEPT_FIELDS = ("respond_by", "organise_by", "close_by", "responded_at", "organised_at", "closed_at")
# A car's own distance per day is estimated from its visits; a car seen once drives this much.
DEFAULT_KM_PER_DAY = 40
MIN_KM_PER_DAY = Decimal("0.1")


def _staff_mobile(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.mobile if staff and staff.mobile else ""


def _event(complaint: Complaint, note: str, *, at: datetime, by: AbstractBaseUser | None, to_status: str = ""):
    ComplaintEvent.objects.create(complaint=complaint, at=at, by=by, to_status=to_status, note=note[:500])


# --- Complaint deadlines ---------------------------------------------------------------------------------


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


def _watch_from(complaint: Complaint, recorded: set[str]) -> datetime | None:
    """The earliest due time of a stage neither done nor recorded as missed: where the sweep looks next."""
    for stage in STAGES:
        if complaint.done_at(stage) is None and stage not in recorded:
            return complaint.due(stage)
    return None


def _next_due(complaint: Complaint) -> datetime | None:
    stage = complaint.stage_in_hand
    return complaint.due(stage) if stage else None


# --- Complaints (CC01) -------------------------------------------------------------------------------------


def _check_assignee(assignee: AbstractBaseUser) -> None:
    if not assignee.is_active or not has_role(assignee, "advisor", "manager"):
        raise ValidationError({"assignee": _("Hand the complaint to a service advisor or manager.")})


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
    respond_by, organise_by, close_by = deadlines(at, ComplaintPolicy.current())
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
        round_started_at=at,
        respond_by=respond_by,
        organise_by=organise_by,
        close_by=close_by,
        next_due=respond_by,
        watch_from=respond_by,
    )
    _event(complaint, _("Raised and handed to %(name)s") % {"name": _name(assignee)}, at=at, by=by, to_status="open")
    _tell_assignee(complaint, at=at)
    return complaint


def _name(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()


def _tell_assignee(complaint: Complaint, *, at: datetime, kind: str = "complaint_assigned") -> None:
    mobile = _staff_mobile(complaint.assignee)
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


def _lock(complaint: Complaint, version: int | None) -> Complaint:
    locked = Complaint.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=complaint.pk)
    if version is not None and locked.version != version:
        raise StaleObject()
    return locked


def _check_may_act(by: AbstractBaseUser, complaint: Complaint) -> None:
    """Only the responsible advisor, a manager and customer care act on a complaint."""
    if by.pk != complaint.assignee_id and not has_role(by, "manager", "callcentre"):
        raise NotPermitted(_("Only the responsible advisor, a manager or customer care act on this complaint."))


@transaction.atomic
def sign_for(*, by: AbstractBaseUser, complaint: Complaint, at: datetime) -> Complaint:
    """The responsible advisor signs for the complaint sheet (签收)."""
    complaint = _lock(complaint, None)
    if by.pk != complaint.assignee_id:
        raise NotPermitted(_("Only the responsible advisor signs for the complaint."))
    if complaint.signed_for_at is None:
        Complaint.objects.filter(pk=complaint.pk).update(signed_for_at=at, version=F("version") + 1)
        _event(complaint, _("Signed for"), at=at, by=by)
    complaint.refresh_from_db()
    return complaint


def _advance(
    complaint: Complaint, to: ComplaintStatus, *, by: AbstractBaseUser, at: datetime, text: str, version: int | None
) -> Complaint:
    complaint = _lock(complaint, version)
    _check_may_act(by, complaint)
    current = ComplaintStatus(complaint.status)
    if to not in Complaint.TRANSITIONS[current]:
        if current == ComplaintStatus.CLOSED:
            raise TransitionNotAllowed(_("This complaint is closed; reopen it to change it."))
        raise TransitionNotAllowed(
            _("A complaint that is “%(current)s” cannot become “%(next)s”: the stages go in order.")
            % {"current": current.label, "next": to.label}
        )
    if not text.strip():
        raise ValidationError({"text": _("Write down what was said or done.")})
    stage = next(stage for stage, done_by in STAGE_DONE_BY.items() if done_by == to)
    fields = {
        ComplaintStatus.RESPONDED: {"responded_at": at, "response": text.strip()},
        ComplaintStatus.ORGANISED: {"organised_at": at, "plan": text.strip()},
        ComplaintStatus.CLOSED: {"closed_at": at, "resolution": text.strip()},
    }[to]
    for name, value in fields.items():
        setattr(complaint, name, value)
    if by.pk == complaint.assignee_id and complaint.signed_for_at is None:
        complaint.signed_for_at = at  # answering it is signing for it
    late = at > complaint.due(stage)  # CC01: "within 30 minutes" includes the deadline itself
    recorded = set(
        Breach.objects.filter(complaint=complaint, round=complaint.round).values_list("stage", flat=True)
    ) | ({stage} if late else set())
    complaint.status = to
    complaint.next_due = _next_due(complaint)
    complaint.watch_from = _watch_from(complaint, recorded)
    if late and complaint.first_breach_at is None:
        complaint.first_breach_at = complaint.due(stage)
    complaint.version += 1
    complaint.save()
    if late:  # a late step records its own breach, if the sweep has not yet
        Breach.objects.bulk_create(
            [
                Breach(
                    complaint=complaint,
                    round=complaint.round,
                    stage=stage,
                    due_at=complaint.due(stage),
                    recorded_at=at,
                    responsible_id=complaint.assignee_id,
                )
            ],
            ignore_conflicts=True,
        )
    _event(complaint, f"{to.label}：{text.strip()}", at=at, by=by, to_status=to)
    return complaint


def respond(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """First response to the customer (due within 30 minutes by default)."""
    with transaction.atomic():
        return _advance(complaint, ComplaintStatus.RESPONDED, by=by, at=at, text=text, version=version)


def organise(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """What is being done about it, organised (due within 1 hour)."""
    with transaction.atomic():
        return _advance(complaint, ComplaintStatus.ORGANISED, by=by, at=at, text=text, version=version)


def close(*, by: AbstractBaseUser, complaint: Complaint, text: str, at: datetime, version: int | None = None):
    """Resolved with the customer (due within 2 days)."""
    with transaction.atomic():
        return _advance(complaint, ComplaintStatus.CLOSED, by=by, at=at, text=text, version=version)


@transaction.atomic
def reopen(
    *, by: AbstractBaseUser, complaint: Complaint, reason: str, at: datetime, version: int | None = None
) -> Complaint:
    """The customer is not satisfied after all: a new round with new due times from now."""
    complaint = _lock(complaint, version)
    if not has_role(by, "manager", "callcentre"):
        raise NotPermitted(_("Only a manager or customer care reopens a complaint."))
    if complaint.status != ComplaintStatus.CLOSED:
        raise TransitionNotAllowed(_("Only a closed complaint can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the complaint is reopened.")})
    respond_by, organise_by, close_by = deadlines(at, ComplaintPolicy.current())
    Complaint.objects.filter(pk=complaint.pk).update(
        status=ComplaintStatus.OPEN,
        round=F("round") + 1,
        round_started_at=at,
        respond_by=respond_by,
        organise_by=organise_by,
        close_by=close_by,
        next_due=respond_by,
        watch_from=respond_by,
        responded_at=None,
        organised_at=None,
        closed_at=None,
        # The last round's words stay in the timeline and the history; this round starts afresh.
        response="",
        plan="",
        resolution="",
        signed_for_at=None,
        first_breach_at=None,
        escalation_level=0,
        version=F("version") + 1,
    )
    complaint.refresh_from_db()
    _event(complaint, _("Reopened: %(reason)s") % {"reason": reason.strip()}, at=at, by=by, to_status="open")
    _tell_assignee(complaint, at=at, kind="complaint_reopened")
    return complaint


@transaction.atomic
def reassign(
    *, by: AbstractBaseUser, complaint: Complaint, assignee: AbstractBaseUser, at: datetime, version: int | None = None
) -> Complaint:
    """Hand the complaint to another advisor; the due times stay as they are."""
    complaint = _lock(complaint, version)
    if not has_role(by, "manager", "callcentre"):
        raise NotPermitted(_("Only a manager or customer care hands a complaint to someone else."))
    if complaint.status == ComplaintStatus.CLOSED:
        raise TransitionNotAllowed(_("This complaint is closed; reopen it to change it."))
    _check_assignee(assignee)
    if assignee.pk == complaint.assignee_id:
        raise ValidationError({"assignee": _("The complaint is already with %(name)s.") % {"name": _name(assignee)}})
    Complaint.objects.filter(pk=complaint.pk).update(assignee=assignee, signed_for_at=None, version=F("version") + 1)
    complaint.refresh_from_db()
    _event(complaint, _("Handed to %(name)s") % {"name": _name(assignee)}, at=at, by=by)
    _tell_assignee(complaint, at=at)
    return complaint


def overdue(at: datetime) -> QuerySet[Complaint]:
    """Complaints past the due time of the stage in hand: right at every read, with or without a sweep."""
    return Complaint.objects.filter(next_due__lt=at)


def record_breaches(*, at: datetime, batch: int = BATCH) -> int:
    """The beat sweep: record every stage whose due time has passed undone, once, and tell the assignee.

    The Breach rows are the record (the complaint's timeline shows them). Each assignee gets one
    text per batch: the complaint itself when it is one, a count and the first numbers when several
    (nobody wants forty texts after an outage). A notice's dedupe key names the breaches it covers.

    Catches up after any outage (it looks at `watch_from < at`, never "the last minute"); rows are
    taken with SKIP LOCKED so concurrent sweeps share the work; a breach row is unique per
    complaint, round and stage, so nothing is recorded or told twice.
    """
    total = 0
    while True:
        with transaction.atomic():
            # Only the columns the sweep reads: after an outage a batch is a thousand complaints.
            due = list(
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(watch_from__lt=at)
                .only("number", "customer", "assignee", "round", *SWEPT_FIELDS)
                .order_by("watch_from", "pk")[:batch]
            )
            if not due:
                return total
            known: dict[tuple[int, int], set[str]] = {}
            for pk, round_, stage in (
                Breach.objects.filter(complaint__in=due).values_list("complaint_id", "round", "stage").order_by()
            ):
                known.setdefault((pk, round_), set()).add(stage)
            breaches = []
            missed_by: dict[int, list[tuple[Complaint, str]]] = {}
            for complaint in due:
                recorded = known.get((complaint.pk, complaint.round), set())
                for stage in STAGES:
                    if complaint.done_at(stage) is None and complaint.due(stage) < at and stage not in recorded:
                        recorded.add(stage)
                        breaches.append(
                            Breach(
                                complaint=complaint,
                                round=complaint.round,
                                stage=stage,
                                due_at=complaint.due(stage),
                                recorded_at=at,
                                responsible_id=complaint.assignee_id,
                            )
                        )
                        missed_by.setdefault(complaint.assignee_id, []).append((complaint, stage))
            Breach.objects.bulk_create(breaches, batch_size=batch, ignore_conflicts=True)
            # Every stage due before `at` is recorded now: watch the next one still to come, in one UPDATE.
            Complaint.objects.filter(pk__in=[complaint.pk for complaint in due]).update(
                watch_from=Case(
                    *(
                        When(Q(**{f"{done}__isnull": True, f"{deadline}__gte": at}), then=F(deadline))
                        for deadline, done in (
                            ("respond_by", "responded_at"),
                            ("organise_by", "organised_at"),
                            ("close_by", "closed_at"),
                        )
                    ),
                    default=None,
                ),
                # Escalation delays count from the deadline that was missed first, not from the sweep.
                first_breach_at=Coalesce(F("first_breach_at"), F("watch_from")),
            )
            mobiles = dict(
                Staff.objects.filter(user_id__in=missed_by).exclude(mobile="").values_list("user_id", "mobile")
            )
            missed_by = {assignee: missed for assignee, missed in missed_by.items() if assignee in mobiles}
            # A lone complaint's text names its customer; a digest of several names only numbers.
            names = dict(
                Customer.objects.filter(
                    pk__in={missed[0][0].customer_id for missed in missed_by.values() if _lone(missed)}
                ).values_list("pk", "name")
            )
            enqueue_many(
                [_breach_notice(missed, mobiles[assignee], names) for assignee, missed in missed_by.items()], at=at
            )
            total += len(breaches)


def _lone(missed: list[tuple[Complaint, str]]) -> bool:
    return len({complaint.pk for complaint, _stage in missed}) == 1


def _breach_notice(missed: list[tuple[Complaint, str]], mobile: str, names: dict[int, str]) -> dict:
    """One text to an assignee about the stages of their complaints that just missed their deadline."""
    first = missed[0][0]
    covered = ",".join(f"{c.pk}.{c.round}.{s}" for c, s in sorted(missed, key=lambda pair: (pair[0].pk, pair[1])))
    key = f"complaint-breach:{first.assignee_id}:{hashlib.sha256(covered.encode()).hexdigest()[:24]}"
    complaints = list({complaint.pk: complaint for complaint, _stage in missed}.values())
    if len(complaints) == 1:  # one complaint, maybe several stages after an outage
        stages = "、".join(str(Stage(stage).label) for _complaint, stage in missed)
        return {
            "mobile": mobile,
            "kind": "complaint_breach",
            "dedupe_key": key,
            "context": {"number": first.number, "customer": names[first.customer_id], "stage": stages},
        }
    numbers = "、".join(complaint.number for complaint in complaints[:3])
    return {
        "mobile": mobile,
        "kind": "complaint_breaches",
        "dedupe_key": key,
        "context": {"count": len(complaints), "numbers": numbers + ("等" if len(complaints) > 3 else "")},
    }


def escalate(*, at: datetime, batch: int = BATCH) -> int:
    """Climb the chain for complaints behind schedule: the service manager, then the general manager,
    each after the policy's delay from the first missed deadline, while the stage in hand is overdue
    (a complaint caught up and on time again climbs no further). Each step once."""
    policy = ComplaintPolicy.current()
    User = get_user_model()
    managers = (
        [policy.service_manager]
        if policy.service_manager
        else list(User.objects.filter(groups__name="manager", is_active=True).select_related("staff"))
    )
    chain = [(1, policy.manager_after, managers)]
    if policy.general_manager:
        chain.append((2, policy.general_manager_after, [policy.general_manager]))
    escalated = 0
    for level, delay, people in chain:
        with transaction.atomic():
            rows = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(escalation_level__lt=level, first_breach_at__lte=at - delay, next_due__lt=at)
                .select_related("customer")
                .order_by("first_breach_at", "pk")[:batch]
            )
            if not rows:
                continue
            Complaint.objects.filter(pk__in=[c.pk for c in rows], escalation_level__lt=level).update(
                escalation_level=level
            )
            who = str(Complaint.ESCALATION[level])
            ComplaintEvent.objects.bulk_create(
                [ComplaintEvent(complaint=c, at=at, note=_("Escalated to %(who)s") % {"who": who}) for c in rows]
            )
            enqueue_many(
                [
                    {
                        "mobile": _staff_mobile(person),
                        "kind": "complaint_escalated",
                        "dedupe_key": f"complaint:{c.pk}:{c.round}:escalated:{level}:{person.pk}",
                        "context": {"number": c.number, "customer": c.customer.name, "summary": c.summary[:40]},
                    }
                    for c in rows
                    for person in people
                    if _staff_mobile(person)
                ],
                at=at,
            )
            escalated += len(rows)
    return escalated


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
    if not has_role(by, "manager", "callcentre"):
        raise NotPermitted(_("Only a manager or customer care plans a home visit."))
    errors = {}
    if not has_role(manager, "manager"):
        errors["manager"] = _("Choose the service manager.")
    if not has_role(technician, "technician"):
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
    _event(
        complaint,
        _("Home visit planned for %(when)s") % {"when": timezone.localtime(planned_for).strftime("%m-%d %H:%M")},
        at=at,
        by=by,
    )
    return visit


@transaction.atomic
def record_home_visit(
    *, by: AbstractBaseUser, visit: HomeVisit, outcome: str, at: datetime, gift: GiftItem | None = None
) -> HomeVisit:
    """The visit took place: its outcome and the gift handed over (from the gift stock, PT06)."""
    visit = HomeVisit.objects.select_for_update().select_related("complaint__customer").get(pk=visit.pk)
    if visit.visited_at is not None:
        raise TransitionNotAllowed(_("This visit is already recorded."))
    if timezone.localdate(at) < timezone.localdate(visit.planned_for):
        raise TransitionNotAllowed(
            _("The visit is planned for %(day)s; record it on the day.")
            % {"day": timezone.localtime(visit.planned_for).strftime("%m-%d")}
        )
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write down how the visit went.")})
    if gift is not None:
        visit.gift = parts.give_gift(
            by=by,
            gift=gift,
            customer=visit.complaint.customer,
            quantity=1,
            reason=GiftReason.COMPLAINT_RESOLUTION,
            note=visit.complaint.number,
            at=at,
        )
    visit.visited_at, visit.outcome = at, outcome.strip()
    visit.save()
    _event(visit.complaint, _("Home visit: %(outcome)s") % {"outcome": visit.outcome}, at=at, by=by)
    return visit


# --- Rescue (CC03) ----------------------------------------------------------------------------------------


@transaction.atomic
def request_rescue(
    *,
    by: AbstractBaseUser,
    caller: str,
    mobile: str = "",
    zone: RescueZone,
    location: str,
    problem: str,
    at: datetime,
    customer: Customer | None = None,
    plate: str = "",
    note: str = "",
) -> Rescue:
    """Take a rescue call: the promised arrival comes from the zone and is stored; the caller is texted it."""
    errors = {}
    if not zone.is_active:
        errors["zone"] = _("Choose a rescue zone in use.")
    if not caller.strip():
        errors["caller"] = _("Who is calling?")
    if not location.strip():
        errors["location"] = _("Where is the car?")
    if not problem.strip():
        errors["problem"] = _("What is wrong with the car?")
    # A known customer's own mobile is where the promise is texted unless the caller gives another.
    mobile = normalize_mobile(mobile) or (customer.mobile if customer else "")
    try:
        validate_mobile(mobile)
    except ValidationError as wrong:
        errors["mobile"] = wrong.messages
    if errors:
        raise ValidationError(errors)
    promised_by = add_elapsed(at, zone.promise)  # the rescue line runs round the clock
    rescue = Rescue.objects.create(
        number=next_number("RS", at=at),
        customer=customer,
        caller=caller.strip(),
        mobile=mobile,
        plate=normalize_plate(plate),
        zone=zone,
        location=location.strip(),
        problem=problem.strip(),
        requested_at=at,
        promised_by=promised_by,
        taken_by=by,
        note=note.strip(),
    )
    enqueue_sms(
        mobile=mobile,
        kind="rescue_promised",
        at=at,
        by=by,
        dedupe_key=f"rescue:{rescue.pk}:promised",
        context={"caller": rescue.caller, "time": timezone.localtime(promised_by).strftime("%H:%M")},
    )
    return rescue


def _move_rescue(
    rescue: Rescue, to: RescueStatus, *, by: AbstractBaseUser, at: datetime, version: int | None, **fields
) -> Rescue:
    return transition(
        rescue,
        to,
        by=by,
        at=at,
        version=version,
        refused=_("A rescue that is “%(current)s” cannot become “%(next)s”.")
        % {"current": RescueStatus(rescue.status).label, "next": to.label},
        **fields,
    )


@transaction.atomic
def dispatch_crew(
    *, by: AbstractBaseUser, rescue: Rescue, crew: str, at: datetime, version: int | None = None
) -> Rescue:
    if not crew.strip():
        raise ValidationError({"crew": _("Who goes out?")})
    return _move_rescue(
        rescue, RescueStatus.DISPATCHED, by=by, at=at, version=version, crew=crew.strip(), dispatched_at=at
    )


@transaction.atomic
def rescue_arrived(*, by: AbstractBaseUser, rescue: Rescue, at: datetime, version: int | None = None) -> Rescue:
    """The crew is with the car; arriving after the promise records the miss (if the sweep has not).

    CC01 rev. 2: arriving at the promised minute itself keeps the promise."""
    fields = {"arrived_at": at, "dispatched_at": Coalesce(F("dispatched_at"), Value(at))}
    if at > rescue.promised_by:
        fields["breached_at"] = Coalesce(F("breached_at"), Value(at))
    return _move_rescue(rescue, RescueStatus.ARRIVED, by=by, at=at, version=version, **fields)


@transaction.atomic
def cancel_rescue(
    *, by: AbstractBaseUser, rescue: Rescue, reason: str, at: datetime, version: int | None = None
) -> Rescue:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the rescue is called off.")})
    return _move_rescue(rescue, RescueStatus.CANCELLED, by=by, at=at, version=version, note=reason.strip()[:300])


def record_rescue_breaches(*, at: datetime) -> int:
    """The sweep: an open rescue past its promise is recorded as missed, once, and the managers told."""
    with transaction.atomic():
        late = list(
            Rescue.objects.select_for_update(skip_locked=True)
            .filter(status__in=Rescue.OPEN, promised_by__lt=at, breached_at__isnull=True)
            .order_by("promised_by")[:BATCH]
        )
        if not late:
            return 0
        Rescue.objects.filter(pk__in=[r.pk for r in late], breached_at__isnull=True).update(breached_at=at)
        managers = get_user_model().objects.filter(groups__name="manager", is_active=True).select_related("staff")
        enqueue_many(
            [
                {
                    "mobile": _staff_mobile(person),
                    "kind": "rescue_late",
                    "dedupe_key": f"rescue:{rescue.pk}:late:{person.pk}",
                    "context": {"number": rescue.number, "location": rescue.location[:30]},
                }
                for rescue in late
                for person in managers
                if _staff_mobile(person)
            ],
            at=at,
        )
        return len(late)


# --- Call log (CC02) ---------------------------------------------------------------------------------------


@transaction.atomic
def log_call(
    *,
    by: AbstractBaseUser,
    line: str,
    caller: str,
    number: str,
    topic: str,
    at: datetime,
    outcome: str = "",
    customer: Customer | None = None,
    complaint: dict | None = None,
    rescue: dict | None = None,
) -> Call:
    """Log a hotline or rescue-line call; in the same step it may become a complaint or a rescue."""
    errors = {}
    if line not in Line.values:
        errors["line"] = _("Which line rang?")
    if not caller.strip():
        errors["caller"] = _("Who is calling?")
    if not number.strip():
        errors["number"] = _("Write down the number they called from.")
    if not topic.strip():
        errors["topic"] = _("What is the call about?")
    if complaint is not None and customer is None:
        errors["customer"] = _("A complaint needs the customer: find them first.")
    if errors:
        raise ValidationError(errors)
    call = Call.objects.create(
        line=line,
        caller=caller.strip(),
        number=number.strip(),
        at=at,
        topic=topic.strip(),
        outcome=outcome.strip(),
        customer=customer,
        taken_by=by,
    )
    if complaint is not None:
        call.complaint = raise_complaint(
            by=by,
            customer=customer,
            channel=Channel.HOTLINE,
            summary=complaint.pop("summary", topic),
            at=at,
            **complaint,
        )
    if rescue is not None:
        call.rescue = request_rescue(
            by=by,
            caller=caller,
            mobile=rescue.pop("mobile", number),
            customer=customer,
            problem=rescue.pop("problem", topic),
            at=at,
            **rescue,
        )
    call.save(update_fields=["complaint", "rescue"])
    return call


# --- Follow-up calls (CC04, CC05) and care SMS (CC06) after delivery -----------------------------------------


def praise_choices(follow_up: FollowUp) -> list:
    """The staff a customer can praise for a visit: its advisor and the technicians who did the work."""
    order = follow_up.repair_order
    people = {order.advisor_id: order.advisor}
    for item in order.items.filter(status=ItemStatus.PASSED).select_related("technician__staff"):
        if item.technician_id:
            people.setdefault(item.technician_id, item.technician)
    return [person for person in people.values() if person.is_active]


def _at_local(day: date, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, hour), timezone.get_current_timezone())


def after_delivery(*, order: RepairOrder, at: datetime) -> None:
    """Inside the delivery's transaction: the follow-up call, the post-repair text, the next reminder."""
    schedule_follow_up(order=order, at=at)
    send_post_repair_advice(order=order, at=at)
    set_maintenance_due(order=order, at=at)


def schedule_follow_up(*, order: RepairOrder, at: datetime) -> FollowUp:
    """The day after delivery, in the queue of the customer-care advisor paired with the order's advisor."""
    policy = CarePolicy.current()
    pair = getattr(order.advisor, "care_pair", None)
    follow_up, _created = FollowUp.objects.get_or_create(
        repair_order=order,
        defaults={
            "care_agent_id": pair.care_agent_id if pair else None,
            "due_at": _at_local(timezone.localdate(at) + timedelta(days=1), policy.follow_up_hour),
            "created_at": at,
        },
    )
    return follow_up


def send_post_repair_advice(*, order: RepairOrder, at: datetime) -> None:
    """The same day, respecting quiet hours: what was done and what to watch for."""
    work = [item.description for item in order.items.all() if item.status == ItemStatus.PASSED][:3]
    enqueue_sms(
        mobile=order.customer.mobile,
        kind="care_after_repair",
        at=at,
        dedupe_key=f"care:order:{order.pk}:advice",
        context={
            "customer": order.customer.name,
            "plate": order.vehicle.short_label,
            "work": "、".join(work) or _("maintenance"),
        },
    )


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


def set_maintenance_due(*, order: RepairOrder, at: datetime) -> MaintenanceDue:
    """The next maintenance falls due by time or by distance, whichever comes first; a newer visit replaces it."""
    policy = CarePolicy.current()
    today = timezone.localdate(at)
    rate = km_per_day(order.vehicle, mileage_km=order.mileage_km, on=today)
    by_time = today + timedelta(days=policy.maintenance_every_days)
    by_distance = today + timedelta(days=int(Decimal(policy.maintenance_every_km) / rate))
    due_on = min(by_time, by_distance)
    due, _created = MaintenanceDue.objects.update_or_create(
        vehicle=order.vehicle,
        defaults={
            "from_order": order,
            "due_on": due_on,
            "due_km": order.mileage_km + policy.maintenance_every_km,
            "km_per_day": rate,
            "by_distance": by_distance < by_time,
            "remind_on": due_on - timedelta(days=policy.remind_days_before),
            "reminded_at": None,
        },
    )
    return due


def send_maintenance_reminders(*, at: datetime) -> int:
    """Daily: text each customer whose car's maintenance falls due soon, once per visit it is counted from."""
    sent = 0
    today = timezone.localdate(at)
    while True:
        with transaction.atomic():
            due = list(
                MaintenanceDue.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(remind_on__lte=today, reminded_at__isnull=True)
                .select_related("vehicle__customer")
                .order_by("remind_on", "pk")[:BATCH]
            )
            if not due:
                return sent
            enqueue_many(
                [
                    {
                        "mobile": row.vehicle.customer.mobile,
                        "kind": "maintenance_reminder",
                        "dedupe_key": f"care:order:{row.from_order_id}:maintenance",
                        "not_before": _at_local(today, datetime.min.time().replace(hour=10)),
                        "context": {
                            "customer": row.vehicle.customer.name,
                            "plate": row.vehicle.short_label,
                            "date": cn_day(row.due_on),
                            "km": str(row.due_km),
                        },
                    }
                    for row in due
                ],
                at=at,
            )
            MaintenanceDue.objects.filter(pk__in=[row.pk for row in due]).update(reminded_at=at)
            sent += len(due)


@transaction.atomic
def record_follow_up(
    *,
    by: AbstractBaseUser,
    follow_up: FollowUp,
    reached: bool,
    at: datetime,
    satisfaction: str = "",
    praised: Iterable[AbstractBaseUser] = (),
    notes: str = "",
    complaint: dict | None = None,
    version: int | None = None,
) -> FollowUp:
    """One follow-up call: reached or not. Reached: satisfaction, praise of named staff, and a complaint
    raised in the same step if the customer has one. Not reached: called again later, a few times."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",)).select_related("repair_order__customer").get(pk=follow_up.pk)
    )
    if version is not None and follow_up.version != version:
        raise StaleObject()
    if not has_role(by, "callcentre", "manager"):
        raise NotPermitted(_("Follow-up calls are made by customer care."))
    if follow_up.status != FollowUpStatus.DUE:
        raise TransitionNotAllowed(_("This follow-up call is already finished."))
    if not reached and follow_up.attempts and at < follow_up.due_at:  # a retry before its time
        raise TransitionNotAllowed(
            _("Not answered a little while ago: call again from %(time)s.")
            % {"time": timezone.localtime(follow_up.due_at).strftime("%m-%d %H:%M")}
        )
    praised = list({person.pk: person for person in praised}.values())  # each person once
    if reached:
        errors = {}
        if satisfaction not in Satisfaction.values:
            errors["satisfaction"] = _("How satisfied was the customer?")
        # The customer praises the people of this visit: its advisor and the technicians who did the work.
        visit_staff = {person.pk for person in praise_choices(follow_up)}
        if any(person.pk not in visit_staff for person in praised):
            errors["praised"] = _("Only the advisor and the technicians of this visit can be praised for it.")
        if complaint is not None and not (complaint.get("summary") or "").strip():
            errors["complaint"] = _("Write down what the customer complains about.")
        if errors:
            raise ValidationError(errors)
    FollowUpAttempt.objects.create(follow_up=follow_up, at=at, by=by, reached=reached, note=notes.strip()[:300])
    policy = CarePolicy.current()
    attempts = follow_up.attempts + 1
    if reached:
        Praise.objects.bulk_create([Praise(follow_up=follow_up, staff=person, at=at) for person in praised])
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status=FollowUpStatus.DONE,
            attempts=attempts,
            satisfaction=satisfaction,
            notes=notes.strip(),
            completed_at=at,
            care_agent=follow_up.care_agent or by,
            version=F("version") + 1,
        )
        if complaint is not None:
            order = follow_up.repair_order
            raise_complaint(
                by=by,
                customer=order.customer,
                repair_order=order,
                assignee=order.advisor,
                channel=Channel.FOLLOW_UP,
                at=at,
                **complaint,
            )
    elif attempts >= policy.follow_up_attempts:
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status=FollowUpStatus.UNREACHED, attempts=attempts, completed_at=at, version=F("version") + 1
        )
    else:
        FollowUp.objects.filter(pk=follow_up.pk).update(
            attempts=attempts, due_at=at + policy.retry_after, version=F("version") + 1
        )
    follow_up.refresh_from_db()
    return follow_up


@transaction.atomic
def pair_care_agent(*, by: AbstractBaseUser, advisor: AbstractBaseUser, care_agent: AbstractBaseUser | None):
    """CC05: set (or clear) the customer-care advisor who follows up this service advisor's customers."""
    if not has_role(advisor, "advisor"):
        raise ValidationError({"advisor": _("Choose a service advisor.")})
    if care_agent is None:
        CarePair.objects.filter(advisor=advisor).delete()
        return None
    if not has_role(care_agent, "callcentre"):
        raise ValidationError({"care_agent": _("Choose a customer-care advisor.")})
    pair, _created = CarePair.objects.update_or_create(advisor=advisor, defaults={"care_agent": care_agent})
    FollowUp.objects.filter(repair_order__advisor=advisor, status=FollowUpStatus.DUE, care_agent__isnull=True).update(
        care_agent=care_agent
    )
    return pair


# --- Greetings and weather notes (CC06) ---------------------------------------------------------------------


def broadcast_audience(*, visited_within_days: int | None, model_contains: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.all()
    if visited_within_days:
        since = timezone.now() - timedelta(days=visited_within_days)
        customers = customers.filter(repair_orders__arrived_at__gte=since)
    if model_contains.strip():
        customers = customers.filter(vehicles__model_name__icontains=model_contains.strip())
    return customers.distinct()


@transaction.atomic
def broadcast(
    *,
    by: AbstractBaseUser,
    kind: str,
    text: str,
    at: datetime,
    visited_within_days: int | None = None,
    model_contains: str = "",
) -> Broadcast:
    """A manager's greeting or weather note to a chosen group; customers who opted out are left out."""
    if kind not in BroadcastKind.values:
        raise ValidationError({"kind": _("Choose greeting or weather note.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the message.")})
    if not has_role(by, "manager"):
        raise NotPermitted(_("Only a manager sends greetings and weather notes."))
    audience = broadcast_audience(visited_within_days=visited_within_days, model_contains=model_contains)
    words = []
    if visited_within_days:
        words.append(_("visited in the last %(days)d days") % {"days": visited_within_days})
    if model_contains.strip():
        words.append(_("model contains “%(model)s”") % {"model": model_contains.strip()})
    sent = Broadcast.objects.create(
        kind=kind, text=text.strip(), audience="；".join(words) or _("every customer"), by=by, at=at
    )
    recipients = list(audience.filter(sms_opt_out=False).values_list("pk", "name", "mobile"))
    messages = [
        {
            "mobile": mobile,
            "kind": f"care_{kind}",
            "dedupe_key": f"care:broadcast:{sent.pk}:{pk}",
            "context": {"customer": name, "text": sent.text},
        }
        for pk, name, mobile in recipients
    ]
    for start in range(0, len(messages), 5000):
        enqueue_many(messages[start : start + 5000], at=at, by=by)
    Broadcast.objects.filter(pk=sent.pk).update(
        recipients=len(recipients), skipped=audience.filter(sms_opt_out=True).count()
    )
    sent.refresh_from_db()
    return sent
