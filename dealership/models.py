"""The core directory (staff and their roles, customers and their vehicles) and the SMS outbox."""

import re
import secrets
from datetime import time
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team leader"),
        help_text=_("Workshop teams: the leader assessed each quarter on the team's results (WS08)."),
    )
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
    sms_opt_out = models.BooleanField(
        _("no greetings or notes by SMS"),
        default=False,
        help_text=_("Service messages (reminders, notices about their car) still go out."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
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
    vin = VinField(
        _("VIN"), unique=True, error_messages={"unique": _("A vehicle with this VIN is already registered.")}
    )
    plate = PlateField(_("number plate"), blank=True)
    model_name = models.CharField(_("model"), max_length=100)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), default=0, validators=[MaxValueValidator(2_000_000)])
    version = models.PositiveIntegerField(default=1, editable=False)
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

    @property
    def short_label(self) -> str:
        """How a text message or a list names the car: its plate, or the last six of the VIN before it has one."""
        return self.plate or self.vin[-6:]


class OneRowPolicy(models.Model):
    """A table of settings managers change, holding one row (each subclass constrains pk=1)."""

    class Meta:
        abstract = True

    @classmethod
    def current(cls) -> Self:
        """The settings in force, created with their defaults the first time they are read."""
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


# --- SMS outbox ---------------------------------------------------------------------------------------


class SmsPolicy(OneRowPolicy):
    """The messaging rules a manager can change: signature, quiet hours, retries. One row."""

    signature = models.CharField(
        _("signature"),
        max_length=20,
        default="【售后服务】",
        help_text=_("Shown first in every message, e.g. 【周口一汽-大众】."),
    )
    quiet_from = models.TimeField(_("quiet hours from"), default=time(21, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=time(8, 0))
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before giving up"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("messaging policy")
        verbose_name_plural = _("messaging policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="sms_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Messaging policy"))

    def clean(self) -> None:
        if not re.fullmatch(r"【[^【】]{2,16}】", self.signature or ""):
            raise ValidationError(
                {"signature": _("A signature is the shop's name in 【】, for example 【周口一汽-大众】.")}
            )
        if self.quiet_from == self.quiet_until:
            raise ValidationError({"quiet_until": _("Quiet hours need an end different from their start.")})


class SmsTemplate(models.Model):
    """The text of one kind of message, with {placeholders} its senders fill in.

    The kind, its placeholders and urgency are fixed by the feature that sends it (created in
    that app's migration); managers edit the wording.
    """

    kind = models.SlugField(_("kind"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    body = models.TextField(_("text"))
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True)
    sample = models.JSONField(_("sample values"), default=dict, blank=True)
    is_urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Urgent messages go out at once, even in quiet hours.")
    )
    honours_opt_out = models.BooleanField(
        _("not sent to customers who opted out"),
        default=False,
        help_text=_("Greetings and notes; service messages about the customer's own car go to everyone."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return self.name


def new_send_token() -> str:
    return secrets.token_hex(6)


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    HELD = "held", _("Held for quiet hours")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown: check with the gateway")


class SmsMessage(models.Model):
    """One text message to one mobile. The row is the outbox: workers only ever claim and settle it.

    `dedupe_key` names the event that caused the message (care:order:17:day1), so an event
    enqueued twice is one message. Broker messages carry the id only.
    """

    Status = SmsStatus
    # A status moves only along these arrows; `outbox` is the only module that moves it.
    TRANSITION_EVENTS = "events"  # each move is a row of SmsEvent (dealership.transitions)
    TRANSITIONS = {
        SmsStatus.HELD: {SmsStatus.QUEUED},
        SmsStatus.QUEUED: {SmsStatus.SENDING, SmsStatus.HELD},
        SmsStatus.SENDING: {SmsStatus.SENT, SmsStatus.QUEUED, SmsStatus.HELD, SmsStatus.FAILED, SmsStatus.UNKNOWN},
        SmsStatus.SENT: {SmsStatus.FAILED},  # a delivery receipt can still report failure
        SmsStatus.FAILED: {SmsStatus.QUEUED, SmsStatus.HELD},  # sent again by a person
        # Decided by a person, or settled by a delivery receipt.
        SmsStatus.UNKNOWN: {SmsStatus.QUEUED, SmsStatus.HELD, SmsStatus.SENT, SmsStatus.FAILED},
    }

    mobile = MobileField(_("mobile"))
    kind = models.SlugField(_("kind"), max_length=40)
    template = models.ForeignKey(
        SmsTemplate, on_delete=models.PROTECT, related_name="messages", verbose_name=_("template")
    )
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(_("dedupe key"), max_length=120, unique=True)
    # Part of the id the gateway knows the message by; renewed when a person sends it again, so the
    # gateway's record of an earlier send is never mistaken for the new one.
    send_token = models.CharField(max_length=12, default=new_send_token, editable=False)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("due at"))
    published_at = models.DateTimeField(_("handed to the workers at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    gateway_message_id = models.CharField(_("gateway message id"), max_length=64, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        permissions = [("record_sms_receipt", _("Can post SMS delivery receipts"))]
        indexes = [
            # The sweep's three questions and the outbox page's filters.
            models.Index(fields=["status", "next_attempt_at"], name="sms_status_due"),
            models.Index(fields=["status", "claimed_at"], name="sms_status_claimed"),
            models.Index(fields=["kind", "status"], name="sms_kind_status"),
            models.Index(fields=["-created_at"], name="sms_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SmsStatus.values), name="sms_status_known"),
            models.CheckConstraint(
                condition=~Q(status=SmsStatus.SENT) | Q(sent_at__isnull=False), name="sms_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=SmsStatus.SENDING) | Q(claimed_at__isnull=False), name="sms_sending_is_claimed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.mobile}"

    @property
    def out_id(self) -> str:
        """Our id for this send at the gateway (Aliyun calls it OutId): asked for again after a timeout."""
        return f"sms-{self.pk}-{self.send_token}"

    @property
    def segments(self) -> int:
        """How many billed SMS the text takes: 70 characters in one, 67 each when split."""
        length = len(self.body)
        return 1 if length <= 70 else -(-length // 67)


class SmsEvent(models.Model):
    """History of a message: each status change, by whom (none for workers) and why."""

    message = models.ForeignKey(SmsMessage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=SmsStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=SmsStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("message event")
        verbose_name_plural = _("message events")
        indexes = [models.Index(fields=["message", "at"], name="sms_event_message_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class DocumentCounter(models.Model):
    """The last number given out per document kind and day: RO202611260001, BO202611260002 ..."""

    prefix = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="document_counter_per_day")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d} #{self.last}"
