"""Reads for the dispatch board, the job page, the library and the workshop reports."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from dealership.clock import day_bounds, month_bounds
from service_desk.models import CustomerQuestion, ItemStatus, OrderStatus, RepairItem
from service_desk.services import STARTABLE
from workshop.models import (
    QC_ORDER,
    ClockEntry,
    Escalation,
    EscalationStatus,
    LeaderAssessment,
    LibraryCase,
    PauseReason,
    QcResult,
    QcSign,
    QcStage,
    Rework,
    ReworkKind,
    Shift,
)

COLUMNS = [
    ItemStatus.PENDING,
    ItemStatus.ASSIGNED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.QC,
    ItemStatus.REWORK,
    ItemStatus.PASSED,
]
CARDS_PER_COLUMN = 60


def board_items(*, at: datetime) -> QuerySet[RepairItem]:
    """The jobs on the board: those of open orders in its columns, passed ones of today only.

    Waiting jobs are exactly those that may be started (SD09, the service desk's `STARTABLE`, which
    `may_start` uses too). `filters.BoardFilter` narrows them to one technician's.
    """
    start_of_day = day_bounds(timezone.localdate(at))[0]
    return (
        RepairItem.objects.filter(
            order__status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS, OrderStatus.READY], status__in=COLUMNS
        )
        .exclude(status=ItemStatus.PASSED, updated_at__lt=start_of_day)
        .filter(STARTABLE | ~Q(status=ItemStatus.PENDING))
    )


def board(*, at: datetime, items: QuerySet[RepairItem] | None = None) -> dict:
    """The board's columns by job state, green channel and overdue first, of `items` (default: `board_items`).

    Each card carries its running clock, open escalation and unanswered question, fetched in a fixed
    number of queries.
    """
    on_board = board_items(at=at) if items is None else items
    counts = dict(on_board.values_list("status").annotate(Count("pk")).order_by())
    first = [F("order__is_green_channel").desc(), F("order__promised_at").asc(nulls_last=True), "pk"]
    # The first cards of every column in one query: rank within the column, keep the top ones.
    last_pause = ClockEntry.objects.filter(item=OuterRef("pk"), ended_at__isnull=False).order_by("-ended_at")
    cards = (
        on_board.annotate(place=Window(RowNumber(), partition_by=[F("status")], order_by=first))
        .filter(place__lte=CARDS_PER_COLUMN)
        .annotate(paused_for=Subquery(last_pause.values("pause_reason")[:1]))
        .select_related("order__vehicle", "technician__staff")
        .order_by(*first)
        .prefetch_related(
            Prefetch("clock_entries", queryset=ClockEntry.objects.filter(ended_at__isnull=True), to_attr="running"),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.filter(status=EscalationStatus.OPEN),
                to_attr="open_escalations",
            ),
            Prefetch(
                "questions",
                queryset=CustomerQuestion.objects.filter(answered_at__isnull=True),
                to_attr="open_questions",
            ),
            Prefetch(
                "qc_signs",
                queryset=QcSign.objects.filter(item__status=ItemStatus.QC).order_by("cycle", "pk"),
                to_attr="signs",
            ),
        )
    )
    by_status: dict = {status: [] for status in COLUMNS}
    for card in cards:
        card.is_late = card.order.promised_at is not None and card.order.promised_at < at
        card.pause_label = PauseReason(card.paused_for).label if card.paused_for and not card.running else ""
        card.qc_stage = _stage_waiting(card.signs) if card.status == ItemStatus.QC else None
        by_status[ItemStatus(card.status)].append(card)
    return {
        "columns": [
            {"status": status, "label": status.label, "cards": column, "count": counts.get(status, 0)}
            for status, column in by_status.items()
        ]
    }


def _stage_waiting(signs: list[QcSign]) -> QcStage:
    """The QC stage a job in QC waits for, from its signatures in order: after a fail, the self-check."""
    if not signs or signs[-1].result == QcResult.FAIL:
        return QC_ORDER[0]
    done = {sign.stage for sign in signs if sign.cycle == signs[-1].cycle}
    return next(stage for stage in QC_ORDER if stage not in done)


def technicians_on_shift(day: date) -> int:
    return Shift.objects.filter(day=day, technician__is_active=True).count()


def on_shift(day: date) -> list[Shift]:
    return list(Shift.objects.select_related("technician__staff").filter(day=day).order_by("technician__staff__name"))


def technicians(on_shift_day: date | None = None) -> QuerySet:
    """Active technicians by team; given a day, those on shift that day come first (`is_on_shift`),
    each with the number of jobs on their hands (`open_jobs`: dispatched, in progress or in rework)."""
    people = get_user_model().objects.filter(groups__name="technician", is_active=True).select_related("staff__team")
    if on_shift_day is None:
        return people.order_by("staff__team__name", "staff__name", "pk")
    on_shift = Shift.objects.filter(technician=OuterRef("pk"), day=on_shift_day)
    on_hands = (
        RepairItem.objects.filter(
            technician=OuterRef("pk"),
            status__in=[ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.REWORK],
        )
        .order_by()
        .values("technician")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return people.annotate(is_on_shift=Exists(on_shift), open_jobs=Coalesce(Subquery(on_hands), 0)).order_by(
        "-is_on_shift", "staff__team__name", "staff__name", "pk"
    )


def job(pk: int) -> RepairItem:
    signs = QcSign.objects.select_related("by__staff").order_by("cycle", "pk")
    return (
        RepairItem.objects.select_related(
            "order__vehicle", "order__customer", "order__advisor__staff", "technician__staff", "labour_operation"
        )
        .prefetch_related(
            Prefetch("qc_signs", queryset=signs),
            Prefetch("clock_entries", queryset=ClockEntry.objects.order_by("started_at")),
            Prefetch("reworks", queryset=Rework.objects.select_related("responsible__staff").order_by("at")),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.prefetch_related("steps__by__staff", "approvals__member__staff").order_by(
                    "raised_at"
                ),
            ),
            Prefetch("questions", queryset=CustomerQuestion.objects.order_by("asked_at")),
            "part_lines__part",
        )
        .get(pk=pk)
    )


def search_library(query: str = "") -> QuerySet[LibraryCase]:
    """Cases of the library, newest first, with every word of `query` (all of them for nothing typed)."""
    cases = LibraryCase.objects.select_related("published_by__staff").order_by("-published_at", "-pk")
    return cases.filter(library_match(query))


def library_match(query: str) -> Q:
    """A case whose title, model, symptoms, fault codes, diagnosis or solution hold every word of `query`."""
    return Q(*(Q(search_text__contains=word) for word in query.lower().split()))


def yesterdays_cases(*, at: datetime) -> QuerySet[LibraryCase]:
    start, end = day_bounds(timezone.localdate(at) - timedelta(days=1))
    return LibraryCase.objects.filter(published_at__gte=start, published_at__lt=end).order_by("published_at")


def open_escalations() -> QuerySet[Escalation]:
    return (
        Escalation.objects.select_related("item__order__vehicle", "raised_by__staff")
        .prefetch_related("approvals")
        .filter(status=EscalationStatus.OPEN)
        .order_by("raised_at")
    )


def solved_escalations() -> QuerySet[Escalation]:
    return (
        Escalation.objects.select_related("item__order__vehicle")
        .filter(status=EscalationStatus.SOLVED)
        .order_by("-solved_at")
    )


# --- Reports -------------------------------------------------------------------------------------------------


def _worked(entries) -> Decimal:
    seconds = sum(((entry.ended_at or timezone.now()) - entry.started_at).total_seconds() for entry in entries)
    return Decimal(seconds / 3600).quantize(Decimal("0.01"))


def _hours(value) -> Decimal:
    """A sum of hours as the database returns it (SQLite: a long float-like Decimal) to two places."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def technician_month(month: date) -> list[dict]:
    """Per technician for a month: jobs passed, flat-rate hours billed, hours clocked, hours on shift,
    efficiency (billed ÷ clocked), productivity (clocked ÷ on shift), internal and external rework
    charged to them (WS06), with a row for anyone else who answers for rework that month."""
    start, end = month_bounds(month)
    billed = {
        row["technician"]: row
        for row in RepairItem.objects.filter(
            status=ItemStatus.PASSED, order__settled_at__gte=start, order__settled_at__lt=end
        )
        .values("technician")
        .annotate(jobs=Count("pk"), hours=Sum("labour_hours"))
    }
    duration = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    clocked = {
        row["technician"]: row["time"]
        for row in ClockEntry.objects.filter(started_at__gte=start, started_at__lt=end, ended_at__isnull=False)
        .values("technician")
        .annotate(time=Sum(duration))
    }
    shifts = {
        row["technician"]: row["hours"]
        for row in Shift.objects.filter(day__gte=start.date(), day__lt=end.date())
        .values("technician")
        .annotate(hours=Sum("hours"))
    }
    reworks = {
        (row["responsible"], row["kind"]): row["n"]
        for row in Rework.objects.filter(at__gte=start, at__lt=end)
        .values("responsible", "kind")
        .annotate(n=Count("pk"))
    }
    # WS06: rework counts follow the person who answers for it, the paint lead too, technician or not.
    people = list(technicians())
    answering = {person for person, _kind in reworks} - {person.pk for person in people}
    if answering:
        people += list(
            get_user_model()
            .objects.filter(pk__in=answering)
            .select_related("staff__team")
            .order_by("staff__team__name", "staff__name", "pk")
        )
    return [_technician_row(person, billed.get(person.pk, {}), clocked, shifts, reworks) for person in people]


