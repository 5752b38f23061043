"""The bonus and penalty ledger (IN01-IN09): posting, reversing, the nightly reconcile.

Automatic entries are posted in the transaction of their source: the rating when the order is
settled (IN03), each praise when the follow-up call is recorded (IN01), a phone-script violation
once its day is over (IN06), a complaint's responsible staff when the manager decides (IN09). Each
carries its source key, unique per rule, so a replay pays nothing more; `reconcile` posts whatever
a crash or an older version left out. An entry is never changed: a correction is a reversal.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import awards, selectors
from customer_care.awards import rate
from customer_care.models import (
    Complaint,
    ComplaintFault,
    ComplaintStatus,
    LedgerEntry,
    MonthClose,
    Praise,
    Rate,
    Rule,
    month_of,
)
from customer_care.models.ledger import LIMIT, source_key
from dealership.clock import last_day_of, next_month
from dealership.errors import DomainError, NotPermitted
from dealership.money import to_cny
from dealership.permissions import has_role
from service_desk import selectors as desk_selectors
from service_desk.models import Rating, RepairOrder, ScriptViolation

RECONCILE_DAYS = 62  # the nightly reconcile looks this far back: the open month and the one before


class MonthClosed(DomainError):
    message = _("That month is closed: post the correction in the current month.")


# --- Rates --------------------------------------------------------------------------------------------


@transaction.atomic
def set_rate(*, by: AbstractBaseUser, rule: str, key: str = "", amount, effective_from: date, at: datetime) -> Rate:
    """A manager changes what a rule pays, from a day on: today or later, never the past."""
    _check_manager(by, _("Only a manager changes the rates."))
    if rule not in Rule.values:
        raise ValidationError({"rule": _("Unknown rule.")})
    if effective_from < timezone.localdate(at):
        raise ValidationError(
            {"effective_from": _("A new rate applies from today or later; the past stays as it was.")}
        )
    cases = {(case_rule, case_key): unit for case_rule, case_key, _label, unit in selectors.RATE_CASES}
    if (rule, key) not in cases:
        raise ValidationError({"key": _("This rule has no such case.")})
    amount = _amount(amount, allow_zero=True)
    _check_rate(rule, cases[(rule, key)], amount)
    new = Rate(
        rule=rule,
        key=key,
        amount=amount,
        effective_from=effective_from,
        created_by=by,
        created_at=at,
    )
    new.full_clean()
    new.save()
    return new


def _check_rate(rule: str, unit: str, amount: Decimal) -> None:
    """A rating costs (zero or less); awards, praise and commission pay (zero or more); a count of
    praises is a whole number of at least one; a commission on output is a percentage."""
    if unit == "count" and (amount < 1 or amount != amount.to_integral_value()):
        raise ValidationError({"amount": _("Give a whole number of praises, at least 1.")})
    if unit == "percent" and not 0 <= amount <= 100:
        raise ValidationError({"amount": _("Give a percentage between 0 and 100.")})
    if rule == Rule.RATING and amount > 0:
        raise ValidationError({"amount": _("A rating costs the advisor: give zero or a negative amount.")})
    if rule != Rule.RATING and amount < 0:
        raise ValidationError({"amount": _("This rule pays: give zero or a positive amount.")})


# --- Posting ------------------------------------------------------------------------------------------


def open_month(day: date) -> date:
    """The month an entry that happened on `day` counts in: its own, or the first open one after it."""
    month = month_of(day)
    closed = set(MonthClose.objects.filter(month__gte=month).values_list("month", flat=True))
    while month in closed:
        month = next_month(month)
    return month


def post(
    *,
    staff: AbstractBaseUser,
    amount,
    rule: str,
    reason: str,
    occurred_on: date,
    at: datetime,
    by: AbstractBaseUser | None = None,
    source: str = "",
    month: date | None = None,
) -> LedgerEntry:
    """Write one entry; an automatic one (with `source`) only once per rule: a replay returns the first.

    `month` is the month it counts in (default: the first open month from `occurred_on`)."""
    amount = _amount(amount)
    _wait_for_closing(exclusive=False)
    entry = LedgerEntry(
        staff=staff,
        amount=amount,
        rule=rule,
        reason=reason.strip()[:300],
        source=source,
        occurred_on=occurred_on,
        month=month or open_month(occurred_on),
        posted_by=by,
        posted_at=at,
    )
    if not source:
        entry.save()
        return entry
    # Concurrent replays of one source: the unique (rule, source) lets one row in, the rest add nothing.
    LedgerEntry.objects.bulk_create([entry], ignore_conflicts=True)
    return LedgerEntry.objects.get(rule=rule, source=source)


@transaction.atomic
def post_manual(
    *, by: AbstractBaseUser, staff: AbstractBaseUser, amount, reason: str, occurred_on: date, at: datetime
) -> LedgerEntry:
    """IN07: a manager's bonus or penalty, with the reason; it counts in the first open month."""
    _check_manager(by, _("Only a manager posts a bonus or penalty."))
    _wait_for_closing(exclusive=False)  # a month closing now is closed for this entry
    if not reason.strip():
        raise ValidationError({"reason": _("Say why: the person reads it on their statement.")})
    if occurred_on > timezone.localdate(at):
        raise ValidationError({"occurred_on": _("An entry is for something that has happened.")})
    if month_of(occurred_on) != open_month(occurred_on):
        raise MonthClosed()
    return post(staff=staff, amount=amount, rule=Rule.MANUAL, reason=reason, occurred_on=occurred_on, at=at, by=by)


