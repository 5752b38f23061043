"""The ledger's reads (IN01-IN09): whose entries a person may see, the statement, the rates, the
published ranking, a complaint's faults. Each in a fixed number of queries."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customer_care import awards
from customer_care.models import (
    Complaint,
    ComplaintFault,
    LedgerEntry,
    MonthClose,
    Praise,
    Rate,
    Rule,
)
from dealership.clock import last_day_of, month_bounds
from dealership.models import Role
from dealership.permissions import has_role
from service_desk.models import Rating, RepairOrder

# --- Ledger ------------------------------------------------------------------------------------------


def sees_every_ledger(user: AbstractBaseUser) -> bool:
    """A manager reads everyone's bonuses and penalties; everyone else only their own."""
    return has_role(user, Role.MANAGER)


def ledger_entries_for(user: AbstractBaseUser) -> QuerySet[LedgerEntry]:
    """The ledger entries `user` may read: every one for a manager, their own for anyone else."""
    rows = LedgerEntry.objects.all()
    return rows if sees_every_ledger(user) else rows.filter(staff=user)


def ledger_entries(user: AbstractBaseUser) -> QuerySet[LedgerEntry]:
    """The entries `user` may read, latest month first, each with the id of the entry that reverses
    it (`reversal_id`, None if none). Filter them with LedgerFilter."""
    return ledger_entries_for(user).annotate(reversal_id=F("reversed_by__id")).order_by("-month", "-occurred_on", "-pk")


def ledger_entry_for(user: AbstractBaseUser, pk: int) -> LedgerEntry:
    """One entry, with `reversal_id`. Raises Http404 when `user` may not read it: someone else's
    entry is as unknown to them as one that does not exist."""
    return get_object_or_404(ledger_entries(user), pk=pk)


# --- Ledger pages ------------------------------------------------------------------------------------
# The statement (IN01-IN09), the rates (IN01-IN04, IN08) and the published ranking (IN02, IN04, IN05):
# each in a fixed number of queries however many entries, praises and orders the month holds.


def ledger_owner_for(user: AbstractBaseUser, staff_id: int | None) -> AbstractBaseUser:
    """Whose ledger and statement `user` reads at `?staff=`: their own; anyone's for a manager (the
    rule of `sees_every_ledger`, as the API's LedgerFilter). Raises PermissionDenied when anyone but a
    manager asks for someone else's (whether that person exists or not), Http404 for a manager's
    unknown id."""
    if staff_id is None or staff_id == user.pk:
        return user
    if not sees_every_ledger(user):
        raise PermissionDenied(_("You can only see your own bonuses and penalties."))
    return get_object_or_404(get_user_model().objects.select_related("staff"), pk=staff_id)


def ledger_people() -> QuerySet:
    """The people a manager can open a ledger of: everyone with a staff profile, those still here first."""
    return (
        get_user_model()
        .objects.filter(staff__isnull=False)
        .select_related("staff")
        .order_by("-is_active", "staff__name", "username")
    )


def ledger_statement(reader: AbstractBaseUser, person: AbstractBaseUser, month: date) -> dict:
    """A person's month: the entries counted in it (each with what it reverses or what reversed it),
    the totals by rule, the praises, and for an advisor the ratings by level, output, CSI and the
    commission (IN08) at the rates in force on the month's last day. `reader` has passed
    `ledger_owner_for`; the entries are read through their gate all the same."""
    entries = list(
        ledger_entries_for(reader)
        .filter(staff=person, month=month)
        .select_related("reverses", "reversed_by", "posted_by__staff")
        .order_by("-occurred_on", "-pk")
    )
    by_rule: dict[str, dict] = {}
    for entry in entries:
        row = by_rule.setdefault(entry.rule, {"rule": entry.rule, "count": 0, "amount": Decimal(0)})
        row["count"] += 1
        row["amount"] += entry.amount
    order = list(Rule.values)
    start, end = month_bounds(month)
    statement = {
        "entries": entries,
        "by_rule": [
            {**row, "label": Rule(row["rule"]).label}
            for row in sorted(by_rule.values(), key=lambda row: order.index(row["rule"]))
        ],
        "total": sum((entry.amount for entry in entries), Decimal(0)),
        "praises": Praise.objects.filter(staff=person, at__gte=start, at__lt=end).count(),
        "closed": MonthClose.objects.filter(month=month).select_related("closed_by__staff").first(),
        "is_advisor": has_role(person, Role.ADVISOR) and not person.is_superuser,
    }
    if statement["is_advisor"]:
        statement.update(_advisor_month(person, month, start=start, end=end))
    return statement


def _advisor_month(person: AbstractBaseUser, month: date, *, start: datetime, end: datetime) -> dict:
    rows = (
        RepairOrder.objects.filter(advisor=person, settled_at__gte=start, settled_at__lt=end)
        .values("rating")
        .annotate(n=Count("pk"), output=Sum("total"))
        .order_by()
    )
    counts = {row["rating"]: row["n"] for row in rows}
    output = sum((row["output"] or Decimal(0) for row in rows), Decimal(0))
    index = awards.csi(counts)
    rates = rates_on(last_day_of(month), rule=Rule.COMMISSION)
    output_rate, csi_rate = rates.get("output") or Decimal(0), rates.get("csi") or Decimal(0)
    return {
        "ratings": [
            {"rating": value, "label": label, "count": counts.get(value, 0)} for value, label in Rating.choices
        ],
        "orders": sum(counts.values()),
        "output": output,
        "csi": index,
        "commission": (
            awards.commission(output, index, output_rate=output_rate, csi_rate=csi_rate)
            if output_rate or csi_rate
            else None
        ),
        "output_rate": output_rate,
        "csi_rate": csi_rate,
    }