def _technician_row(person, billed: dict, clocked: dict, shifts: dict, reworks: dict) -> dict:
    """One technician's line of the month from the month's sums: their own figures and rates."""
    jobs = billed.get("jobs", 0)
    billed_hours = _hours(billed.get("hours"))
    clocked_hours = Decimal((clocked.get(person.pk) or timedelta()).total_seconds() / 3600).quantize(Decimal("0.01"))
    shift_hours = shifts.get(person.pk) or Decimal("0")
    internal = reworks.get((person.pk, ReworkKind.INTERNAL), 0)
    external = reworks.get((person.pk, ReworkKind.EXTERNAL), 0)
    return {
        "technician": person,
        "team": getattr(getattr(person, "staff", None), "team", None),
        "jobs": jobs,
        "billed_hours": billed_hours,
        "clocked_hours": clocked_hours,
        "shift_hours": shift_hours,
        "efficiency": _percent(billed_hours, clocked_hours),
        "productivity": _percent(clocked_hours, shift_hours),
        "internal": internal,
        "external": external,
        "internal_rate": _percent(Decimal(internal), Decimal(jobs)),
        "external_rate": _percent(Decimal(external), Decimal(jobs)),
    }


def team_month(rows: list[dict]) -> list[dict]:
    """The technicians' month summed per team."""
    teams: dict = {}
    for row in rows:
        key = row["team"].name if row["team"] else "—"
        team = teams.setdefault(
            key,
            {
                "team": key,
                "jobs": 0,
                "internal": 0,
                "external": 0,
                "billed_hours": Decimal("0"),
                "clocked_hours": Decimal("0"),
            },
        )
        for field in ("jobs", "internal", "external", "billed_hours", "clocked_hours"):
            team[field] += row[field]
    for team in teams.values():
        team["internal_rate"] = _percent(Decimal(team["internal"]), Decimal(team["jobs"]))
        team["external_rate"] = _percent(Decimal(team["external"]), Decimal(team["jobs"]))
        team["efficiency"] = _percent(team["billed_hours"], team["clocked_hours"])
    return sorted(teams.values(), key=lambda team: team["team"])


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


