"""News the workshop gives to the apps above it (customer care counts rework per person and month)."""

from django.dispatch import Signal

# Sent after commit: kwargs item, at, kind ("internal" or "external").
item_reworked = Signal()
