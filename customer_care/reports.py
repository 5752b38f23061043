"""The manager's reports at /reports/ (IN02-IN05, WS03, CC01, SD03): each a plain dict of rows for
its page and its Excel download alike, counted in SQL in a fixed number of queries however many
orders, praises, complaints or entries the period holds.

The month's awards come from `awards` and the month close's own choice of winners and rates
(`services.ledger`), so the preview shows what closing will post.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from customer_care import awards
from customer_care.models import Breach, Complaint, ComplaintFault, LedgerEntry, MonthClose, Praise, Rule, Stage
from dealership.clock import day_bounds, last_day_of, month_bounds
from dealership.models import Role
from dealership.money import format_cny
from service_desk.models import DeskPolicy, Rating, RepairOrder
from workshop import selectors as workshop_selectors

RATINGS = [Rating(value) for value in Rating.values]  # the page's columns, best first, then refused and missing
WEAK = (Rating.AVERAGE, Rating.POOR, Rating.MISSING)  # IN05's weak ratings: 一般, 差 and not asked
AWARD_RULES = (Rule.PRAISE_AWARD, Rule.PROCESS_AWARD)
# The rules a person's entries are listed by, in the order of the requirements.
LEDGER_RULES = [Rule(value) for value in Rule.values]
STAGE_FIELDS = [
    (Stage.RESPOND, "respond_by", "responded_at"),
    (Stage.ORGANISE, "organise_by", "organised_at"),
    (Stage.CLOSE, "close_by", "closed_at"),
]


# --- Periods -----------------------------------------------------------------------------------------------


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def week_start(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def parse_week(value: str | None, *, default: date) -> date:
    """'2026-W48' (what a week picker sends) or a day such as '2026-11-26' → that week's Monday;
    anything else → the Monday of `default`'s week."""
    value = (value or "").strip()
    try:
        if "-W" in value:
            year, week = value.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if value:
            return week_start(date.fromisoformat(value))
    except ValueError:
        pass
    return week_start(default)


def iso_week(monday: date) -> str:
    """2026-W48: the value of a week picker."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


# --- Charts ----------------------------------------------------------------------------------------------

ROW_PX = 30  # the height of one bar's row in a chart, in pixels
# Across the chart's width, in per cent: the labels, then the plot, then the values, right-aligned.
PLOT_FROM, PLOT_WIDTH = 23.0, 52.0


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as the table shows it
    x: float  # where the bar starts, in per cent of the chart's width
    width: float  # in per cent of the chart's width
    is_negative: bool
    y: int  # the top of its row, in pixels


def bars(items: list[tuple[str, Decimal | int | float | None, str]], *, full: int | None = None) -> dict:
    """Horizontal bars for a chart drawn on the server: (label, value, text) → the bars' geometry.

    Negative values (a net penalty) grow left from the zero line, positive ones right; the longest
    bar fills the plot, or a bar of `full` does (100 for shares in per cent, so they read against
    the whole). A value of None (nothing to measure) draws no bar but keeps its row."""
    values = [Decimal(str(value)) for _label, value, _text in items if value is not None]
    most = max([value for value in values if value > 0] + [Decimal(full or 0)], default=Decimal(0))
    least = min([value for value in values if value < 0], default=Decimal(0))
    span = (most - least) or Decimal(1)
    scale = Decimal(str(PLOT_WIDTH)) / span
    zero = Decimal(str(PLOT_FROM)) - least * scale
    found = []
    for index, (label, value, text) in enumerate(items):
        amount = Decimal(str(value)) if value is not None else Decimal(0)
        width = abs(amount) * scale
        x = zero - width if amount < 0 else zero
        found.append(
            Bar(
                label=label,
                text=text,
                x=round(float(x), 2),
                width=round(float(width), 2),
                is_negative=amount < 0,
                y=index * ROW_PX,
            )
        )
    return {
        "bars": found,
        "zero": round(float(zero), 2),
        "has_negative": least < 0,
        "height": max(len(found), 1) * ROW_PX,
    }


# --- Names ---------------------------------------------------------------------------------------------------


def _people(ids: set[int]) -> dict[int, dict]:
    """Each person's name and roles, in two queries however many."""
    users = get_user_model().objects.filter(pk__in=ids).select_related("staff").prefetch_related("groups")
    return {
        user.pk: {
            "name": (getattr(user, "staff", None) and user.staff.name) or user.get_username(),
            "roles": sorted(group.name for group in user.groups.all()),
            "mobile": (getattr(user, "staff", None) and user.staff.mobile) or "",
            "is_active": user.is_active,
        }
        for user in users
    }