def team_quarter(leader: AbstractBaseUser, *, year: int, quarter: int) -> dict:
    """WS08: the leader's team over a quarter: billed hours and internal/external rework rates."""
    first = date(year, 3 * quarter - 2, 1)
    start = month_bounds(first)[0]
    end = month_bounds(date(year, 3 * quarter, 1))[1]
    team = leader.led_teams.first()
    members = (
        get_user_model().objects.filter(staff__team=team) if team else get_user_model().objects.filter(pk=leader.pk)
    )
    jobs = RepairItem.objects.filter(
        technician__in=members, status=ItemStatus.PASSED, order__settled_at__gte=start, order__settled_at__lt=end
    )
    count = jobs.count()
    billed = _hours(jobs.aggregate(h=Sum("labour_hours"))["h"])
    reworks = Rework.objects.filter(responsible__in=members, at__gte=start, at__lt=end)
    internal = reworks.filter(kind=ReworkKind.INTERNAL).count()
    external = reworks.filter(kind=ReworkKind.EXTERNAL).count()
    return {
        "jobs": count,
        "billed_hours": billed,
        "internal_percent": _percent(Decimal(internal), Decimal(count)) or Decimal("0"),
        "external_percent": _percent(Decimal(external), Decimal(count)) or Decimal("0"),
    }


def team_leaders() -> QuerySet:
    """Those who lead a team (set on the team in the admin site): the people assessed each quarter."""
    return (
        get_user_model()
        .objects.filter(led_teams__isnull=False, is_active=True)
        .distinct()
        .select_related("staff")
        .order_by("staff__name", "pk")
    )


def leaders_to_flag() -> list[LeaderAssessment]:
    """WS08: team leaders below standard in their last two consecutive assessed quarters."""
    flagged = []
    latest: dict = {}
    for assessment in LeaderAssessment.objects.select_related("leader__staff").order_by("leader", "-year", "-quarter"):
        latest.setdefault(assessment.leader_id, []).append(assessment)
    for history in latest.values():
        if len(history) >= 2:
            last, before = history[0], history[1]
            consecutive = (last.year * 4 + last.quarter) - (before.year * 4 + before.quarter) == 1
            if consecutive and not last.meets_standard and not before.meets_standard:
                flagged.append(last)
    return flagged
