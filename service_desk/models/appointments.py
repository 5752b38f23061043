"""Appointments with numbered cards and a green channel (SD01, SD02)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.models import Customer, Vehicle


class AppointmentKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    QUICK_MAINTENANCE = "quick_maintenance", _("Quick maintenance")
    REWORK = "rework", _("Rework")
    COMPLAINT = "complaint", _("Complaint")


GREEN_CHANNEL_KINDS = {AppointmentKind.QUICK_MAINTENANCE, AppointmentKind.REWORK, AppointmentKind.COMPLAINT}


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", pgettext_lazy("visit", "Arrived")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")


class Appointment(models.Model):
    """SD01-SD02: a booked visit with a numbered card; the three green-channel kinds go first."""

    Status = AppointmentStatus
    TRANSITIONS = {
        AppointmentStatus.BOOKED: {AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED},
        AppointmentStatus.ARRIVED: set(),
        AppointmentStatus.NO_SHOW: set(),
        AppointmentStatus.CANCELLED: set(),
    }

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("vehicle")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    scheduled_at = models.DateTimeField(_("time"))
    scheduled_on = models.DateField(editable=False)  # local day, for the card number and the day's list
    card_number = models.CharField(_("card number"), max_length=8)
    is_green_channel = models.BooleanField(_("green channel"), default=False)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("advisor")
    )
    added_value_service = models.CharField(
        _("added-value service"),
        max_length=100,
        blank=True,
        help_text=_("What the customer gets for booking, e.g. free car wash, free 21-point check."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    history = HistoricalRecords()  # who and when of every status change

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["scheduled_on", "status"], name="appointment_day")]
        constraints = [
            models.UniqueConstraint(fields=["scheduled_on", "card_number"], name="appointment_card_per_day"),
            models.CheckConstraint(condition=Q(status__in=AppointmentStatus.values), name="appointment_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.card_number} {self.vehicle}"
