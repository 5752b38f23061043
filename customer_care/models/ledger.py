"""The bonus and penalty ledger (IN01-IN09): append-only entries, the rates as data, closed months.

An entry is written once and never changed: the model refuses it, and on PostgreSQL and SQLite a
trigger refuses any UPDATE or DELETE of the table (migration 0009). A mistake is corrected by a
reversing entry that points at the one it reverses. An entry posted automatically carries its
source key (`order:17`, `praise:40`), unique per rule, so posting the same source twice pays once.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL
LIMIT = Decimal("100000.00")  # no single bonus or penalty is this large: a typo, refused


class Rule(models.TextChoices):
    PRAISE = "IN01", _("IN01 Praised in a follow-up call")
    PRAISE_AWARD = "IN02", _("IN02 Most praised of the month")
    RATING = "IN03", _("IN03 Checkout rating")
    PROCESS_AWARD = "IN04", _("IN04 Most 'very satisfied' ratings of the month")
    SCRIPT = "IN06", _("IN06 Phone-script violation")
    MANUAL = "IN07", _("IN07 Decided by a manager")
    COMMISSION = "IN08", _("IN08 Commission")
    FAULT = "IN09", _("IN09 Complaint at the dealership's fault")


class Rate(models.Model):
    """What a rule pays or costs, from a date on (IN01-IN04, IN08). A new rate starts on or after
    today and never rewrites the past: the rate of an entry is the one in force on its day.

    `key` names the case within a rule: the rating (`average`, `poor`, `missing`, `refused`) for IN03,
    `output` or `csi` for IN08 (a percentage), `minimum` for IN02 (a count), empty otherwise."""

    rule = models.CharField(_("rule"), max_length=4, choices=Rule.choices)
    key = models.CharField(_("case"), max_length=16, blank=True)
    amount = models.DecimalField(
        _("amount"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(-LIMIT), MaxValueValidator(LIMIT)],
    )
    effective_from = models.DateField(_("in force from"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key", "effective_from"],
                name="one_rate_per_rule_case_and_day",
                violation_error_message=_("This rule already has a rate from that day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.key} {self.amount} ({self.effective_from})"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("ledger entries are never updated: post a reversing entry")

    def delete(self):
        raise TypeError("ledger entries are never deleted: post a reversing entry")


class LedgerEntry(models.Model):
    """One bonus (positive) or penalty (negative) for one person, in CNY."""

    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("person"))
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    rule = models.CharField(_("rule"), max_length=4, choices=Rule.choices)
    reason = models.CharField(_("reason"), max_length=300)
    # What caused it, for automatic entries: `order:17`, `praise:40`, `script:3`, `fault:8`,
    # `award:2026-11`. Empty for manual entries and reversals.
    source = models.CharField(_("source"), max_length=40, blank=True)
    occurred_on = models.DateField(_("occurred on"))
    # The month the entry counts in: its own, or the first open month after a closed one.
    month = models.DateField(_("month"))
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    posted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("posted by")
    )
    posted_at = models.DateTimeField(_("posted at"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "source"], condition=~Q(source=""), name="one_entry_per_rule_and_source"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=Q(month__day=1), name="ledger_month_is_first_day"),
        ]
        indexes = [
            models.Index(fields=["staff", "month"], name="ledger_staff_month"),
            models.Index(fields=["month", "rule"], name="ledger_month_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.staff_id} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("ledger entries are never updated: post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ledger entries are never deleted: post a reversing entry")


class MonthClose(models.Model):
    """A month a manager closed: its award entries are posted and nothing more goes into it; the
    ranking is published on the notice page."""

    month = models.DateField(_("month"), unique=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="closed_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("A month starts on its first day.")})


def month_of(day: date) -> date:
    return day.replace(day=1)


def source_key(prefix: str, pk) -> Concat:
    """A row's source key as an SQL expression ('praise:' || id), to match entries to their sources."""
    return Concat(Value(f"{prefix}:"), Cast(pk, models.CharField()), output_field=models.CharField())
