"""The parts lists' filters, declared once for the pages' filter forms and the API's parameters."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.rest_framework import BooleanFilter

from dealership.filters import FilterSet, NormalizedFilter
from parts import selectors
from parts.models import Backorder, BackorderStatus, Part
from parts.services import normalize_part_number


class PartFilter(FilterSet):
    """The catalogue: what a clerk types (the page's search box `q`, the API's `search`), or one exact number."""

    search = django_filters.CharFilter(label=_("Part number, name or pinyin initials (jzq = 减震器)"), method="by_text")
    q = django_filters.CharFilter(label=_("Search"), method="by_text")
    part_number = NormalizedFilter(normalizer=normalize_part_number, label=_("Part number"), max_length=40)

    class Meta:
        model = Part
        fields: list[str] = []

    def by_text(self, parts, name, value):
        return parts.filter(selectors.part_match(value))


class BackorderFilter(FilterSet):
    """Backorders by status ("open": not yet collected or cancelled), a search, and my customers' only."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", pgettext_lazy("backorders", "Not yet collected")), ("", _("All")), *BackorderStatus.choices],
        empty_label=None,
        method="by_status",
    )
    q = django_filters.CharFilter(label=_("Search"), max_length=40, method="by_text")
    # My customers' backorders: those I placed and those for my work orders (PT02 rev. 2).
    mine = BooleanFilter(label=_("Mine only"), method="by_advisor")

    class Meta:
        model = Backorder
        fields: list[str] = []

    def by_status(self, rows, name, value):
        return rows.filter(status__in=Backorder.OPEN) if value == "open" else rows.filter(status=value)

    def by_text(self, rows, name, value):
        return rows.filter(selectors.backorder_match(value))

    def by_advisor(self, rows, name, value):
        return rows.filter(selectors.advisors_own(self.request.user)) if value else rows
