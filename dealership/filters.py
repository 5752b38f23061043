"""List filters, declared once with django-filter for a page's filter form and the API alike.

An app declares a `FilterSet` per list next to its selectors; a page builds it from `request.GET`
and renders `filterset.form`, an API view names it as `filterset_class`, and drf-spectacular
documents its parameters. The API's backend is strict: a parameter the list does not know answers
400 naming it, instead of being silently ignored and returning everything.
"""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from dealership import identifiers

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
