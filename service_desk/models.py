"""Labour operations, appointments, repair orders (委托书) with their items and parts, and the desk's
records: pairing, evening meetings, new-car handovers, insurance claims (SD01-SD19)."""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from dealership.models import Customer, OneRowPolicy, Vehicle
from parts.models import Part

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


# --- Appointments -----------------------------------------------------------------------------------


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


# --- Repair orders ----------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("order", "Open")
    IN_PROGRESS = "in_progress", _("In the workshop")
    READY = "ready", _("Ready")
    SETTLED = "settled", _("Settled")
    DELIVERED = "delivered", pgettext_lazy("order", "Delivered")
    CANCELLED = "cancelled", pgettext_lazy("order", "Cancelled")


class Rating(models.TextChoices):
    """SD13: the customer's five levels, or no rating given."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    GOOD = "good", _("Good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")
    REFUSED = "refused", _("Declined to rate")
    MISSING = "missing", _("No rating")


class RepairOrder(models.Model):
    """A work order (委托书): the customer's requests verbatim, the items, the promise and the money."""

    Status = OrderStatus
    TRANSITIONS = {
        OrderStatus.OPEN: {OrderStatus.IN_PROGRESS, OrderStatus.READY, OrderStatus.CANCELLED},
        OrderStatus.IN_PROGRESS: {OrderStatus.READY, OrderStatus.OPEN},
        OrderStatus.READY: {OrderStatus.SETTLED, OrderStatus.IN_PROGRESS},  # back when an item is added or reworked
        OrderStatus.SETTLED: {OrderStatus.DELIVERED},
        OrderStatus.DELIVERED: set(),
        OrderStatus.CANCELLED: set(),
    }
    EDITABLE = (OrderStatus.OPEN, OrderStatus.IN_PROGRESS, OrderStatus.READY)

    number = models.CharField(_("number"), max_length=20, unique=True)
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("vehicle")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("customer")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("advisor")
    )
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_order",
        verbose_name=_("appointment"),
    )
    is_green_channel = models.BooleanField(_("green channel"), default=False)
    added_value_service = models.CharField(_("added-value service"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), validators=[MaxValueValidator(2_000_000)])
    customer_requests = models.TextField(_("customer's requests, in their words"), blank=True)
    # SD03 reception timing
    arrived_at = models.DateTimeField(_("arrived at"))
    greeted_at = models.DateTimeField(_("greeted at"), null=True, blank=True)
    in_bay_at = models.DateTimeField(_("in the bay at"), null=True, blank=True)
    # SD05 walk-around check and reception sheet
    walkaround = models.JSONField(_("walk-around check"), default=dict, blank=True)
    reception_signed_by = models.CharField(_("reception sheet signed by"), max_length=30, blank=True)
    reception_signed_at = models.DateTimeField(_("reception sheet signed at"), null=True, blank=True)
    reception_signature = models.TextField(_("drawn signature"), blank=True)  # PNG data URL from the tablet
    # SD09 confirmation
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.CharField(_("confirmed by"), max_length=30, blank=True)
    confirmation_round = models.PositiveSmallIntegerField(default=0)
    needs_confirmation = models.BooleanField(_("needs the customer's confirmation"), default=False)
    # SD10 promise
    promised_at = models.DateTimeField(_("promised at"), null=True, blank=True)
    promise_basis = models.CharField(_("how the promise was made"), max_length=300, blank=True)
    overrun_reported_at = models.DateTimeField(_("overrun reported at"), null=True, blank=True)
    overrun_note = models.CharField(_("overrun"), max_length=200, blank=True)
    customer_told_of_overrun_at = models.DateTimeField(null=True, blank=True)
    # Money, recomputed by the services whenever an item or part line changes
    labour_total = models.DecimalField(_("labour"), **MONEY, default=Decimal("0"))
    parts_total = models.DecimalField(_("parts"), **MONEY, default=Decimal("0"))
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0"))
    # SD13 checkout
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    # IN03 rev. 2: the cashier (结算员) who settled the order is the check on the advisor's rating.
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settled by"),
    )
    delivered_at = models.DateTimeField(pgettext_lazy("order", "delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        indexes = [
            models.Index(fields=["advisor", "status"], name="order_advisor_status"),
            models.Index(fields=["status", "promised_at"], name="order_status_promise"),
            models.Index(fields=["settled_at"], name="order_settled_at"),
            models.Index(fields=["arrived_at"], name="order_arrived_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
            models.CheckConstraint(
                condition=~Q(status__in=[OrderStatus.SETTLED, OrderStatus.DELIVERED])
                | (Q(settled_at__isnull=False) & ~Q(rating="")),
                name="order_settled_has_time_and_rating",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="order_delivered_has_time",
            ),
            # One order in the building per car at a time.
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=Q(status__in=["open", "in_progress", "ready"]),
                name="one_open_order_per_vehicle",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    QC = "qc", _("In QC")
    PASSED = "passed", _("Passed")
    REWORK = "rework", _("Rework")
    DECLINED = "declined", _("Declined by the customer")


class RepairItem(models.Model):
    """One job on the order (SD06-SD08): category, what to do, where, labour, parts."""

    Status = ItemStatus
    # The workshop moves items along these arrows (assign, start, QC); the desk only adds and declines.
    TRANSITIONS = {
        ItemStatus.PENDING: {ItemStatus.ASSIGNED, ItemStatus.DECLINED},
        ItemStatus.ASSIGNED: {ItemStatus.IN_PROGRESS, ItemStatus.PENDING},
        ItemStatus.IN_PROGRESS: {ItemStatus.QC, ItemStatus.ASSIGNED},
        ItemStatus.QC: {ItemStatus.PASSED, ItemStatus.REWORK},
        ItemStatus.REWORK: {ItemStatus.IN_PROGRESS, ItemStatus.QC},
        ItemStatus.PASSED: {ItemStatus.REWORK},  # a failed final check after passing earlier stages
        ItemStatus.DECLINED: set(),
    }
    COUNTED = ~Q(status=ItemStatus.DECLINED)  # declined items are neither worked nor charged

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="items", verbose_name=_("order"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    labour_operation = models.ForeignKey(
        LabourOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("labour operation"),
    )
    position = models.CharField(_("position"), max_length=12, choices=Position.choices, blank=True)
    labour_hours = models.DecimalField(
        _("flat-rate hours"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=NOT_NEGATIVE
    )
    labour_price = models.DecimalField(_("labour price"), **MONEY, default=Decimal("0"), validators=NOT_NEGATIVE)
    parts_amount = models.DecimalField(_("parts amount"), **MONEY, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_items",
        verbose_name=_("technician"),
    )
    is_confirmed = models.BooleanField(_("confirmed by the customer"), default=False)
    confirmation_round = models.PositiveSmallIntegerField(default=0)  # the round it was added in
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("added at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [models.Index(fields=["status", "technician"], name="item_status_technician")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="item_status_known"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="item_category_known"),
            models.CheckConstraint(
                condition=Q(position="") | Q(position__in=Position.values), name="item_position_known"
            ),
            models.CheckConstraint(condition=Q(labour_price__gte=0), name="item_labour_not_negative"),
        ]

    def __str__(self) -> str:
        position = f"（{self.get_position_display()}）" if self.position else ""
        return f"{self.description}{position}"

    @property
    def amount(self) -> Decimal:
        return self.labour_price + self.parts_amount


class PartLine(models.Model):
    """Parts on an item, taken from stock for this order at the price of the day."""

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="part_lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("part"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    is_backordered = models.BooleanField(_("waiting for the part"), default=False)
    backorder = models.ForeignKey(
        "parts.Backorder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("backorder"),
        help_text=_("The customer's backorder this line waits for; its arrival makes the line ready to fit."),
    )

    class Meta:
        verbose_name = _("part line")
        verbose_name_plural = _("part lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="part_line_quantity")]

    def __str__(self) -> str:
        return f"{self.part} × {self.quantity}"


class OrderEvent(models.Model):
    """History of an order: status changes and everything else worth knowing later, who and when."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=OrderStatus.choices, blank=True)
    note = models.CharField(_("note"), max_length=300)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "at"], name="order_event_at")]

    def __str__(self) -> str:
        return self.note


class DeferredWork(models.Model):
    """Work the customer declined (SD09): kept on the car's record and offered at the next visit."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="deferred_work")
    source_item = models.OneToOneField(RepairItem, on_delete=models.CASCADE, related_name="deferred")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    labour_operation = models.ForeignKey(LabourOperation, on_delete=models.SET_NULL, null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"))
    taken_up_at = models.DateTimeField(_("taken up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deferred work")
        verbose_name_plural = _("deferred work")
        indexes = [models.Index(fields=["vehicle", "taken_up_at"], name="deferred_open")]

    def __str__(self) -> str:
        return self.description


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


# --- The desk's records -----------------------------------------------------------------------------


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


class CustomerQuestion(models.Model):
    """WS09: a question from the workshop for the customer, asked and answered through the advisor."""

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="questions", verbose_name=_("item"))
    question = models.CharField(_("question"), max_length=300)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.CharField(_("the customer's answer"), max_length=300, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question for the customer")
        verbose_name_plural = _("questions for the customer")
        indexes = [models.Index(fields=["answered_at"], name="question_open")]

    def __str__(self) -> str:
        return self.question