def _share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in per cent, to one place (None when there is nothing to divide)."""
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


# --- IN02, IN04, IN05: the monthly award report ------------------------------------------------------------


def award_report(month: date, *, today: date) -> dict:
    """The month's ranking, its two awards and each person's weak points.

    A closed month shows the awards its close posted and who closed it. An open month shows what
    closing would post now (awards and commission, at the rates in force on its last day), counted
    into each person's total, and whether it may be closed yet (only once it is over)."""
    closed = MonthClose.objects.select_related("closed_by__staff").filter(month=month).first()
    praises = awards.praise_counts(month)
    ratings = awards.ratings_by_advisor(month)
    posted = awards.ledger_totals(month)
    weak = _weak_points(month)
    winners, commissions = _winners(month, closed=closed is not None, praises=praises, ratings=ratings)
    coming = dict(commissions)
    if not closed:
        for staff_id, _count, amount in winners.values():
            coming[staff_id] = coming.get(staff_id, Decimal(0)) + amount
    ids = set(praises) | set(ratings) | set(posted) | set(coming) | set().union(*weak.values())
    people = _people(ids)
    rows = [
        _person(
            staff_id,
            people.get(staff_id, {}),
            praises=praises.get(staff_id, 0),
            by_rating=ratings.get(staff_id, {}),
            amounts=posted.get(staff_id, {}),
            coming=coming.get(staff_id, Decimal(0)),
            weak={kind: found.get(staff_id) for kind, found in weak.items()},
        )
        for staff_id in ids
    ]
    rows.sort(key=lambda row: (-row["total"], -row["praises"], -row["very_satisfied"], row["name"], row["staff_id"]))
    _rank(rows)
    return {
        "month": month,
        "label": f"{month:%Y-%m}",
        "rows": rows,
        "awards": [_award(rule, winners.get(rule), people) for rule in AWARD_RULES],
        "minimum": awards.praise_minimum(on=last_day_of(month)),
        "top_praise": max(praises.values(), default=0),
        "tie_rule": str(awards.TIE_RULE),
        "closed": closed,
        "is_over": month < today.replace(day=1),
        "commission_total": sum(commissions.values(), Decimal(0)),
        "chart": bars([(row["name"], row["total"], format_cny(row["total"])) for row in rows]),
    }


