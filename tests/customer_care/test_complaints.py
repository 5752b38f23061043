"""CC01: complaint sheets with stored deadlines, stages in order, breaches recorded once, escalation."""

import threading
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from customer_care import selectors, services
from customer_care.models import Breach, Complaint, ComplaintPolicy, Holiday
from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from dealership.models import SmsMessage, Staff
from tests.conftest import require_service
from tests.factories import make_customer, make_order, make_user, make_vehicle

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def people(db):
    people = {
        "agent": make_user("callcentre", name="林雪"),
        "advisor": make_user("advisor", name="王芳"),
        "other_advisor": make_user("advisor", name="李磊"),
        "manager": make_user("manager", name="宋建国"),
        "gm": make_user("manager", name="总经理"),
    }
    for index, key in enumerate(("advisor", "manager", "gm")):
        Staff.objects.filter(user=people[key]).update(mobile=f"1390394100{index}")
    return people


def raise_one(people, at=NINE, **fields) -> Complaint:
    return services.raise_complaint(
        by=people["agent"],
        customer=fields.pop("customer", None) or make_customer(name="张三"),
        assignee=fields.pop("assignee", people["advisor"]),
        channel="hotline",
        category="repair_quality",
        summary="保养后发动机舱有异响",
        at=at,
        **fields,
    )


# --- Deadlines are data ---------------------------------------------------------------------------------


def test_cc01_deadlines_are_stored_at_exactly_30_minutes_1_hour_and_2_days(people):
    complaint = raise_one(people)

    assert complaint.respond_by == NINE + timedelta(minutes=30)
    assert complaint.organise_by == NINE + timedelta(hours=1)
    assert complaint.close_by == NINE + timedelta(days=2)
    assert complaint.number.startswith("CP20261126")


def test_cc01_a_policy_change_applies_to_new_complaints_only(people):
    before = raise_one(people)
    ComplaintPolicy.objects.filter(pk=1).update(respond_within=timedelta(minutes=15))

    after = raise_one(people, at=NINE + timedelta(minutes=1))
    before.refresh_from_db()

    assert before.respond_by == NINE + timedelta(minutes=30)
    assert after.respond_by == NINE + timedelta(minutes=16)


def test_cc01_a_working_hours_policy_stops_the_clock_at_night_and_on_holidays(people):
    ComplaintPolicy.objects.filter(pk=1).update(working_hours_only=True, day_starts=time(8, 30), day_ends=time(18, 0))
    Holiday.objects.create(day=date(2026, 11, 27), name="店庆休息")

    complaint = raise_one(people, at=datetime(2026, 11, 26, 17, 45, tzinfo=SHANGHAI))

    # 15 minutes on Thursday, then Friday is a holiday: the other 15 on Saturday from 08:30.
    assert complaint.respond_by == datetime(2026, 11, 28, 8, 45, tzinfo=SHANGHAI)
    assert complaint.organise_by == datetime(2026, 11, 28, 9, 15, tzinfo=SHANGHAI)


def test_cc01_the_deadline_is_elapsed_time_even_across_a_daylight_saving_change(people, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    before_change = datetime(2026, 10, 24, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))

    complaint = raise_one(people, at=before_change)

    assert (complaint.close_by - complaint.created_at).total_seconds() == 2 * 24 * 3600


# --- Stages in order -------------------------------------------------------------------------------------


def test_cc01_the_stages_go_in_order_with_who_and_when(people):
    complaint = raise_one(people)
    advisor = people["advisor"]

    with pytest.raises(TransitionNotAllowed):
        services.close(by=advisor, complaint=complaint, text="已解决", at=NINE + timedelta(minutes=5))
    services.respond(by=advisor, complaint=complaint, text="已致电客户致歉", at=NINE + timedelta(minutes=10))
    services.organise(by=advisor, complaint=complaint, text="约明天复查", at=NINE + timedelta(minutes=40))
    services.close(by=advisor, complaint=complaint, text="复查后已解决", at=NINE + timedelta(hours=20))

    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at) == ("closed", NINE + timedelta(hours=20))
    assert complaint.signed_for_at == NINE + timedelta(minutes=10)  # answering it signs for it
    assert complaint.next_due is None and complaint.watch_from is None
    assert [e.to_status for e in complaint.events.order_by("at", "pk") if e.to_status] == [
        "open",
        "responded",
        "organised",
        "closed",
    ]
    assert not Breach.objects.exists()


