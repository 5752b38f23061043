"""Repair orders (委托书): their items with parts lines, their history, the work a customer declined and
the workshop's questions for the customer (SD03-SD13, WS09)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dealership.models import Customer, Vehicle
from parts.models import Part
from service_desk.models.appointments import Appointment
from service_desk.models.reference import MONEY, NOT_NEGATIVE, Category, LabourOperation, Position


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

    @classmethod
    def log_transitions(cls, pks, from_status, to_status, *, by, at, note) -> None:
        """An order's moves are its own history (OrderEvent): who, from what, to what, when."""
        note = note or str(OrderStatus(to_status).label)
        OrderEvent.objects.bulk_create(
            OrderEvent(order_id=pk, at=at, by=by, from_status=from_status, to_status=to_status, note=note[:300])
            for pk in pks
        )


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

    @classmethod
    def log_transitions(cls, pks, from_status, to_status, *, by, at, note) -> None:
        """An item's move is an event of its order naming the item: who moved it, from what to what, when.

        Without the caller's own wording (`note`) the event reads "item: from → to"."""
        events = []
        for item in cls.objects.filter(pk__in=pks).order_by("pk"):
            text = note or f"{item}: {ItemStatus(from_status).label} → {ItemStatus(to_status).label}"
            events.append(OrderEvent(order_id=item.order_id, at=at, by=by, note=text[:300]))
        OrderEvent.objects.bulk_create(events)


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


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("waiting for the customer's answer")
    ANSWERED = "answered", _("answered")


class CustomerQuestion(models.Model):
    """WS09: a question from the workshop for the customer, asked and answered through the advisor."""

    Status = QuestionStatus
    TRANSITIONS = {QuestionStatus.OPEN: {QuestionStatus.ANSWERED}, QuestionStatus.ANSWERED: set()}

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
    status = models.CharField(_("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)

    class Meta:
        verbose_name = _("question for the customer")
        verbose_name_plural = _("questions for the customer")
        indexes = [models.Index(fields=["answered_at"], name="question_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=QuestionStatus.OPEN, answered_at__isnull=True)
                | Q(status=QuestionStatus.ANSWERED, answered_at__isnull=False),
                name="question_answered_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.question

    @classmethod
    def log_transitions(cls, pks, from_status, to_status, *, by, at, note) -> None:
        """An answer is an event of the order the question is about: who passed it on, and when."""
        questions = cls.objects.filter(pk__in=pks).select_related("item").order_by("pk")
        OrderEvent.objects.bulk_create(
            OrderEvent(order_id=question.item.order_id, at=at, by=by, note=note[:300]) for question in questions
        )
