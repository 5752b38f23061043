"""Every change in customer care. Views, the API and Celery tasks call these; nothing else writes.
Callers write `services.respond(...)`; the reads the services decide with are in `selectors`.

Complaints (CC01) keep their due times from the moment they are raised; the sweep `record_breaches`
records each missed stage once and `escalate` climbs the chain. Rescues (CC03) keep their promised
arrival. Follow-up calls (CC04, CC05) and care SMS (CC06) are scheduled inside the transaction that
delivers the car, so a delivery never commits without them.
"""

from customer_care.services.broadcasts import broadcast
from customer_care.services.calls import log_call
from customer_care.services.complaints import (
    close,
    deadlines,
    organise,
    plan_home_visit,
    raise_complaint,
    reassign,
    record_home_visit,
    reopen,
    respond,
    sign_for,
)
from customer_care.services.escalation import escalate, record_breaches
from customer_care.services.follow_ups import (
    after_delivery,
    pair_care_agent,
    record_follow_up,
    schedule_follow_up,
    send_maintenance_reminders,
    send_post_repair_advice,
    set_maintenance_due,
)
from customer_care.services.ledger import (
    MonthClosed,
    close_month,
    post_fault,
    post_manual,
    post_praise,
    post_rating,
    post_script_violation,
    reconcile,
    record_fault,
    reverse,
    set_rate,
)
from customer_care.services.rescue import (
    cancel_rescue,
    dispatch_crew,
    record_rescue_breaches,
    request_rescue,
    rescue_arrived,
)
from customer_care.services.weekly import text_weekly_figures

__all__ = [
    "MonthClosed",
    "after_delivery",
    "broadcast",
    "cancel_rescue",
    "close",
    "close_month",
    "deadlines",
    "dispatch_crew",
    "escalate",
    "log_call",
    "organise",
    "pair_care_agent",
    "plan_home_visit",
    "post_fault",
    "post_manual",
    "post_praise",
    "post_rating",
    "post_script_violation",
    "raise_complaint",
    "reassign",
    "reconcile",
    "record_breaches",
    "record_fault",
    "record_follow_up",
    "record_home_visit",
    "record_rescue_breaches",
    "reopen",
    "request_rescue",
    "rescue_arrived",
    "respond",
    "reverse",
    "schedule_follow_up",
    "send_maintenance_reminders",
    "send_post_repair_advice",
    "set_maintenance_due",
    "set_rate",
    "sign_for",
    "text_weekly_figures",
]