def test_cc01_a_closed_complaint_cannot_be_edited_only_reopened_with_new_deadlines(people):
    complaint = raise_one(people)
    for step, minutes in ((services.respond, 5), (services.organise, 10), (services.close, 20)):
        step(by=people["advisor"], complaint=complaint, text="处理", at=NINE + timedelta(minutes=minutes))

    with pytest.raises(TransitionNotAllowed):
        services.respond(by=people["advisor"], complaint=complaint, text="再次响应", at=NINE + timedelta(hours=1))
    with pytest.raises(NotPermitted):
        services.reopen(by=people["advisor"], complaint=complaint, reason="客户不满意", at=NINE + timedelta(hours=2))
    services.reopen(by=people["agent"], complaint=complaint, reason="客户不满意", at=NINE + timedelta(hours=2))

    complaint.refresh_from_db()
    assert (complaint.status, complaint.round) == ("open", 2)
    assert complaint.respond_by == NINE + timedelta(hours=2, minutes=30)


def test_cc01_only_the_assignee_their_manager_and_customer_care_act(people):
    complaint = raise_one(people)

    with pytest.raises(NotPermitted):
        services.respond(by=people["other_advisor"], complaint=complaint, text="我来", at=NINE)
    services.respond(by=people["agent"], complaint=complaint, text="客服已回电", at=NINE + timedelta(minutes=1))

    complaint.refresh_from_db()
    assert complaint.status == "responded" and complaint.signed_for_at is None  # the advisor has not signed


def test_cc01_a_stale_form_is_refused_and_bad_input_changes_nothing(people):
    complaint = raise_one(people)
    services.sign_for(by=people["advisor"], complaint=complaint, at=NINE)

    with pytest.raises(StaleObject):
        services.respond(by=people["advisor"], complaint=complaint, text="x", version=1, at=NINE)
    with pytest.raises(ValidationError):
        services.respond(by=people["advisor"], complaint=complaint, text="  ", at=NINE)
    with pytest.raises(ValidationError):
        raise_one(people, assignee=make_user("technician"))

    complaint.refresh_from_db()
    assert complaint.status == "open" and Complaint.objects.count() == 1


# --- Breaches: read-time overdue, recorded once by the sweep, late steps ----------------------------------


def test_cc01_overdue_is_right_at_every_read_without_any_sweep(people):
    complaint = raise_one(people)
    due = complaint.respond_by

    assert not selectors.overdue(due).filter(pk=complaint.pk).exists()  # rev. 2: the deadline itself is on time
    assert selectors.overdue(due + timedelta(microseconds=1)).filter(pk=complaint.pk).exists()
    assert not Breach.objects.exists()


def test_cc01_a_breach_is_recorded_once_even_when_the_sweep_runs_ten_times(people):
    complaint = raise_one(people)
    late = complaint.respond_by + timedelta(minutes=1)

    counts = [services.record_breaches(at=late + timedelta(seconds=second)) for second in range(10)]

    breach = Breach.objects.get()
    assert counts == [1] + [0] * 9
    assert (breach.stage, breach.round, breach.responsible) == ("respond", 1, people["advisor"])
    assert SmsMessage.objects.filter(kind="complaint_breach").count() == 1
    assert SmsMessage.objects.get(kind="complaint_breach").is_urgent


def test_cc01_a_sweep_after_an_outage_catches_up_every_missed_stage(people):
    complaint = raise_one(people)

    recorded = services.record_breaches(at=NINE + timedelta(hours=3))  # beat was down for three hours

    notice = SmsMessage.objects.get(kind="complaint_breach")  # one text for both stages
    assert recorded == 2 and "响应、组织处理" in notice.body
    assert set(Breach.objects.values_list("stage", flat=True)) == {"respond", "organise"}
    complaint.refresh_from_db()
    assert complaint.watch_from == complaint.close_by  # next: the close deadline


