from django.urls import path
from django.views.generic import RedirectView

from customer_care.views import broadcasts, calls, complaints, follow_ups, ledger, policies, rescues

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaint_queue"), name="care_home"),
    path("complaints/", complaints.complaint_queue, name="complaint_queue"),
    path("complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/new/orders/", complaints.complaint_orders, name="complaint_orders"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/sign/", complaints.complaint_sign, name="complaint_sign"),
    path("complaints/<int:pk>/respond/", complaints.complaint_respond, name="complaint_respond"),
    path("complaints/<int:pk>/organise/", complaints.complaint_organise, name="complaint_organise"),
    path("complaints/<int:pk>/close/", complaints.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/reopen/", complaints.complaint_reopen, name="complaint_reopen"),
    path("complaints/<int:pk>/reassign/", complaints.complaint_reassign, name="complaint_reassign"),
    path("complaints/<int:pk>/visit/", complaints.complaint_plan_visit, name="complaint_plan_visit"),
    path("complaints/<int:pk>/visit/outcome/", complaints.complaint_visit_outcome, name="complaint_visit_outcome"),
    path("follow-ups/", follow_ups.follow_up_queue, name="follow_up_queue"),
    path("follow-ups/<int:pk>/", follow_ups.follow_up_call, name="follow_up_call"),
    path("calls/", calls.call_log, name="call_log"),
    path("rescues/", rescues.rescue_board, name="rescue_board"),
    path("rescues/<int:pk>/dispatch/", rescues.rescue_dispatch, name="rescue_dispatch"),
    path("rescues/<int:pk>/arrived/", rescues.rescue_arrive, name="rescue_arrive"),
    path("rescues/<int:pk>/cancel/", rescues.rescue_cancel, name="rescue_cancel"),
    path("broadcasts/", broadcasts.broadcasts, name="broadcasts"),
    path("settings/", policies.care_settings, name="care_settings"),
    path("complaints/<int:pk>/fault/", complaints.complaint_fault, name="complaint_fault"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/new/", ledger.ledger_entry_create, name="ledger_entry_create"),
    path("ledger/entries/<int:pk>/reverse/", ledger.ledger_entry_reverse, name="ledger_entry_reverse"),
    path("ledger/rates/", ledger.ledger_rates, name="ledger_rates"),
    path("notices/awards/", ledger.award_notice, name="award_notice"),
]
