"""After a delivery (CC04-CC06): the follow-up call the next day in the paired agent's queue, the
post-repair text and the next maintenance reminder, all written inside the delivery's transaction
so a delivery never commits without them; then each follow-up call as it is made."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import selectors
from customer_care.models import (
    CarePair,
    CarePolicy,
    Channel,
    FollowUp,
    FollowUpAttempt,
    FollowUpStatus,
    MaintenanceDue,
    Praise,
    Satisfaction,
)
from customer_care.services import ledger
from customer_care.services.complaints import raise_complaint
from customer_care.services.staff import BATCH
from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from dealership.models import Role
from dealership.outbox import enqueue_many, enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import edit, transition
from dealership.wording import cn_day
from service_desk.models import ItemStatus, RepairOrder


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


def set_maintenance_due(*, order: RepairOrder, at: datetime) -> MaintenanceDue:
    """The next maintenance falls due by time or by distance, whichever comes first; a newer visit replaces it."""
    policy = CarePolicy.current()
    today = timezone.localdate(at)
    rate = selectors.km_per_day(order.vehicle, mileage_km=order.mileage_km, on=today)
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


# --- The follow-up call (CC04, CC05) -----------------------------------------------------------------------


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
    follow_up = FollowUp.objects.select_related("repair_order__customer", "repair_order__advisor", "care_agent").get(
        pk=follow_up.pk
    )
    if version is not None and follow_up.version != version:
        raise StaleObject()
    praised = list({person.pk: person for person in praised}.values())  # each person once
    # The visit's advisor is recorded first, then the technicians as given: the IN02 tie rule's order.
    praised.sort(key=lambda person: person.pk != follow_up.repair_order.advisor_id)
    _check_call(by, follow_up, reached=reached, at=at, satisfaction=satisfaction, praised=praised, complaint=complaint)
    # The follow-up moves first: of two agents recording the same call at once, the second is stale
    # before writing anything of its own.
    follow_up = _count_call(follow_up, by=by, reached=reached, at=at, satisfaction=satisfaction, notes=notes.strip())
    FollowUpAttempt.objects.create(follow_up=follow_up, at=at, by=by, reached=reached, note=notes.strip()[:300])
    if reached:
        praises = Praise.objects.bulk_create([Praise(follow_up=follow_up, staff=person, at=at) for person in praised])
        for praise in praises:  # IN01: each praise pays, in the call's own transaction
            ledger.post_praise(praise=praise, at=at)
    if reached and complaint is not None:
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
    return follow_up


def _check_call(
    by: AbstractBaseUser,
    follow_up: FollowUp,
    *,
    reached: bool,
    at: datetime,
    satisfaction: str,
    praised: list,
    complaint: dict | None,
) -> None:
    if not has_role(by, Role.CALLCENTRE, Role.MANAGER):
        raise NotPermitted(_("Follow-up calls are made by customer care."))
    if follow_up.status != FollowUpStatus.DUE:
        raise TransitionNotAllowed(_("This follow-up call is already finished."))
    if not reached and follow_up.attempts and at < follow_up.due_at:  # a retry before its time
        raise TransitionNotAllowed(
            _("Not answered a little while ago: call again from %(time)s.")
            % {"time": timezone.localtime(follow_up.due_at).strftime("%m-%d %H:%M")}
        )
    if not reached:
        return
    errors = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("How satisfied was the customer?")
    # The customer praises the people of this visit: its advisor and the technicians who did the work.
    visit_staff = {person.pk for person in selectors.praise_choices(follow_up)}
    if any(person.pk not in visit_staff for person in praised):
        errors["praised"] = _("Only the advisor and the technicians of this visit can be praised for it.")
    if complaint is not None and not (complaint.get("summary") or "").strip():
        errors["complaint"] = _("Write down what the customer complains about.")
    if errors:
        raise ValidationError(errors)


def _count_call(
    follow_up: FollowUp, *, by: AbstractBaseUser, reached: bool, at: datetime, satisfaction: str, notes: str
) -> FollowUp:
    """Reached: done. Not reached: due again after the policy's wait, or given up after its last attempt."""
    policy = CarePolicy.current()
    attempts = follow_up.attempts + 1
    if reached:
        return transition(
            follow_up,
            FollowUpStatus.DONE,
            by=by,
            at=at,
            attempts=attempts,
            satisfaction=satisfaction,
            notes=notes,
            completed_at=at,
            care_agent=follow_up.care_agent or by,
        )
    if attempts >= policy.follow_up_attempts:
        return transition(follow_up, FollowUpStatus.UNREACHED, by=by, at=at, attempts=attempts, completed_at=at)
    return edit(follow_up, at=at, attempts=attempts, due_at=at + policy.retry_after)


@transaction.atomic
def pair_care_agent(*, by: AbstractBaseUser, advisor: AbstractBaseUser, care_agent: AbstractBaseUser | None):
    """CC05: set (or clear) the customer-care advisor who follows up this service advisor's customers."""
    if not has_role(by, Role.MANAGER):
        raise NotPermitted(_("Only a manager pairs service advisors with customer care."))
    if not has_role(advisor, Role.ADVISOR):
        raise ValidationError({"advisor": _("Choose a service advisor.")})
    if care_agent is None:
        CarePair.objects.filter(advisor=advisor).delete()
        return None
    if not has_role(care_agent, Role.CALLCENTRE):
        raise ValidationError({"care_agent": _("Choose a customer-care advisor.")})
    pair, _created = CarePair.objects.update_or_create(advisor=advisor, defaults={"care_agent": care_agent})
    # The calls nobody has yet become the new agent's; calls already someone's stay theirs.
    FollowUp.objects.filter(repair_order__advisor=advisor, status=FollowUpStatus.DUE, care_agent__isnull=True).update(
        care_agent=care_agent
    )
    return pair
