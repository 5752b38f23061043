"""CC02 call log, CC03 rescue promises by zone, CC07 home visits."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from customer_care import selectors, services
from customer_care.models import Call, Complaint, Rescue, RescueZone
from dealership.errors import TransitionNotAllowed
from dealership.models import SmsMessage, Staff
from parts import services as parts
from parts.models import GiftItem, GiftMovement
from tests.factories import make_customer, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 26, 23, 40, tzinfo=SHANGHAI)  # the rescue line runs round the clock


@pytest.fixture
def agent(db):
    return make_user("callcentre", name="林雪")


def rescue_in(zone: str, agent, at=NIGHT) -> Rescue:
    return services.request_rescue(
        by=agent,
        caller="张三",
        mobile="13812345678",
        zone=RescueZone.objects.get(code=zone),
        location="川汇区七一路",
        problem="无法启动",
        at=at,
    )


@pytest.mark.parametrize(("zone", "promise"), [("city", 30), ("county", 60), ("province", 12 * 60)])
def test_cc03_the_promised_arrival_comes_from_the_zone_and_is_texted_at_once(agent, zone, promise):
    rescue = rescue_in(zone, agent)

    text = SmsMessage.objects.get(kind="rescue_promised")
    assert rescue.promised_by == NIGHT + timedelta(minutes=promise)
    assert text.status == "queued"  # urgent: quiet hours do not hold it
    assert f"{(NIGHT + timedelta(minutes=promise)):%H:%M}" in text.body


def test_cc03_bad_rescue_input_is_refused_and_nothing_saved(agent):
    closed = RescueZone.objects.create(code="far", name="省外", promise=timedelta(days=1), is_active=False)

    for fields in ({"zone": closed}, {"mobile": "12345"}, {"location": " "}):
        values = {
            "caller": "张三",
            "mobile": "13812345678",
            "zone": RescueZone.objects.get(code="city"),
            "location": "七一路",
            "problem": "爆胎",
        } | fields
        with pytest.raises(ValidationError):
            services.request_rescue(by=agent, at=NIGHT, **values)

    assert not Rescue.objects.exists()


def test_cc03_a_missed_promise_is_recorded_once_by_the_sweep_and_managers_told(agent):
    manager = make_user("manager")
    Staff.objects.filter(user=manager).update(mobile="13903941001")
    rescue = rescue_in("city", agent)

    counts = [services.record_rescue_breaches(at=rescue.promised_by + timedelta(minutes=m)) for m in range(5)]

    rescue.refresh_from_db()
    assert counts == [0, 1, 0, 0, 0]  # CC01 rev. 2: at the promised minute itself the promise still holds
    assert rescue.breached_at == rescue.promised_by + timedelta(minutes=1)
    assert SmsMessage.objects.filter(kind="rescue_late").count() == 1


def test_cc03_dispatch_then_arrival_late_arrival_records_the_miss(agent):
    on_time, late = rescue_in("city", agent), rescue_in("county", agent)
    for rescue in (on_time, late):
        services.dispatch_crew(by=agent, rescue=rescue, crew="李师傅 豫P·J8821", at=NIGHT + timedelta(minutes=3))

    services.rescue_arrived(by=agent, rescue=on_time, at=NIGHT + timedelta(minutes=25))
    services.rescue_arrived(by=agent, rescue=late, at=NIGHT + timedelta(minutes=75))

    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.status, on_time.breached) == ("arrived", False)
    assert (late.status, late.breached) == ("arrived", True)
    with pytest.raises(TransitionNotAllowed):
        services.dispatch_crew(by=agent, rescue=late, crew="x", at=NIGHT + timedelta(hours=2))


def test_cc03_rescue_api_refuses_an_unknown_zone_and_records_arrival(api_as):
    api = api_as("callcentre")
    customer = make_customer(name="张三")

    unknown = api.post(
        "/api/v1/rescues/",
        {"customer": customer.pk, "zone": "mars", "mobile": customer.mobile, "location": "x", "problem": "y"},
        format="json",
    )
    created = api.post(
        "/api/v1/rescues/",
        {"customer": customer.pk, "zone": "county", "mobile": customer.mobile, "location": "商水县", "problem": "爆胎"},
        format="json",
    )
    pk = created.json()["id"]
    dispatched = api.post(f"/api/v1/rescues/{pk}/dispatch/", {"crew": "李师傅 豫P·J8821"}, format="json")
    arrived = api.post(f"/api/v1/rescues/{pk}/arrived/", format="json")
    again = api.post(f"/api/v1/rescues/{pk}/dispatch/", {"crew": "x"}, format="json")

    assert unknown.status_code == 400 and "zone" in unknown.json()
    assert created.status_code == 201 and created.json()["caller"] == "张三"
    assert dispatched.json()["status"] == "dispatched" and dispatched.json()["crew"] == "李师傅 豫P·J8821"
    assert arrived.json()["status"] == "arrived" and arrived.json()["breached"] is False
    assert again.status_code == 409


def test_cc02_a_hotline_call_becomes_a_complaint_in_one_step(client, agent):
    advisor = make_user("advisor")
    customer = make_customer(name="赵敏")
    client.force_login(agent)

    response = client.post(
        "/care/calls/",
        {
            "line": "hotline",
            "caller": "赵敏",
            "number": "13812345678",
            "customer": customer.pk,
            "topic": "换完刹车片有尖叫声",
            "then": "complaint",
            "category": "repair_quality",
            "assignee": advisor.pk,
        },
    )

    call = Call.objects.get()
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/care/complaints/{complaint.pk}/"
    assert call.complaint == complaint
    assert (complaint.channel, complaint.summary, complaint.assignee) == ("hotline", "换完刹车片有尖叫声", advisor)


def test_cc02_a_rescue_line_call_becomes_a_rescue_and_a_bare_call_is_just_logged(client, agent):
    client.force_login(agent)
    call = {"line": "rescue", "caller": "陈先生", "number": "13912345678", "topic": "电瓶没电打不着火"}

    missing_zone = client.post("/care/calls/", call | {"then": "rescue"})
    client.post("/care/calls/", call | {"then": "rescue", "zone": "city", "location": "周口东站停车场"})
    client.post("/care/calls/", call | {"then": "log", "topic": "咨询救援收费"})

    rescue = Rescue.objects.get()
    assert missing_zone.status_code == 200 and not Call.objects.filter(topic="电瓶没电打不着火", rescue=None).exists()
    assert (rescue.mobile, rescue.problem, rescue.zone.code) == ("13912345678", "电瓶没电打不着火", "city")
    assert Call.objects.count() == 2


def test_cc07_a_serious_complaint_at_fault_gets_a_home_visit_with_a_gift(agent):
    advisor, manager, technician = make_user("advisor"), make_user("manager"), make_user("technician")
    gift = parts.save_gift_item(by=manager, gift=GiftItem(name="车载香薰", unit_cost=Decimal("38.00")))
    parts.restock_gifts(by=manager, gift=gift, quantity=2, at=NIGHT)
    minor = services.raise_complaint(
        by=agent,
        customer=make_customer(),
        assignee=advisor,
        channel="hotline",
        category="waiting",
        summary="等太久",
        at=NIGHT,
    )
    serious = services.raise_complaint(
        by=agent,
        customer=make_customer(),
        assignee=advisor,
        channel="hotline",
        category="repair_quality",
        summary="修完第二天就抛锚",
        is_serious=True,
        dealership_at_fault=True,
        at=NIGHT,
    )
    tomorrow = NIGHT + timedelta(hours=12)

    with pytest.raises(TransitionNotAllowed):
        services.plan_home_visit(
            by=agent, complaint=minor, planned_for=tomorrow, manager=manager, technician=technician, at=NIGHT
        )
    visit = services.plan_home_visit(
        by=agent, complaint=serious, planned_for=tomorrow, manager=manager, technician=technician, at=NIGHT
    )
    services.record_home_visit(by=manager, visit=visit, outcome="当面致歉，客户接受", gift=gift, at=tomorrow)

    movement = GiftMovement.objects.get(quantity=-1)
    assert (movement.reason, movement.customer, movement.note) == (
        "complaint_resolution",
        serious.customer,
        serious.number,
    )
    visit.refresh_from_db()
    assert visit.gift == movement and visit.outcome == "当面致歉，客户接受"


def test_cc02_a_rescue_call_from_a_landline_is_texted_to_the_mobile_given(client, agent):
    client.force_login(agent)
    call = {
        "line": "rescue",
        "caller": "陈先生",
        "number": "0394-8123456",
        "topic": "电瓶没电",
        "then": "rescue",
        "zone": "city",
        "location": "周口东站",
    }

    refused = client.post("/care/calls/", call)
    client.post("/care/calls/", call | {"rescue_mobile": "139 1234 5678"})

    assert "请提供大陆手机号" in refused.content.decode() and not Call.objects.filter(rescue=None).exists()
    assert Rescue.objects.get().mobile == "13912345678"
    assert Call.objects.get().number == "0394-8123456"


def test_cc03_a_crew_recorded_only_on_arrival_is_dispatched_then_too(agent):
    rescue = rescue_in("city", agent)

    services.rescue_arrived(by=agent, rescue=rescue, at=NIGHT + timedelta(minutes=20))

    rescue.refresh_from_db()
    assert (rescue.status, rescue.dispatched_at, rescue.breached) == ("arrived", NIGHT + timedelta(minutes=20), False)


def test_cc03_the_home_page_counts_rescues_under_way_and_those_past_their_promise(agent):
    city, county = rescue_in("city", agent), rescue_in("county", agent)
    done = rescue_in("city", agent)
    services.rescue_arrived(by=agent, rescue=done, at=NIGHT + timedelta(minutes=20))

    at_45_minutes = selectors.waiting_rescues(agent, NIGHT + timedelta(minutes=45))

    assert (city.status, county.status) == ("requested", "requested")
    assert (at_45_minutes.count, at_45_minutes.late) == (2, 1)  # the city crew promised 30 minutes


# --- Issue 11: the promise boundary, who and when, version, the customer's mobile ---------------------------------


def test_cc01_cc03_a_crew_arriving_at_the_promised_minute_keeps_the_promise(agent):
    on_the_minute, a_second_late = rescue_in("city", agent), rescue_in("city", agent)

    services.rescue_arrived(by=agent, rescue=on_the_minute, at=on_the_minute.promised_by)
    services.rescue_arrived(by=agent, rescue=a_second_late, at=a_second_late.promised_by + timedelta(seconds=1))

    assert Rescue.objects.get(pk=on_the_minute.pk).breached is False
    assert Rescue.objects.get(pk=a_second_late.pk).breached is True


def test_cc03_every_rescue_step_records_who_and_when(agent):
    dispatcher, crew_desk = make_user("callcentre", name="王芳"), make_user("manager", name="赵经理")
    rescue = rescue_in("county", agent)

    services.dispatch_crew(by=dispatcher, rescue=rescue, crew="李师傅", at=NIGHT + timedelta(minutes=5))
    services.rescue_arrived(by=crew_desk, rescue=rescue, at=NIGHT + timedelta(minutes=50))

    steps = list(rescue.history.order_by("history_id").values_list("status", "history_user", "history_date"))
    assert steps[-2:] == [
        ("dispatched", dispatcher.pk, NIGHT + timedelta(minutes=5)),
        ("arrived", crew_desk.pk, NIGHT + timedelta(minutes=50)),
    ]


def test_cc03_a_stale_arrival_through_the_api_is_409_and_changes_nothing(agent):
    rescue = rescue_in("city", agent)
    services.dispatch_crew(by=agent, rescue=rescue, crew="李师傅", at=NIGHT + timedelta(minutes=5))
    client = APIClient()
    client.force_authenticate(agent)

    stale = client.post(f"/api/v1/rescues/{rescue.pk}/arrived/", {"version": 1}, format="json")
    fresh = client.post(f"/api/v1/rescues/{rescue.pk}/arrived/", {"version": 2}, format="json")

    assert stale.status_code == 409
    assert fresh.status_code == 200 and fresh.json()["status"] == "arrived" and fresh.json()["version"] == 3


def test_cc03_a_rescue_for_a_known_customer_is_texted_on_the_customer_mobile(agent):
    customer = make_customer(mobile="13900001111")
    client = APIClient()
    client.force_authenticate(agent)

    created = client.post(
        "/api/v1/rescues/",
        {"customer": customer.pk, "zone": "city", "location": "七一路", "problem": "爆胎"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["mobile"] == "13900001111" and created.json()["caller"] == customer.name
    assert SmsMessage.objects.get(kind="rescue_promised").mobile == "13900001111"


def test_cc03_the_rescue_board_form_takes_the_chosen_customer_mobile(agent, client):
    customer = make_customer(mobile="13900002222")
    client.force_login(agent)

    response = client.post(
        "/care/rescues/",
        {"caller": "张三", "customer": customer.pk, "zone": "city", "location": "七一路", "problem": "爆胎"},
    )

    assert response.status_code == 302
    assert Rescue.objects.get().mobile == "13900002222"


def test_cc03_without_a_customer_a_rescue_still_needs_a_mobile(agent):
    with pytest.raises(ValidationError) as refused:
        services.request_rescue(
            by=agent,
            caller="张三",
            zone=RescueZone.objects.get(code="city"),
            location="七一路",
            problem="爆胎",
            at=NIGHT,
        )

    assert "mobile" in refused.value.message_dict


# --- Issue 12: the home visit and the rescue move through the one transition -------------------------------------


def test_cc07_a_home_visit_is_recorded_once_with_who_and_when(agent):
    advisor, manager, technician = make_user("advisor"), make_user("manager"), make_user("technician")
    complaint = services.raise_complaint(
        by=agent,
        customer=make_customer(),
        assignee=advisor,
        channel="hotline",
        category="repair_quality",
        summary="修完第二天就抛锚",
        is_serious=True,
        dealership_at_fault=True,
        at=NIGHT,
    )
    tomorrow = NIGHT + timedelta(hours=12)
    visit = services.plan_home_visit(
        by=agent, complaint=complaint, planned_for=tomorrow, manager=manager, technician=technician, at=NIGHT
    )

    services.record_home_visit(by=manager, visit=visit, outcome="当面致歉", at=tomorrow)
    with pytest.raises(TransitionNotAllowed):
        services.record_home_visit(by=manager, visit=visit, outcome="再次登记", at=tomorrow)

    visit.refresh_from_db()
    assert (visit.status, visit.visited_at, visit.outcome) == ("visited", tomorrow, "当面致歉")
    assert visit.history.order_by("history_id").values_list("history_user", "history_date").last() == (
        manager.pk,
        tomorrow,
    )


def test_cc03_a_rescue_called_off_records_who_when_and_why(agent, client):
    rescue = rescue_in("city", agent)
    client.force_login(agent)

    client.post(f"/care/rescues/{rescue.pk}/cancel/", {"reason": "客户已自行解决", "version": 1})
    again = client.post(f"/care/rescues/{rescue.pk}/cancel/", {"reason": "x", "version": 2}, follow=True)

    rescue.refresh_from_db()
    last = rescue.history.order_by("history_id").last()
    assert rescue.status == "cancelled"
    assert (last.history_user, last.history_change_reason) == (agent, "客户已自行解决")
    assert "的救援不能改为" in again.content.decode()
