"""The manager's reports, at /reports/: awards and ledgers, weekly figures, rework, complaint SLA, reception."""

urlpatterns: list = []
