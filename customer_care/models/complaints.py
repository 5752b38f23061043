"""Complaints (CC01) and home visits (CC07): the deadline policy, the complaint sheet with its stored
due times, the missed deadlines, the timeline.

Deadlines are data: a complaint's due times are computed from the policy in force when it is raised
and stored on the row, so "overdue" is a query that is right at every read. The beat sweep only
records each breach once (unique per complaint, round and stage) and notifies.
"""

from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.models import Customer, OneRowPolicy
from parts.models import CounterSale, GiftMovement
from service_desk.models import RepairOrder

USER = settings.AUTH_USER_MODEL


# --- Complaints (CC01) -----------------------------------------------------------------------------------


class ComplaintPolicy(OneRowPolicy):
    """How long each stage of a complaint may take, and who is told when it is late. One row.

    A change applies to complaints raised afterwards: each complaint keeps the due times it got.
    """

    respond_within = models.DurationField(_("respond within"), default=timedelta(minutes=30))
    organise_within = models.DurationField(_("organise within"), default=timedelta(hours=1))
    close_within = models.DurationField(_("close within"), default=timedelta(days=2))
    working_hours_only = models.BooleanField(
        _("count working hours only"),
        default=False,
        help_text=_(
            "Off: round the clock, as the department promises. On: only between the hours below, every day but "
            "the holidays; the spans above are then working time (2,880 minutes to close are 48 working hours)."
        ),
    )
    day_starts = models.TimeField(_("working day starts"), default=time(8, 30))
    day_ends = models.TimeField(_("working day ends"), default=time(18, 0))
    service_manager = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service manager"),
        help_text=_("Told at the first missed deadline; empty: every manager."),
    )
    manager_after = models.DurationField(
        _("escalate to the service manager after"),
        default=timedelta(0),
        help_text=_("Counted from the first missed deadline."),
    )
    general_manager = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("general manager"),
    )
    general_manager_after = models.DurationField(
        _("escalate to the general manager after"),
        default=timedelta(hours=4),
        help_text=_("Counted from the first missed deadline, while the complaint is still open."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="complaint_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Complaint policy"))

    # What a manager edits, on the settings page and through the API.
    EDITABLE = (
        "respond_within",
        "organise_within",
        "close_within",
        "working_hours_only",
        "day_starts",
        "day_ends",
        "service_manager",
        "manager_after",
        "general_manager",
        "general_manager_after",
    )

    def clean(self) -> None:
        """The rules across fields, for the settings page and the API alike."""
        errors = {}
        if not self.respond_within <= self.organise_within <= self.close_within:
            errors[NON_FIELD_ERRORS] = _(
                "Respond, organise and close come in that order: each span at least the one before."
            )
        if self.general_manager_after < self.manager_after:
            errors["general_manager_after"] = _("The general manager is told after the service manager, not before.")
        if self.day_ends <= self.day_starts:
            errors["day_ends"] = _("The working day ends after it starts.")
        if errors:
            raise ValidationError(errors)


