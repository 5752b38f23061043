"""The workshop pages' filters, declared once with django-filter (the workshop API has no lists)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import BooleanFilter

from dealership.filters import FilterSet
from service_desk.models import ItemStatus, RepairItem
from workshop import selectors
from workshop.models import LibraryCase


class BoardFilter(FilterSet):
    """The dispatch board: everything, or "my jobs" for a technician (what is still to do)."""

    mine = BooleanFilter(label=_("My jobs"), method="by_technician")

    class Meta:
        model = RepairItem
        fields: list[str] = []

    def by_technician(self, items, name, value):
        if not value:
            return items
        return items.filter(technician=self.request.user).exclude(status=ItemStatus.PASSED)


class LibraryFilter(FilterSet):
    """The difficult-case library: every word typed, found in the model, symptoms, fault codes or text."""

    q = django_filters.CharFilter(label=_("Model, symptom or fault code (P0300)"), max_length=100, method="by_words")

    class Meta:
        model = LibraryCase
        fields: list[str] = []

    def by_words(self, cases, name, value):
        return cases.filter(selectors.library_match(value))
