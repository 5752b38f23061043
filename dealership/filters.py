"""List filters, declared once with django-filter for a page's filter form and the API alike.

An app declares a `FilterSet` per list next to its selectors; a page builds it from `request.GET`
and renders `filterset.form`, an API view names it as `filterset_class`, and drf-spectacular
documents its parameters. The API's backend is strict: a parameter the list does not know answers
400 naming it, instead of being silently ignored and returning everything.
"""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied, ValidationError

from dealership import identifiers, selectors
from dealership.models import Customer, SmsMessage, SmsStatus, Vehicle
from dealership.permissions import may_see_full_mobile

# Parameters every list understands besides its filters: the paginator's and DRF's own.
COMMON_PARAMS = frozenset({"page", "page_size", "format"})


def reject_nul(params) -> None:
    """A NUL byte cannot be stored or searched for: 400 instead of the database's error."""
    bad = sorted(name for name, values in params.lists() if any("\x00" in value for value in values))
    if bad:
        raise ValidationError({name: [_("The value contains a NUL character.")] for name in bad})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, plus: unknown query parameters on a list are a 400 naming them."""

    def filter_queryset(self, request, queryset, view):
        reject_nul(request.query_params)
        if getattr(view, "action", "list") == "list":
            filterset_class = self.get_filterset_class(view, queryset)
            known = COMMON_PARAMS | set(getattr(view, "extra_query_params", ()))
            if filterset_class is not None:
                known |= set(filterset_class.base_filters)
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ValidationError({name: [_("This list has no such filter.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)


class FilterSet(django_filters.FilterSet):
    """The project's FilterSet; a page calls `filtered()` and renders `form` (crispy) above its list."""

    def filtered(self) -> QuerySet:
        """The rows a page shows: none while the form has errors (it shows them next to its fields)."""
        if any("\x00" in str(value) for value in self.data.values()):
            self.form.add_error(None, _("The value contains a NUL character."))
            return self.queryset.none()
        return self.qs if self.is_valid() else self.queryset.none()


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number (1.5 or "abc" is a 400, not a rounded or ignored id)."""

    field_class = forms.IntegerField


class NormalizedFilter(django_filters.CharFilter):
    """An exact match on a value normalised as it is stored (a VIN, plate or mobile typed loosely)."""

    def __init__(self, *args, normalizer, **kwargs):
        self.normalizer = normalizer
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, self.normalizer(value) if value else value)


def vin_filter(**kwargs) -> NormalizedFilter:
    return NormalizedFilter(normalizer=identifiers.normalize_vin, **kwargs)


def plate_filter(**kwargs) -> NormalizedFilter:
    return NormalizedFilter(normalizer=identifiers.normalize_plate, **kwargs)


def mobile_filter(**kwargs) -> NormalizedFilter:
    return NormalizedFilter(normalizer=identifiers.normalize_mobile, **kwargs)


# --- The directory's and the outbox's lists ---------------------------------------------------------


class CustomerFilter(FilterSet):
    """The API's customer list: one search box, or an exact mobile for roles that see whole numbers."""

    search = django_filters.CharFilter(label=_("Name, mobile, plate or VIN tail"), max_length=40, method="by_search")
    mobile = django_filters.CharFilter(label=_("Mobile"), max_length=20, method="by_mobile")

    class Meta:
        model = Customer
        fields: list[str] = []

    def by_search(self, customers, name, value):
        return customers.filter(selectors.customer_match(value.strip(), by_phone=self._full_numbers()))

    def by_mobile(self, customers, name, value):
        if not self._full_numbers():
            raise PermissionDenied(_("Your role sees masked numbers and cannot search by them."))
        return customers.filter(mobile=identifiers.normalize_mobile(value))

    def _full_numbers(self) -> bool:
        return self.request is not None and may_see_full_mobile(self.request.user)


class VehicleFilter(FilterSet):
    customer = IdFilter(label=_("Owner's id"), field_name="customer_id")
    vin = vin_filter(label=_("VIN"), max_length=20)
    plate = plate_filter(label=_("Number plate"), max_length=12)

    class Meta:
        model = Vehicle
        fields: list[str] = []


class SmsFilter(FilterSet):
    """The outbox, on its page and in the API: by status, kind and the start of the mobile."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=SmsStatus.choices, empty_label=_("All statuses"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=selectors.sms_kinds, empty_label=_("All kinds"))
    mobile = django_filters.CharFilter(label=_("Mobile"), max_length=20, method="by_mobile_start")

    class Meta:
        model = SmsMessage
        fields: list[str] = []

    def by_mobile_start(self, messages, name, value):
        return messages.filter(mobile__startswith=identifiers.normalize_mobile(value))
