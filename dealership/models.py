"""The core directory: staff and their roles, customers and their vehicles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.fields import LandlineField, MobileField, PlateField, VinField


class Role(models.TextChoices):
    """The seven roles; each is a Django group of the same name, created by a migration."""

    ADVISOR = "advisor", _("Service advisor")
    FOREMAN = "foreman", _("Workshop foreman")
    TECHNICIAN = "technician", _("Technician")
    INSPECTOR = "inspector", _("QC inspector")
    PARTS = "parts", _("Parts clerk")
    CALLCENTRE = "callcentre", _("Customer care agent")
    MANAGER = "manager", _("Service manager")


class Team(models.Model):
    """A front-desk pair, a workshop team or the call-centre group."""

    name = models.CharField(_("team name"), max_length=50, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """The staff profile of a user who holds a role. Its primary key is the user's id."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff",
        verbose_name=_("user"),
    )
    name = models.CharField(_("display name"), max_length=50)
    mobile = MobileField(_("mobile"), blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=50)
    mobile = MobileField(_("mobile"), db_index=True)
    landline = LandlineField(_("landline"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(condition=Q(mobile__regex=r"^1[3-9][0-9]{9}$"), name="customer_mobile_format"),
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_present"),
        ]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """A car identified by its VIN; the plate may change hands, the VIN never does."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("owner"))
    vin = VinField(_("VIN"), unique=True)
    plate = PlateField(_("number plate"), blank=True)
    model_name = models.CharField(_("model"), max_length=100)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.CheckConstraint(condition=Q(vin__regex=r"^[A-HJ-NPR-Z0-9]{17}$"), name="vehicle_vin_format"),
            models.UniqueConstraint(
                fields=["plate"],
                condition=~Q(plate=""),
                name="vehicle_plate_unique",
                violation_error_message=_("Another vehicle already carries this plate."),
            ),
            models.CheckConstraint(condition=Q(plate="") | Q(plate__regex=r"^.{7,8}$"), name="vehicle_plate_length"),
        ]

    def __str__(self) -> str:
        return f"{self.plate or self.vin} {self.model_name}"
