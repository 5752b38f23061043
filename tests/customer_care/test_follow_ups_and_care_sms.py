"""CC04 follow-up calls with praise, CC05 pairing, CC06 care SMS after delivery, greetings, opt-out."""

import re
import time
import zoneinfo
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customer_care import selectors, services
from customer_care.models import CarePolicy, Complaint, FollowUp, MaintenanceDue, Praise
from customer_care.services import follow_ups
from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from dealership.models import SmsMessage, SmsPolicy, SmsStatus
from service_desk import services as desk
from tests.conftest import purge_broker, start_celery_worker, stop_celery_worker, wait_until_answering
from tests.factories import make_customer, make_order, make_user, make_vehicle, pass_all_items
from tests.fake_gateway import FakeGateway

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


def delivered(*, advisor=None, vehicle=None, at=NINE, mileage=None):
    order = make_order(advisor=advisor, vehicle=vehicle, at=at, confirmed=True)
    if mileage is not None:
        order.__class__.objects.filter(pk=order.pk).update(mileage_km=mileage)
        order.refresh_from_db()
    pass_all_items(order, at=at)
    desk.settle(by=order.advisor, order=order, rating="very_satisfied", at=at + timedelta(hours=3))
    return desk.deliver(by=order.advisor, order=order, at=at + timedelta(hours=3, minutes=10))


@pytest.fixture
def crew(db):
    advisor = make_user("advisor", name="王芳")
    agent = make_user("callcentre", name="林雪")
    services.pair_care_agent(by=make_user("manager"), advisor=advisor, care_agent=agent)
    return {"advisor": advisor, "agent": agent, "other_agent": make_user("callcentre", name="罗婷")}


# --- CC04, CC05 follow-up calls ------------------------------------------------------------------------------


def test_cc04_cc05_the_day_after_delivery_the_order_is_in_the_paired_agents_queue(crew):
    order = delivered(advisor=crew["advisor"])

    follow_up = FollowUp.objects.get(repair_order=order)
    tomorrow = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    mine_today = list(selectors.follow_up_queue(at=NINE + timedelta(hours=6), agent=crew["agent"]))
    mine_tomorrow = list(selectors.follow_up_queue(at=tomorrow, agent=crew["agent"]))
    theirs_tomorrow = list(selectors.follow_up_queue(at=tomorrow, agent=crew["other_agent"]))

    assert follow_up.due_at == datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    assert follow_up.care_agent == crew["agent"]
    assert (mine_today, mine_tomorrow, theirs_tomorrow) == ([], [follow_up], [])


def test_cc04_a_reached_call_records_satisfaction_and_praise_of_named_staff(crew):
    order = delivered(advisor=crew["advisor"])
    technician = order.items.first().technician
    follow_up = order.follow_up

    services.record_follow_up(
        by=crew["agent"],
        follow_up=follow_up,
        reached=True,
        satisfaction="very_satisfied",
        praised=[crew["advisor"], technician],
        notes="客户表扬王芳讲解清楚",
        at=NINE + timedelta(days=1, hours=1),
    )

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.satisfaction, follow_up.attempts) == ("done", "very_satisfied", 1)
    assert set(Praise.objects.values_list("staff", flat=True)) == {crew["advisor"].pk, technician.pk}


def test_cc04_praise_for_someone_who_is_not_staff_is_refused_and_nothing_recorded(crew):
    follow_up = delivered(advisor=crew["advisor"]).follow_up
    outsider = make_user()  # an account without a staff profile

    with pytest.raises(ValidationError):
        services.record_follow_up(
            by=crew["agent"], follow_up=follow_up, reached=True, satisfaction="satisfied", praised=[outsider], at=NINE
        )

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.attempts, Praise.objects.count()) == ("due", 0, 0)