def test_cc01_the_breach_text_names_the_customer_and_skips_an_assignee_without_a_mobile(people):
    texted = raise_one(people, customer=make_customer(name="赵敏"))
    unreachable = raise_one(people, assignee=people["other_advisor"])  # 李磊 has no mobile on file

    services.record_breaches(at=NINE + timedelta(minutes=31))

    assert Breach.objects.filter(complaint__in=[texted, unreachable]).count() == 2  # both recorded
    notice = SmsMessage.objects.get(kind="complaint_breach")
    assert notice.mobile == "13903941000" and texted.number in notice.body and "赵敏" in notice.body


def test_cc01_read_time_overdue_and_the_sweep_agree_at_random_instants(people):
    import random

    rng = random.Random(7)
    complaints = [raise_one(people, at=NINE + timedelta(minutes=rng.randint(0, 600))) for _ in range(40)]
    for complaint in complaints[::3]:
        services.respond(by=people["advisor"], complaint=complaint, text="回电", at=complaint.created_at)
    instant = NINE + timedelta(minutes=rng.randint(200, 700))

    services.record_breaches(at=instant)

    overdue = set(selectors.overdue(instant).values_list("pk", flat=True))
    breached_now = {
        c.pk for c in Complaint.objects.all() if c.breaches.filter(round=c.round, stage=c.stage_in_hand).exists()
    }
    assert overdue == breached_now


def test_cc01_a_late_step_records_its_own_breach_and_the_sweep_does_not_repeat_it(people):
    complaint = raise_one(people)

    services.respond(by=people["advisor"], complaint=complaint, text="回电", at=NINE + timedelta(minutes=45))
    services.record_breaches(at=NINE + timedelta(minutes=50))

    assert list(Breach.objects.values_list("stage", flat=True)) == ["respond"]
    complaint.refresh_from_db()
    assert complaint.first_breach_at == complaint.respond_by  # escalation counts from the missed deadline


def test_cc01_escalation_climbs_to_the_service_manager_then_the_general_manager_once_each(people):
    ComplaintPolicy.objects.filter(pk=1).update(
        service_manager=people["manager"], general_manager=people["gm"], general_manager_after=timedelta(hours=4)
    )
    complaint = raise_one(people)
    first_miss = complaint.respond_by + timedelta(minutes=1)

    for minutes in range(0, 300, 30):  # the sweep every half hour for five hours
        services.record_breaches(at=first_miss + timedelta(minutes=minutes))
        services.escalate(at=first_miss + timedelta(minutes=minutes))

    complaint.refresh_from_db()
    notices = SmsMessage.objects.filter(kind="complaint_escalated")
    assert complaint.escalation_level == 2
    assert sorted(notices.values_list("mobile", flat=True)) == ["13903941001", "13903941002"]
    assert list(complaint.events.filter(note__startswith="已升级").values_list("note", flat=True)) == [
        "已升级至服务经理",
        "已升级至总经理",
    ]


def test_cc01_a_closed_complaint_escalates_no_further(people):
    ComplaintPolicy.objects.filter(pk=1).update(general_manager=people["gm"])
    complaint = raise_one(people)
    services.record_breaches(at=NINE + timedelta(minutes=31))
    for step in (services.respond, services.organise, services.close):
        step(by=people["advisor"], complaint=complaint, text="处理", at=NINE + timedelta(minutes=40))

    services.escalate(at=NINE + timedelta(hours=6))

    complaint.refresh_from_db()
    assert complaint.escalation_level == 0


# --- Pages ------------------------------------------------------------------------------------------------


def test_cc01_queue_shows_countdowns_and_keeps_a_fixed_query_count(client, people, django_assert_max_num_queries):
    for number in range(30):
        complaint = raise_one(people, at=NINE + timedelta(minutes=number))
        if number % 3 == 0:
            services.record_breaches(at=complaint.respond_by)
    client.force_login(people["agent"])

    with time_machine.travel(NINE + timedelta(minutes=45), tick=False):
        with django_assert_max_num_queries(12):
            page = client.get("/care/complaints/")

    html = page.content.decode()
    assert html.count("data-until=") == 25  # a page of 25, each counting down to its next deadline
    assert 'data-warn="600"' in html
    assert "响应 超时" in html