def _weak_points(month: date) -> dict[str, dict[int, object]]:
    """Per person: the technicians' month (jobs and rework), missed complaint deadlines, faults."""
    start, end = month_bounds(month)
    return {
        "work": {
            row["technician"].pk: row
            for row in workshop_selectors.technician_month(month)
            if row["jobs"] or row["internal"] or row["external"]
        },
        "breaches": dict(
            Breach.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
            .values_list("responsible")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "faults": dict(
            ComplaintFault.objects.filter(decided_at__gte=start, decided_at__lt=end)
            .values_list("staff")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    }


def _winners(month: date, *, closed: bool, praises: dict, ratings: dict) -> tuple[dict, dict[int, Decimal]]:
    """{rule: (staff_id, count, amount)} and the commissions: those the close posted, or would post now."""
    if not closed:
        coming = awards.preview(month)
        return {award.rule: (award.staff_id, award.count, award.amount) for award in coming.awards}, coming.commissions
    won = LedgerEntry.objects.filter(month=month, rule__in=AWARD_RULES, source=f"award:{month:%Y-%m}")
    counts = {Rule.PRAISE_AWARD: praises, Rule.PROCESS_AWARD: _very_satisfied(ratings)}
    return {
        rule: (staff_id, counts[rule].get(staff_id, 0), amount)
        for rule, staff_id, amount in won.values_list("rule", "staff_id", "amount")
    }, {}


def _person(staff_id: int, person: dict, *, praises: int, by_rating: dict, amounts: dict, coming, weak: dict) -> dict:
    settled = sum(by_rating.values())
    weak_ratings = sum(by_rating.get(value, 0) for value in WEAK)
    work = weak["work"]
    reworks = (work["internal"] + work["external"]) if work else 0
    return {
        "staff_id": staff_id,
        "name": person.get("name", "?"),
        "roles": [Role(role).label for role in person.get("roles", []) if role in Role.values],
        "praises": praises,
        "very_satisfied": by_rating.get(Rating.VERY_SATISFIED, 0),
        "by_rule": [(rule, amounts[rule]) for rule in LEDGER_RULES if rule in amounts],
        "rule_amounts": {rule.value: amounts.get(rule, Decimal(0)) for rule in LEDGER_RULES},
        "posted": amounts.get("total", Decimal(0)),
        "coming": coming,
        "total": amounts.get("total", Decimal(0)) + coming,
        "settled": settled,
        "weak_ratings": weak_ratings,
        "weak_share": _share(weak_ratings, settled),
        "jobs": work["jobs"] if work else None,
        "reworks": reworks,
        "rework_rate": _share(reworks, work["jobs"]) if work else None,
        "breaches": weak["breaches"] or 0,
        "faults": weak["faults"] or 0,
    }


def _very_satisfied(ratings: dict[int, dict[str, int]]) -> dict[int, int]:
    return {staff_id: n for staff_id, by in ratings.items() if (n := by.get(Rating.VERY_SATISFIED, 0))}


def _rank(rows: list[dict]) -> None:
    """Competition ranking on the total: equal totals share a place (1, 2, 2, 4)."""
    for index, row in enumerate(rows):
        same = index and rows[index - 1]["total"] == row["total"]
        row["rank"] = rows[index - 1]["rank"] if same else index + 1


def _award(rule: str, winner: tuple | None, people: dict[int, dict]) -> dict:
    staff_id, count, amount = winner if winner else (None, 0, None)
    return {
        "rule": rule,
        "label": Rule(rule).label,
        "staff_id": staff_id,
        "name": people.get(staff_id, {}).get("name", "") if staff_id else "",
        "count": count,
        "amount": amount,
    }


# --- IN05: weekly figures per advisor -----------------------------------------------------------------------


def weekly_figures(monday: date) -> dict:
    """Each advisor's week: orders settled and their output, the ratings by level, praise and complaints.

    Every active advisor has a row (a week without work shows zeros), and so does anyone who settled
    an order that week."""
    start, end = day_bounds(monday)[0], day_bounds(monday + timedelta(days=7))[0]
    settled: dict[int, dict] = {}
    for row in (
        RepairOrder.objects.filter(settled_at__gte=start, settled_at__lt=end)
        .values("advisor", "rating")
        .annotate(n=Count("pk"), output=Sum("total"))
        .order_by()
    ):
        person = settled.setdefault(row["advisor"], {"orders": 0, "output": Decimal(0), "ratings": {}})
        person["orders"] += row["n"]
        person["output"] += row["output"] or Decimal(0)
        person["ratings"][row["rating"]] = row["n"]
    advisors = set(
        get_user_model().objects.filter(groups__name=Role.ADVISOR, is_active=True).values_list("pk", flat=True)
    )
    ids = advisors | set(settled)
    praises = dict(
        Praise.objects.filter(staff__in=ids, at__gte=start, at__lt=end)
        .values_list("staff")
        .annotate(n=Count("pk"))
        .order_by()
    )
    complaints = dict(
        Complaint.objects.filter(assignee__in=ids, created_at__gte=start, created_at__lt=end)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .order_by()
    )
    people = _people(ids)
    rows = []
    for staff_id in ids:
        week = settled.get(staff_id, {"orders": 0, "output": Decimal(0), "ratings": {}})
        person = people.get(staff_id, {})
        rows.append(
            {
                "staff_id": staff_id,
                "name": person.get("name", "?"),
                "mobile": person.get("mobile", ""),
                "is_active": person.get("is_active", False),
                "orders": week["orders"],
                "output": week["output"],
                "ratings": [week["ratings"].get(rating.value, 0) for rating in RATINGS],
                "praises": praises.get(staff_id, 0),
                "complaints": complaints.get(staff_id, 0),
            }
        )
    rows.sort(key=lambda row: (-row["output"], row["name"], row["staff_id"]))
    totals = {
        "orders": sum(row["orders"] for row in rows),
        "output": sum((row["output"] for row in rows), Decimal(0)),
        "ratings": [sum(row["ratings"][index] for row in rows) for index in range(len(RATINGS))],
        "praises": sum(row["praises"] for row in rows),
        "complaints": sum(row["complaints"] for row in rows),
    }
    return {
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "week": iso_week(monday),
        "ratings": RATINGS,
        "rows": rows,
        "totals": totals,
        "chart": bars([(row["name"], row["output"], format_cny(row["output"])) for row in rows]),
    }


# --- WS03: rework per technician and team --------------------------------------------------------------------


def rework_report(month: date) -> dict:
    """The workshop's month (`workshop.selectors.technician_month`): jobs passed and rework charged,
    internal and external, per technician and per team, with the rate per job passed."""
    technicians = []
    for row in workshop_selectors.technician_month(month):
        if not (row["jobs"] or row["internal"] or row["external"]):
            continue
        reworks = row["internal"] + row["external"]
        staff = getattr(row["technician"], "staff", None)
        technicians.append(
            {
                **row,
                "name": staff.name if staff else row["technician"].get_username(),
                "team_name": row["team"].name if row["team"] else "",
                "reworks": reworks,
                "rate": _share(reworks, row["jobs"]),
            }
        )
    teams = workshop_selectors.team_month(technicians)
    for team in teams:
        team["reworks"] = team["internal"] + team["external"]
        team["rate"] = _share(team["reworks"], team["jobs"])
    teams.sort(key=lambda team: (-(team["rate"] or 0), -team["reworks"], team["team"]))
    technicians.sort(key=lambda row: (-(row["rate"] or 0), -row["reworks"], row["name"]))
    return {
        "month": month,
        "technicians": technicians,
        "teams": teams,
        "totals": {
            "jobs": sum(row["jobs"] for row in technicians),
            "internal": sum(row["internal"] for row in technicians),
            "external": sum(row["external"] for row in technicians),
            "rate": _share(sum(row["reworks"] for row in technicians), sum(row["jobs"] for row in technicians)),
        },
        "chart": bars([(row["name"], row["rate"], _percent_text(row["rate"])) for row in technicians]),
        "team_chart": bars([(team["team"], team["rate"], _percent_text(team["rate"])) for team in teams]),
    }


def _percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


# --- CC01: complaint deadlines kept ------------------------------------------------------------------------------


def complaint_sla(month: date, *, at: datetime) -> dict:
    """Complaints raised in the month: per stage and per responsible advisor, the share of deadlines kept.

    A stage counts once it is done or its due time has passed, in every round (a reopened complaint
    has had each stage of its earlier rounds). It is late when its missed deadline was recorded, or
    when it is past due now and the sweep has not recorded it yet (overdue is a query: CC01)."""
    start, end = month_bounds(month)
    raised = Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
    recorded = {
        (row["complaint__assignee"], row["stage"]): row["n"]
        for row in Breach.objects.filter(complaint__created_at__gte=start, complaint__created_at__lt=end)
        .values("complaint__assignee", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    }
    counts = {}
    for stage, due, done in STAGE_FIELDS:
        unrecorded = ~Exists(Breach.objects.filter(complaint=OuterRef("pk"), round=OuterRef("round"), stage=stage))
        counts[f"{stage}_due"] = Count("pk", filter=Q(**{f"{done}__isnull": False}) | Q(**{f"{due}__lt": at}))
        counts[f"{stage}_overdue"] = Count("pk", filter=Q(unrecorded, **{f"{done}__isnull": True, f"{due}__lt": at}))
    by_advisor = list(
        raised.values("assignee").annotate(complaints=Count("pk"), earlier=Sum(F("round") - 1), **counts).order_by()
    )
    people = _people({row["assignee"] for row in by_advisor})
    advisors = []
    stages = {stage: {"due": 0, "late": 0} for stage, _due, _done in STAGE_FIELDS}
    for row in by_advisor:
        due = late = 0
        for stage, _due, _done in STAGE_FIELDS:
            stage_due = row[f"{stage}_due"] + row["earlier"]
            stage_late = recorded.get((row["assignee"], stage), 0) + row[f"{stage}_overdue"]
            stages[stage]["due"] += stage_due
            stages[stage]["late"] += stage_late
            due, late = due + stage_due, late + stage_late
        advisors.append(
            {
                "staff_id": row["assignee"],
                "name": people.get(row["assignee"], {}).get("name", "?"),
                "complaints": row["complaints"],
                "due": due,
                "late": late,
                "on_time": due - late,
                "share": _share(due - late, due),
            }
        )
    advisors.sort(key=lambda row: (row["share"] is None, row["share"] or 0, row["name"]))
    by_stage = [
        {
            "stage": stage,
            "label": stage.label,
            "due": stages[stage]["due"],
            "late": stages[stage]["late"],
            "on_time": stages[stage]["due"] - stages[stage]["late"],
            "share": _share(stages[stage]["due"] - stages[stage]["late"], stages[stage]["due"]),
        }
        for stage, _due, _done in STAGE_FIELDS
    ]
    due = sum(row["due"] for row in by_stage)
    late = sum(row["late"] for row in by_stage)
    return {
        "month": month,
        "complaints": sum(row["complaints"] for row in advisors),
        "stages": by_stage,
        "advisors": advisors,
        "total": {"due": due, "late": late, "on_time": due - late, "share": _share(due - late, due)},
        "chart": bars([(row["name"], row["share"], _percent_text(row["share"])) for row in advisors], full=100),
    }


# --- SD03: reception timing ---------------------------------------------------------------------------------------


def reception_timing(month: date) -> dict:
    """Cars that arrived in the month, per advisor: the average time from arrival to greeting and to
    a work bay, and the share within the desk's targets (a car never greeted or never in a bay is
    not within them)."""
    policy = DeskPolicy.current()
    start, end = month_bounds(month)
    greet = timedelta(seconds=policy.greet_within_s)
    in_bay = timedelta(seconds=policy.in_bay_within_s)
    to_greeting = ExpressionWrapper(F("greeted_at") - F("arrived_at"), output_field=DurationField())
    to_bay = ExpressionWrapper(F("in_bay_at") - F("arrived_at"), output_field=DurationField())
    rows = list(
        RepairOrder.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
        .values("advisor")
        .annotate(
            arrived=Count("pk"),
            greeted=Count("greeted_at"),
            in_bay=Count("in_bay_at"),
            greet_avg=Avg(to_greeting),
            bay_avg=Avg(to_bay),
            greeted_in_time=Count("pk", filter=Q(greeted_at__lte=F("arrived_at") + greet)),
            in_bay_in_time=Count("pk", filter=Q(in_bay_at__lte=F("arrived_at") + in_bay)),
        )
        .order_by()
    )
    people = _people({row["advisor"] for row in rows})
    advisors = [
        {
            "staff_id": row["advisor"],
            "name": people.get(row["advisor"], {}).get("name", "?"),
            "arrived": row["arrived"],
            "greeted": row["greeted"],
            "in_bay": row["in_bay"],
            "greet_s": _seconds(row["greet_avg"]),
            "bay_s": _seconds(row["bay_avg"]),
            "greet_text": describe_seconds(_seconds(row["greet_avg"])),
            "bay_text": describe_seconds(_seconds(row["bay_avg"])),
            "greeted_in_time": row["greeted_in_time"],
            "in_bay_in_time": row["in_bay_in_time"],
            "greeted_share": _share(row["greeted_in_time"], row["arrived"]),
            "in_bay_share": _share(row["in_bay_in_time"], row["arrived"]),
        }
        for row in rows
    ]
    advisors.sort(key=lambda row: (row["name"], row["staff_id"]))
    arrived = sum(row["arrived"] for row in advisors)
    greeted_in_time = sum(row["greeted_in_time"] for row in advisors)
    in_bay_in_time = sum(row["in_bay_in_time"] for row in advisors)
    return {
        "month": month,
        "policy": policy,
        "advisors": advisors,
        "total": {
            "arrived": arrived,
            "greeted_in_time": greeted_in_time,
            "in_bay_in_time": in_bay_in_time,
            "greeted_share": _share(greeted_in_time, arrived),
            "in_bay_share": _share(in_bay_in_time, arrived),
        },
        "greet_chart": bars(
            [(row["name"], row["greeted_share"], _percent_text(row["greeted_share"])) for row in advisors], full=100
        ),
        "bay_chart": bars(
            [(row["name"], row["in_bay_share"], _percent_text(row["in_bay_share"])) for row in advisors], full=100
        ),
    }


def _seconds(value: timedelta | None) -> Decimal | None:
    """An average span in whole seconds to one place (None when no car was timed)."""
    if value is None:
        return None
    return Decimal(value.total_seconds()).quantize(Decimal("0.1"))


def describe_seconds(value: Decimal | None) -> str:
    """12.5 → 12.5秒; 95 → 1分35秒: how the page writes an average span."""
    if value is None:
        return "—"
    if value < 60:
        return _("%(s)s s") % {"s": value}
    minutes, seconds = divmod(int(value), 60)
    return _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