def test_cc04_a_complaint_in_the_call_is_raised_in_one_click_with_the_order_linked(client, crew):
    order = delivered(advisor=crew["advisor"])
    client.force_login(crew["agent"])

    client.post(
        f"/care/follow-ups/{order.follow_up.pk}/",
        {
            "reached": "1",
            "satisfaction": "dissatisfied",
            "complaint": "on",
            "complaint_category": "repair_quality",
            "complaint_summary": "保养后仪表盘保养灯没有复位",
            "version": order.follow_up.version,
        },
    )

    complaint = Complaint.objects.get()
    assert (complaint.repair_order, complaint.channel, complaint.assignee) == (order, "follow_up", crew["advisor"])
    assert complaint.summary == "保养后仪表盘保养灯没有复位"


def test_cc04_an_unreached_customer_is_called_again_then_given_up_after_the_set_attempts(crew):
    CarePolicy.objects.filter(pk=1).update(follow_up_attempts=3, retry_after=timedelta(hours=4))
    follow_up = delivered(advisor=crew["advisor"]).follow_up
    first_call = follow_up.due_at

    for number in range(3):
        follow_up = services.record_follow_up(
            by=crew["agent"], follow_up=follow_up, reached=False, at=first_call + timedelta(hours=4 * number)
        )
        if number < 2:
            assert (follow_up.status, follow_up.due_at) == ("due", first_call + timedelta(hours=4 * number + 4))

    assert (follow_up.status, follow_up.attempts) == ("unreached", 3)
    with pytest.raises(TransitionNotAllowed):
        services.record_follow_up(by=crew["agent"], follow_up=follow_up, reached=False, at=first_call)


def test_cc04_follow_up_api_records_a_call(api_as, crew):
    order = delivered(advisor=crew["advisor"])
    api = api_as("callcentre")

    answered = api.post(
        "/api/v1/follow-ups/",
        {
            "repair_order": order.pk,
            "outcome": "reached",
            "satisfaction": "satisfied",
            "praised_staff": [crew["advisor"].pk],
        },
        format="json",
    )
    undelivered = api.post(
        "/api/v1/follow-ups/", {"repair_order": make_order().pk, "outcome": "unreached"}, format="json"
    )

    assert answered.status_code == 201
    assert answered.json()["outcome"] == "reached" and answered.json()["praised_staff"] == [crew["advisor"].pk]
    assert undelivered.status_code == 404


# --- CC06 care SMS after delivery -------------------------------------------------------------------------------


def test_cc06_post_repair_advice_is_written_with_the_delivery_once_and_waits_for_quiet_hours(crew):
    evening = datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI)  # delivered at 21:10, inside quiet hours
    order = delivered(advisor=crew["advisor"], at=evening)

    services.after_delivery(order=order, at=order.delivered_at)  # a replayed signal changes nothing

    advice = SmsMessage.objects.get(kind="care_after_repair")
    assert advice.dedupe_key == f"care:order:{order.pk}:advice"
    assert (advice.status, advice.next_attempt_at) == ("held", datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI))
    assert FollowUp.objects.filter(repair_order=order).count() == 1


def test_cc06_a_delivery_that_fails_leaves_no_care_sms_and_no_follow_up(crew, monkeypatch):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    pass_all_items(order, at=NINE)
    desk.settle(by=crew["advisor"], order=order, rating="good", at=NINE)

    def broken(**kwargs):
        raise RuntimeError("the follow-up could not be written")

    monkeypatch.setattr(follow_ups, "set_maintenance_due", broken)
    with pytest.raises(RuntimeError):
        desk.deliver(by=crew["advisor"], order=order, at=NINE + timedelta(hours=1))

    order.refresh_from_db()
    assert order.status == "settled"  # one transaction: no delivery without its care work
    assert not FollowUp.objects.exists() and not SmsMessage.objects.filter(kind="care_after_repair").exists()


