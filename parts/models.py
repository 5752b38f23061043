"""Parts catalogue, stock, backorders, counter sales and gift stock (PT01-PT06)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.fields import LandlineField, MobileField
from dealership.models import Customer

MONEY = {"max_digits": 12, "decimal_places": 2}


class Part(models.Model):
    """A catalogue part. `stock_on_hand` changes only with a StockMovement, in the same transaction."""

    part_number = models.CharField(_("part number (OEM)"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    initials = models.CharField(_("pinyin initials"), max_length=100, blank=True, db_index=True, editable=False)
    retail_price = models.DecimalField(_("retail price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    wholesale_price = models.DecimalField(_("wholesale price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0, editable=False)
    unit = models.CharField(_("unit"), max_length=10, default="件")
    is_positional = models.BooleanField(
        _("positional"),
        default=False,
        help_text=_("Fitted at a position: a work order must say front/rear, left/right."),
    )
    is_genuine = models.BooleanField(_("genuine"), default=True, help_text=_("Genuine (原厂): made for the car maker."))
    is_approved = models.BooleanField(
        _("approved"),
        default=False,
        help_text=_("Approved (认证) aftermarket part: like a genuine part, it may be fitted under warranty."),
    )
    origin = models.CharField(_("origin"), max_length=60, blank=True, help_text=_("Maker or supplier."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["stock_on_hand", "initials"])

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        indexes = [models.Index(fields=["name"], name="part_name")]
        constraints = [
            models.CheckConstraint(condition=Q(retail_price__gte=0) & Q(wholesale_price__gte=0), name="part_prices"),
            models.CheckConstraint(condition=~Q(part_number=""), name="part_number_present"),
        ]

    def __str__(self) -> str:
        return f"{self.part_number} {self.name}"

    @property
    def is_genuine_or_approved(self) -> bool:
        """PT04: only such a part may be fitted under warranty."""
        return self.is_genuine or self.is_approved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue to a work order")
    COUNTER_SALE = "counter_sale", _("Counter sale")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")


class StockMovement(models.Model):
    """One change of stock, signed (+ in, - out). Append-only: a mistake is corrected by another movement."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="movements", verbose_name=_("part"))
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField(_("quantity"))
    balance_after = models.IntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True, help_text=_("Work order or sale number."))
    went_negative = models.BooleanField(_("stock allowed below zero"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["part", "-at"], name="movement_part_at")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.ADJUSTMENT) | ~Q(reason=""), name="adjustment_has_reason"
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0) | Q(went_negative=True), name="negative_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} {self.kind} {self.quantity:+d}"


class BackorderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DELAYED = "delayed", _("Delayed")
    ARRIVED = "arrived", _("Arrived")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


