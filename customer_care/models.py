"""Customer care: complaints and their deadlines, the call log, rescues, follow-up calls, care SMS
broadcasts and home visits (CC01-CC08).

Deadlines are data: a complaint's and a rescue's due times are computed from the policy in force
when they are raised and stored on the row, so "overdue" is a query that is right at every read.
The beat sweep only records each breach once (unique per complaint, round and stage) and notifies.
"""

from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.fields import MobileField
from dealership.models import Customer, OneRowPolicy, Vehicle
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


class HomeVisit(models.Model):
    """CC07: a serious complaint at the dealership's fault: a visit by the service manager and a
    technician, a gift from the gift stock, and the outcome."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="home_visit")
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

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self) -> str:
        return f"{self.complaint} {self.planned_for:%Y-%m-%d}"


# --- Rescue (CC03) -----------------------------------------------------------------------------------


class RescueZone(models.Model):
    """Where the crew goes and how soon it promises to be there: city 30 min, the three counties 1 h,
    in-province half a day (12 hours: the rescue line runs round the clock)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    promise = models.DurationField(_("promised arrival within"))
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rescue zone")
        verbose_name_plural = _("rescue zones")
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(condition=Q(promise__gt=timedelta(0)), name="rescue_promise_positive")]

    def __str__(self) -> str:
        return self.name


class RescueStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DISPATCHED = "dispatched", _("Crew on the way")
    ARRIVED = "arrived", _("Crew arrived")
    CANCELLED = "cancelled", _("Cancelled")


class Rescue(models.Model):
    """A call for roadside rescue (救援) with the arrival promised by the zone, stored when it is taken."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="rescues", verbose_name=_("customer")
    )
    caller = models.CharField(_("caller"), max_length=50)
    mobile = MobileField(_("mobile"))
    plate = models.CharField(_("plate"), max_length=10, blank=True)
    zone = models.ForeignKey(RescueZone, on_delete=models.PROTECT, related_name="rescues", verbose_name=_("zone"))
    location = models.CharField(_("location"), max_length=200)
    problem = models.CharField(_("problem"), max_length=300)
    requested_at = models.DateTimeField(_("requested at"))
    promised_by = models.DateTimeField(_("promised arrival"))
    status = models.CharField(_("status"), max_length=10, choices=RescueStatus.choices, default=RescueStatus.REQUESTED)
    crew = models.CharField(_("crew"), max_length=100, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("missed promise recorded at"), null=True, blank=True)
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    TRANSITIONS = {
        # A crew sent out by radio may be recorded only when it arrives.
        RescueStatus.REQUESTED: {RescueStatus.DISPATCHED, RescueStatus.ARRIVED, RescueStatus.CANCELLED},
        RescueStatus.DISPATCHED: {RescueStatus.ARRIVED, RescueStatus.CANCELLED},
        RescueStatus.ARRIVED: set(),
        RescueStatus.CANCELLED: set(),
    }
    OPEN = (RescueStatus.REQUESTED, RescueStatus.DISPATCHED)

    class Meta:
        verbose_name = _("rescue")
        verbose_name_plural = _("rescues")
        indexes = [
            models.Index(fields=["status", "promised_by"], name="rescue_status_due"),
            models.Index(fields=["-requested_at"], name="rescue_newest"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def breached(self) -> bool:
        return self.breached_at is not None


# --- Call log (CC02) ----------------------------------------------------------------------------------


class Line(models.TextChoices):
    HOTLINE = "hotline", _("Complaint hotline")
    RESCUE = "rescue", _("24-hour rescue line")


class Call(models.Model):
    """A call on the complaint hotline or the rescue line: who, their number, when, about what, the outcome."""

    line = models.CharField(_("line"), max_length=8, choices=Line.choices)
    caller = models.CharField(_("caller"), max_length=50)
    number = models.CharField(_("number called from"), max_length=20)
    at = models.DateTimeField(_("at"))
    topic = models.CharField(_("topic"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls", verbose_name=_("customer")
    )
    complaint = models.OneToOneField(
        Complaint, on_delete=models.SET_NULL, null=True, blank=True, related_name="call", verbose_name=_("complaint")
    )
    rescue = models.OneToOneField(
        Rescue, on_delete=models.SET_NULL, null=True, blank=True, related_name="call", verbose_name=_("rescue")
    )
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("call log")
        indexes = [models.Index(fields=["-at"], name="call_newest")]

    def __str__(self) -> str:
        return f"{self.get_line_display()} {self.at:%Y-%m-%d %H:%M}"


# --- Follow-up calls (CC04, CC05) ------------------------------------------------------------------------


class CarePolicy(OneRowPolicy):
    """Follow-up calls and care SMS, as a manager sets them. One row."""

    follow_up_hour = models.TimeField(
        _("follow-up calls start at"), default=time(10, 0), help_text=_("On the day after delivery.")
    )
    follow_up_attempts = models.PositiveSmallIntegerField(
        _("calls before giving up"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    retry_after = models.DurationField(_("call again after"), default=timedelta(hours=4))
    maintenance_every_days = models.PositiveSmallIntegerField(
        _("maintenance every (days)"), default=180, validators=[MinValueValidator(30)]
    )
    maintenance_every_km = models.PositiveIntegerField(
        _("maintenance every (km)"), default=7500, validators=[MinValueValidator(1000)]
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before it is due"), default=7, validators=[MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care policy")
        verbose_name_plural = _("care policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="care_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Care policy"))


class CarePair(models.Model):
    """CC05: each service advisor's customers are followed up by one customer-care advisor (连对)."""

    advisor = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="care_pair", verbose_name=_("service advisor")
    )
    care_agent = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="paired_advisors", verbose_name=_("customer-care advisor")
    )

    class Meta:
        verbose_name = _("care pairing")
        verbose_name_plural = _("care pairings")

    def __str__(self) -> str:
        return f"{self.care_agent_id} ↔ {self.advisor_id}"


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("To call")
    DONE = "done", _("Reached")
    UNREACHED = "unreached", _("Not reached")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class FollowUp(models.Model):
    """CC04: the follow-up call after a visit, due the day after delivery in the paired agent's queue."""

    repair_order = models.OneToOneField(
        RepairOrder, on_delete=models.PROTECT, related_name="follow_up", verbose_name=_("work order")
    )
    care_agent = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("customer-care advisor"),
    )
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE)
    due_at = models.DateTimeField(_("call from"))
    attempts = models.PositiveSmallIntegerField(_("calls made"), default=0)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        indexes = [
            models.Index(fields=["status", "due_at"], name="follow_up_due"),
            models.Index(fields=["care_agent", "status", "due_at"], name="follow_up_agent_due"),
        ]

    def __str__(self) -> str:
        return f"{self.repair_order_id} {self.status}"