@transaction.atomic
def reverse(*, by: AbstractBaseUser, entry: LedgerEntry, reason: str, at: datetime) -> LedgerEntry:
    """IN07: correct a mistake with an entry of the opposite amount, counted in the entry's own month
    while it is open, else in the first open month after it."""
    _check_manager(by, _("Only a manager reverses an entry."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is reversed.")})
    if entry.reverses_id is not None:
        raise DomainError(_("A reversal cannot be reversed: post a new entry instead."))
    today = timezone.localdate(at)
    reversal = LedgerEntry(
        staff_id=entry.staff_id,
        amount=-entry.amount,
        rule=entry.rule,
        reason=(_("Reverses entry %(id)s: %(reason)s") % {"id": entry.pk, "reason": reason.strip()})[:300],
        occurred_on=today,
        month=open_month(entry.month),  # with the entry while its month is open, else the next open one
        reverses=entry,
        posted_by=by,
        posted_at=at,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError as twice:  # one reversal per entry (a unique key), also for two managers at once
        raise DomainError(_("This entry has already been reversed.")) from twice
    return reversal


# --- Automatic entries from their sources ----------------------------------------------------------------


def post_rating(*, order: RepairOrder, at: datetime) -> LedgerEntry | None:
    """IN03: the checkout rating costs the order's advisor (一般 -1, 差 or missing -5, refused 0)."""
    day = timezone.localdate(order.settled_at or at)
    amount = rate(Rule.RATING, order.rating, on=day)
    if not amount:
        return None
    label = Rating(order.rating).label
    return post(
        staff=order.advisor,
        amount=amount,
        rule=Rule.RATING,
        reason=_("Work order %(number)s rated “%(rating)s”") % {"number": order.number, "rating": label},
        occurred_on=day,
        at=at,
        source=f"order:{order.pk}",
    )


def post_praise(*, praise: Praise, at: datetime) -> LedgerEntry | None:
    """IN01: each praise in a follow-up call pays the praised person."""
    day = timezone.localdate(praise.at)
    amount = rate(Rule.PRAISE, on=day)
    if not amount:
        return None
    return post(
        staff=praise.staff,
        amount=amount,
        rule=Rule.PRAISE,
        reason=_("Praised by the customer of work order %(number)s") % {"number": praise.follow_up.repair_order.number},
        occurred_on=day,
        at=at,
        source=f"praise:{praise.pk}",
    )


def post_script_violation(*, violation: ScriptViolation, at: datetime) -> LedgerEntry | None:
    """IN06: half the advisor's output that day, once the day is over (until then it can still grow)."""
    if violation.day >= timezone.localdate(at):
        return None
    output = desk_selectors.advisor_output(violation.advisor_id, violation.day)
    penalty = to_cny(output / 2)
    if not penalty:
        return None
    return post(
        staff=violation.advisor,
        amount=-penalty,
        rule=Rule.SCRIPT,
        reason=_("Phone-script violation on %(day)s: half of %(output)s output")
        % {"day": violation.day.isoformat(), "output": output},
        occurred_on=violation.day,
        at=at,
        source=f"script:{violation.pk}",
    )


def post_fault(*, fault: ComplaintFault, at: datetime) -> LedgerEntry:
    """IN09: the penalty a manager decided for a person responsible for a complaint."""
    return post(
        staff=fault.staff,
        amount=-fault.penalty,
        rule=Rule.FAULT,
        reason=_("Complaint %(number)s at our fault: %(why)s")
        % {"number": fault.complaint.number, "why": fault.reason},
        occurred_on=timezone.localdate(fault.decided_at),
        at=at,
        by=fault.decided_by,
        source=f"fault:{fault.pk}",
    )


@transaction.atomic
def record_fault(
    *, by: AbstractBaseUser, complaint: Complaint, responsible: list[tuple[AbstractBaseUser, str, object]], at: datetime
) -> list[ComplaintFault]:
    """CC09 / IN09: a closed complaint found at the dealership's fault: each responsible person, why,
    and the penalty the manager decided, posted to their ledger with the complaint as its source."""
    _check_manager(by, _("Only a manager decides who was at fault and the penalty."))
    if complaint.status != ComplaintStatus.CLOSED:
        raise DomainError(_("Close the complaint before deciding who was at fault."))
    if not responsible:
        raise ValidationError({"staff": _("Name at least one person responsible.")})
    faults = []
    for staff, reason, penalty in responsible:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why each person was responsible.")})
        amount = _amount(penalty)
        if amount < 0:
            raise ValidationError({"penalty": _("Give the penalty as a positive amount; it is deducted.")})
        try:
            with transaction.atomic():
                fault = ComplaintFault.objects.create(
                    complaint=complaint,
                    staff=staff,
                    reason=reason.strip(),
                    penalty=amount,
                    decided_by=by,
                    decided_at=at,
                )
        except IntegrityError as twice:
            raise ValidationError(
                {"staff": _("%(name)s is already recorded as responsible for this complaint.") % {"name": staff}}
            ) from twice
        post_fault(fault=fault, at=at)
        faults.append(fault)
    return faults


def reconcile(*, at: datetime) -> dict[str, int]:
    """Nightly: post every automatic entry of the last two months that is missing. Safe to run twice."""
    since = max(timezone.localdate(at) - timezone.timedelta(days=RECONCILE_DAYS), settings.LEDGER_STARTS_ON)
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    counts = dict.fromkeys(("ratings", "praises", "script_violations", "faults"), 0)
    orders = (
        RepairOrder.objects.filter(settled_at__gte=start, rating__in=_costly_ratings())
        .exclude(Exists(LedgerEntry.objects.filter(rule=Rule.RATING, source=source_key("order", OuterRef("pk")))))
        .select_related("advisor")
    )
    for order in orders.iterator():
        with transaction.atomic():
            counts["ratings"] += post_rating(order=order, at=at) is not None
    praises = (
        Praise.objects.filter(at__gte=start)
        .exclude(Exists(LedgerEntry.objects.filter(rule=Rule.PRAISE, source=source_key("praise", OuterRef("pk")))))
        .select_related("staff", "follow_up__repair_order")
    )
    for praise in praises.iterator():
        with transaction.atomic():
            counts["praises"] += post_praise(praise=praise, at=at) is not None
    violations = (
        ScriptViolation.objects.filter(day__gte=since)
        .exclude(Exists(LedgerEntry.objects.filter(rule=Rule.SCRIPT, source=source_key("script", OuterRef("pk")))))
        .select_related("advisor")
    )
    for violation in violations.iterator():
        with transaction.atomic():
            counts["script_violations"] += post_script_violation(violation=violation, at=at) is not None
    faults = (
        ComplaintFault.objects.filter(decided_at__gte=start)
        .exclude(Exists(LedgerEntry.objects.filter(rule=Rule.FAULT, source=source_key("fault", OuterRef("pk")))))
        .select_related("staff", "complaint", "decided_by")
    )
    for fault in faults.iterator():
        with transaction.atomic():
            post_fault(fault=fault, at=at)
            counts["faults"] += 1
    return counts


# --- Helpers ------------------------------------------------------------------------------------------


def _costly_ratings() -> list[str]:
    """The ratings some rate makes cost something (a refusal costs nothing unless a manager says so)."""
    return list(Rate.objects.filter(rule=Rule.RATING).exclude(amount=0).values_list("key", flat=True).distinct())


def _amount(value, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = to_cny(str(value)) if not isinstance(value, Decimal) else to_cny(value)
    except (InvalidOperation, TypeError, ValueError) as bad:
        raise ValidationError({"amount": _("Give the amount in yuan, e.g. 50 or -20.50.")}) from bad
    if not amount and not allow_zero:
        raise ValidationError({"amount": _("An entry of ¥0.00 changes nothing.")})
    if abs(amount) > LIMIT:
        raise ValidationError({"amount": _("That amount is not plausible for one bonus or penalty.")})
    return amount


CLOSING_LOCK = 7_303_001  # the advisory lock a month close holds; any number unused elsewhere


def _wait_for_closing(*, exclusive: bool) -> None:
    """A month close takes this lock alone; postings share it. So an entry being posted while a
    month closes waits for the close and then counts in the next open month, never in the one
    just published. (SQLite writes one transaction at a time anyway.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        cursor.execute(f"SELECT {lock}(%s)", [CLOSING_LOCK])


def _check_manager(by: AbstractBaseUser, message: str) -> None:
    if not has_role(by, "manager"):
        raise NotPermitted(message)


# --- Month close (IN02, IN04, IN08) ----------------------------------------------------------------------


@transaction.atomic
def close_month(*, by: AbstractBaseUser, month: date, at: datetime) -> MonthClose:
    """A manager closes a month that is over: its awards and commission are posted into it, once, and
    it locks (later corrections count in the next open month). Closing it again posts nothing."""
    _check_manager(by, _("Only a manager closes a month."))
    month = month_of(month)
    if month >= month_of(timezone.localdate(at)):
        raise ValidationError({"month": _("A month is closed once it is over.")})
    _wait_for_closing(exclusive=True)
    try:
        with transaction.atomic():
            closed = MonthClose.objects.create(month=month, closed_by=by, closed_at=at)
    except IntegrityError:  # closed already, perhaps a moment ago by another manager
        return MonthClose.objects.get(month=month)
    last_day = last_day_of(month)
    label = f"{month:%Y-%m}"
    coming = awards.preview(month)
    for award in coming.awards:
        post(
            staff=_user(award.staff_id),
            amount=award.amount,
            rule=award.rule,
            reason=_("%(award)s %(month)s: %(count)d")
            % {"award": Rule(award.rule).label, "month": label, "count": award.count},
            occurred_on=last_day,
            at=at,
            by=by,
            source=f"award:{label}",
            month=month,
        )
    for staff_id, amount in coming.commissions.items():
        post(
            staff=_user(staff_id),
            amount=amount,
            rule=Rule.COMMISSION,
            reason=_("Commission for %(month)s") % {"month": label},
            occurred_on=last_day,
            at=at,
            by=by,
            source=f"commission:{label}:{staff_id}",
            month=month,
        )
    return closed


def _user(pk: int) -> AbstractBaseUser:
    return get_user_model().objects.get(pk=pk)
