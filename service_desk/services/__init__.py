"""Every change at the service desk. Callers write `services.receive_vehicle(...)`.

A repair order's steps live in one module each: `reception`, `items` (and their parts),
`confirmation`, `promise` (and overrun), `progress` (items moving, the order following), `checkout`
and `questions`; what they share (errors, moves, notes, the lock, totals) is in `orders`.
"""

from service_desk.services.appointments import book_appointment, close_appointment
from service_desk.services.checkout import cancel, deliver, settle
from service_desk.services.confirmation import confirm, send_confirmation_link
from service_desk.services.items import (
    add_item,
    add_part_line,
    backorder_part,
    fit_arrived_part,
    remove_item,
    take_up_deferred,
)
from service_desk.services.orders import STARTABLE, OrderNotEditable, VehicleAlreadyInService, may_start
from service_desk.services.progress import follow_items, move_item
from service_desk.services.promise import add_working_hours, make_promise, report_overrun, tell_customer_of_overrun
from service_desk.services.questions import answer_question, ask_customer
from service_desk.services.reception import (
    receive_vehicle,
    record_greeting,
    record_in_bay,
    record_walkaround,
    update_requests,
)
from service_desk.services.records import (
    complete_decision,
    open_claim,
    pair_advisors,
    record_handover,
    record_script_violation,
    set_away,
    text_daily_report,
    update_claim,
    write_meeting,
)

__all__ = [
    "STARTABLE",
    "OrderNotEditable",
    "VehicleAlreadyInService",
    "add_item",
    "add_part_line",
    "add_working_hours",
    "answer_question",
    "ask_customer",
    "backorder_part",
    "book_appointment",
    "cancel",
    "close_appointment",
    "complete_decision",
    "confirm",
    "deliver",
    "fit_arrived_part",
    "follow_items",
    "make_promise",
    "may_start",
    "move_item",
    "open_claim",
    "pair_advisors",
    "receive_vehicle",
    "record_greeting",
    "record_handover",
    "record_in_bay",
    "record_script_violation",
    "record_walkaround",
    "remove_item",
    "report_overrun",
    "send_confirmation_link",
    "set_away",
    "settle",
    "take_up_deferred",
    "tell_customer_of_overrun",
    "text_daily_report",
    "update_claim",
    "update_requests",
    "write_meeting",
]
