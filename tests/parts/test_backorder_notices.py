"""PT02/PT03 rev. 2: who is told about a backorder, when, and how a landline-only customer is reached."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine

from dealership.models import SmsMessage, Staff
from parts import selectors, services
from parts.models import Backorder, BackorderCall, BackorderStatus, CallReason
from tests.factories import make_customer, make_order, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
WEDNESDAY = date(2026, 11, 25)


def with_mobile(user, mobile: str):
    Staff.objects.filter(user=user).update(mobile=mobile)
    return user


@pytest.fixture
def order_advisor(db):
    return with_mobile(make_user("advisor", name="王芳"), "13903941011")


@pytest.fixture
def clerk(db):
    return with_mobile(make_user("parts", name="李明"), "13903942022")


@pytest.fixture
def work_order(order_advisor):
    return make_order(advisor=order_advisor, at=MONDAY_10)


def backorder_for(work_order, clerk, **overrides) -> Backorder:
    fields = {"quantity": 1, "description": "前减震器（左）", "expected_on": WEDNESDAY} | overrides
    return services.create_backorder(
        by=clerk, customer=work_order.customer, repair_order=work_order, at=MONDAY_10, **fields
    )


def texts(kind: str) -> list[str]:
    return list(SmsMessage.objects.filter(kind=kind).order_by("pk").values_list("mobile", flat=True))


def test_pt02_a_date_moved_and_moved_back_is_told_each_time(work_order, clerk):
    backorder = backorder_for(work_order, clerk)
    tuesday = MONDAY_10 + timedelta(days=1)

    for day in (30, 28, 30):
        backorder.refresh_from_db()
        services.change_expected_date(
            by=clerk, backorder=backorder, expected_on=date(2026, 11, day), at=tuesday, version=backorder.version
        )

    assert texts("backorder_new_date") == [work_order.customer.mobile] * 3


def test_pt02_new_date_tells_customer_and_orders_advisor_at_once(work_order, clerk):
    backorder = backorder_for(work_order, clerk)
    tuesday = MONDAY_10 + timedelta(days=1)  # the old date (Wednesday) has not passed yet

    services.change_expected_date(
        by=clerk, backorder=backorder, expected_on=date(2026, 11, 30), at=tuesday, version=backorder.version
    )
    services.change_expected_date(
        by=clerk, backorder=backorder, expected_on=date(2026, 11, 30), at=tuesday, version=backorder.version
    )

    assert texts("backorder_new_date") == [work_order.customer.mobile]
    assert texts("backorder_new_date_advisor") == ["13903941011"]  # the order's advisor, not the clerk
    advisor_text = SmsMessage.objects.get(kind="backorder_new_date_advisor")
    assert advisor_text.dedupe_key == f"backorder:{backorder.pk}:new-date:2026-11-30:v2:advisor"
    assert "11-25" in advisor_text.body and "11-30" in advisor_text.body
    assert texts("backorder_delayed") == []  # told at once, not by the sweep


def test_pt02_the_advisor_of_a_backorder_is_the_advisor_of_its_work_order(work_order, clerk, order_advisor):
    backorder = backorder_for(work_order, clerk)

    services.mark_overdue_backorders(at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))

    assert backorder.advisor == order_advisor
    assert backorder.events.order_by("pk").first().by == clerk  # who typed it stays in the history
    assert texts("backorder_delayed_advisor") == ["13903941011"]
    assert selectors.get_backorder_for(order_advisor, backorder.pk) == backorder


def test_pt03_arrival_tells_the_orders_advisor_never_the_clerk_who_typed_it(work_order, clerk):
    backorder = backorder_for(work_order, clerk)
    # A backorder written before the fix, with the clerk as its advisor: the order still decides.
    Backorder.objects.filter(pk=backorder.pk).update(advisor=clerk)
    backorder.refresh_from_db()

    services.mark_arrived(by=clerk, backorder=backorder, at=MONDAY_10 + timedelta(days=1))

    assert texts("backorder_arrived_advisor") == ["13903941011"]


def test_pt02_a_clerks_backorder_without_a_work_order_texts_no_clerk(clerk):
    customer = make_customer(mobile="13812345678")
    services.create_backorder(
        by=clerk, customer=customer, quantity=1, description="雨刮片", expected_on=WEDNESDAY, at=MONDAY_10
    )

    services.mark_overdue_backorders(at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))

    assert texts("backorder_delayed") == ["13812345678"]
    assert texts("backorder_delayed_advisor") == []


def test_pt02_a_landline_only_customer_is_listed_for_a_call_instead_of_told_nothing(work_order, clerk):
    backorder = backorder_for(work_order, clerk, mobile="", landline="0394-8123456")
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)

    services.mark_overdue_backorders(at=thursday)
    services.mark_overdue_backorders(at=thursday + timedelta(hours=1))
    backorder.refresh_from_db()
    services.change_expected_date(
        by=clerk, backorder=backorder, expected_on=date(2026, 11, 30), at=thursday, version=backorder.version
    )
    services.mark_arrived(by=clerk, backorder=backorder, at=thursday + timedelta(days=1))

    calls = list(BackorderCall.objects.filter(backorder=backorder).order_by("pk"))
    assert [(c.reason, c.expected_on) for c in calls] == [
        (CallReason.DELAYED, WEDNESDAY),
        (CallReason.NEW_DATE, date(2026, 11, 30)),
        (CallReason.ARRIVED, None),
    ]
    assert texts("backorder_delayed") == texts("backorder_new_date") == texts("backorder_arrived") == []
    assert texts("backorder_delayed_advisor") == ["13903941011"]  # the advisor is still texted


def test_pt02_call_list_is_seen_by_clerk_and_orders_advisor_and_records_who_called_and_when(
    client, work_order, clerk, order_advisor
):
    backorder = backorder_for(work_order, clerk, mobile="", landline="0394-8123456")
    services.mark_overdue_backorders(at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    call = BackorderCall.objects.get()
    called_at = datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI)

    client.force_login(make_user("advisor"))
    stranger_page = client.get("/parts/backorders/calls/").content.decode()
    stranger_post = client.post(f"/parts/backorders/calls/{call.pk}/made/", {"note": "x"})
    client.force_login(clerk)
    clerk_page = client.get("/parts/backorders/calls/").content.decode()
    client.force_login(order_advisor)
    advisor_page = client.get("/parts/backorders/calls/").content.decode()
    with time_machine.travel(called_at, tick=False):
        client.post(f"/parts/backorders/calls/{call.pk}/made/", {"note": "客户周五来取"})
        again = client.post(f"/parts/backorders/calls/{call.pk}/made/", {"note": "再打"}, follow=True)

    assert backorder.number not in stranger_page and stranger_post.status_code == 404
    assert backorder.number in clerk_page and "0394-8123456" in clerk_page
    assert backorder.number in advisor_page
    call.refresh_from_db()
    assert (call.called_by, call.called_at, call.note) == (order_advisor, called_at, "客户周五来取")
    assert again.status_code == 200 and not selectors.calls_to_make(clerk).exists()
    assert "客户周五来取" in again.content.decode()


def test_pt02_call_list_keeps_a_fixed_query_count(client, clerk, django_assert_max_num_queries):
    for _n in range(5):
        backorder_for(make_order(at=MONDAY_10), clerk, mobile="", landline="0394-8123456")
    services.mark_overdue_backorders(at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    client.force_login(clerk)

    with django_assert_max_num_queries(12):
        page = client.get("/parts/backorders/calls/")

    assert page.status_code == 200 and page.content.decode().count("/made/") == 5


@pytest.mark.parametrize(("expected_on", "status"), [(date(2026, 11, 22), 400), (date(2026, 11, 23), 201)])
def test_pt01_api_refuses_an_expected_date_before_today_with_a_field_error(api_as, expected_on, status):
    clerk = api_as("parts")
    customer = make_customer()

    with time_machine.travel(MONDAY_10.replace(hour=23, minute=59), tick=False):
        response = clerk.post(
            "/api/v1/backorders/",
            {"customer": customer.pk, "description": "x", "quantity": 1, "expected_on": expected_on.isoformat()},
            format="json",
        )

    assert response.status_code == status
    if status == 400:
        assert list(response.json()) == ["expected_on"]
        assert not Backorder.objects.exists()


def test_pt01_form_refuses_an_expected_date_before_today_on_its_field(client, order_advisor):
    client.force_login(order_advisor)
    customer = make_customer()

    with time_machine.travel(MONDAY_10, tick=False):
        response = client.post(
            "/parts/backorders/new/",
            {"customer": customer.pk, "description": "x", "quantity": "1", "expected_on": "2026-11-22"},
        )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["expected_on"]
    assert not Backorder.objects.exists()


def test_cc01_a_backorder_is_on_time_on_its_expected_day_and_delayed_only_after_it(work_order, clerk):
    backorder = backorder_for(work_order, clerk)
    last_moment = datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI)
    next_day = datetime(2026, 11, 26, 0, 0, tzinfo=SHANGHAI)

    on_the_day = services.mark_overdue_backorders(at=last_moment)
    late_on_the_day = selectors.waiting_backorders(None, last_moment).late
    after = services.mark_overdue_backorders(at=next_day)

    assert (on_the_day, late_on_the_day) == (0, 0)
    assert after == 1
    backorder.refresh_from_db()
    assert backorder.status == BackorderStatus.DELAYED