def test_cc06_maintenance_falls_due_by_distance_when_the_car_drives_a_lot(crew):
    vehicle = make_vehicle(mileage_km=10_000)
    delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE - timedelta(days=100), mileage=10_000)
    # 100 days later the car has done 8,000 km: 80 km a day, so 7,500 km take 93 days (< 180 days).
    order = delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE, mileage=18_000)

    due = MaintenanceDue.objects.get(vehicle=vehicle)
    assert due.from_order == order
    assert due.km_per_day == Decimal("80.0") and due.by_distance
    assert due.due_on == date(2026, 11, 26) + timedelta(days=93)
    assert due.due_km == 25_500


def test_cc06_maintenance_falls_due_by_time_for_a_car_seen_once(crew):
    vehicle = make_vehicle(mileage_km=3_000)

    delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE, mileage=3_000)

    due = MaintenanceDue.objects.get(vehicle=vehicle)
    # 40 km a day (no history): 7,500 km in 187 days, so 180 days comes first.
    assert (due.due_on, due.by_distance) == (date(2026, 11, 26) + timedelta(days=180), False)


def test_cc06_the_reminder_goes_once_on_its_day_and_a_newer_visit_replaces_it(crew):
    vehicle = make_vehicle()
    delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE)
    due = MaintenanceDue.objects.get(vehicle=vehicle)
    remind_day = datetime.combine(due.remind_on, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=9)

    before = services.send_maintenance_reminders(at=remind_day - timedelta(days=1))
    on_the_day = [services.send_maintenance_reminders(at=remind_day + timedelta(minutes=m)) for m in range(3)]
    later_visit = delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE + timedelta(days=190))

    reminder = SmsMessage.objects.get(kind="maintenance_reminder")
    assert (before, on_the_day) == (0, [1, 0, 0])
    assert reminder.next_attempt_at == remind_day + timedelta(hours=1)  # sent from 10:00
    assert MaintenanceDue.objects.get(vehicle=vehicle).from_order == later_visit


def test_cc06_greetings_skip_customers_who_opted_out_and_a_reply_td_opts_out(client, db):
    from dealership.services import opt_out_by_reply

    manager = make_user("manager")
    staying, leaving = make_customer(name="张三"), make_customer(name="李四")
    for customer in (staying, leaving):
        make_vehicle(customer=customer, model_name="一汽-大众 迈腾 2.0T")

    changed = opt_out_by_reply(mobile=leaving.mobile, text=" td ")
    ignored = opt_out_by_reply(mobile=staying.mobile, text="好的，谢谢")
    sent = services.broadcast(by=manager, kind="weather", text="明日大雪，请减速慢行。", model_contains="迈腾", at=NINE)
    again = services.broadcast(
        by=manager, kind="weather", text="明日大雪，请减速慢行。", model_contains="迈腾", at=NINE
    )

    texts = SmsMessage.objects.filter(kind="care_weather")
    assert (changed, ignored) == (1, 0)
    assert (sent.recipients, sent.skipped) == (1, 1)
    assert list(texts.values_list("mobile", flat=True).distinct()) == [staying.mobile]
    assert again.pk != sent.pk and texts.count() == 2  # a second broadcast is a second message, on purpose
    assert "明日大雪" in texts.first().body


def test_cc06_only_a_manager_sends_greetings(db):
    with pytest.raises(NotPermitted):
        services.broadcast(by=make_user("callcentre"), kind="greeting", text="节日快乐", at=NINE)


