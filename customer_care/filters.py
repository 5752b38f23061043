"""The filters of customer care's lists, declared once: the pages build them from `request.GET`, the
API names them as `filterset_class` (drf-spectacular documents them; an unknown parameter is a 400)."""

import re

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from customer_care import selectors
from customer_care.models import (
    Call,
    Complaint,
    ComplaintStatus,
    FollowUp,
    FollowUpStatus,
    LedgerEntry,
    Line,
    Rule,
)
from dealership.filters import FilterSet, IdFilter

# "open" is every complaint not yet closed, at whichever stage; the others are the state itself.
COMPLAINT_STATUSES = [
    ("open", _("Not closed")),
    *[(status.value, status.label) for status in ComplaintStatus if status != ComplaintStatus.OPEN],
]


class ComplaintFilter(FilterSet):
    """The complaint queue and `/api/v1/complaints/`: complaints not closed come by the due time of the
    stage in hand, the others newest first."""

    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Complaint or work-order number, customer, mobile or plate")
    )
    status = django_filters.ChoiceFilter(choices=COMPLAINT_STATUSES, method="in_status", label=_("Status"))
    assignee = IdFilter(field_name="assignee", label=_("Responsible advisor"))
    mine = django_filters.BooleanFilter(method="only_mine", widget=BooleanWidget, label=_("Mine only"))
    overdue = django_filters.BooleanFilter(
        method="only_overdue",
        widget=BooleanWidget,
        label=_("Overdue only"),
        help_text=_("Only those past the due time of the stage in hand"),
    )

    class Meta:
        model = Complaint
        fields = ()

    def search(self, rows: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_complaints(rows, value)

    def in_status(self, rows: QuerySet, name: str, value: str) -> QuerySet:
        return rows.filter(next_due__isnull=False) if value == "open" else rows.filter(status=value)

    def only_mine(self, rows: QuerySet, name: str, value: bool) -> QuerySet:
        return rows.filter(assignee=self.request.user) if value else rows

    def only_overdue(self, rows: QuerySet, name: str, value: bool) -> QuerySet:
        return selectors.overdue(timezone.now(), rows=rows) if value else rows

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        rows = super().filter_queryset(queryset)
        chosen = self.form.cleaned_data
        # Only a complaint not yet closed has a next due time: those read from its index in due order.
        if chosen.get("status") == "open" or chosen.get("overdue"):
            return rows.order_by("next_due", "pk")
        return rows.order_by("-created_at", "-pk")


class FollowUpFilter(FilterSet):
    """`/api/v1/follow-ups/`."""

    due = django_filters.BooleanFilter(
        method="due_now", widget=BooleanWidget, label=_("Due now"), help_text=_("Only the calls to make now")
    )

    class Meta:
        model = FollowUp
        fields = ()

    def due_now(self, rows: QuerySet, name: str, value: bool) -> QuerySet:
        return rows.filter(status=FollowUpStatus.DUE, due_at__lte=timezone.now()) if value else rows


class CallFilter(FilterSet):
    """The call log, by the line that rang."""

    line = django_filters.ChoiceFilter(choices=Line.choices, label=_("Line"))

    class Meta:
        model = Call
        fields = ()


MONTH = re.compile(r"^\d{4}-\d{2}$")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (not 2026-1), as its first day."""

    input_formats = ["%Y-%m"]

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not MONTH.match(value.strip()):
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-11."), code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "string", "pattern": MONTH.pattern, "example": "2026-11"})
class MonthFilter(django_filters.DateFilter):
    """A month as YYYY-MM, matched against a field holding the month's first day."""

    field_class = MonthField


class LedgerFilter(FilterSet):
    """`/api/v1/ledger-entries/` and the ledger pages: by person, the month an entry counts in, and rule.

    Someone who is not a manager reads only their own entries (`selectors.ledger_entries_for`); asking
    for another person's is refused rather than answered with an empty list."""

    staff = IdFilter(method="by_staff", label=_("Person"), help_text=_("The person's user id"))
    month = MonthFilter(field_name="month", label=_("Month"), help_text=_("The month the entry counts in, YYYY-MM"))
    rule = django_filters.ChoiceFilter(choices=Rule.choices, label=_("Rule"))

    class Meta:
        model = LedgerEntry
        fields = ()

    def by_staff(self, rows: QuerySet, name: str, value: int) -> QuerySet:
        user = getattr(self.request, "user", None)
        if user is None or (value != user.pk and not selectors.sees_every_ledger(user)):
            raise PermissionDenied(_("You can only see your own bonuses and penalties."))
        return rows.filter(staff_id=value)
