"""The manager's reports, at /reports/: awards and ledgers, weekly figures, rework, complaint SLA, reception."""

from django.urls import path

from customer_care.views import reports

urlpatterns = [
    path("", reports.index, name="reports"),
    path("awards/", reports.awards, name="report_awards"),
    path("awards/close/", reports.close_month, name="report_close_month"),
    path("weekly/", reports.weekly, name="report_weekly"),
    path("rework/", reports.rework, name="report_rework"),
    path("complaints/", reports.complaints, name="report_complaints"),
    path("reception/", reports.reception, name="report_reception"),
]
