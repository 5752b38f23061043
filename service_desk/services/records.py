"""The desk's other records: pairing and absence (SD04), phone-script violations (SD16), evening
meetings (SD17), new-car handovers (SD18), insurance claims (SD19), care recommendations (SD15)."""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import NotPermitted
from dealership.models import Vehicle
from dealership.money import format_cny
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from dealership.transitions import check_allowed, edit, record_history, transition
from dealership.wording import cn_day
from service_desk import selectors, signals
from service_desk.models import (
    AdvisorAway,
    Category,
    ClaimStatus,
    DeskPairing,
    EveningMeeting,
    Handover,
    InsuranceClaim,
    MeetingDecision,
    RepairOrder,
    ScriptViolation,
)
from service_desk.services.orders import _cannot_become


@transaction.atomic
def pair_advisors(*, by: AbstractBaseUser, day: date, first: AbstractBaseUser, second: AbstractBaseUser) -> DeskPairing:
    """Set the two advisors who cover for each other on a day (SD04), replacing their earlier pairs.

    The manager sets the pairs: raises NotPermitted for anyone else."""
    if not has_role(by, "manager"):
        raise NotPermitted(_("Only a manager sets the desk pairs."))
    if first == second:
        raise ValidationError(_("A pair is two different advisors."))
    for person in (first, second):
        if not has_role(person, "advisor"):
            raise ValidationError(_("%(name)s is not a service advisor.") % {"name": person.get_username()})
    DeskPairing.objects.filter(day=day, first__in=[first, second]).delete()
    DeskPairing.objects.filter(day=day, second__in=[first, second]).delete()
    return DeskPairing.objects.create(day=day, first=first, second=second)


@transaction.atomic
def set_away(*, advisor: AbstractBaseUser, away: bool, at: datetime) -> None:
    """Mark an advisor away from the desk (their waiting customers go to the partner) or back."""
    if away:
        AdvisorAway.objects.get_or_create(advisor=advisor, defaults={"since": at})
    else:
        AdvisorAway.objects.filter(advisor=advisor).delete()


def record_script_violation(
    *, by: AbstractBaseUser, advisor: AbstractBaseUser, day: date, note: str, at: datetime
) -> ScriptViolation:
    """SD16: a manager found an advisor answering the phone off the script on a day; once per day."""
    if not has_role(by, "manager"):
        raise NotPermitted(_("Only a manager records a phone-script violation."))
    errors = {}
    if not has_role(advisor, "advisor"):
        errors["advisor"] = _("Choose a service advisor.")
    if day > timezone.localdate(at):
        errors["day"] = _("A violation is found on a day that has come.")
    if not note.strip():
        errors["note"] = _("Write down what was heard.")
    elif len(note.strip()) > ScriptViolation._meta.get_field("note").max_length:
        errors["note"] = _("Say it in 200 characters or fewer.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            violation = ScriptViolation.objects.create(
                advisor=advisor, day=day, note=note.strip(), found_by=by, recorded_at=at
            )
            signals.script_violation_recorded.send(sender=ScriptViolation, violation=violation, at=at)
            return violation
    except IntegrityError as twice:
        raise ValidationError(
            _("A violation by this advisor on that day is already recorded; it costs half that day's output once.")
        ) from twice


@transaction.atomic
def write_meeting(
    *,
    by: AbstractBaseUser,
    day: date,
    problems: str,
    attendees: str,
    at: datetime,
    decisions: list[tuple[str, AbstractBaseUser, date | None]],
) -> EveningMeeting:
    """Record the evening meeting: the day's problems and each decision with its owner (SD17)."""
    if not problems.strip():
        raise ValidationError({"problems": _("Write down the problems discussed.")})
    meeting, _created = EveningMeeting.objects.update_or_create(
        day=day,
        defaults={"problems": problems.strip(), "attendees": attendees.strip(), "written_by": by, "written_at": at},
    )
    for text, owner, due_on in decisions:
        if text.strip():
            MeetingDecision.objects.create(meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)
    return meeting


@transaction.atomic
def complete_decision(*, by: AbstractBaseUser, decision: MeetingDecision, at: datetime) -> MeetingDecision:
    """Mark a meeting's decision done, with who and when; only the first time counts."""
    if decision.done_at is None:
        MeetingDecision.objects.filter(pk=decision.pk, done_at__isnull=True).update(done_at=at, done_by=by)
        decision.refresh_from_db()
    return decision


