"""PT01-PT03: backorders that reach the customer, tell them once per delay, and when the part arrives."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dealership.errors import StaleObject, TransitionNotAllowed
from dealership.models import SmsMessage, Staff
from parts import services, signals, tasks
from parts.models import Backorder, BackorderStatus
from tests.factories import make_customer, make_part, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def advisor(db):
    user = make_user("advisor", name="王芳")
    Staff.objects.filter(user=user).update(mobile="13903941011")
    return user


def order(advisor, *, at=MONDAY_10, expected_on=date(2026, 11, 25), **overrides):
    fields = {
        "customer": make_customer(name="张先生", mobile="13812345678"),
        "quantity": 1,
        "description": "前减震器（左）",
    } | overrides
    return services.create_backorder(by=advisor, at=at, expected_on=expected_on, **fields)


def texts(kind: str) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(kind=kind).order_by("pk"))


def test_pt01_backorder_records_part_customer_numbers_and_date(advisor):
    part = make_part(name="前减震器（左）", part_number="5Q0413031")

    backorder = order(advisor, part=part, description="", landline="0394-8123456")

    assert backorder.number == "BO202611230001"
    assert (backorder.description, backorder.mobile, backorder.landline) == (
        "前减震器（左）",
        "13812345678",
        "0394-8123456",
    )
    assert backorder.advisor == advisor and backorder.status == BackorderStatus.ORDERED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expected_on": date(2026, 11, 22)}, "expected_on"),
        ({"mobile": "", "landline": ""}, "mobile"),
        ({"description": "", "part": None}, "description"),
    ],
)
def test_pt01_bad_backorder_is_refused_and_nothing_saved(advisor, changes, field):
    with pytest.raises(ValidationError) as refused:
        order(advisor, **changes)

    assert field in refused.value.message_dict
    assert not Backorder.objects.exists()


def test_pt01_a_customer_reached_by_landline_only_is_accepted(advisor):
    backorder = order(advisor, mobile="", landline="03948123456")

    assert (backorder.mobile, backorder.landline) == ("", "0394-8123456")


def test_pt02_past_its_date_the_customer_and_advisor_are_told_once(advisor):
    backorder = order(advisor)
    wednesday_noon = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    thursday_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)

    on_the_day = services.mark_overdue_backorders(at=wednesday_noon)
    next_day = [services.mark_overdue_backorders(at=thursday_10 + timedelta(hours=hour)) for hour in range(10)]

    assert on_the_day == 0
    assert next_day == [1] + [0] * 9
    backorder.refresh_from_db()
    assert backorder.status == BackorderStatus.DELAYED
    assert [m.mobile for m in texts("backorder_delayed")] == ["13812345678"]
    assert [m.mobile for m in texts("backorder_delayed_advisor")] == ["13903941011"]
    assert "前减震器（左）" in texts("backorder_delayed")[0].body


def test_pt02_home_shows_each_advisor_their_customers_parts_waiting_and_those_delayed(client, advisor):
    order(advisor)  # expected on Wednesday the 25th
    order(advisor, expected_on=date(2026, 11, 30))
    order(make_user("advisor"))  # someone else's customer
    thursday_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    client.force_login(advisor)

    def tile() -> str:
        page = client.get("/").content.decode()
        found = page[page.index('data-waiting="backorder_mine"') :]
        return found[: found.index("</a>")]

    with time_machine.travel(thursday_10, tick=False):
        before_the_job = tile()  # late by its date before the hourly job marks it delayed
        services.mark_overdue_backorders(at=thursday_10)
        after_the_job = tile()

    assert "2 项待办" in before_the_job and "1 项超时" in before_the_job
    assert after_the_job == before_the_job


def test_pt02_a_new_date_is_texted_and_a_second_delay_is_told_again(advisor):
    backorder = order(advisor)
    services.mark_overdue_backorders(at=datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    backorder.refresh_from_db()

    services.change_expected_date(
        by=advisor,
        backorder=backorder,
        expected_on=date(2026, 11, 30),
        at=datetime(2026, 11, 26, 11, 0, tzinfo=SHANGHAI),
        version=backorder.version,
    )
    backorder.refresh_from_db()
    services.mark_overdue_backorders(at=datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))

    assert "11月30日" in texts("backorder_new_date")[0].body
    assert len(texts("backorder_delayed")) == 2
    backorder.refresh_from_db()
    assert backorder.status == BackorderStatus.DELAYED


def test_pt02_the_hourly_job_runs_on_the_real_clock(advisor):
    order(advisor)

    with time_machine.travel(datetime(2026, 11, 26, 9, 5, tzinfo=SHANGHAI), tick=False):
        first = tasks.mark_overdue_backorders()
        second = tasks.mark_overdue_backorders()

    assert (first, second) == (1, 0)


def test_pt03_arrival_texts_customer_and_advisor_books_stock_and_frees_the_work_order(advisor):
    clerk = make_user("parts")
    part = make_part(stock=0)
    backorder = order(advisor, part=part, quantity=2)
    heard = []
    signals.backorder_arrived.connect(
        lambda sender, backorder, at, **kw: heard.append(backorder.pk), weak=False, dispatch_uid="test-arrival"
    )
    try:
        services.mark_arrived(by=clerk, backorder=backorder, at=MONDAY_10 + timedelta(days=1))
    finally:
        signals.backorder_arrived.disconnect(dispatch_uid="test-arrival")

    backorder.refresh_from_db()
    part.refresh_from_db()
    assert backorder.status == BackorderStatus.ARRIVED and backorder.arrived_at is not None
    assert part.stock_on_hand == 2
    assert [m.mobile for m in texts("backorder_arrived")] == ["13812345678"]
    assert [m.mobile for m in texts("backorder_arrived_advisor")] == ["13903941011"]


def test_pt03_arrival_is_announced_to_listeners_after_commit(advisor, django_capture_on_commit_callbacks):
    backorder = order(advisor)
    heard = []
    receiver = lambda sender, backorder, at, **kw: heard.append(backorder.pk)  # noqa: E731
    signals.backorder_arrived.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_arrived(by=make_user("parts"), backorder=backorder, at=MONDAY_10)
    finally:
        signals.backorder_arrived.disconnect(receiver)

    assert heard == [backorder.pk]


def test_a_backorder_cannot_be_collected_before_it_arrives_nor_arrive_twice(advisor):
    backorder = order(advisor)

    with pytest.raises(TransitionNotAllowed):
        services.mark_collected(by=advisor, backorder=backorder, at=MONDAY_10)
    services.mark_arrived(by=advisor, backorder=backorder, at=MONDAY_10)
    with pytest.raises(TransitionNotAllowed):
        services.mark_arrived(by=advisor, backorder=backorder, at=MONDAY_10)


def test_a_stale_form_gets_changed_by_someone_else(advisor):
    backorder = order(advisor)
    stale_version = backorder.version
    services.change_expected_date(
        by=advisor, backorder=backorder, expected_on=date(2026, 11, 27), at=MONDAY_10, version=stale_version
    )

    with pytest.raises(StaleObject):
        services.change_expected_date(
            by=advisor, backorder=backorder, expected_on=date(2026, 11, 28), at=MONDAY_10, version=stale_version
        )


def test_each_step_of_a_backorder_is_in_its_history_with_who_and_why(advisor):
    clerk = make_user("parts")
    backorder = order(advisor)

    services.change_expected_date(
        by=clerk, backorder=backorder, expected_on=date(2026, 11, 27), at=MONDAY_10, version=backorder.version
    )
    services.mark_arrived(by=clerk, backorder=backorder, at=MONDAY_10 + timedelta(days=1))
    with pytest.raises(TransitionNotAllowed) as twice:
        services.mark_arrived(by=clerk, backorder=backorder, at=MONDAY_10 + timedelta(days=1))

    history = [(e.from_status, e.to_status, e.by, e.note) for e in backorder.events.order_by("pk")]
    assert history == [
        ("", "ordered", advisor, "预计 2026-11-25 到货"),
        ("ordered", "ordered", clerk, "预计到货日期改为 2026-11-27（原为 2026-11-25）"),
        ("ordered", "arrived", clerk, ""),
    ]
    assert str(twice.value) == "“已到货”的缺件订货不能改为“已到货”。"


def test_cancelling_needs_a_reason(advisor):
    backorder = order(advisor)

    with pytest.raises(ValidationError):
        services.cancel_backorder(by=advisor, backorder=backorder, reason="", at=MONDAY_10)
    services.cancel_backorder(by=advisor, backorder=backorder, reason="客户不要了", at=MONDAY_10)

    backorder.refresh_from_db()
    assert backorder.status == BackorderStatus.CANCELLED
    assert backorder.events.latest("pk").note == "客户不要了"


# --- Pages and API ----------------------------------------------------------------------------------


def test_an_advisor_sees_only_their_own_backorders(client, advisor):
    other = make_user("advisor")
    mine, theirs = order(advisor), order(other)
    client.force_login(advisor)

    my_page = client.get("/parts/backorders/mine/").content.decode()
    their_detail = client.get(f"/parts/backorders/{theirs.pk}/")

    assert mine.number in my_page and theirs.number not in my_page
    assert their_detail.status_code == 404


def test_clerk_marks_arrival_on_the_page(client_as, advisor):
    client = client_as("parts")
    backorder = order(advisor)

    client.post(f"/parts/backorders/{backorder.pk}/arrived/", {"version": backorder.version})
    again = client.post(f"/parts/backorders/{backorder.pk}/arrived/", {"version": backorder.version}, follow=True)

    backorder.refresh_from_db()
    assert backorder.status == BackorderStatus.ARRIVED
    assert "不能" in again.content.decode()


def test_advisor_places_a_backorder_on_the_page(client, advisor):
    client.force_login(advisor)
    customer = make_customer(name="李女士", mobile="15912345678")

    response = client.post(
        "/parts/backorders/new/",
        {
            "customer": customer.pk,
            "description": "后视镜外壳（右，白色）",
            "quantity": "1",
            "expected_on": "2099-01-05",
            "mobile": "",
            "landline": "",
        },
    )

    backorder = Backorder.objects.get()
    assert response["Location"] == f"/parts/backorders/{backorder.pk}/"
    assert (backorder.mobile, backorder.advisor) == ("15912345678", advisor)


def test_backorder_page_refuses_a_past_date_with_a_message(client, advisor):
    client.force_login(advisor)

    response = client.post(
        "/parts/backorders/new/",
        {"customer": make_customer().pk, "description": "x", "quantity": "1", "expected_on": "2020-01-01"},
    )

    assert "不能早于今天" in response.content.decode()
    assert not Backorder.objects.exists()


def test_backorder_list_keeps_a_fixed_query_count(client_as, advisor, django_assert_max_num_queries):
    client = client_as("parts")
    for _number in range(30):
        order(advisor, at=datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))

    with django_assert_max_num_queries(8):
        page = client.get("/parts/backorders/")

    assert page.content.decode().count("BO2026") >= 30


def test_backorders_api_creates_lists_and_marks_arrival(api_as, advisor):
    clerk = api_as("parts")
    customer = make_customer(mobile="13812345678")

    created = clerk.post(
        "/api/v1/backorders/",
        {"customer": customer.pk, "description": "前减震器（左）", "quantity": 1, "expected_on": "2099-01-05"},
        format="json",
    )
    past = clerk.post(
        "/api/v1/backorders/",
        {"customer": customer.pk, "description": "x", "quantity": 1, "expected_on": "2020-01-05"},
        format="json",
    )
    arrived = clerk.post(f"/api/v1/backorders/{created.json()['id']}/arrived/")
    twice = clerk.post(f"/api/v1/backorders/{created.json()['id']}/arrived/")
    listed = clerk.get("/api/v1/backorders/", {"status": "arrived"})

    assert created.status_code == 201 and created.json()["mobile"] == "13812345678"
    assert past.status_code == 400 and "expected_on" in past.json()
    assert arrived.status_code == 200 and arrived.json()["status"] == "arrived"
    assert twice.status_code == 409
    assert [b["id"] for b in listed.json()["results"]] == [created.json()["id"]]


def test_backorders_api_filters_open_and_mine_and_refuses_an_unknown_parameter(api_as, advisor):
    clerk = api_as("parts")
    other = make_user("advisor")
    waiting, collected, theirs = order(clerk.user), order(clerk.user), order(other)
    services.mark_arrived(by=clerk.user, backorder=collected, at=MONDAY_10)
    services.mark_collected(by=clerk.user, backorder=collected, at=MONDAY_10)

    still_open = clerk.get("/api/v1/backorders/", {"status": "open"})
    mine = clerk.get("/api/v1/backorders/", {"mine": "true"})
    bad_status = clerk.get("/api/v1/backorders/", {"status": "lost"})
    unknown = clerk.get("/api/v1/backorders/", {"advisor": other.pk})

    assert {b["id"] for b in still_open.json()["results"]} == {waiting.pk, theirs.pk}
    assert {b["id"] for b in mine.json()["results"]} == {waiting.pk, collected.pk}
    assert bad_status.status_code == 400 and "status" in bad_status.json()
    assert unknown.status_code == 400 and list(unknown.json()) == ["advisor"]


def test_pt01_a_backorder_can_name_the_work_order_waiting_for_it(api_as):
    from tests.factories import make_order

    clerk = api_as("parts")
    order = make_order()

    created = clerk.post(
        "/api/v1/backorders/",
        {
            "customer": order.customer_id,
            "description": "雨刮片",
            "quantity": 1,
            "expected_on": "2099-01-05",
            "repair_order": order.pk,
        },
        format="json",
    )

    assert created.status_code == 201 and created.json()["repair_order"] == order.pk
