"""SD01, SD02, SD04, SD11, SD12, SD14-SD19: appointments, the desk page, reports, records."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from dealership.errors import DomainError, TransitionNotAllowed
from dealership.models import SmsMessage, SmsStatus, Staff
from service_desk import selectors, services
from service_desk.models import Appointment, CareRule, DeskPolicy, Handover, Rating, RepairOrder
from tests.factories import (
    make_labour_operation,
    make_order,
    make_part,
    make_user,
    make_vehicle,
    pass_all_items,
    sign_reception,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def advisor(db):
    return make_user("advisor", name="王芳")


# --- SD01, SD02 appointments ------------------------------------------------------------------------------


def test_sd01_green_channel_kinds_get_green_cards_numbered_per_day_and_a_dedicated_advisor(advisor):
    green_advisor = make_user("advisor", name="李磊")
    tuesday = MONDAY + timedelta(days=1)

    quick = services.book_appointment(
        by=advisor,
        vehicle=make_vehicle(),
        kind="quick_maintenance",
        scheduled_at=tuesday,
        at=MONDAY,
        advisor=green_advisor,
    )
    regular = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=tuesday, at=MONDAY
    )
    complaint = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="complaint", scheduled_at=tuesday + timedelta(hours=2), at=MONDAY
    )
    next_day = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="rework", scheduled_at=tuesday + timedelta(days=1), at=MONDAY
    )

    assert [quick.card_number, complaint.card_number, regular.card_number, next_day.card_number] == [
        "G001",
        "G002",
        "R001",
        "G001",
    ]
    assert quick.is_green_channel and not regular.is_green_channel
    assert quick.advisor == green_advisor


def test_sd01_green_channel_visits_go_to_the_policys_dedicated_advisor(advisor):
    green_advisor = make_user("advisor", name="李磊")
    DeskPolicy.objects.update_or_create(pk=1, defaults={"green_channel_advisor": green_advisor})
    tuesday = MONDAY + timedelta(days=1)

    rework = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="rework", scheduled_at=tuesday, at=MONDAY
    )
    regular = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=tuesday, at=MONDAY
    )

    assert (rework.advisor, regular.advisor) == (green_advisor, advisor)


def test_sd01_green_channel_comes_first_on_the_desk_and_the_order_carries_it(advisor):
    with time_machine.travel(MONDAY, tick=False):
        later_green = services.book_appointment(
            by=advisor, vehicle=make_vehicle(), kind="rework", scheduled_at=MONDAY + timedelta(hours=6), at=MONDAY
        )
        services.book_appointment(
            by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=MONDAY + timedelta(hours=1), at=MONDAY
        )

        desk = selectors.desk(advisor, at=MONDAY)
        order = services.receive_vehicle(by=advisor, vehicle=later_green.vehicle, appointment=later_green, at=MONDAY)

    assert desk["appointments"][0] == later_green
    assert order.is_green_channel
    later_green.refresh_from_db()
    assert later_green.status == "arrived"


def test_sd01_a_reminder_is_texted_the_day_before_at_ten(advisor):
    appointment = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=MONDAY + timedelta(days=2), at=MONDAY
    )

    reminder = SmsMessage.objects.get(kind="appointment_reminder")

    assert reminder.next_attempt_at == datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
    assert reminder.status == SmsStatus.QUEUED
    assert appointment.card_number in reminder.body


def test_sd01_an_appointment_in_the_past_is_refused(advisor):
    with pytest.raises(ValidationError):
        services.book_appointment(
            by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=MONDAY - timedelta(hours=1), at=MONDAY
        )


def test_sd02_the_added_value_service_is_recorded_on_the_order(advisor):
    appointment = services.book_appointment(
        by=advisor,
        vehicle=make_vehicle(),
        kind="regular",
        scheduled_at=MONDAY + timedelta(hours=2),
        at=MONDAY,
        added_value_service="免费洗车",
    )

    order = services.receive_vehicle(
        by=advisor, vehicle=appointment.vehicle, appointment=appointment, at=MONDAY + timedelta(hours=2)
    )

    assert order.added_value_service == "免费洗车"


def test_sd01_every_appointment_step_records_who_and_when(advisor):
    agent = make_user("callcentre", name="林雪")
    kept, missed = (
        services.book_appointment(
            by=agent,
            advisor=advisor,
            vehicle=make_vehicle(),
            kind="regular",
            scheduled_at=MONDAY + timedelta(hours=hours),
            at=MONDAY,
        )
        for hours in (2, 3)
    )

    services.receive_vehicle(by=advisor, vehicle=kept.vehicle, appointment=kept, at=MONDAY + timedelta(hours=2))
    services.close_appointment(by=agent, appointment=missed, to="no_show", at=MONDAY + timedelta(hours=5))

    assert kept.history.latest("history_id").history_user == advisor
    assert kept.history.latest("history_id").history_date == MONDAY + timedelta(hours=2)
    assert (missed.history.latest("history_id").status, missed.history.latest("history_id").history_user) == (
        "no_show",
        agent,
    )


def test_sd01_appointments_carry_a_version_and_a_stale_close_is_409(api_as):
    api = api_as("callcentre")
    booked = api.post(
        "/api/v1/appointments/",
        {
            "vehicle": make_vehicle().pk,
            "kind": "regular",
            "scheduled_at": "2099-01-05T10:00:00+08:00",
            "advisor": make_user("advisor").pk,
        },
        format="json",
    )
    path = f"/api/v1/appointments/{booked.json()['id']}/close/"
    Appointment.objects.update(version=F("version") + 1)  # someone else changed it meanwhile, still booked

    stale = api.post(path, {"to": "no_show", "version": booked.json()["version"]}, format="json")
    unchanged = Appointment.objects.get().status
    fresh = api.post(path, {"to": "no_show", "version": booked.json()["version"] + 1}, format="json")

    assert booked.status_code == 201 and booked.json()["version"] == 1
    assert (stale.status_code, unchanged) == (409, "booked")
    assert fresh.status_code == 200 and fresh.json()["status"] == "no_show"


def test_sd01_an_appointment_is_closed_through_the_api_with_its_version(api_as):
    api = api_as("advisor")
    booked = api.post(
        "/api/v1/appointments/",
        {"vehicle": make_vehicle().pk, "kind": "quick_maintenance", "scheduled_at": "2099-01-05T10:00:00+08:00"},
        format="json",
    )

    closed = api.post(f"/api/v1/appointments/{booked.json()['id']}/close/", {"to": "no_show", "version": 1})
    again = api.post(f"/api/v1/appointments/{booked.json()['id']}/close/", {"to": "cancelled"})

    assert closed.status_code == 200 and closed.json()["status"] == "no_show" and closed.json()["version"] == 2
    assert again.status_code == 409


# --- SD04 pairing ---------------------------------------------------------------------------------


def test_sd04_while_an_advisor_is_away_their_waiting_customers_show_on_the_partners_desk(advisor):
    partner = make_user("advisor", name="李磊")
    services.pair_advisors(by=make_user("manager"), day=MONDAY.date(), first=advisor, second=partner)
    waiting = services.receive_vehicle(by=partner, vehicle=make_vehicle(), at=MONDAY)

    before = selectors.desk(advisor, at=MONDAY)["waiting"]
    services.set_away(advisor=partner, away=True, at=MONDAY)
    while_away = selectors.desk(advisor, at=MONDAY)["waiting"]
    services.set_away(advisor=partner, away=False, at=MONDAY)

    assert before == [] and while_away == [waiting]


def test_sd04_a_pair_is_two_different_advisors(advisor):
    with pytest.raises(ValidationError):
        services.pair_advisors(by=make_user("manager"), day=MONDAY.date(), first=advisor, second=advisor)
    with pytest.raises(ValidationError):
        services.pair_advisors(
            by=make_user("manager"), day=MONDAY.date(), first=advisor, second=make_user("technician")
        )


# --- SD11 price board ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sd11_price_board_is_public_and_always_current(client):
    operation = make_labour_operation(name="更换机油机滤", price=Decimal("120.00"))

    before = client.get("/prices/").content.decode()
    operation.price = Decimal("135.00")
    operation.save()
    after = client.get("/prices/").content.decode()

    assert "更换机油机滤" in before and "¥120.00" in before
    assert "¥135.00" in after and "¥120.00" not in after


# --- SD12 printed order -------------------------------------------------------------------------------


def test_sd12_the_printed_order_lists_each_item_and_amount(client_as):
    client = client_as("advisor")
    order = make_order(advisor=client.user, items=2)

    page = client.get(f"/desk/orders/{order.pk}/print/").content.decode()

    for item in order.items.all():
        assert str(item) in page
    assert f"¥{order.total:,.2f}" in page and order.number in page


# --- SD14 daily report --------------------------------------------------------------------------------------


def _settled(advisor, *, at, greeted_after_s, in_bay_after_s, category="maintenance", price="100.00"):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=at)
    services.record_greeting(by=advisor, order=order, at=at + timedelta(seconds=greeted_after_s))
    services.record_in_bay(by=advisor, order=order, at=at + timedelta(seconds=in_bay_after_s))
    sign_reception(order, by=advisor, at=at)
    services.add_item(by=advisor, order=order, at=at, category=category, description="x", labour_price=Decimal(price))
    order.refresh_from_db()
    services.confirm(order=order, signed_by="张三", at=at)
    pass_all_items(order, at=at)
    services.settle(by=advisor, order=order, rating=Rating.GOOD, at=at + timedelta(hours=2))
    return order


def test_sd14_yesterdays_output_by_category_with_reception_timing(advisor):
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50)
    _settled(advisor, at=MONDAY, greeted_after_s=8, in_bay_after_s=70, category="accident", price="800.00")
    _settled(advisor, at=MONDAY + timedelta(days=1), greeted_after_s=2, in_bay_after_s=20)  # another day

    output = {row["category"]: (row["count"], row["amount"]) for row in selectors.daily_output(MONDAY.date())}
    people = selectors.daily_by_advisor(MONDAY.date())

    assert output["maintenance"] == (1, Decimal("100.00"))
    assert output["accident"] == (1, Decimal("800.00"))
    assert output["warranty"] == (0, 0)
    assert people == [
        {
            "advisor": "王芳",
            "orders": 2,
            "amount": Decimal("900.00"),
            "arrived": 2,
            "greeted_share": 50.0,
            "in_bay_share": 50.0,
        }
    ]


def test_sd14_daily_output_api(api_as, advisor):
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50)
    api = api_as("manager")

    answer = api.get("/api/v1/reports/daily-output/", {"date": "2026-11-23"})
    bad = api.get("/api/v1/reports/daily-output/", {"date": "yesterday"})

    rows = {row["category"]: row for row in answer.json()["categories"]}
    assert rows["maintenance"] == {"category": "maintenance", "count": 1, "amount": "100.00"}
    assert bad.status_code == 400


def test_sd14_the_supervisors_get_yesterdays_figures_by_text_at_eight(advisor):
    manager = make_user("manager", name="宋建国")
    Staff.objects.filter(user=manager).update(mobile="13903941001")
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50)

    sent = services.text_daily_report(at=datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    again = services.text_daily_report(at=datetime(2026, 11, 24, 8, 0, 30, tzinfo=SHANGHAI))

    text = SmsMessage.objects.get(kind="daily_report")
    assert (sent, again) == (1, 1) and SmsMessage.objects.filter(kind="daily_report").count() == 1
    assert "11月23日" in text.body and "保养1项¥100.00" in text.body


def test_sd14_report_page_keeps_a_fixed_query_count(client_as, advisor, django_assert_max_num_queries):
    client = client_as("manager")
    for _order in range(6):
        _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50)

    with django_assert_max_num_queries(12):
        page = client.get("/desk/report/", {"date": "2026-11-23"})

    assert "¥600.00" in page.content.decode()


# --- SD15 care recommendations --------------------------------------------------------------------------------


def test_sd15_care_products_are_suggested_by_model_and_time_since_the_last_one(advisor):
    fuel = make_labour_operation(code="YH02", name="燃油系统清洗", category="care_product")
    throttle = make_labour_operation(code="YH04", name="节气门清洗", category="care_product")
    CareRule.objects.create(labour_operation=fuel, interval_days=180, reason="每半年")
    CareRule.objects.create(labour_operation=throttle, model_contains="迈腾", interval_days=270, reason="迈腾")
    vehicle = make_vehicle(model_name="一汽-大众 速腾 1.4T")
    old = make_order(advisor=advisor, vehicle=vehicle, at=MONDAY - timedelta(days=200), items=0)
    services.add_item(by=advisor, order=old, at=old.arrived_at, category="care_product", labour_operation=fuel)
    old.refresh_from_db()
    services.confirm(order=old, signed_by="张三", at=old.arrived_at)
    pass_all_items(old, at=old.arrived_at)
    services.settle(by=advisor, order=old, rating=Rating.GOOD, at=old.arrived_at)
    old.refresh_from_db()
    services.deliver(by=advisor, order=old, at=old.arrived_at)

    today = make_order(advisor=advisor, vehicle=vehicle, at=MONDAY, items=0)
    due_now = selectors.care_recommendations(today, at=MONDAY)
    due_soon = selectors.care_recommendations(today, at=MONDAY - timedelta(days=100))

    assert [s["rule"].labour_operation.code for s in due_now] == ["YH02"]  # 200 days > 180; not a 迈腾
    assert due_soon == []


def test_sd15_a_care_product_the_customer_declined_is_still_due(advisor):
    fuel = make_labour_operation(code="YH02", name="燃油系统清洗", category="care_product")
    CareRule.objects.create(labour_operation=fuel, interval_days=180, reason="每半年")
    vehicle = make_vehicle()
    last_visit = make_order(advisor=advisor, vehicle=vehicle, at=MONDAY - timedelta(days=30), items=1)
    at = last_visit.arrived_at
    offered = services.add_item(by=advisor, order=last_visit, at=at, category="care_product", labour_operation=fuel)
    services.confirm(order=last_visit, signed_by="张三", declined={offered.pk}, at=at)
    pass_all_items(last_visit, at=at)
    services.settle(by=advisor, order=last_visit, rating=Rating.GOOD, at=at)

    today = make_order(advisor=advisor, vehicle=vehicle, at=MONDAY, items=0)

    assert [s["rule"].labour_operation.code for s in selectors.care_recommendations(today, at=MONDAY)] == ["YH02"]


def test_sd15_a_suggestion_is_added_only_with_the_customers_consent(client_as):
    client = client_as("advisor")
    fuel = make_labour_operation(name="燃油系统清洗", category="care_product")
    rule = CareRule.objects.create(labour_operation=fuel, interval_days=180, reason="每半年")
    order = make_order(advisor=client.user, items=0)

    refused = client.post(f"/desk/orders/{order.pk}/recommended/{rule.pk}/", follow=True)
    agreed = client.post(f"/desk/orders/{order.pk}/recommended/{rule.pk}/", {"agreed": "1"})

    assert "客户同意" in refused.content.decode()
    assert agreed.status_code == 302
    assert list(order.items.values_list("description", flat=True)) == ["燃油系统清洗"]


# --- SD16 phone script ---------------------------------------------------------------------------------------


def test_sd16_a_phone_script_violation_costs_half_of_that_days_output_value(advisor):
    manager = make_user("manager", name="宋建国")
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50, price="300.00")
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50, category="accident", price="601.00")
    late = MONDAY.replace(hour=22, minute=30)  # settled 00:30 on Tuesday, local time: Tuesday's output
    _settled(advisor, at=late, greeted_after_s=3, in_bay_after_s=50, price="5000.00")
    _settled(make_user("advisor"), at=MONDAY, greeted_after_s=3, in_bay_after_s=50, price="7000.00")  # someone else

    services.record_script_violation(by=manager, advisor=advisor, day=MONDAY.date(), note="接听未报姓名", at=late)

    [row] = selectors.script_violations()
    assert (row["output"], row["penalty"]) == (Decimal("901.00"), Decimal("450.50"))
    assert row["violation"].found_by == manager


def test_sd16_a_violation_is_recorded_once_a_day_by_a_manager_with_what_was_heard(advisor):
    manager = make_user("manager")
    record = services.record_script_violation

    record(by=manager, advisor=advisor, day=MONDAY.date(), note="未使用问候语", at=MONDAY)
    with pytest.raises(ValidationError, match="已登记"):
        record(by=manager, advisor=advisor, day=MONDAY.date(), note="又一次", at=MONDAY)
    with pytest.raises(DomainError):
        record(by=make_user("advisor"), advisor=advisor, day=MONDAY.date(), note="x", at=MONDAY)
    with pytest.raises(ValidationError) as refused:
        record(by=manager, advisor=manager, day=MONDAY.date() + timedelta(days=1), note=" ", at=MONDAY)
    with pytest.raises(ValidationError, match="200"):
        record(by=manager, advisor=advisor, day=MONDAY.date() - timedelta(days=1), note="话" * 201, at=MONDAY)

    assert set(refused.value.message_dict) == {"advisor", "day", "note"}
    assert selectors.script_violations(advisor=advisor)[0]["violation"].note == "未使用问候语"


def test_sd16_the_records_page_shows_the_script_and_managers_record_violations_there(client, advisor):
    manager = make_user("manager")
    other = make_user("advisor", name="李磊")
    _settled(advisor, at=MONDAY, greeted_after_s=3, in_bay_after_s=50, price="300.00")
    services.record_script_violation(by=manager, advisor=other, day=MONDAY.date(), note="语气生硬", at=MONDAY)
    form = {"advisor": advisor.pk, "day": "2026-11-23", "note": "接听未报姓名"}
    policy = DeskPolicy.current()
    settings = {
        "greet_within_s": 5,
        "in_bay_within_s": 60,
        "workday_start": "08:30",
        "workday_end": "18:00",
        "technicians_on_shift": 0,
        "reconfirm_after_items": 3,
        "phone_script": "您好，豫P一汽大众售后，我是服务顾问，请讲。",
    }

    client.force_login(manager)
    client.post("/desk/policy/", settings)
    blank = client.post("/desk/policy/", settings | {"phone_script": " "})
    manager_page = client.get("/desk/records/").content.decode()
    recorded = client.post("/desk/records/script-violations/", form, follow=True).content.decode()
    client.force_login(advisor)
    refused = client.post("/desk/records/script-violations/", form | {"note": "再登记一次"})
    own_page = client.get("/desk/records/").content.decode()

    policy.refresh_from_db()
    assert policy.phone_script == settings["phone_script"] and blank.status_code == 302
    assert refused.status_code == 403
    assert "一汽大众售后，我是服务顾问" in own_page
    assert "接听未报姓名" in own_page and "语气生硬" not in own_page  # their own violation, not someone else's
    # The violation form's date picker opens on today: in the one form a browser's picker reads.
    card = manager_page[manager_page.index('id="phone-script"') :]
    assert f'type="date" name="day" value="{timezone.localdate().isoformat()}"' in card[: card.index("</form>")]
    assert "接听未报姓名" in recorded and "−¥150.00" in recorded and "语气生硬" in recorded


def test_sd16_records_page_keeps_a_fixed_query_count(client, advisor, django_assert_max_num_queries):
    manager = make_user("manager")
    for number in range(12):  # twelve advisors, each with a violation and a settled order that day
        person = make_user("advisor")
        _settled(person, at=MONDAY - timedelta(days=number), greeted_after_s=3, in_bay_after_s=50)
        day = (MONDAY - timedelta(days=number)).date()
        services.record_script_violation(by=manager, advisor=person, day=day, note="未报姓名", at=MONDAY)
    client.force_login(manager)

    with django_assert_max_num_queries(17):
        page = client.get("/desk/records/").content.decode()

    assert page.count("−¥50.00") == 12


# --- SD17-SD19 records --------------------------------------------------------------------------------------


def test_sd17_evening_meeting_minutes_with_decisions_and_owners(advisor):
    owner = make_user("foreman", name="陈强")

    meeting = services.write_meeting(
        by=advisor,
        day=MONDAY.date(),
        problems="两台车因缺件延时交车",
        attendees="前台、车间",
        at=MONDAY,
        decisions=[("每天下午三点核对缺件", owner, MONDAY.date() + timedelta(days=1))],
    )
    services.complete_decision(by=owner, decision=meeting.decisions.get(), at=MONDAY + timedelta(days=1))

    decision = meeting.decisions.get()
    assert (decision.owner, decision.done_at is not None) == (owner, True)


def test_sd18_handover_sets_the_first_maintenance_reminder(advisor):
    vehicle = make_vehicle()
    care = make_user("callcentre")

    services.record_handover(
        by=advisor,
        vehicle=vehicle,
        handed_over_on=date(2026, 11, 23),
        sales_person="赵敏",
        advisor=advisor,
        care_agent=care,
        first_service_on=date(2027, 5, 23),
        first_service_km=5000,
        at=MONDAY,
    )

    reminder = SmsMessage.objects.get(kind="first_service_reminder")
    assert reminder.next_attempt_at == datetime(2027, 5, 16, 10, 0, tzinfo=SHANGHAI)
    assert "5月23日" in reminder.body and "5000" in reminder.body
    with pytest.raises(ValidationError):
        services.record_handover(
            by=advisor,
            vehicle=vehicle,
            handed_over_on=date(2026, 11, 23),
            sales_person="赵敏",
            advisor=advisor,
            care_agent=care,
            first_service_on=date(2027, 5, 23),
            first_service_km=5000,
            at=MONDAY,
        )


def test_sd19_an_insurance_claim_belongs_to_an_accident_order(advisor):
    specialist = make_user("advisor", name="理赔专员")
    maintenance = make_order(advisor=advisor, at=MONDAY)
    accident = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=MONDAY)
    services.add_item(
        by=advisor,
        order=accident,
        at=MONDAY,
        category="accident",
        description="前保险杠钣喷",
        labour_price=Decimal("800"),
    )

    with pytest.raises(ValidationError):
        services.open_claim(
            by=advisor, order=maintenance, insurer="人保", claim_number="RDAA2026", specialist=specialist, at=MONDAY
        )
    claim = services.open_claim(
        by=advisor, order=accident, insurer="人保", claim_number="RDAA2026", specialist=specialist, at=MONDAY
    )
    with pytest.raises(TransitionNotAllowed):  # not before the surveyor has seen the car
        services.update_claim(by=specialist, claim=claim, status="approved", approved_amount=Decimal("1500"), at=MONDAY)
    services.update_claim(by=specialist, claim=claim, status="surveyed", at=MONDAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.update_claim(by=specialist, claim=claim, status="approved", at=MONDAY + timedelta(days=2))
    services.update_claim(
        by=specialist, claim=claim, status="approved", approved_amount=Decimal("1500.00"), at=MONDAY + timedelta(days=2)
    )
    services.update_claim(by=specialist, claim=claim, status="paid", at=MONDAY + timedelta(days=9))

    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount) == ("paid", Decimal("1500.00"))
    assert [row.status for row in claim.history.order_by("history_date")] == [
        "reported",
        "surveyed",
        "approved",
        "paid",
    ]


# --- Pages -------------------------------------------------------------------------------------------------------


def test_desk_keeps_a_fixed_query_count_however_many_orders(client_as, django_assert_max_num_queries):
    client = client_as("advisor")
    now = timezone.now()
    for number in range(40):
        order = make_order(advisor=client.user, at=now - timedelta(minutes=number), items=1)
        if number % 2:
            services.record_in_bay(by=client.user, order=order, at=now)
    for _appointment in range(5):
        services.book_appointment(
            by=client.user, vehicle=make_vehicle(), kind="regular", scheduled_at=now + timedelta(hours=1), at=now
        )

    with django_assert_max_num_queries(14):
        page = client.get("/desk/")

    assert page.content.decode().count("data-since") == 20


def test_order_page_keeps_a_fixed_query_count_however_many_items(client_as, django_assert_max_num_queries):
    client = client_as("advisor")
    order = make_order(advisor=client.user, items=12)
    oil = make_part(name="机油", stock=100)
    for item in order.items.all():
        services.add_part_line(by=client.user, item=item, part=oil, quantity=1, at=timezone.now())

    with django_assert_max_num_queries(22):
        page = client.get(f"/desk/orders/{order.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("机油") >= 12  # every item's part line
    assert all(f"/desk/orders/{order.pk}/items/{item.pk}/remove/" in html for item in order.items.all())


def test_a_refused_step_on_the_order_page_comes_back_as_a_message(client_as):
    client = client_as("advisor")
    order = make_order(advisor=client.user)

    response = client.post(f"/desk/orders/{order.pk}/settle-without-rating/", follow=True)

    assert "还有项目没有通过终检" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "open"


def test_in03_sd13_the_cashier_is_recorded_and_only_the_customer_declines_on_the_rating_screen(client_as):
    client = client_as("advisor")
    declined = pass_all_items(make_order(advisor=client.user, confirmed=True))
    unasked = pass_all_items(make_order(advisor=client.user, confirmed=True))
    cashier = make_user("advisor", name="收银 赵敏")
    client.force_login(cashier)

    client.post(f"/desk/orders/{declined.pk}/rate/", {"rating": "refused"})  # the customer's own tap
    client.post(f"/desk/orders/{unasked.pk}/settle-without-rating/")  # nobody handed over the tablet
    page = client.get(f"/desk/orders/{unasked.pk}/").content.decode()

    declined.refresh_from_db()
    unasked.refresh_from_db()
    assert (declined.rating, declined.settled_by) == ("refused", cashier)
    assert (unasked.rating, unasked.settled_by) == ("missing", cashier)
    assert "收银 赵敏" in page


def test_in03_checkout_through_the_api_records_who_settled(api_as):
    api = api_as("advisor")
    order = pass_all_items(make_order(advisor=make_user("advisor"), confirmed=True))

    on_their_behalf = api.post(f"/api/v1/repair-orders/{order.pk}/checkout/", {"rating": "refused"}, format="json")
    settled = api.post(f"/api/v1/repair-orders/{order.pk}/checkout/", {"rating": "good"}, format="json")

    assert (on_their_behalf.status_code, list(on_their_behalf.json())) == (400, ["rating"])
    assert settled.status_code == 200
    assert settled.json()["settled_by"] == api.user.pk and settled.json()["rating"] == "good"


def test_rating_screen_settles_with_the_customers_choice(client_as):
    client = client_as("advisor")
    order = pass_all_items(make_order(advisor=client.user, confirmed=True))

    screen = client.get(f"/desk/orders/{order.pk}/rate/").content.decode()
    client.post(f"/desk/orders/{order.pk}/rate/", {"rating": "very_satisfied"})

    order.refresh_from_db()
    assert "非常满意" in screen and "差" in screen and "我不想评价" in screen
    assert (order.status, order.rating) == ("settled", "very_satisfied")


# --- API --------------------------------------------------------------------------------------------------------


def test_repair_order_api_creates_with_items_confirms_and_checks_out(api_as):
    api = api_as("advisor")
    vehicle = make_vehicle()
    operation = make_labour_operation(price=Decimal("120.00"))

    created = api.post(
        "/api/v1/repair-orders/",
        {
            "vehicle": vehicle.pk,
            "customer_requests": "保养，检查刹车",
            "items": [{"category": "maintenance", "labour_operation": operation.pk}],
        },
        format="json",
    )
    order_id = created.json()["id"]
    added = api.post(
        f"/api/v1/repair-orders/{order_id}/items/",
        {"category": "minor_repair", "description": "更换前刹车片", "labour_price": "180.00"},
        format="json",
    )
    positional = api.post(
        f"/api/v1/repair-orders/{order_id}/items/",
        {"category": "minor_repair", "labour_operation": make_labour_operation(is_positional=True).pk},
        format="json",
    )
    early_checkout = api.post(f"/api/v1/repair-orders/{order_id}/checkout/", {"rating": "good"}, format="json")
    unsigned = api.post(f"/api/v1/repair-orders/{order_id}/confirm/", {"signed_by": "张三"}, format="json")
    reception = api.post(
        f"/api/v1/repair-orders/{order_id}/reception/",
        {"mileage_km": 18_250, "fuel_eighths": 5, "damage": "左后门划痕", "covers_fitted": True, "signed_by": "张三"},
        format="json",
    )
    confirmed = api.post(f"/api/v1/repair-orders/{order_id}/confirm/", {"signed_by": "张三"}, format="json")

    assert created.status_code == 201
    assert created.json()["number"].startswith("RO") and created.json()["total"] == "120.00"
    assert added.json()["total"] == "300.00" and len(added.json()["items"]) == 2
    assert positional.status_code == 400 and "position" in positional.json()
    assert early_checkout.status_code == 409
    assert unsigned.status_code == 409 and reception.status_code == 200
    assert confirmed.json()["confirmed_at"] is not None

    pass_all_items(RepairOrder.objects.get(pk=order_id))
    bad_rating = api.post(f"/api/v1/repair-orders/{order_id}/checkout/", {"rating": "excellent"}, format="json")
    settled = api.post(f"/api/v1/repair-orders/{order_id}/checkout/", {"rating": "satisfied"}, format="json")
    twice = api.post(f"/api/v1/repair-orders/{order_id}/checkout/", {"rating": "poor"}, format="json")
    delivered = api.post(f"/api/v1/repair-orders/{order_id}/deliver/", {}, format="json")
    late_item = api.post(
        f"/api/v1/repair-orders/{order_id}/items/",
        {"category": "maintenance", "description": "x", "labour_price": "1.00"},
        format="json",
    )

    assert bad_rating.status_code == 400
    assert settled.json()["status"] == "settled" and settled.json()["rating"] == "satisfied"
    assert twice.status_code == 409
    assert delivered.json()["status"] == "delivered"
    assert late_item.status_code == 409


def test_repair_order_api_refuses_a_stale_version_and_an_unknown_vehicle(api_as):
    api = api_as("advisor")
    order = make_order()
    version = order.version

    first = api.post(
        f"/api/v1/repair-orders/{order.pk}/confirm/", {"signed_by": "张三", "version": version}, format="json"
    )
    stale = api.post(
        f"/api/v1/repair-orders/{order.pk}/confirm/", {"signed_by": "李四", "version": version}, format="json"
    )
    unknown = api.post("/api/v1/repair-orders/", {"vehicle": 999999}, format="json")

    assert first.status_code == 200
    assert stale.status_code == 409
    assert unknown.status_code == 400 and "vehicle" in unknown.json()


def test_repair_order_api_shows_parts_names_the_advisor_and_refuses_an_unknown_status(api_as):
    manager = api_as("manager")
    advisor = make_user("advisor", name="王芳")
    oil = make_part(name="机油", stock=10, retail_price=Decimal("60.00"))

    unnamed = manager.post("/api/v1/repair-orders/", {"vehicle": make_vehicle().pk}, format="json")
    created = manager.post(
        "/api/v1/repair-orders/",
        {
            "vehicle": make_vehicle().pk,
            "advisor": advisor.pk,
            "items": [
                {
                    "category": "maintenance",
                    "description": "更换机油",
                    "labour_price": "80.00",
                    "parts": [{"part": oil.pk, "quantity": 4}],
                }
            ],
        },
        format="json",
    )
    unknown_status = manager.get("/api/v1/repair-orders/", {"status": "finished"})

    assert unnamed.status_code == 400 and "advisor" in unnamed.json()
    assert created.status_code == 201 and created.json()["advisor"] == advisor.pk
    assert created.json()["items"][0]["parts"] == [
        {"part": oil.pk, "quantity": 4, "amount": "240.00", "waiting_for_part": False}
    ]
    assert unknown_status.status_code == 400


def test_appointments_api_books_with_a_card(api_as):
    api = api_as("callcentre")
    vehicle = make_vehicle()
    tomorrow = timezone.now() + timedelta(days=1)

    booked = api.post(
        "/api/v1/appointments/",
        {
            "vehicle": vehicle.pk,
            "kind": "quick_maintenance",
            "scheduled_at": tomorrow.isoformat(),
            "advisor": make_user("advisor").pk,
        },
        format="json",
    )

    body = booked.json()
    assert booked.status_code == 201, body
    assert body["green_channel"] is True and body["card_number"] == "G001" and body["customer"] == vehicle.customer_id


def test_an_appointment_for_a_car_that_does_not_exist_is_refused_with_a_message(client_as):
    client = client_as("advisor")

    response = client.post(
        "/desk/appointments/new/", {"vehicle": "abc", "kind": "regular", "scheduled_at": "2030-01-01T09:00"}
    )

    assert response.status_code == 200 and "请先按车牌查找车辆" in response.content.decode()


def test_sd18_handover_form_on_the_records_page(client, advisor):
    vehicle = make_vehicle(plate="豫P55555")
    care = make_user("callcentre")
    client.force_login(advisor)
    form = {
        "handed_over_on": "2026-11-23",
        "sales_person": "赵敏",
        "advisor": advisor.pk,
        "care_agent": care.pk,
        "first_service_on": "2027-05-23",
        "first_service_km": 5000,
    }

    unknown_car = client.post("/desk/records/handover/", form | {"vehicle": "999999"}, follow=True)
    recorded = client.post("/desk/records/handover/", form | {"vehicle": vehicle.pk}, follow=True)

    assert "请先按车牌查找车辆" in unknown_car.content.decode()
    assert "交接已登记" in recorded.content.decode()
    assert Handover.objects.get().vehicle == vehicle