@transaction.atomic
def record_handover(
    *,
    by: AbstractBaseUser,
    vehicle: Vehicle,
    handed_over_on: date,
    sales_person: str,
    advisor: AbstractBaseUser,
    care_agent: AbstractBaseUser,
    first_service_on: date,
    first_service_km: int,
    at: datetime,
    note: str = "",
) -> Handover:
    """A new car handed over by sales, service and customer care together; the first maintenance
    reminder is texted a week before it is due (SD18)."""
    errors = {}
    if not sales_person.strip():
        errors["sales_person"] = _("Name the sales consultant.")
    if not has_role(advisor, "advisor"):
        errors["advisor"] = _("Choose a service advisor.")
    if not has_role(care_agent, "callcentre"):
        errors["care_agent"] = _("Choose someone from customer care.")
    if first_service_on <= handed_over_on:
        errors["first_service_on"] = _("The first maintenance comes after the handover.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                vehicle=vehicle,
                handed_over_on=handed_over_on,
                sales_person=sales_person.strip(),
                advisor=advisor,
                care_agent=care_agent,
                first_service_on=first_service_on,
                first_service_km=first_service_km,
                note=note.strip(),
                created_at=at,
            )
    except IntegrityError as twice:
        raise ValidationError(_("This car's handover is already recorded.")) from twice
    remind_on = first_service_on - timedelta(days=7)
    remind_at = timezone.make_aware(datetime.combine(remind_on, datetime.min.time())) + timedelta(hours=10)
    enqueue_sms(
        mobile=vehicle.customer.mobile,
        kind="first_service_reminder",
        at=at,
        by=by,
        not_before=max(remind_at, at),
        dedupe_key=f"handover:{handover.pk}:first-service",
        context={
            "customer": vehicle.customer.name,
            "plate": vehicle.short_label,
            "date": cn_day(first_service_on),
            "km": f"{first_service_km}",
        },
    )
    return handover


@transaction.atomic
def open_claim(
    *,
    by: AbstractBaseUser,
    order: RepairOrder,
    insurer: str,
    claim_number: str,
    specialist: AbstractBaseUser,
    at: datetime,
) -> InsuranceClaim:
    """Attach an insurance claim to an accident order (SD19)."""
    if not order.items.filter(category=Category.ACCIDENT).exists():
        raise ValidationError(_("Only an order with accident work carries an insurance claim."))
    if not insurer.strip() or not claim_number.strip():
        raise ValidationError(_("Give the insurer and the claim number."))
    claim = InsuranceClaim(
        order=order, insurer=insurer.strip(), claim_number=claim_number.strip(), specialist=specialist, updated_at=at
    )
    try:
        with transaction.atomic():
            claim.save_without_historical_record()
    except IntegrityError as twice:
        raise ValidationError(_("This order or claim number already has a claim.")) from twice
    # Its history starts with who opened it and when, as every later step's row names who and when.
    InsuranceClaim.history.bulk_history_create([claim], default_user=by, default_date=at)
    return claim


@transaction.atomic
def update_claim(
    *,
    by: AbstractBaseUser,
    claim: InsuranceClaim,
    status: str,
    at: datetime,
    approved_amount=None,
    note: str = "",
    version: int | None = None,
) -> InsuranceClaim:
    """Follow the claim along its states; the same state again only updates the amount and note.

    `version` is the one the specialist read. Raises TransitionNotAllowed, StaleObject, ValidationError."""
    if status not in ClaimStatus.values:
        raise ValidationError({"status": _("Unknown claim status.")})
    if status != claim.status:
        check_allowed(
            InsuranceClaim,
            claim.status,
            status,
            refused=_cannot_become(
                _("A claim that is “%(current)s” cannot become “%(next)s”."), InsuranceClaim, claim.status, status
            ),
        )
    if approved_amount is not None and approved_amount < 0:
        raise ValidationError({"approved_amount": _("The amount cannot be negative.")})
    if status in (ClaimStatus.APPROVED, ClaimStatus.PAID) and approved_amount is None:
        approved_amount = claim.approved_amount
        if approved_amount is None:
            raise ValidationError({"approved_amount": _("Give the amount the insurer approved.")})
    fields = {"approved_amount": approved_amount, "note": note.strip()}
    if status == claim.status:
        edit(claim, at=at, version=version, **fields)
        record_history(claim, by=by, at=at, note=note.strip())
        return claim
    return transition(claim, status, by=by, at=at, version=version, event_note=note.strip(), **fields)


def text_daily_report(*, at: datetime) -> int:
    """SD14: at 08:00, text yesterday's figures to the front-desk supervisors (managers with a mobile)."""
    day = timezone.localdate(at) - timedelta(days=1)
    output = selectors.daily_output(day)
    total = sum(row["amount"] for row in output)
    busy = [row for row in output if row["count"]]
    summary = _("%(count)d items, %(total)s; ") % {"count": sum(r["count"] for r in output), "total": format_cny(total)}
    summary += "，".join(f"{row['label']}{row['count']}项{format_cny(row['amount'])}" for row in busy) or _("no output")
    sent = 0
    supervisors = get_user_model().objects.filter(groups__name="manager", is_active=True).select_related("staff")
    for user in supervisors:
        staff = getattr(user, "staff", None)
        if staff and staff.mobile:
            enqueue_sms(
                mobile=staff.mobile,
                kind="daily_report",
                at=at,
                dedupe_key=f"daily-report:{day.isoformat()}:{user.pk}",
                context={"date": cn_day(day), "summary": summary},
            )
            sent += 1
    return sent