def test_cc01_an_advisor_sees_only_the_complaints_handed_to_them(client, people):
    mine = raise_one(people)
    theirs = raise_one(people, assignee=people["other_advisor"])
    client.force_login(people["advisor"])

    queue = client.get("/care/complaints/").content.decode()

    assert mine.number in queue and theirs.number not in queue
    assert client.get(f"/care/complaints/{theirs.pk}/").status_code == 404


def test_cc01_the_advisor_signs_for_and_answers_on_the_page(client, people):
    complaint = raise_one(people)
    client.force_login(people["advisor"])

    client.post(f"/care/complaints/{complaint.pk}/sign/")
    out_of_order = client.post(f"/care/complaints/{complaint.pk}/close/", {"text": "已解决", "version": 2}, follow=True)
    responded = client.post(
        f"/care/complaints/{complaint.pk}/respond/", {"text": "已回电致歉", "version": 2}, follow=True
    )

    complaint.refresh_from_db()
    assert "各环节须依次进行" in out_of_order.content.decode()
    assert complaint.status == "responded" and complaint.signed_for_at is not None
    assert "已回电致歉" in responded.content.decode()


def test_cc01_raising_a_complaint_from_the_page_hands_it_over(client, people):
    customer = make_customer(name="赵敏")
    client.force_login(people["agent"])

    response = client.post(
        "/care/complaints/new/",
        {
            "customer": customer.pk,
            "channel": "counter",
            "category": "waiting",
            "summary": "等了一个小时还没进工位",
            "assignee": people["advisor"].pk,
            "repair_order_number": "RO000",
        },
    )
    refused = response.status_code == 200 and "找不到 RO000" in response.content.decode()
    created = client.post(
        "/care/complaints/new/",
        {
            "customer": customer.pk,
            "channel": "counter",
            "category": "waiting",
            "summary": "等了一个小时还没进工位",
            "assignee": people["advisor"].pk,
        },
    )

    assert refused
    complaint = Complaint.objects.get()
    assert created.status_code == 302 and complaint.customer == customer
    assert SmsMessage.objects.filter(kind="complaint_assigned", mobile="13903941000").exists()


# --- API -----------------------------------------------------------------------------------------------------


def test_cc01_api_respond_organise_close_in_order_and_the_overdue_filter(api_as, people):
    api = api_as("callcentre")
    customer = make_customer()

    with time_machine.travel(NINE, tick=False):
        created = api.post(
            "/api/v1/complaints/",
            {
                "customer": customer.pk,
                "summary": "刹车异响",
                "channel": "hotline",
                "assignee": people["advisor"].pk,
            },
            format="json",
        )
    pk = created.json()["id"]
    with time_machine.travel(NINE + timedelta(minutes=35), tick=False):
        overdue = api.get("/api/v1/complaints/", {"overdue": "true"}).json()["results"]
        early_close = api.post(f"/api/v1/complaints/{pk}/close/", {"text": "x"}, format="json")
        responded = api.post(f"/api/v1/complaints/{pk}/respond/", {"text": "已回电"}, format="json")

    assert created.status_code == 201
    assert created.json()["respond_by"] == "2026-11-26T09:30:00+08:00"
    assert [row["id"] for row in overdue] == [pk]
    assert early_close.status_code == 409
    assert responded.json()["status"] == "responded" and responded.json()["breaches"] == ["respond"]


