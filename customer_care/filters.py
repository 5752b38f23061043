"""The filters of customer care's lists, declared once: the pages build them from `request.GET`, the
API names them as `filterset_class` (drf-spectacular documents them; an unknown parameter is a 400)."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from customer_care import selectors
from customer_care.models import Call, Complaint, ComplaintStatus, FollowUp, FollowUpStatus, Line
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
