"""The desk's reference data: categories and positions, labour operations and their prices (SD11),
care recommendations (SD15), the front desk's policy."""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import OneRowPolicy

MONEY = {"max_digits": 12, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Category(models.TextChoices):
    """SD07: every item is one of these; the daily report (SD14) counts by them."""

    MAINTENANCE = "maintenance", _("Maintenance")
    MINOR_REPAIR = "minor_repair", _("Minor repair")
    WARRANTY = "warranty", _("Warranty")
    ACCIDENT = "accident", _("Accident")
    CARE_PRODUCT = "care_product", _("Care product")
    ACCESSORY = "accessory", _("Accessory")


class Position(models.TextChoices):
    """SD08: where a positional part or operation is fitted."""

    FRONT_LEFT = "front_left", _("front left")
    FRONT_RIGHT = "front_right", _("front right")
    REAR_LEFT = "rear_left", _("rear left")
    REAR_RIGHT = "rear_right", _("rear right")
    FRONT = "front", _("front")
    REAR = "rear", _("rear")
    LEFT = "left", _("left")
    RIGHT = "right", _("right")


class LabourOperation(models.Model):
    """A priced operation on the price board (SD11): flat-rate hours and the price charged."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    hours = models.DecimalField(_("flat-rate hours"), max_digits=6, decimal_places=2, validators=NOT_NEGATIVE)
    price = models.DecimalField(_("price"), **MONEY, validators=NOT_NEGATIVE)
    is_positional = models.BooleanField(_("positional"), default=False)
    is_active = models.BooleanField(_("on the price board"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("labour operation")
        verbose_name_plural = _("labour operations")
        indexes = [models.Index(fields=["is_active", "category", "code"], name="labour_board")]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0) & Q(hours__gte=0), name="labour_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


PHONE_SCRIPT = (
    "您好，XX4S店售后服务部，我是服务顾问XXX，很高兴为您服务，请问有什么可以帮您？\n"
    "（记下客户姓名、车牌和需求，复述确认）\n"
    "感谢您的来电，有任何问题请随时联系我们，再见！"
)


class DeskPolicy(OneRowPolicy):
    """The front desk's targets and hours, changed by a manager. One row."""

    greet_within_s = models.PositiveSmallIntegerField(_("greet within (seconds)"), default=5)
    in_bay_within_s = models.PositiveSmallIntegerField(_("into a work bay within (seconds)"), default=60)
    workday_start = models.TimeField(_("workshop opens"), default=time(8, 30))
    workday_end = models.TimeField(_("workshop closes"), default=time(18, 0))
    technicians_on_shift = models.PositiveSmallIntegerField(
        _("technicians on shift"),
        default=0,
        help_text=_("0: those on the workshop's shift today, or every technician when no shift is set."),
    )
    green_channel_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("green-channel advisor"),
        help_text=_("Quick maintenance, rework and complaint visits go to this advisor unless another is named."),
    )
    reconfirm_after_items = models.PositiveSmallIntegerField(
        _("new items before the customer must confirm again"),
        default=3,
        validators=[MinValueValidator(0)],
    )
    phone_script = models.TextField(
        _("phone greeting script"),
        default=PHONE_SCRIPT,
        help_text=_("What an advisor says when answering the phone; shown on the desk's records page."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("front desk policy")
        verbose_name_plural = _("front desk policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="desk_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Front desk policy"))

    def clean(self) -> None:
        if self.workday_end <= self.workday_start:
            raise ValidationError({"workday_end": _("The workshop closes after it opens.")})


class CareRule(models.Model):
    """SD15: recommend a care product or operation for a model after so many days since the last one."""

    labour_operation = models.ForeignKey(
        LabourOperation, on_delete=models.CASCADE, related_name="care_rules", verbose_name=_("labour operation")
    )
    model_contains = models.CharField(
        _("for models containing"), max_length=40, blank=True, help_text=_("Empty: every model.")
    )
    interval_days = models.PositiveIntegerField(_("every (days)"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("why, for the customer"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("care recommendation")
        verbose_name_plural = _("care recommendations")

    def __str__(self) -> str:
        return f"{self.labour_operation} / {self.interval_days}"