@pytest.mark.django_db(transaction=True)
def test_cc01_four_sweeps_at_once_record_each_breach_exactly_once():
    require_service(connection.vendor == "postgresql", "PostgreSQL (concurrent sweeps with SKIP LOCKED)")
    agent, advisor = make_user("callcentre"), make_user("advisor")
    Staff.objects.filter(user=advisor).update(mobile="13903941000")
    customer = make_customer()
    for minute in range(300):
        services.raise_complaint(
            by=agent,
            customer=customer,
            assignee=advisor,
            channel="hotline",
            category="other",
            summary="超时测试",
            at=NINE + timedelta(seconds=minute),
        )
    barrier = threading.Barrier(4)
    recorded = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            recorded.append(services.record_breaches(at=NINE + timedelta(hours=2), batch=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Breach.objects.count() == 600  # respond and organise, for each of 300
    assert sum(recorded) == 600
    # One text per batch to the advisor (a count and the first numbers), never a batch twice.
    notices = SmsMessage.objects.filter(kind="complaint_breaches")
    assert 1 <= notices.count() <= 12 and set(notices.values_list("mobile", flat=True)) == {"13903941000"}


def test_cc01_customer_care_hands_a_complaint_over_and_reopens_it_on_the_page(client, people):
    complaint = raise_one(people)
    client.force_login(people["agent"])

    client.post(f"/care/complaints/{complaint.pk}/reassign/", {"assignee": people["other_advisor"].pk, "version": 1})
    complaint.refresh_from_db()
    for step in ("respond", "organise", "close"):
        client.post(f"/care/complaints/{complaint.pk}/{step}/", {"text": "处理", "version": complaint.version})
        complaint.refresh_from_db()
    without_reason = client.post(
        f"/care/complaints/{complaint.pk}/reopen/", {"reason": "", "version": complaint.version}, follow=True
    )
    client.post(f"/care/complaints/{complaint.pk}/reopen/", {"reason": "客户仍不满意", "version": complaint.version})

    complaint.refresh_from_db()
    assert "重新打开的原因：该字段是必填项" in without_reason.content.decode()
    assert (complaint.assignee, complaint.status, complaint.round) == (people["other_advisor"], "open", 2)


def test_cc01_a_step_at_exactly_the_deadline_is_on_time_and_the_sweep_then_records_nothing(people):
    complaint = raise_one(people)
    assert complaint.respond_by == NINE + timedelta(minutes=30)

    services.respond(by=people["advisor"], complaint=complaint, text="回电", at=complaint.respond_by)
    services.record_breaches(at=complaint.respond_by)

    complaint.refresh_from_db()
    assert not Breach.objects.exists()
    assert complaint.first_breach_at is None


def test_cc01_the_sweep_at_exactly_the_deadline_records_no_breach_and_one_moment_later_does(people):
    complaint = raise_one(people)

    at_deadline = services.record_breaches(at=complaint.respond_by)
    just_after = services.record_breaches(at=complaint.respond_by + timedelta(microseconds=1))

    assert (at_deadline, just_after) == (0, 1)
    assert list(Breach.objects.values_list("stage", flat=True)) == ["respond"]


def test_cc01_a_step_one_moment_after_the_deadline_is_late(people):
    complaint = raise_one(people)

    services.respond(
        by=people["advisor"], complaint=complaint, text="回电", at=complaint.respond_by + timedelta(microseconds=1)
    )

    complaint.refresh_from_db()
    assert list(Breach.objects.values_list("stage", flat=True)) == ["respond"]
    assert complaint.first_breach_at == complaint.respond_by


def test_cc01_a_complaint_back_on_schedule_is_not_escalated(people):
    ComplaintPolicy.objects.filter(pk=1).update(service_manager=people["manager"], general_manager=people["gm"])
    complaint = raise_one(people)
    services.respond(by=people["advisor"], complaint=complaint, text="回电", at=NINE + timedelta(minutes=31))
    services.organise(by=people["advisor"], complaint=complaint, text="约复查", at=NINE + timedelta(minutes=50))

    for hours in (1, 3, 5):
        services.record_breaches(at=NINE + timedelta(hours=hours))
        services.escalate(at=NINE + timedelta(hours=hours))

    complaint.refresh_from_db()
    assert complaint.escalation_level == 0 and not SmsMessage.objects.filter(kind="complaint_escalated").exists()


def test_cc01_escalation_delays_count_from_the_missed_deadline_even_after_a_beat_outage(people):
    ComplaintPolicy.objects.filter(pk=1).update(general_manager=people["gm"], general_manager_after=timedelta(hours=4))
    complaint = raise_one(people)

    services.record_breaches(at=NINE + timedelta(hours=5))  # beat was down since before the first miss
    services.escalate(at=NINE + timedelta(hours=5))

    complaint.refresh_from_db()
    assert complaint.first_breach_at == complaint.respond_by
    assert complaint.escalation_level == 2  # 4 h 30 min after the missed 09:30 response


def test_cc01_the_general_manager_is_never_told_before_the_service_manager(client, people):
    client.force_login(people["manager"])

    response = client.post(
        "/care/settings/",
        {
            "form": "complaint",
            "complaint-respond_within": 30,
            "complaint-organise_within": 60,
            "complaint-close_within": 2880,
            "complaint-day_starts": "08:30",
            "complaint-day_ends": "18:00",
            "complaint-manager_after": 120,
            "complaint-general_manager_after": 60,
        },
    )

    assert "总经理应在服务经理之后" in response.content.decode()
    assert ComplaintPolicy.current().manager_after == timedelta(0)


def test_cc01_a_reopened_complaint_starts_afresh_and_tells_the_advisor_it_is_back(people):
    complaint = raise_one(people)
    for step in (services.respond, services.organise, services.close):
        step(by=people["advisor"], complaint=complaint, text="处理", at=NINE + timedelta(minutes=10))

    services.reopen(by=people["agent"], complaint=complaint, reason="客户仍不满意", at=NINE + timedelta(days=1))

    complaint.refresh_from_db()
    assert (complaint.signed_for_at, complaint.response, complaint.resolution) == (None, "", "")
    assert SmsMessage.objects.filter(kind="complaint_reopened", mobile="13903941000").exists()
    with pytest.raises(ValidationError):
        services.reassign(by=people["agent"], complaint=complaint, assignee=people["advisor"], at=NINE)


def test_cc01_the_queue_finds_a_complaint_by_mobile_plate_or_work_order(client, people):
    customer = make_customer(name="赵敏", mobile="13912345678")
    order = make_order(advisor=people["advisor"], vehicle=make_vehicle(plate="豫P99749", customer=customer))
    complaint = raise_one(people, customer=customer, repair_order=order)
    client.force_login(people["agent"])

    found = [
        complaint.number in client.get("/care/complaints/", {"q": query}).content.decode()
        for query in ("5678", "P99749", order.number, "赵敏")
    ]

    assert found == [True, True, True, True]


def test_a_customers_page_shows_their_visits_complaints_and_follow_ups_to_customer_care(
    client, people, django_assert_max_num_queries
):
    customer = make_customer(name="赵敏")
    orders = [make_order(advisor=people["advisor"], vehicle=make_vehicle(customer=customer)) for _ in range(3)]
    complaints = [raise_one(people, customer=customer) for _ in range(4)]
    client.force_login(people["agent"])

    with django_assert_max_num_queries(14):
        page = client.get(f"/customers/{customer.pk}/").content.decode()
    client.force_login(people["advisor"])
    as_advisor = client.get(f"/customers/{customer.pk}/").content.decode()

    assert all(order.number in page for order in orders) and all(c.number in page for c in complaints)
    assert "进厂记录" in as_advisor and complaints[0].number not in as_advisor  # complaints are care's


def test_cc01_the_home_page_tells_who_has_complaints_waiting_and_how_many_are_late(
    client, people, django_assert_max_num_queries
):
    for _complaint in range(2):
        raise_one(people)  # due to be answered at 09:30
    raise_one(people, at=NINE + timedelta(minutes=20))  # at 09:50
    raise_one(people, at=NINE + timedelta(minutes=20), assignee=people["other_advisor"])
    closed = raise_one(people, at=NINE - timedelta(days=1))
    for step in ("respond", "organise", "close"):
        getattr(services, step)(complaint=closed, by=people["advisor"], text="已处理", at=NINE - timedelta(hours=20))

    def tile(user) -> str:
        client.force_login(user)
        page = client.get("/").content.decode()
        start = page.index('data-waiting="complaint_queue"')
        return page[start : page.index("</div>", page.index("</span>", start) + 7)]

    with time_machine.travel(NINE + timedelta(minutes=35), tick=False):
        advisor, other = tile(people["advisor"]), tile(people["other_advisor"])
        client.force_login(people["agent"])
        with django_assert_max_num_queries(9):
            client.get("/")
        agent = tile(people["agent"])

    assert "3 项待办" in advisor and "2 项超时" in advisor
    assert "1 项待办" in other and "超时" not in other
    assert "4 项待办" in agent and "2 项超时" in agent


def test_cc01_the_complaint_form_offers_the_customers_latest_orders(client, people, django_assert_max_num_queries):
    customer = make_customer(name="赵敏")  # two cars, a visit each
    orders = [
        make_order(advisor=people["advisor"], vehicle=make_vehicle(customer=customer), at=NINE - timedelta(days=day))
        for day in (30, 1)
    ]
    make_order(advisor=people["advisor"])  # another customer's
    client.force_login(people["agent"])

    with django_assert_max_num_queries(6):
        fragment = client.get("/care/complaints/new/orders/", {"customer": customer.pk}).content.decode()
    nobody = client.get("/care/complaints/new/orders/", {"customer": "x"}).content.decode()

    assert all(order.number in fragment for order in orders)
    assert fragment.index(orders[1].number) < fragment.index(orders[0].number)  # newest first
    assert f'data-fill-assignee="{people["advisor"].pk}"' in fragment and fragment.count("data-fill-") == 4
    assert nobody.strip() == ""


# --- Issue 12: one transition, one gate ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cc01_two_people_answering_at_once_one_wins_and_the_other_is_told_it_changed():
    require_service(connection.vendor == "postgresql", "PostgreSQL (two answers racing on one row)")
    advisor, agent = make_user("advisor"), make_user("callcentre")
    complaint = services.raise_complaint(
        by=agent,
        customer=make_customer(),
        assignee=advisor,
        channel="hotline",
        category="other",
        summary="同时处理",
        at=NINE,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(person, text):
        try:
            barrier.wait(timeout=10)
            services.respond(by=person, complaint=complaint, text=text, version=1, at=NINE + timedelta(minutes=5))
            outcomes.append("won")
        except StaleObject:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=pair) for pair in ((advisor, "顾问回电"), (agent, "客服回电"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    complaint.refresh_from_db()
    assert sorted(outcomes) == ["stale", "won"]
    assert (complaint.status, complaint.version) == ("responded", 2)
    assert complaint.events.filter(to_status="responded").count() == 1


def test_cc01_each_step_is_on_the_timeline_with_who_and_when_and_a_stale_page_is_told(client, people):
    complaint = raise_one(people)
    client.force_login(people["agent"])

    client.post(f"/care/complaints/{complaint.pk}/reassign/", {"assignee": people["other_advisor"].pk, "version": 1})
    stale = client.post(f"/care/complaints/{complaint.pk}/respond/", {"text": "回电", "version": 1}, follow=True)
    services.respond(by=people["other_advisor"], complaint=complaint, text="已回电", at=NINE + timedelta(minutes=5))

    handed = complaint.events.get(note__startswith="已转交给")
    responded = complaint.events.get(to_status="responded")
    assert "其他人刚刚修改了这条记录" in stale.content.decode()
    assert handed.by == people["agent"]
    assert (responded.by, responded.at) == (people["other_advisor"], NINE + timedelta(minutes=5))


def test_cc01_the_queue_filters_by_status_and_advisor_and_an_unknown_value_shows_nothing(client, people):
    open_one = raise_one(people)
    closed = raise_one(people, assignee=people["other_advisor"])
    for step in (services.respond, services.organise, services.close):
        step(by=people["agent"], complaint=closed, text="处理", at=NINE + timedelta(minutes=10))
    client.force_login(people["agent"])

    def shown(**params) -> set[str]:
        page = client.get("/care/complaints/", params).content.decode()
        return {number for number in (open_one.number, closed.number) if number in page}

    assert shown() == {open_one.number}  # the page opens on the complaints not closed
    assert shown(status="closed") == {closed.number}
    assert shown(status="") == {open_one.number, closed.number}
    assert shown(status="", assignee=people["other_advisor"].pk) == {closed.number}
    assert shown(assignee="someone") == set()


def test_cc01_nonsense_in_the_queue_filters_is_refused_with_a_message_not_an_error(client, api_as, people):
    complaint = raise_one(people)
    client.force_login(people["agent"])

    nul = client.get("/care/complaints/", {"q": "P9\x009"})
    api = api_as("callcentre").get("/api/v1/complaints/", {"q": "P9\x009"})
    not_a_number = api_as("callcentre").get("/api/v1/complaints/", {"assignee": "x"})

    assert nul.context["filterset"].form.non_field_errors()  # the page says why: no list, no database error
    assert complaint.number not in nul.content.decode()
    assert api.status_code == 400 and set(api.json()) == {"q"}
    assert not_a_number.status_code == 400 and set(not_a_number.json()) == {"assignee"}