def rates_on(day: date, *, rule: str) -> dict[str, Decimal]:
    """Each case of `rule` and its amount in force on `day`, in one query."""
    found: dict[str, Decimal] = {}
    for key, amount in (
        Rate.objects.filter(rule=rule, effective_from__lte=day).order_by("effective_from").values_list("key", "amount")
    ):
        found[key] = amount  # the latest start wins
    return found


# What each rule's rates mean on the rates page: (rule, case, label, unit).
RATE_CASES = (
    (Rule.PRAISE, "", gettext_lazy("Each praise in a follow-up call"), "yuan"),
    (Rule.PRAISE_AWARD, "", gettext_lazy("Award to the most praised person of the month"), "yuan"),
    (Rule.PRAISE_AWARD, "minimum", gettext_lazy("Praises needed for that award"), "count"),
    (Rule.RATING, Rating.AVERAGE, Rating.AVERAGE.label, "yuan"),
    (Rule.RATING, Rating.POOR, Rating.POOR.label, "yuan"),
    (Rule.RATING, Rating.MISSING, Rating.MISSING.label, "yuan"),
    (Rule.RATING, Rating.REFUSED, Rating.REFUSED.label, "yuan"),
    (Rule.PROCESS_AWARD, "", gettext_lazy("Award to the advisor with the most 'very satisfied' ratings"), "yuan"),
    (Rule.COMMISSION, "output", gettext_lazy("Commission on output value"), "percent"),
    (Rule.COMMISSION, "csi", gettext_lazy("Commission per CSI point"), "yuan"),
)


def rate_board(*, today: date) -> list[dict]:
    """Every rule's cases: the rate in force today, the ones scheduled from a later day, and the earlier
    ones, in one query (a case some integration added outside RATE_CASES is listed after them)."""
    history: dict[tuple[str, str], list[Rate]] = {}
    for found in Rate.objects.select_related("created_by__staff").order_by("effective_from", "pk"):
        history.setdefault((found.rule, found.key), []).append(found)
    cases = [(rule, key, label, unit) for rule, key, label, unit in RATE_CASES]
    known = {(rule, key) for rule, key, _label, _unit in cases}
    cases += [(rule, key, key or Rule(rule).label, "yuan") for rule, key in history if (rule, key) not in known]
    rows = []
    for rule, key, label, unit in cases:
        rates = history.get((rule, key), [])
        past = [found for found in rates if found.effective_from <= today]
        rows.append(
            {
                "rule": rule,
                "rule_label": Rule(rule).label,
                "key": key,
                "label": label,
                "unit": unit,
                "in_force": past[-1] if past else None,
                "earlier": past[-2::-1][:3],
                "scheduled": [found for found in rates if found.effective_from > today],
            }
        )
    return rows


def published_months(limit: int = 12) -> list[MonthClose]:
    """The months closed and so published on the notice page, latest first."""
    return list(MonthClose.objects.select_related("closed_by__staff").order_by("-month")[:limit])


def award_notice(closed: MonthClose) -> dict:
    """A closed month's published ranking (公布上墙): everyone with entries by their month's total,
    their praises and 'very satisfied' ratings, and the month's awards with their winners."""
    month = closed.month
    totals = awards.ledger_totals(month)
    praises = awards.praise_counts(month)
    very_satisfied = awards.very_satisfied_counts(month)
    winners = list(
        LedgerEntry.objects.filter(
            month=month, rule__in=(Rule.PRAISE_AWARD, Rule.PROCESS_AWARD), source=f"award:{month:%Y-%m}"
        ).select_related("staff__staff")
    )
    won: dict[int, list[str]] = {}
    for entry in winners:
        won.setdefault(entry.staff_id, []).append(entry.rule)
    people = get_user_model().objects.filter(pk__in=totals).select_related("staff").in_bulk()
    ranking = sorted(
        (
            {
                "person": people[staff_id],
                "total": amounts["total"],
                "praises": praises.get(staff_id, 0),
                "very_satisfied": very_satisfied.get(staff_id, 0),
                "awards": won.get(staff_id, []),
            }
            for staff_id, amounts in totals.items()
            if staff_id in people
        ),
        key=lambda row: (-row["total"], _person_name(row["person"])),
    )
    rank, previous = 0, None
    for place, row in enumerate(ranking, start=1):
        if row["total"] != previous:
            rank, previous = place, row["total"]
        row["rank"] = rank
    awards_of_month = []
    for rule in (Rule.PRAISE_AWARD, Rule.PROCESS_AWARD):
        entry = next((entry for entry in winners if entry.rule == rule), None)
        counts = praises if rule == Rule.PRAISE_AWARD else very_satisfied
        awards_of_month.append(
            {
                "rule": rule,
                "label": Rule(rule).label,
                "entry": entry,
                "count": counts.get(entry.staff_id, 0) if entry else None,
            }
        )
    return {"month": month, "closed": closed, "ranking": ranking, "awards": awards_of_month}


def _person_name(user: AbstractBaseUser) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()


def complaint_faults(complaint: Complaint) -> list[ComplaintFault]:
    """CC09 / IN09: who was found responsible for a complaint, why, the penalty, and who decided."""
    return list(
        ComplaintFault.objects.filter(complaint=complaint)
        .select_related("staff__staff", "decided_by__staff")
        .order_by("pk")
    )
