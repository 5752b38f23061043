"""The desk's records: pairing and absence (SD04), evening meetings (SD17), new-car handovers (SD18),
phone-script violations (SD16), insurance claims (SD19)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import Vehicle
from service_desk.models.orders import RepairOrder
from service_desk.models.reference import MONEY, NOT_NEGATIVE


class DeskPairing(models.Model):
    """SD04: the two advisors who cover for each other on a day, set by the manager."""

    day = models.DateField(_("day"))
    first = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("advisor")
    )
    second = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )

    class Meta:
        verbose_name = _("desk pairing")
        verbose_name_plural = _("desk pairings")
        constraints = [
            models.UniqueConstraint(fields=["day", "first"], name="pairing_first_once_a_day"),
            models.UniqueConstraint(fields=["day", "second"], name="pairing_second_once_a_day"),
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="pairing_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.first_id}+{self.second_id}"


class AdvisorAway(models.Model):
    """An advisor away from the desk: their waiting customers show on the partner's desk."""

    advisor = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away")
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.advisor_id} away"


class EveningMeeting(models.Model):
    """SD17: the day's evening meeting (夕会): problems and the decisions taken, with owners."""

    day = models.DateField(_("day"), unique=True)
    attendees = models.CharField(_("attendees"), max_length=200, blank=True)
    problems = models.TextField(_("problems of the day"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evening meeting")
        verbose_name_plural = _("evening meetings")

    def __str__(self) -> str:
        return str(self.day)


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(EveningMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text


class Handover(models.Model):
    """SD18: a new car handed over by sales, service and customer care together, with its first service set."""

    vehicle = models.OneToOneField(
        Vehicle, on_delete=models.PROTECT, related_name="handover", verbose_name=_("vehicle")
    )
    handed_over_on = models.DateField(_("handed over on"))
    sales_person = models.CharField(_("sales consultant"), max_length=30)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("service advisor")
    )
    care_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer care")
    )
    first_service_on = models.DateField(_("first maintenance by"))
    first_service_km = models.PositiveIntegerField(_("or at (km)"), default=5000)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("new-car handover")
        verbose_name_plural = _("new-car handovers")

    def __str__(self) -> str:
        return f"{self.vehicle} {self.handed_over_on}"


class ScriptViolation(models.Model):
    """SD16: a manager found an advisor answering the phone off the greeting script on a day. It costs
    half of the advisor's output value that day (IN06); the figure is read from the settled orders.
    Written once, never edited."""

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("service advisor")
    )
    day = models.DateField(_("day"))
    note = models.CharField(_("what was heard"), max_length=200)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("found by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("phone-script violation")
        verbose_name_plural = _("phone-script violations")
        # Half a day's output is the whole penalty for that day, however many calls went wrong.
        constraints = [models.UniqueConstraint(fields=["advisor", "day"], name="one_script_violation_per_day")]

    def __str__(self) -> str:
        return f"{self.advisor} {self.day}"


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", _("Reported to the insurer")
    SURVEYED = "surveyed", _("Surveyed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class InsuranceClaim(models.Model):
    """SD19: the insurance claim of an accident order, followed by a claims specialist."""

    order = models.OneToOneField(RepairOrder, on_delete=models.PROTECT, related_name="claim", verbose_name=_("order"))
    insurer = models.CharField(_("insurer"), max_length=60)
    claim_number = models.CharField(_("claim number"), max_length=40)
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("claims specialist")
    )
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.REPORTED)
    approved_amount = models.DecimalField(_("approved amount"), **MONEY, null=True, blank=True, validators=NOT_NEGATIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    history = HistoricalRecords()

    # A claim is surveyed before it is approved and approved before it is paid; a rejection ends it.
    TRANSITIONS = {
        ClaimStatus.REPORTED: {ClaimStatus.SURVEYED, ClaimStatus.REJECTED},
        ClaimStatus.SURVEYED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
        ClaimStatus.APPROVED: {ClaimStatus.PAID},
        ClaimStatus.PAID: set(),
        ClaimStatus.REJECTED: set(),
    }

    class Meta:
        verbose_name = _("insurance claim")
        verbose_name_plural = _("insurance claims")
        constraints = [models.UniqueConstraint(fields=["insurer", "claim_number"], name="claim_number_per_insurer")]

    def __str__(self) -> str:
        return f"{self.insurer} {self.claim_number}"
