"""The desk's list filters, declared once for the list pages and the API (`dealership.filters`)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dealership.filters import FilterSet
from dealership.identifiers import normalize_plate
from service_desk.models import Appointment, Category, LabourOperation, OrderStatus, RepairOrder

IN_THE_BUILDING = "open"  # not a status of its own: open, in the workshop or ready


class LabourOperationFilter(FilterSet):
    """`/labour-operations/?code=BY01&category=maintenance`."""

    code = django_filters.CharFilter(lookup_expr="iexact", label=_("code"), max_length=20)
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("category"))

    class Meta:
        model = LabourOperation
        fields: list[str] = []


class AppointmentFilter(FilterSet):
    """One day's appointments: `?day=YYYY-MM-DD`."""

    day = django_filters.DateFilter(field_name="scheduled_on", label=_("Day"))

    class Meta:
        model = Appointment
        fields: list[str] = []


class RepairOrderFilter(FilterSet):
    """The API's `?status=` (one status, or `open` for every order in the building) and `?search=`
    (number, plate or customer name)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(IN_THE_BUILDING, _("In the building")), *OrderStatus.choices],
        method="filter_status",
    )
    search = django_filters.CharFilter(label=_("Search"), max_length=40, method="filter_search")

    class Meta:
        model = RepairOrder
        fields: list[str] = []

    def filter_status(self, orders: QuerySet, name: str, value: str) -> QuerySet:
        if value == IN_THE_BUILDING:
            return orders.filter(status__in=RepairOrder.EDITABLE)
        return orders.filter(status=value)

    def filter_search(self, orders: QuerySet, name: str, value: str) -> QuerySet:
        query = value.strip()
        if not query:
            return orders
        compact = normalize_plate(query)
        return orders.filter(
            Q(number__startswith=compact) | Q(vehicle__plate__contains=compact) | Q(customer__name__contains=query)
        )


class OrderListFilter(RepairOrderFilter):
    """The work-order page: the same filters, its search box named `q` as on every list page, and
    `mine` for the advisor's own orders. Build it with `request=` so `mine` knows who asks."""

    search = None
    q = django_filters.CharFilter(label=_("Search"), max_length=40, method="filter_search")
    mine = django_filters.BooleanFilter(label=_("Mine only"), method="filter_mine", widget=forms.CheckboxInput)

    def filter_mine(self, orders: QuerySet, name: str, value: bool) -> QuerySet:
        return orders.filter(advisor=self.request.user) if value else orders
