"""News the parts department gives to the apps above it (they listen; parts never imports them)."""

from django.dispatch import Signal

# Sent inside the arrival's transaction when a backorder's part has arrived: kwargs backorder, at.
backorder_arrived = Signal()
