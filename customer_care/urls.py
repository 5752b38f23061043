from django.urls import path
from django.views.generic import RedirectView

from customer_care import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaint_queue"), name="care_home"),
    path("complaints/", views.complaint_queue, name="complaint_queue"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/new/orders/", views.complaint_orders, name="complaint_orders"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/sign/", views.complaint_sign, name="complaint_sign"),
    path("complaints/<int:pk>/respond/", views.complaint_respond, name="complaint_respond"),
    path("complaints/<int:pk>/organise/", views.complaint_organise, name="complaint_organise"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/reopen/", views.complaint_reopen, name="complaint_reopen"),
    path("complaints/<int:pk>/reassign/", views.complaint_reassign, name="complaint_reassign"),
    path("complaints/<int:pk>/visit/", views.complaint_plan_visit, name="complaint_plan_visit"),
    path("complaints/<int:pk>/visit/outcome/", views.complaint_visit_outcome, name="complaint_visit_outcome"),
    path("follow-ups/", views.follow_up_queue, name="follow_up_queue"),
    path("follow-ups/<int:pk>/", views.follow_up_call, name="follow_up_call"),
    path("calls/", views.call_log, name="call_log"),
    path("rescues/", views.rescue_board, name="rescue_board"),
    path("rescues/<int:pk>/dispatch/", views.rescue_dispatch, name="rescue_dispatch"),
    path("rescues/<int:pk>/arrived/", views.rescue_arrive, name="rescue_arrive"),
    path("rescues/<int:pk>/cancel/", views.rescue_cancel, name="rescue_cancel"),
    path("broadcasts/", views.broadcasts, name="broadcasts"),
    path("settings/", views.care_settings, name="care_settings"),
]