class Backorder(models.Model):
    """A part ordered for a customer because it was not in stock (PT01-PT03)."""

    Status = BackorderStatus
    TRANSITION_EVENTS = "events"  # each move is a row of BackorderEvent (dealership.transitions)
    TRANSITIONS = {
        BackorderStatus.ORDERED: {BackorderStatus.DELAYED, BackorderStatus.ARRIVED, BackorderStatus.CANCELLED},
        # A new expected date puts a delayed backorder back to ordered.
        BackorderStatus.DELAYED: {BackorderStatus.ORDERED, BackorderStatus.ARRIVED, BackorderStatus.CANCELLED},
        BackorderStatus.ARRIVED: {BackorderStatus.COLLECTED, BackorderStatus.CANCELLED},
        BackorderStatus.COLLECTED: set(),
        BackorderStatus.CANCELLED: set(),
    }
    OPEN = (BackorderStatus.ORDERED, BackorderStatus.DELAYED, BackorderStatus.ARRIVED)

    number = models.CharField(_("number"), max_length=20, unique=True)
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, null=True, blank=True, related_name="backorders", verbose_name=_("part")
    )
    description = models.CharField(_("part description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="backorders", verbose_name=_("customer")
    )
    mobile = MobileField(_("mobile"), blank=True)
    landline = LandlineField(_("landline"), blank=True)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="backorders", verbose_name=_("advisor")
    )
    expected_on = models.DateField(_("expected arrival"))
    status = models.CharField(
        _("status"), max_length=10, choices=BackorderStatus.choices, default=BackorderStatus.ORDERED
    )
    version = models.PositiveIntegerField(default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The work order waiting for the part, if any. A string reference: parts does not import the desk.
    repair_order = models.ForeignKey(
        "service_desk.RepairOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backorders",
        verbose_name=_("work order"),
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("collected or cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("backorder")
        verbose_name_plural = _("backorders")
        indexes = [
            models.Index(fields=["status", "expected_on"], name="backorder_status_due"),
            models.Index(fields=["advisor", "status"], name="backorder_advisor_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BackorderStatus.values), name="backorder_status_known"),
            models.CheckConstraint(condition=~Q(mobile="") | ~Q(landline=""), name="backorder_reachable"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="backorder_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(status=BackorderStatus.ARRIVED) | Q(arrived_at__isnull=False),
                name="backorder_arrival_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class BackorderEvent(models.Model):
    """History of a backorder: each status or date change, by whom and why."""

    backorder = models.ForeignKey(Backorder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=BackorderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=BackorderStatus.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("backorder event")
        verbose_name_plural = _("backorder events")
        indexes = [models.Index(fields=["backorder", "at"], name="backorder_event_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class CallReason(models.TextChoices):
    DELAYED = "delayed", _("Missed its expected date")
    NEW_DATE = "new_date", _("New expected date")
    ARRIVED = "arrived", _("Arrived: come for the part or the repair")


class BackorderCall(models.Model):
    """A customer with a landline only, to be phoned where others get an SMS (PT02, PT03 rev. 2).

    One row per notice (the key is the one the SMS would have had), so a sweep run twice lists one call.
    """

    backorder = models.ForeignKey(
        Backorder, on_delete=models.CASCADE, related_name="calls", verbose_name=_("backorder")
    )
    reason = models.CharField(_("reason"), max_length=10, choices=CallReason.choices)
    expected_on = models.DateField(_("date to tell"), null=True, blank=True)
    key = models.CharField(_("notice key"), max_length=100, unique=True)
    listed_at = models.DateTimeField(_("listed at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("call to a customer")
        verbose_name_plural = _("calls to customers")
        indexes = [
            models.Index(fields=["listed_at"], condition=Q(called_at__isnull=True), name="backorder_call_pending"),
            models.Index(fields=["-called_at"], name="backorder_call_made"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(called_at__isnull=True, called_by__isnull=True)
                | Q(called_at__isnull=False, called_by__isnull=False),
                name="backorder_call_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.backorder_id} {self.reason}"


class SaleKind(models.TextChoices):
    RETAIL = "retail", _("Retail")
    WHOLESALE = "wholesale", _("Wholesale")


class CounterSale(models.Model):
    """A sale over the parts counter (PT05). Complaints about it refer to this row."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SaleKind.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counter_sales",
        verbose_name=_("customer"),
    )
    buyer_name = models.CharField(_("buyer"), max_length=60, help_text=_("Customer or company name on the receipt."))
    total = models.DecimalField(_("total"), **MONEY)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("sold by"))
    sold_at = models.DateTimeField(_("sold at"))

    class Meta:
        verbose_name = _("counter sale")
        verbose_name_plural = _("counter sales")
        indexes = [models.Index(fields=["-sold_at"], name="counter_sale_newest")]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="counter_sale_total")]

    def __str__(self) -> str:
        return self.number


class CounterSaleLine(models.Model):
    sale = models.ForeignKey(CounterSale, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="sale_lines", verbose_name=_("part"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="sale_line_quantity"),
            models.CheckConstraint(condition=Q(amount=F("unit_price") * F("quantity")), name="sale_line_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} × {self.quantity}"


class GiftItem(models.Model):
    """A give-away kept in stock: key rings, car fragrance, floor mats (PT06)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    unit_cost = models.DecimalField(
        _("unit cost"), **MONEY, validators=[MinValueValidator(Decimal("0.50")), MaxValueValidator(Decimal("100.00"))]
    )
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords(excluded_fields=["stock_on_hand"])

    class Meta:
        verbose_name = _("gift item")
        verbose_name_plural = _("gift items")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gte=Decimal("0.50"), unit_cost__lte=Decimal("100.00")), name="gift_cost_range"
            ),
            models.CheckConstraint(condition=Q(stock_on_hand__gte=0), name="gift_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class GiftReason(models.TextChoices):
    VISIT = "visit", _("Visit gift")
    SPENDING_THRESHOLD = "spending_threshold", _("Spending threshold reached")
    COMPLAINT_RESOLUTION = "complaint_resolution", _("Complaint resolution")
    CAMPAIGN = "campaign", _("Campaign")
    RESTOCK = "restock", _("Restock")


class GiftMovement(models.Model):
    """Gifts received into stock (positive) or given to a customer (negative), with the cost at the time."""

    gift = models.ForeignKey(GiftItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("gift"))
    quantity = models.IntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)
    reason = models.CharField(_("reason"), max_length=20, choices=GiftReason.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="gifts", verbose_name=_("customer")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("gift movement")
        verbose_name_plural = _("gift movements")
        indexes = [models.Index(fields=["reason", "at"], name="gift_reason_at")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="gift_movement_not_zero"),
            # Given away: to a customer, for a reason other than restocking. Received: restock only.
            models.CheckConstraint(
                condition=(Q(quantity__lt=0) & Q(customer__isnull=False) & ~Q(reason="restock"))
                | (Q(quantity__gt=0) & Q(reason="restock")),
                name="gift_movement_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gift_id} {self.quantity:+d}"