# --- CC06 with a real worker on the broker ------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_cc06_a_real_worker_sends_the_care_sms_of_a_delivered_order_exactly_once(settings, tmp_path):
    purge_broker()
    # No quiet hours, whenever CI runs: the care text goes as soon as the worker has it.
    SmsPolicy.objects.update_or_create(pk=1, defaults={"quiet_from": clock(0), "quiet_until": clock(0)})
    advisor = make_user("advisor")
    log = tmp_path / "worker.log"
    with FakeGateway() as gateway:
        for name, value in gateway.settings().items():
            setattr(settings, name, value)
        worker = start_celery_worker(log, **gateway.settings())
        try:
            wait_until_answering(worker, log)
            order = delivered(advisor=advisor, at=timezone.now() - timedelta(hours=4))
            advice = SmsMessage.objects.get(kind="care_after_repair")
            deadline = time.monotonic() + 60
            while SmsMessage.objects.get(pk=advice.pk).status != SmsStatus.SENT and time.monotonic() < deadline:
                time.sleep(0.2)  # polling the worker process, not waiting out a business deadline
            services.after_delivery(order=order, at=order.delivered_at)  # the signal again: still one text
        finally:
            stop_celery_worker(worker)

    advice.refresh_from_db()
    assert advice.status == SmsStatus.SENT
    assert gateway.sends[advice.out_id] == 1
    assert max(gateway.sends.values()) == 1  # the order's other texts (car ready) also once each
    assert "感谢您光临" in gateway.bodies[advice.out_id]


def test_cc04_only_the_visits_advisor_and_technicians_are_praised_once_each(api_as, crew):
    order = delivered(advisor=crew["advisor"])
    api = api_as("callcentre")

    self_praise = api.post(
        "/api/v1/follow-ups/",
        {"repair_order": order.pk, "outcome": "reached", "satisfaction": "satisfied", "praised_staff": [api.user.pk]},
        format="json",
    )
    twice = api.post(
        "/api/v1/follow-ups/",
        {
            "repair_order": order.pk,
            "outcome": "reached",
            "satisfaction": "satisfied",
            "praised_staff": [crew["advisor"].pk, crew["advisor"].pk],
        },
        format="json",
    )

    assert self_praise.status_code == 400 and "praised" in self_praise.json()
    assert twice.status_code == 201 and list(Praise.objects.values_list("staff", flat=True)) == [crew["advisor"].pk]


def test_cc06_a_car_that_hardly_moves_still_gets_delivered_and_falls_due_by_time(crew):
    vehicle = make_vehicle(mileage_km=50_000)
    delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE - timedelta(days=400), mileage=50_000)

    order = delivered(advisor=crew["advisor"], vehicle=vehicle, at=NINE, mileage=50_010)  # 10 km in 400 days

    due = MaintenanceDue.objects.get(vehicle=vehicle)
    assert order.status == "delivered"
    assert (due.km_per_day, due.by_distance) == (Decimal("0.1"), False)


def test_cc06_only_td_opts_out_and_an_opted_out_customer_gets_no_greeting_from_any_caller(db):
    from dealership.outbox import enqueue_sms
    from dealership.services import opt_out_by_reply

    customer = make_customer()

    not_a_keyword = opt_out_by_reply(mobile=customer.mobile, text="n")
    keyword = opt_out_by_reply(mobile=customer.mobile, text="退订")
    greeting = enqueue_sms(
        mobile=customer.mobile,
        kind="care_greeting",
        context={"customer": customer.name, "text": "节日快乐"},
        dedupe_key="greeting-test",
        at=NINE,
    )
    advice = enqueue_sms(
        mobile=customer.mobile,
        kind="care_after_repair",
        context={"customer": customer.name, "plate": "豫P12345", "work": "保养"},
        dedupe_key="advice-test",
        at=NINE,
    )

    assert (not_a_keyword, keyword) == (0, 1)
    assert greeting is None and advice is not None  # service messages still go


def test_cc06_a_greeting_goes_only_to_the_group_that_was_counted(client, db):
    manager = make_user("manager")
    for model in ("迈腾", "速腾", "速腾"):
        make_vehicle(customer=make_customer(), model_name=f"一汽-大众 {model}")
    client.force_login(manager)
    form = {"kind": "greeting", "text": "冬至快乐！", "model_contains": "迈腾"}

    counted = client.post("/care/broadcasts/", form).content.decode()
    token = re.search(r'name="counted" value="([^"]+)"', counted).group(1)
    changed = client.post("/care/broadcasts/", form | {"model_contains": "", "counted": token})
    sent = client.post("/care/broadcasts/", form | {"counted": token})

    assert "符合条件的客户 1 位" in counted and "【售后服务】尊敬的张先生，冬至快乐！ 回TD退订" in counted
    assert changed.status_code == 200 and "符合条件的客户 3 位" in changed.content.decode()
    assert sent.status_code == 302
    assert SmsMessage.objects.filter(kind="care_greeting").count() == 1


