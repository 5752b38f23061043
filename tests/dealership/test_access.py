"""Role access for every page and API endpoint: anonymous → login or 401, wrong role → 403.

The table below must name every URL the project serves (a new URL without a row fails
`test_every_url_is_in_the_access_table`), so no page ships without a stated rule.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from customer_care import services as care
from customer_care.models import FollowUp, RescueZone
from dealership import outbox
from dealership.permissions import ALL_ROLES
from parts import services as parts
from parts.models import GiftItem
from service_desk import links
from service_desk import services as desk
from service_desk.models import CareRule, DeferredWork
from tests.factories import (
    make_labour_operation,
    make_order,
    make_part,
    make_sms_template,
    make_user,
    make_vehicle,
    pass_all_items,
)
from workshop.models import Escalation

DIRECTORY_READ = {"advisor", "foreman", "parts", "callcentre", "manager"}
DIRECTORY_WRITE = {"advisor", "parts", "callcentre", "manager"}
SMS_STAFF = {"callcentre", "manager"}
MANAGER = {"manager"}
CATALOGUE_READ = {"parts", "advisor", "foreman", "technician", "manager"}
PARTS_STAFF = {"parts", "manager"}
BACKORDER_STAFF = {"parts", "advisor", "manager"}
GIFT_GIVERS = {"parts", "advisor", "callcentre", "manager"}
DESK = {"advisor", "manager"}
ORDER_READERS = {"advisor", "foreman", "callcentre", "manager"}
BOOKERS = {"advisor", "callcentre", "manager"}
ORDER_API_READERS = {"advisor", "foreman", "callcentre", "manager", "technician", "inspector"}
BOARD = {"foreman", "technician", "inspector", "advisor", "manager"}
HANDS = {"foreman", "technician", "inspector", "manager"}
LEADS = {"foreman", "manager"}
CARE = {"callcentre", "manager"}
COMPLAINT_READERS = {"callcentre", "manager", "advisor"}
PUBLIC = "public"
POST_ONLY = {  # GET by an allowed role: 405
    "complaint_sign",
    "complaint_respond",
    "complaint_organise",
    "complaint_close",
    "complaint_reopen",
    "complaint_reassign",
    "complaint_plan_visit",
    "complaint_visit_outcome",
    "complaint_fault",
    "ledger_entry_reverse",
    "rescue_dispatch",
    "rescue_arrive",
    "rescue_cancel",
    "complaint-respond",
    "complaint-organise",
    "complaint-close",
    "rescue-arrived",
    "rescue-dispatch",
    "appointment-close",
    "backorder_call_made",
    "part-receive",
    "part-adjust",
    "sms_send_again",
    "sms_mark_sent",
    "sms_template_preview",
    "backorder_arrived",
    "backorder_collected",
    "backorder_new_date",
    "backorder_cancel",
    "backorder-arrived",
    "desk_away",
    "order_greet",
    "order_in_bay",
    "order_add_item",
    "order_add_part",
    "order_backorder_part",
    "order_remove_item",
    "order_confirm",
    "order_send_link",
    "order_promise",
    "order_overrun",
    "order_overrun_told",
    "order_add_recommended",
    "order_take_up_deferred",
    "order_settle_unrated",
    "order_deliver",
    "order_cancel",
    "order_claim",
    "appointment_close",
    "report_close_month",
    "desk_meeting",
    "desk_decision_done",
    "desk_handover",
    "desk_pair",
    "desk_script_violation",
    "desk_claim_update",
    "desk_policy",
    "repair-order-items",
    "repair-order-reception",
    "repair-order-confirm",
    "repair-order-checkout",
    "repair-order-deliver",
    "order_answer_question",
    "job_assign",
    "job_start",
    "job_pause",
    "job_resume",
    "job_finish",
    "job_qc",
    "job_escalate",
    "job_ask",
    "job_overrun",
    "job_comeback",
    "escalation_step",
    "escalation_approve",
    "escalation_solve",
    "escalation_publish",
    "item-assign",
    "item-start",
    "item-finish",
    "item-qc",
    "ledger-entry-reverse",
}  # GET by an allowed role: 405

# url name → (path template, roles that get 200; PUBLIC for no login)
ACCESS = {
    "home": ("/", ALL_ROLES),
    "login": ("/login/", PUBLIC),
    "healthz": ("/healthz", PUBLIC),
    "customer_list": ("/customers/", DIRECTORY_READ),
    "customer_detail": ("/customers/{customer}/", DIRECTORY_READ),
    "customer_create": ("/customers/new/", DIRECTORY_WRITE),
    "customer_edit": ("/customers/{customer}/edit/", DIRECTORY_WRITE),
    "vehicle_create": ("/customers/{customer}/vehicles/new/", DIRECTORY_WRITE),
    "vehicle_edit": ("/vehicles/{vehicle}/edit/", DIRECTORY_WRITE),
    "api_docs": ("/api/v1/docs/", ALL_ROLES),
    "api_schema": ("/api/v1/schema/", ALL_ROLES),
    "customer-list": ("/api/v1/customers/", DIRECTORY_READ),
    "customer-detail": ("/api/v1/customers/{customer}/", DIRECTORY_READ),
    "vehicle-list": ("/api/v1/vehicles/", DIRECTORY_READ),
    "vehicle-detail": ("/api/v1/vehicles/{vehicle}/", DIRECTORY_READ),
    "staff-list": ("/api/v1/staff/", ALL_ROLES),
    "staff-detail": ("/api/v1/staff/{staff}/", ALL_ROLES),
    "sms_list": ("/sms/", SMS_STAFF),
    "sms_detail": ("/sms/{sms}/", SMS_STAFF),
    "sms_send_again": ("/sms/{sms}/send-again/", SMS_STAFF),
    "sms_mark_sent": ("/sms/{sms}/mark-sent/", SMS_STAFF),
    "sms_template_list": ("/sms/templates/", MANAGER),
    "sms_template_edit": ("/sms/templates/{sms_template}/", MANAGER),
    "sms_template_preview": ("/sms/templates/{sms_template}/preview/", MANAGER),
    "sms_policy": ("/sms/policy/", MANAGER),
    "sms_test": ("/sms/test/", MANAGER),
    "sms-list": ("/api/v1/sms/", SMS_STAFF),
    "sms-detail": ("/api/v1/sms/{sms}/", SMS_STAFF),
    "part_list": ("/parts/", CATALOGUE_READ),
    "part_detail": ("/parts/{part}/", CATALOGUE_READ),
    "part_create": ("/parts/new/", PARTS_STAFF),
    "part_edit": ("/parts/{part}/edit/", PARTS_STAFF),
    "part_receive": ("/parts/{part}/receive/", PARTS_STAFF),
    "part_adjust": ("/parts/{part}/adjust/", PARTS_STAFF),
    "part_return": ("/parts/{part}/return/", PARTS_STAFF),
    "part_import": ("/parts/import/", PARTS_STAFF),
    "backorder_list": ("/parts/backorders/", PARTS_STAFF),
    "backorder_mine": ("/parts/backorders/mine/", {"advisor"}),
    "backorder_create": ("/parts/backorders/new/", BACKORDER_STAFF),
    "backorder_detail": ("/parts/backorders/{backorder}/", BACKORDER_STAFF),
    "backorder_arrived": ("/parts/backorders/{backorder}/arrived/", PARTS_STAFF),
    "backorder_collected": ("/parts/backorders/{backorder}/collected/", BACKORDER_STAFF),
    "backorder_new_date": ("/parts/backorders/{backorder}/new-date/", PARTS_STAFF),
    "backorder_cancel": ("/parts/backorders/{backorder}/cancel/", BACKORDER_STAFF),
    "backorder_calls": ("/parts/backorders/calls/", BACKORDER_STAFF),
    "backorder_call_made": ("/parts/backorders/calls/{backorder}/made/", BACKORDER_STAFF),
    "customer_picker": ("/customers/picker/", GIFT_GIVERS),
    "sale_list": ("/parts/sales/", PARTS_STAFF),
    "sale_create": ("/parts/sales/new/", PARTS_STAFF),
    "sale_detail": ("/parts/sales/{sale}/", PARTS_STAFF),
    "gift_list": ("/parts/gifts/", GIFT_GIVERS),
    "gift_create": ("/parts/gifts/new/", PARTS_STAFF),
    "gift_edit": ("/parts/gifts/{gift}/edit/", PARTS_STAFF),
    "gift_give": ("/parts/gifts/{gift}/give/", GIFT_GIVERS),
    "gift_restock": ("/parts/gifts/{gift}/restock/", PARTS_STAFF),
    "part-list": ("/api/v1/parts/", ALL_ROLES),
    "part-detail": ("/api/v1/parts/{part}/", ALL_ROLES),
    "part-receive": ("/api/v1/parts/{part}/receive/", PARTS_STAFF),
    "part-adjust": ("/api/v1/parts/{part}/adjust/", PARTS_STAFF),
    "backorder-list": ("/api/v1/backorders/", BACKORDER_STAFF),
    "backorder-detail": ("/api/v1/backorders/{backorder}/", BACKORDER_STAFF),
    "backorder-arrived": ("/api/v1/backorders/{backorder}/arrived/", PARTS_STAFF),
    "desk": ("/desk/", DESK),
    "desk_away": ("/desk/away/", DESK),
    "vehicle_picker": ("/desk/vehicle-picker/", DESK),
    "arrive": ("/desk/arrive/", DESK),
    "order_list": ("/desk/orders/", ORDER_READERS),
    "order_detail": ("/desk/orders/{order}/", ORDER_READERS),
    "order_greet": ("/desk/orders/{order}/greet/", DESK),
    "order_in_bay": ("/desk/orders/{order}/in-bay/", DESK),
    "order_walkaround": ("/desk/orders/{order}/walkaround/", DESK),
    "order_add_item": ("/desk/orders/{order}/items/", DESK),
    "order_add_part": ("/desk/orders/{order}/items/{item}/parts/", DESK),
    "order_backorder_part": ("/desk/orders/{order}/items/{item}/backorder/", DESK),
    "order_remove_item": ("/desk/orders/{order}/items/{item}/remove/", DESK),
    "order_confirm": ("/desk/orders/{order}/confirm/", DESK),
    "order_send_link": ("/desk/orders/{order}/send-link/", DESK),
    "order_promise": ("/desk/orders/{order}/promise/", DESK),
    "order_overrun": ("/desk/orders/{order}/overrun/", {"technician", "foreman", "advisor", "manager"}),
    "order_overrun_told": ("/desk/orders/{order}/overrun/told/", DESK),
    "order_add_recommended": ("/desk/orders/{order}/recommended/{care_rule}/", DESK),
    "order_take_up_deferred": ("/desk/orders/{order}/deferred/{deferred}/", DESK),
    "order_rate": ("/desk/orders/{order}/rate/", DESK),
    "order_settle_unrated": ("/desk/orders/{order}/settle-without-rating/", DESK),
    "order_deliver": ("/desk/orders/{order}/deliver/", DESK),
    "order_cancel": ("/desk/orders/{order}/cancel/", DESK),
    "order_claim": ("/desk/orders/{order}/claim/", DESK),
    "order_print": ("/desk/orders/{order}/print/", ORDER_READERS),
    "appointment_list": ("/desk/appointments/", BOOKERS),
    "appointment_create": ("/desk/appointments/new/", BOOKERS),
    "appointment_close": ("/desk/appointments/{appointment}/close/", BOOKERS),
    "daily_report": ("/desk/report/", DESK),
    "desk_records": ("/desk/records/", DESK),
    "desk_meeting": ("/desk/records/meeting/", DESK),
    "desk_decision_done": ("/desk/records/decisions/{decision}/done/", DESK),
    "desk_handover": ("/desk/records/handover/", DESK),
    "desk_pair": ("/desk/records/pair/", MANAGER),
    "desk_script_violation": ("/desk/records/script-violations/", MANAGER),
    "desk_claim_update": ("/desk/records/claims/{claim}/", DESK),
    "labour_list": ("/desk/labour/", MANAGER),
    "labour_create": ("/desk/labour/new/", MANAGER),
    "labour_edit": ("/desk/labour/{labour}/", MANAGER),
    "desk_policy": ("/desk/policy/", MANAGER),
    "price_board": ("/prices/", PUBLIC),
    "customer_order": ("/o/{order_token}/", PUBLIC),
    "labour-operation-list": ("/api/v1/labour-operations/", ALL_ROLES),
    "labour-operation-detail": ("/api/v1/labour-operations/{labour}/", ALL_ROLES),
    "appointment-list": ("/api/v1/appointments/", ALL_ROLES),
    "appointment-detail": ("/api/v1/appointments/{appointment}/", ALL_ROLES),
    "appointment-close": ("/api/v1/appointments/{appointment}/close/", ALL_ROLES),
    "repair-order-list": ("/api/v1/repair-orders/", ORDER_API_READERS),
    "repair-order-detail": ("/api/v1/repair-orders/{order}/", ORDER_API_READERS),
    "repair-order-items": ("/api/v1/repair-orders/{order}/items/", DESK),
    "repair-order-reception": ("/api/v1/repair-orders/{order}/reception/", DESK),
    "repair-order-confirm": ("/api/v1/repair-orders/{order}/confirm/", DESK),
    "repair-order-checkout": ("/api/v1/repair-orders/{order}/checkout/", DESK),
    "repair-order-deliver": ("/api/v1/repair-orders/{order}/deliver/", DESK),
    "daily-output": ("/api/v1/reports/daily-output/?date=2026-11-26", DESK),
    "order_answer_question": ("/desk/orders/{order}/questions/{question}/", DESK),
    "board": ("/workshop/board/", BOARD),
    "job": ("/workshop/jobs/{item}/", BOARD),
    "job_assign": ("/workshop/jobs/{item}/assign/", HANDS),
    "job_start": ("/workshop/jobs/{item}/start/", HANDS),
    "job_pause": ("/workshop/jobs/{item}/pause/", HANDS),
    "job_resume": ("/workshop/jobs/{item}/resume/", HANDS),
    "job_finish": ("/workshop/jobs/{item}/finish/", HANDS),
    "job_qc": ("/workshop/jobs/{item}/qc/", HANDS),
    "job_escalate": ("/workshop/jobs/{item}/escalate/", HANDS),
    "job_ask": ("/workshop/jobs/{item}/ask/", HANDS),
    "job_overrun": ("/workshop/jobs/{item}/overrun/", HANDS),
    "job_comeback": ("/workshop/jobs/{item}/comeback/", LEADS),
    "shifts": ("/workshop/shifts/", LEADS),
    "escalation_list": ("/workshop/escalations/", HANDS),
    "escalation_detail": ("/workshop/escalations/{escalation}/", HANDS),
    "escalation_step": ("/workshop/escalations/{escalation}/step/", HANDS),
    "escalation_approve": ("/workshop/escalations/{escalation}/approve/", HANDS),
    "escalation_solve": ("/workshop/escalations/{escalation}/solve/", HANDS),
    "escalation_publish": ("/workshop/escalations/{escalation}/publish/", HANDS),
    "library": ("/workshop/library/", BOARD),
    "six_s": ("/workshop/6s/", LEADS),
    "leaders": ("/workshop/leaders/", LEADS),
    "workshop_reports": ("/workshop/reports/", LEADS),
    "reports": ("/reports/", MANAGER),
    "report_awards": ("/reports/awards/", MANAGER),
    "report_close_month": ("/reports/awards/close/", MANAGER),
    "report_weekly": ("/reports/weekly/", MANAGER),
    "report_rework": ("/reports/rework/", MANAGER),
    "report_complaints": ("/reports/complaints/", MANAGER),
    "report_reception": ("/reports/reception/", MANAGER),
    "item-detail": ("/api/v1/items/{item}/", BOARD),
    "item-assign": ("/api/v1/items/{item}/assign/", HANDS),
    "item-start": ("/api/v1/items/{item}/start/", HANDS),
    "item-finish": ("/api/v1/items/{item}/finish/", HANDS),
    "item-qc": ("/api/v1/items/{item}/qc/", HANDS),
    "complaint_queue": ("/care/complaints/", COMPLAINT_READERS),
    "complaint_create": ("/care/complaints/new/", CARE),
    "complaint_orders": ("/care/complaints/new/orders/", CARE),
    "complaint_detail": ("/care/complaints/{complaint}/", COMPLAINT_READERS),
    "complaint_sign": ("/care/complaints/{complaint}/sign/", COMPLAINT_READERS),
    "complaint_respond": ("/care/complaints/{complaint}/respond/", COMPLAINT_READERS),
    "complaint_organise": ("/care/complaints/{complaint}/organise/", COMPLAINT_READERS),
    "complaint_close": ("/care/complaints/{complaint}/close/", COMPLAINT_READERS),
    "complaint_reopen": ("/care/complaints/{complaint}/reopen/", CARE),
    "complaint_reassign": ("/care/complaints/{complaint}/reassign/", CARE),
    "complaint_plan_visit": ("/care/complaints/{complaint}/visit/", CARE),
    "complaint_visit_outcome": ("/care/complaints/{complaint}/visit/outcome/", CARE),
    "follow_up_queue": ("/care/follow-ups/", CARE),
    "follow_up_call": ("/care/follow-ups/{follow_up}/", CARE),
    "call_log": ("/care/calls/", CARE),
    "rescue_board": ("/care/rescues/", CARE),
    "rescue_dispatch": ("/care/rescues/{rescue}/dispatch/", CARE),
    "rescue_arrive": ("/care/rescues/{rescue}/arrived/", CARE),
    "rescue_cancel": ("/care/rescues/{rescue}/cancel/", CARE),
    "broadcasts": ("/care/broadcasts/", MANAGER),
    "care_settings": ("/care/settings/", MANAGER),
    "complaint_fault": ("/care/complaints/{complaint}/fault/", MANAGER),
    "ledger": ("/care/ledger/", ALL_ROLES),
    "ledger_entry_create": ("/care/ledger/new/", MANAGER),
    "ledger_entry_reverse": ("/care/ledger/entries/{ledger_entry}/reverse/", MANAGER),
    "ledger_rates": ("/care/ledger/rates/", MANAGER),
    "award_notice": ("/care/notices/awards/", ALL_ROLES),
    "complaint-list": ("/api/v1/complaints/", COMPLAINT_READERS),
    "complaint-detail": ("/api/v1/complaints/{complaint}/", COMPLAINT_READERS),
    "complaint-respond": ("/api/v1/complaints/{complaint}/respond/", COMPLAINT_READERS),
    "complaint-organise": ("/api/v1/complaints/{complaint}/organise/", COMPLAINT_READERS),
    "complaint-close": ("/api/v1/complaints/{complaint}/close/", COMPLAINT_READERS),
    "rescue-list": ("/api/v1/rescues/", CARE),
    "rescue-detail": ("/api/v1/rescues/{rescue}/", CARE),
    "rescue-arrived": ("/api/v1/rescues/{rescue}/arrived/", CARE),
    "rescue-dispatch": ("/api/v1/rescues/{rescue}/dispatch/", CARE),
    "follow-up-list": ("/api/v1/follow-ups/", CARE),
    "follow-up-detail": ("/api/v1/follow-ups/{follow_up}/", CARE),
    "rescue-zone-list": ("/api/v1/rescue-zones/", ALL_ROLES),
    "rescue-zone-detail": ("/api/v1/rescue-zones/{zone}/", ALL_ROLES),
    "complaint-policy": ("/api/v1/complaint-policy/", COMPLAINT_READERS),
    "ledger-entry-list": ("/api/v1/ledger-entries/", ALL_ROLES),
    "ledger-entry-detail": ("/api/v1/ledger-entries/{ledger_entry}/", ALL_ROLES),
    "ledger-entry-reverse": ("/api/v1/ledger-entries/{ledger_entry}/reverse/", MANAGER),
    "award-report": ("/api/v1/reports/awards/?month=2026-11", MANAGER),
}
# Object rules on top of roles: an advisor opening another advisor's backorder gets 404, as for any
# backorder that is not theirs (the test objects belong to a parts clerk).
EXPECTED = {
    ("backorder_detail", "advisor"): 404,
    ("backorder-detail", "advisor"): 404,
    # The same for a complaint handed to another advisor.
    ("complaint_detail", "advisor"): 404,
    ("complaint-detail", "advisor"): 404,
    # Everyone reads their own ledger, a manager everyone's: another person's entry is not found.
    **{("ledger-entry-detail", role): 404 for role in ALL_ROLES - MANAGER},
}
# Served by Django itself or only redirecting/POST-only; covered by their own tests.
NOT_IN_TABLE = {"logout", "set_language", "api_root", "api_token", "sms_receipts", "sms_replies", "care_home"}


def _named_urls(patterns, prefix="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names |= _named_urls(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_is_in_the_access_table():
    served = _named_urls(get_resolver().url_patterns)

    assert served - NOT_IN_TABLE - set(ACCESS) == set()


@pytest.fixture
def objects(db):
    vehicle = make_vehicle()
    staff = make_user("advisor")
    template = make_sms_template()
    sms = outbox.enqueue_sms(
        mobile="13812345678", kind=template.kind, context=template.sample, dedupe_key="access", at=timezone.now()
    )
    part = make_part(stock=5)
    backorder = parts.create_backorder(
        by=make_user("parts"),
        customer=vehicle.customer,
        quantity=1,
        part=part,
        expected_on=timezone.localdate() + timedelta(days=3),
        at=timezone.now(),
    )
    sale = parts.sell_over_counter(by=staff, kind="retail", buyer_name="张三", lines=[(part, 1)], at=timezone.now())
    gift = parts.save_gift_item(by=staff, gift=GiftItem(name="钥匙扣", unit_cost=Decimal("5")))
    parts.restock_gifts(by=staff, gift=gift, quantity=3, at=timezone.now())
    return {
        "customer": vehicle.customer_id,
        "vehicle": vehicle.pk,
        "staff": staff.pk,
        "sms": sms.pk,
        "sms_template": template.pk,
        "part": part.pk,
        "backorder": backorder.pk,
        "sale": sale.pk,
        "gift": gift.pk,
        **_desk_objects(staff, vehicle),
        **_care_objects(staff, vehicle),
    }


def _care_objects(advisor, vehicle) -> dict:
    now = timezone.now()
    agent = make_user("callcentre")
    complaint = care.raise_complaint(
        by=agent,
        customer=vehicle.customer,
        assignee=advisor,
        channel="hotline",
        category="other",
        summary="等待时间太长",
        at=now,
    )
    rescue = care.request_rescue(
        by=agent,
        caller="张三",
        mobile="13812345678",
        zone=RescueZone.objects.get(code="city"),
        location="七一路",
        problem="无法启动",
        at=now,
    )
    order = pass_all_items(make_order(advisor=advisor, confirmed=True))
    desk.settle(by=advisor, order=order, rating="good", at=now)
    desk.deliver(by=advisor, order=order, at=now)
    entry = care.post_manual(
        by=make_user("manager"),
        staff=advisor,
        amount="50",
        reason="协助救援",
        occurred_on=timezone.localdate(now),
        at=now,
    )
    return {
        "complaint": complaint.pk,
        "rescue": rescue.pk,
        "follow_up": FollowUp.objects.get(repair_order=order).pk,
        "zone": rescue.zone_id,
        "ledger_entry": entry.pk,  # the advisor's: others see their own only
    }


def _desk_objects(staff, vehicle) -> dict:
    order = make_order(advisor=staff)
    now = timezone.now()
    appointment = desk.book_appointment(
        by=staff, vehicle=make_vehicle(), kind="regular", scheduled_at=now + timedelta(days=1), at=now
    )
    care_rule = CareRule.objects.create(labour_operation=make_labour_operation(), interval_days=30, reason="x")
    meeting = desk.write_meeting(
        by=staff, day=now.date(), problems="x", attendees="", at=now, decisions=[("y", staff, None)]
    )
    accident = make_order(advisor=staff, items=0)
    desk.add_item(by=staff, order=accident, at=now, category="accident", description="x", labour_price=Decimal("1"))
    claim = desk.open_claim(by=staff, order=accident, insurer="人保", claim_number="R1", specialist=staff, at=now)
    declined = make_order(advisor=staff, items=2)
    desk.confirm(order=declined, signed_by="x", declined={declined.items.last().pk}, at=now)
    item = order.items.first()
    question = desk.ask_customer(by=staff, item=item, question="要不要换雨刮?", at=now)
    escalation = Escalation.objects.create(item=item, raised_by=staff, raised_at=now, symptoms="异响")
    return {
        "question": question.pk,
        "escalation": escalation.pk,
        "order": order.pk,
        "item": item.pk,
        "appointment": appointment.pk,
        "care_rule": care_rule.pk,
        "deferred": DeferredWork.objects.get().pk,
        "decision": meeting.decisions.get().pk,
        "claim": claim.pk,
        "labour": care_rule.labour_operation_id,
        "order_token": links.make_token(order),
    }


def _expected(name: str, role: str, allowed) -> int:
    if name == "login":
        return 302  # a logged-in user goes on to the home page
    may = allowed == PUBLIC or role in allowed
    if name in POST_ONLY:
        return 405 if may else 403
    return EXPECTED.get((name, role), 200 if may else 403)


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_role_gets_200_or_403_on_every_url(client, objects, role):
    """One test per role over the whole table (the objects are built once per role, which keeps it fast)."""
    client.force_login(make_user(role))

    mismatches = []
    for name, (path, allowed) in ACCESS.items():
        status = client.get(path.format(**objects)).status_code
        if status != _expected(name, role, allowed):
            mismatches.append(f"{name} as {role}: {status}, expected {_expected(name, role, allowed)}")

    assert mismatches == []


def test_anonymous_is_sent_to_login_or_gets_401_and_public_pages_open(client, objects):
    mismatches = []
    for name, (path, allowed) in ACCESS.items():
        path = path.format(**objects)
        response = client.get(path)
        if allowed == PUBLIC:
            ok = response.status_code == 200
        elif path.startswith("/api/"):
            ok = response.status_code == 401
        else:
            ok = response.status_code == 302 and response["Location"].startswith(f"/login/?next={path.split('?')[0]}")
        if not ok:
            mismatches.append(f"{name}: {response.status_code}")

    assert mismatches == []


@pytest.mark.django_db
def test_admin_is_for_staff_accounts_only(client):
    client.force_login(make_user("advisor"))
    refused = client.get("/admin/")
    client.force_login(make_user("manager", is_staff=True))
    admitted = client.get("/admin/")

    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    assert admitted.status_code == 200


@pytest.mark.django_db
def test_user_without_role_sees_only_a_request_to_get_one(client):
    client.force_login(make_user())

    home = client.get("/")
    directory = client.get("/customers/")
    api = client.get("/api/v1/staff/")

    assert home.status_code == 200
    assert "还没有角色" in home.content.decode()
    assert directory.status_code == 403
    assert api.status_code == 403


@pytest.mark.django_db
def test_inactive_user_is_locked_out_of_pages_and_api(client):
    user = make_user("advisor")
    client.force_login(user)
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": user.username, "password": "correct-horse-battery"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    user.is_active = False
    user.save()

    assert client.get("/customers/").status_code == 302
    assert api.get("/api/v1/customers/").status_code == 401


@pytest.mark.django_db
def test_a_staff_manager_keeps_accounts_and_roles_in_the_admin_but_cannot_make_superusers(client):
    manager = make_user("manager", is_staff=True)
    advisor = make_user("advisor")
    boss = make_user(is_superuser=True, is_staff=True)
    client.force_login(manager)

    index = client.get("/admin/").content.decode()
    advisor_page = client.get(f"/admin/auth/user/{advisor.pk}/change/").content.decode()
    boss_page = client.get(f"/admin/auth/user/{boss.pk}/change/")

    assert "/admin/auth/user/" in index and "/admin/dealership/customer/" in index
    assert 'name="groups"' in advisor_page and 'name="is_superuser"' not in advisor_page
    assert 'name="is_superuser"' not in boss_page.content.decode()  # viewable, not editable


@pytest.mark.django_db
def test_a_staff_manager_keeps_the_workshop_policy_group_and_6s_areas_in_the_admin(client):
    client.force_login(make_user("manager", is_staff=True))

    index = client.get("/admin/").content.decode()
    policy = client.get("/admin/workshop/workshoppolicy/")
    add_area = client.get("/admin/workshop/sixsarea/add/")

    assert "/admin/workshop/technicalgroupmember/" in index
    assert policy.status_code == 200 and "/admin/workshop/workshoppolicy/1/change/" in policy.content.decode()
    assert add_area.status_code == 200