class FollowUpAttempt(models.Model):
    """One call of a follow-up: reached or not, by whom and when."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reached = models.BooleanField(_("reached the customer"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("follow-up attempt")
        verbose_name_plural = _("follow-up attempts")

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.at:%Y-%m-%d %H:%M}"


class Praise(models.Model):
    """A member of staff the customer praised by name in a follow-up call (IN01 pays for each)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="praises")
    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="praises", verbose_name=_("praised"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("praise")
        verbose_name_plural = _("praises")
        constraints = [models.UniqueConstraint(fields=["follow_up", "staff"], name="one_praise_per_call_and_person")]
        indexes = [models.Index(fields=["staff", "at"], name="praise_staff_at")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.at:%Y-%m-%d}"


# --- Care SMS (CC06) --------------------------------------------------------------------------------------


class MaintenanceDue(models.Model):
    """When a car's next maintenance falls due, counted from its latest visit: by time or by distance
    (from the car's own km per day), whichever comes first. A daily job texts the reminder once."""

    vehicle = models.OneToOneField(
        Vehicle, on_delete=models.CASCADE, related_name="maintenance_due", verbose_name=_("vehicle")
    )
    from_order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="+", verbose_name=_("visit"))
    due_on = models.DateField(_("due on"))
    due_km = models.PositiveIntegerField(_("due at (km)"))
    km_per_day = models.DecimalField(_("km per day"), max_digits=6, decimal_places=1)
    by_distance = models.BooleanField(_("due by distance first"))
    remind_on = models.DateField(_("remind on"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("maintenance due")
        verbose_name_plural = _("maintenance due")
        indexes = [models.Index(fields=["remind_on"], name="maintenance_to_remind", condition=Q(reminded_at=None))]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.due_on}"


# --- Care SMS broadcasts (CC06) ---------------------------------------------------------------------------


class BroadcastKind(models.TextChoices):
    GREETING = "greeting", _("Greeting")
    WEATHER = "weather", _("Weather note")


class Broadcast(models.Model):
    """A greeting or weather note a manager sends to a chosen group of customers."""

    kind = models.CharField(_("kind"), max_length=10, choices=BroadcastKind.choices)
    text = models.CharField(_("text"), max_length=300)
    audience = models.CharField(_("customers"), max_length=200)  # what the manager chose, in words
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    skipped = models.PositiveIntegerField(_("opted out"), default=0)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("care SMS broadcast")
        verbose_name_plural = _("care SMS broadcasts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
