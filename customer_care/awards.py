"""The month's awards and commission (IN02, IN04, IN08), counted in SQL for the preview, the close
and the award report alike.

Ties: when two people have the same top count, the award goes to the one who reached that count
first (the time of their N-th praise, or N-th 非常满意 rating); praises of one call share their
time, and then the visit's advisor, recorded first, wins over its technicians. The report states this rule.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from customer_care.models import LedgerEntry, Praise, Rate, Rule
from customer_care.models.ledger import source_key
from dealership.clock import last_day_of, month_bounds
from dealership.money import to_cny
from service_desk.models import Rating, RepairOrder

TIE_RULE = _(
    "On a tie, the award goes to whoever reached the top count first; praised in the same call, "
    "to the advisor of the visit before its technicians."
)
SATISFIED = (Rating.VERY_SATISFIED, Rating.SATISFIED)
RATED = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.GOOD, Rating.AVERAGE, Rating.POOR)


def rate(rule: str, key: str = "", *, on: date) -> Decimal | None:
    """The amount a rule's case pays (or costs) on a day: the rate in force then."""
    return (
        Rate.objects.filter(rule=rule, key=key, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("amount", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Award:
    rule: str
    staff_id: int
    count: int
    reached_at: datetime
    amount: Decimal


def counted_praises(month: date):
    """The month's praises, less those whose IN01 entry a manager reversed (praise of the wrong person)."""
    start, end = month_bounds(month)
    withdrawn = LedgerEntry.objects.filter(
        rule=Rule.PRAISE, source=source_key("praise", OuterRef("pk")), reversed_by__isnull=False
    )
    return Praise.objects.filter(at__gte=start, at__lt=end).exclude(Exists(withdrawn))


def praise_counts(month: date) -> dict[int, int]:
    rows = counted_praises(month).values("staff").annotate(n=Count("pk")).order_by()
    return {row["staff"]: row["n"] for row in rows}


def very_satisfied_counts(month: date) -> dict[int, int]:
    start, end = month_bounds(month)
    rows = (
        RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end, rating=Rating.VERY_SATISFIED)
        .values("advisor")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["advisor"]: row["n"] for row in rows}


def praise_award(month: date, *, amount: Decimal | None, minimum: int) -> Award | None:
    """IN02: the most praised person of the month, with at least `minimum` praises."""
    return _winner(
        Rule.PRAISE_AWARD,
        counted_praises(month),
        person="staff",
        at="at",
        counts=praise_counts(month),
        minimum=minimum,
        amount=amount,
    )


def process_award(month: date, *, amount: Decimal | None) -> Award | None:
    """IN04: the advisor with the most 非常满意 ratings of the month."""
    start, end = month_bounds(month)
    orders = RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end, rating=Rating.VERY_SATISFIED)
    return _winner(
        Rule.PROCESS_AWARD,
        orders,
        person="advisor",
        at="settled_at",
        counts=very_satisfied_counts(month),
        minimum=1,
        amount=amount,
    )


def _winner(rule, rows, *, person: str, at: str, counts: dict[int, int], minimum: int, amount) -> Award | None:
    if not counts or not amount:
        return None
    top = max(counts.values())
    if top < minimum:
        return None
    tied = [staff for staff, count in counts.items() if count == top]
    # Each tied person's top-th row, in one query: who got there first wins.
    reached = (
        rows.filter(**{f"{person}__in": tied})
        .annotate(nth=Window(RowNumber(), partition_by=[F(person)], order_by=[F(at).asc(), F("pk").asc()]))
        .filter(nth=top)
        .order_by(at, "pk")
        .values(person, at)
        .first()
    )
    return Award(rule=rule, staff_id=reached[person], count=top, reached_at=reached[at], amount=to_cny(amount))


def ratings_by_advisor(month: date) -> dict[int, dict[str, int]]:
    """Each advisor's settled orders of the month by rating, in one query."""
    start, end = month_bounds(month)
    rows = (
        RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end)
        .values("advisor", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["advisor"], {})[row["rating"]] = row["n"]
    return found


def output_by_advisor(month: date) -> dict[int, Decimal]:
    start, end = month_bounds(month)
    rows = (
        RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end)
        .values("advisor")
        .annotate(amount=Sum("total"))
        .order_by()
    )
    return {row["advisor"]: row["amount"] or Decimal(0) for row in rows}


