from django.urls import path

from workshop import views

urlpatterns = [
    path("board/", views.board, name="board"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/assign/", views.assign, name="job_assign"),
    path("jobs/<int:pk>/start/", views.start, name="job_start"),
    path("jobs/<int:pk>/pause/", views.pause, name="job_pause"),
    path("jobs/<int:pk>/resume/", views.resume, name="job_resume"),
    path("jobs/<int:pk>/finish/", views.finish, name="job_finish"),
    path("jobs/<int:pk>/qc/", views.qc, name="job_qc"),
    path("jobs/<int:pk>/escalate/", views.escalate, name="job_escalate"),
    path("jobs/<int:pk>/ask/", views.ask, name="job_ask"),
    path("jobs/<int:pk>/overrun/", views.overrun, name="job_overrun"),
    path("jobs/<int:pk>/comeback/", views.comeback, name="job_comeback"),
    path("shifts/", views.shifts, name="shifts"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/step/", views.escalation_step, name="escalation_step"),
    path("escalations/<int:pk>/approve/", views.escalation_approve, name="escalation_approve"),
    path("escalations/<int:pk>/solve/", views.escalation_solve, name="escalation_solve"),
    path("escalations/<int:pk>/publish/", views.escalation_publish, name="escalation_publish"),
    path("library/", views.library, name="library"),
    path("6s/", views.six_s, name="six_s"),
    path("leaders/", views.leaders, name="leaders"),
    path("reports/", views.reports, name="workshop_reports"),
]
