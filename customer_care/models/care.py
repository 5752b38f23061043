"""Care after a visit: follow-up calls with their praise (CC04, CC05), the next maintenance reminder
and the greetings and weather notes (CC06)."""

from datetime import time, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import OneRowPolicy, Vehicle
from service_desk.models import RepairOrder

USER = settings.AUTH_USER_MODEL


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
    history = HistoricalRecords()

    # A call not answered leaves it due (called again later) until the policy's attempts run out.
    TRANSITIONS = {
        FollowUpStatus.DUE: {FollowUpStatus.DONE, FollowUpStatus.UNREACHED},
        FollowUpStatus.DONE: set(),
        FollowUpStatus.UNREACHED: set(),
    }

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
