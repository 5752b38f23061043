"""Complaints, rescues, follow-up calls, care SMS, ledgers and awards (CC01-CC08, IN01-IN08)."""
