"""Dispatch, job clock, QC stages, rework, escalations and the difficult-case library (WS01-WS09)."""
