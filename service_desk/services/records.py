"""The desk's other records: pairing and absence (SD04), phone-script violations (SD16), evening
meetings (SD17), new-car handovers (SD18), insurance claims (SD19), care recommendations (SD15)."""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import NotPermitted, TransitionNotAllowed
from dealership.models import Vehicle
from dealership.money import format_cny
from dealership.outbox import enqueue_sms
from dealership.permissions import has_role
from dealership.wording import cn_day
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


@transaction.atomic
def pair_advisors(*, by: AbstractBaseUser, day: date, first: AbstractBaseUser, second: AbstractBaseUser) -> DeskPairing:
    """Set the two advisors who cover for each other on a day (SD04), replacing their earlier pairs."""
    if first == second:
        raise ValidationError(_("A pair is two different advisors."))
    for person in (first, second):
        if not has_role(person, "advisor"):
            raise ValidationError(_("%(name)s is not a service advisor.") % {"name": person.get_username()})
    DeskPairing.objects.filter(day=day, first__in=[first, second]).delete()
    DeskPairing.objects.filter(day=day, second__in=[first, second]).delete()
    return DeskPairing.objects.create(day=day, first=first, second=second)


def partner_of(advisor: AbstractBaseUser, day: date) -> AbstractBaseUser | None:
    pairing = (
        DeskPairing.objects.select_related("first", "second").filter(day=day).filter(first=advisor).first()
        or DeskPairing.objects.select_related("first", "second").filter(day=day, second=advisor).first()
    )
    if pairing is None:
        return None
    return pairing.second if pairing.first_id == advisor.pk else pairing.first


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
            return ScriptViolation.objects.create(
                advisor=advisor, day=day, note=note.strip(), found_by=by, recorded_at=at
            )
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
    if decision.done_at is None:
        MeetingDecision.objects.filter(pk=decision.pk, done_at__isnull=True).update(done_at=at)
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
    try:
        with transaction.atomic():
            claim = InsuranceClaim.objects.create(
                order=order,
                insurer=insurer.strip(),
                claim_number=claim_number.strip(),
                specialist=specialist,
                updated_at=at,
            )
    except IntegrityError as twice:
        raise ValidationError(_("This order or claim number already has a claim.")) from twice
    claim._history_user = by
    return claim


@transaction.atomic
def update_claim(
    *, by: AbstractBaseUser, claim: InsuranceClaim, status: str, at: datetime, approved_amount=None, note: str = ""
) -> InsuranceClaim:
    """Follow the claim along its states; the same state again only updates the amount and note."""
    if status not in ClaimStatus.values:
        raise ValidationError({"status": _("Unknown claim status.")})
    claim = InsuranceClaim.objects.select_for_update().get(pk=claim.pk)
    current = ClaimStatus(claim.status)
    if status != current and status not in InsuranceClaim.TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("A claim that is “%(current)s” cannot become “%(next)s”.")
            % {"current": current.label, "next": ClaimStatus(status).label}
        )
    if approved_amount is not None and approved_amount < 0:
        raise ValidationError({"approved_amount": _("The amount cannot be negative.")})
    if status in (ClaimStatus.APPROVED, ClaimStatus.PAID) and approved_amount is None:
        approved_amount = claim.approved_amount
        if approved_amount is None:
            raise ValidationError({"approved_amount": _("Give the amount the insurer approved.")})
    claim.status, claim.approved_amount, claim.note, claim.updated_at = status, approved_amount, note.strip(), at
    claim._history_user = by
    claim.save()
    return claim


def text_daily_report(*, at: datetime) -> int:
    """SD14: at 08:00, text yesterday's figures to the front-desk supervisors (managers with a mobile)."""
    from django.contrib.auth import get_user_model

    from service_desk import selectors

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