def csi(ratings: dict[str, int]) -> Decimal | None:
    """Customer satisfaction index: the share (0-100) of rated orders rated 满意 or better."""
    rated = sum(ratings.get(value, 0) for value in RATED)
    if not rated:
        return None
    return Decimal(100 * sum(ratings.get(value, 0) for value in SATISFIED)) / rated


def commission(output: Decimal, index: Decimal | None, *, output_rate: Decimal, csi_rate: Decimal) -> Decimal:
    """IN08: `output_rate` per cent of the output value plus `csi_rate` yuan per CSI point."""
    return to_cny(output * output_rate / 100 + (index or 0) * csi_rate)


def ledger_totals(month: date) -> dict[int, dict[str, Decimal]]:
    """Per person, the month's entries summed by rule, and in all (`total`), in one query."""
    rows = LedgerEntry.objects.filter(month=month).values("staff", "rule").annotate(amount=Sum("amount")).order_by()
    found: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        person = found.setdefault(row["staff"], {"total": Decimal(0)})
        person[row["rule"]] = row["amount"]
        person["total"] += row["amount"]
    return found


def entry_counts(month: date, rule: str) -> dict[int, int]:
    rows = LedgerEntry.objects.filter(month=month, rule=rule).values("staff").annotate(n=Count("pk")).order_by()
    return {row["staff"]: row["n"] for row in rows}


def weak_rating_counts(month: date) -> dict[int, int]:
    """Per advisor: orders rated 一般 or 差 or settled without a rating (IN05's weak points)."""
    start, end = month_bounds(month)
    weak = Q(rating__in=[Rating.AVERAGE, Rating.POOR, Rating.MISSING])
    rows = (
        RepairOrder.objects.filter(weak, settled_at__gte=start, settled_at__lt=end)
        .values("advisor")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["advisor"]: row["n"] for row in rows}


def praise_minimum(*, on: date) -> int:
    """IN02: how many praises the month's most praised person needs for the award (3 unless set)."""
    return int(rate(Rule.PRAISE_AWARD, "minimum", on=on) or 3)


@dataclass(frozen=True)
class Preview:
    """What closing a month posts: its awards, each person's commission, at the rates of its last day."""

    awards: list[Award]
    commissions: dict[int, Decimal]
    praise_minimum: int


def preview(month: date) -> Preview:
    """The month's awards (IN02, IN04) and commissions (IN08), as the close would post them now."""
    last_day = last_day_of(month)
    minimum = praise_minimum(on=last_day)
    found = [
        praise_award(month, amount=rate(Rule.PRAISE_AWARD, on=last_day), minimum=minimum),
        process_award(month, amount=rate(Rule.PROCESS_AWARD, on=last_day)),
    ]
    return Preview(
        awards=[award for award in found if award is not None],
        commissions=_commissions(month, on=last_day),
        praise_minimum=minimum,
    )


def _commissions(month: date, *, on: date) -> dict[int, Decimal]:
    output_rate = rate(Rule.COMMISSION, "output", on=on) or Decimal(0)
    csi_rate = rate(Rule.COMMISSION, "csi", on=on) or Decimal(0)
    if not output_rate and not csi_rate:
        return {}
    ratings = ratings_by_advisor(month)
    found = {}
    for staff_id, output in output_by_advisor(month).items():
        amount = commission(output, csi(ratings.get(staff_id, {})), output_rate=output_rate, csi_rate=csi_rate)
        if amount:
            found[staff_id] = amount
    return found