class Holiday(models.Model):
    """A day the working-hours clock stands still (only when the policy counts working hours)."""

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Channel(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up call")
    HOTLINE = "hotline", _("Complaint hotline")
    COUNTER = "counter", _("At the service counter")
    PARTS_SALE = "parts_sale", _("Parts counter sale")
    OTHER = "other", _("Other")


class ComplaintCategory(models.TextChoices):
    REPAIR_QUALITY = "repair_quality", _("Repair quality")
    SERVICE_ATTITUDE = "attitude", _("Service attitude")
    WAITING_TIME = "waiting", _("Waiting time")
    PRICE = "price", _("Price and billing")
    PARTS = "parts", _("Parts")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint", "Open")
    RESPONDED = "responded", _("Responded")
    ORGANISED = "organised", _("Organised")
    CLOSED = "closed", _("Closed")


class Stage(models.TextChoices):
    """The three deadlines of a complaint; a stage is done when the complaint reaches its state."""

    RESPOND = "respond", _("Respond")
    ORGANISE = "organise", _("Organise")
    CLOSE = "close", pgettext_lazy("complaint stage", "Close")


# The state that completes each stage, and the stages in order.
STAGE_DONE_BY = {
    Stage.RESPOND: ComplaintStatus.RESPONDED,
    Stage.ORGANISE: ComplaintStatus.ORGANISED,
    Stage.CLOSE: ComplaintStatus.CLOSED,
}
STAGES = [Stage.RESPOND, Stage.ORGANISE, Stage.CLOSE]


class Complaint(models.Model):
    """A complaint contact sheet (抱怨投诉联系单), handed to the responsible advisor, who signs for it."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    repair_order = models.ForeignKey(
        RepairOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("work order"),
    )
    counter_sale = models.ForeignKey(
        CounterSale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("parts sale"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    summary = models.TextField(_("what the customer says"), max_length=2000)
    is_serious = models.BooleanField(_("serious"), default=False)
    dealership_at_fault = models.BooleanField(_("the dealership is at fault"), default=False)
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("responsible advisor"),
        db_index=False,  # complaint_assignee leads with it
    )
    signed_for_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by"))
    created_at = models.DateTimeField(_("raised at"))
    status = models.CharField(_("status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    # A reopened complaint starts a new round with new due times; breaches are per round.
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    round_started_at = models.DateTimeField(_("round started at"))
    respond_by = models.DateTimeField(_("respond by"))
    organise_by = models.DateTimeField(_("organise by"))
    close_by = models.DateTimeField(_("close by"))
    # The due time of the stage in hand (null once closed): overdue once now is past it (CC01).
    next_due = models.DateTimeField(_("next due"), null=True, blank=True)
    # The earliest due time whose breach the sweep has not recorded yet (null: nothing left to watch).
    watch_from = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    organised_at = models.DateTimeField(_("organised at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response = models.TextField(_("response"), max_length=2000, blank=True)
    plan = models.TextField(_("what was organised"), max_length=2000, blank=True)
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    first_breach_at = models.DateTimeField(_("first missed deadline"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalated to"), default=0)  # see ESCALATION
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    TRANSITIONS = {
        ComplaintStatus.OPEN: {ComplaintStatus.RESPONDED},
        ComplaintStatus.RESPONDED: {ComplaintStatus.ORGANISED},
        ComplaintStatus.ORGANISED: {ComplaintStatus.CLOSED},
        ComplaintStatus.CLOSED: {ComplaintStatus.OPEN},  # reopened: a new round
    }
    ESCALATION = {0: _("the responsible advisor"), 1: _("the service manager"), 2: _("the general manager")}

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["next_due"], name="complaint_next_due", condition=Q(next_due__isnull=False)),
            models.Index(fields=["watch_from"], name="complaint_watch", condition=Q(watch_from__isnull=False)),
            models.Index(fields=["assignee", "status", "next_due"], name="complaint_assignee"),
            models.Index(fields=["-created_at"], name="complaint_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(respond_by__lte=models.F("organise_by")) & Q(organise_by__lte=models.F("close_by")),
                name="complaint_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # The queue shows these on every row: look up the one label (Django's own translates them all).
    def get_status_display(self) -> str:
        return str(ComplaintStatus(self.status).label)

    def get_category_display(self) -> str:
        return str(ComplaintCategory(self.category).label)

    def due(self, stage: Stage):
        return {Stage.RESPOND: self.respond_by, Stage.ORGANISE: self.organise_by, Stage.CLOSE: self.close_by}[stage]

    def done_at(self, stage: Stage):
        return {Stage.RESPOND: self.responded_at, Stage.ORGANISE: self.organised_at, Stage.CLOSE: self.closed_at}[stage]

    @property
    def stage_in_hand(self) -> Stage | None:
        for stage in STAGES:
            if self.done_at(stage) is None:
                return stage
        return None

    @property
    def late_stages(self) -> list[Stage]:
        """The stages of the current round that missed their deadline (prefetch `breaches` for a list)."""
        return [Stage(breach.stage) for breach in self.breaches.all() if breach.round == self.round]

    @property
    def escalated_to(self) -> str:
        return str(self.ESCALATION.get(self.escalation_level, ""))

    @classmethod
    def log_transitions(cls, pks, from_status, to_status, *, by, at, note) -> None:
        """A complaint's history is its timeline: each step is a ComplaintEvent (who, when, what was said)."""
        ComplaintEvent.objects.bulk_create(
            [ComplaintEvent(complaint_id=pk, at=at, by=by, to_status=to_status, note=note[:500]) for pk in pks]
        )


class Breach(models.Model):
    """A stage of a complaint that missed its deadline: recorded once per complaint, round and stage."""

    # No index of its own: one_breach_per_stage_and_round leads with it.
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="breaches", db_index=False)
    round = models.PositiveSmallIntegerField(_("round"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    due_at = models.DateTimeField(_("was due at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    responsible = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible"))

    class Meta:
        verbose_name = _("missed deadline")
        verbose_name_plural = _("missed deadlines")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "round", "stage"], name="one_breach_per_stage_and_round")
        ]
        indexes = [models.Index(fields=["recorded_at"], name="breach_recorded")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.round} {self.stage}"


class ComplaintEvent(models.Model):
    """The complaint's timeline: raised, signed for, each stage, escalations, reopening, who and when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by"))
    to_status = models.CharField(_("to"), max_length=10, choices=ComplaintStatus.choices, blank=True)
    note = models.CharField(_("note"), max_length=500)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]

    def __str__(self) -> str:
        return self.note


class HomeVisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    VISITED = "visited", _("Visited")


class HomeVisit(models.Model):
    """CC07: a serious complaint at the dealership's fault: a visit by the service manager and a
    technician, a gift from the gift stock, and the outcome."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="home_visit")
    status = models.CharField(
        _("status"), max_length=8, choices=HomeVisitStatus.choices, default=HomeVisitStatus.PLANNED
    )
    planned_for = models.DateTimeField(_("planned for"))
    manager = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("service manager"))
    technician = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("technician"))
    gift = models.OneToOneField(
        GiftMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("gift")
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)
    planned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by"))
    history = HistoricalRecords()

    TRANSITIONS = {HomeVisitStatus.PLANNED: {HomeVisitStatus.VISITED}, HomeVisitStatus.VISITED: set()}

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=HomeVisitStatus.PLANNED, visited_at__isnull=True)
                | Q(status=HomeVisitStatus.VISITED, visited_at__isnull=False),
                name="home_visit_visited_has_its_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint} {self.planned_for:%Y-%m-%d}"


class ComplaintFault(models.Model):
    """CC09 / IN09: a closed complaint found at the dealership's fault names each person responsible,
    why, and the penalty the manager decided (posted to that person's ledger)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="faults")
    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible"))
    reason = models.CharField(_("why"), max_length=300)
    penalty = models.DecimalField(_("penalty"), max_digits=9, decimal_places=2)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("responsibility for a complaint")
        verbose_name_plural = _("responsibilities for complaints")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "staff"], name="one_fault_per_complaint_and_person"),
            models.CheckConstraint(condition=models.Q(penalty__gt=0), name="fault_penalty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.staff_id} {self.penalty}"
