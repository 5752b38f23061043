"""The two lines customer care answers: the 24-hour rescue line (CC03), whose promised arrival comes
from the zone and is stored when the call is taken, and the call log of both lines (CC02)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customer_care.models.complaints import Complaint
from dealership.fields import MobileField
from dealership.models import Customer

USER = settings.AUTH_USER_MODEL


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