def test_cc04_no_complaint_from_an_unanswered_call_and_no_retry_before_its_time(client, crew):
    follow_up = delivered(advisor=crew["advisor"]).follow_up
    client.force_login(crew["agent"])

    refused = client.post(
        f"/care/follow-ups/{follow_up.pk}/",
        {"reached": "0", "complaint": "on", "complaint_summary": "x", "version": follow_up.version},
    )
    services.record_follow_up(by=crew["agent"], follow_up=follow_up, reached=False, at=follow_up.due_at)
    follow_up.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.record_follow_up(
            by=crew["agent"], follow_up=follow_up, reached=False, at=follow_up.due_at - timedelta(hours=1)
        )

    assert "联系上客户时才能在回访中登记投诉" in refused.content.decode()
    assert not Complaint.objects.exists() and follow_up.attempts == 1


def test_cc04_the_agents_home_counts_the_calls_due_and_those_a_day_late(crew):
    old = delivered(advisor=crew["advisor"], vehicle=make_vehicle(), at=NINE - timedelta(days=2))  # due the 25th
    delivered(advisor=crew["advisor"], at=NINE)  # due tomorrow at 10:00
    thursday_noon = NINE + timedelta(hours=3)

    waiting = selectors.waiting_follow_ups(crew["agent"], thursday_noon)
    others = selectors.waiting_follow_ups(crew["other_agent"], thursday_noon)
    friday_noon = selectors.waiting_follow_ups(crew["agent"], thursday_noon + timedelta(days=1))

    assert FollowUp.objects.get(repair_order=old).due_at < thursday_noon - timedelta(days=1)
    assert (waiting.count, waiting.late) == (1, 1)
    assert (others.count, others.late) == (0, 0)  # neither is theirs: the pairing gave both to 林雪
    assert (friday_noon.count, friday_noon.late) == (2, 1)


# --- Issue 12: the follow-up call moves through the one transition ------------------------------------------------


def test_cc04_two_agents_recording_the_same_call_the_second_is_stale_and_writes_nothing(crew):
    follow_up = delivered(advisor=crew["advisor"]).follow_up
    call = {"reached": True, "satisfaction": "satisfied", "praised": [crew["advisor"]], "version": 1}

    services.record_follow_up(by=crew["agent"], follow_up=follow_up, at=NINE + timedelta(days=1), **call)
    with pytest.raises(StaleObject):
        services.record_follow_up(by=crew["other_agent"], follow_up=follow_up, at=NINE + timedelta(days=1), **call)

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.attempts, follow_up.calls.count(), Praise.objects.count()) == ("done", 1, 1, 1)
    last = follow_up.history.order_by("history_id").last()
    assert (last.status, last.history_user, last.history_date) == ("done", crew["agent"], NINE + timedelta(days=1))


def test_cc05_only_a_manager_pairs_advisors_and_an_agent_can_look_at_everyones_calls(client, crew):
    delivered(advisor=make_user("advisor", name="李磊"), at=NINE - timedelta(days=2))  # nobody's call
    theirs = delivered(advisor=crew["advisor"], at=NINE - timedelta(days=2))  # 林雪's call
    client.force_login(crew["other_agent"])

    with pytest.raises(NotPermitted):
        services.pair_care_agent(by=crew["agent"], advisor=crew["advisor"], care_agent=crew["other_agent"])
    mine = client.get("/care/follow-ups/").content.decode()
    everyones = client.get("/care/follow-ups/", {"all": "1"}).content.decode()

    assert theirs.number not in mine and theirs.number in everyones
