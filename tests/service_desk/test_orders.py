"""SD03-SD13: a work order from arrival to delivery."""

import re
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dealership.errors import DomainError, StaleObject, TransitionNotAllowed
from dealership.models import SmsMessage
from parts import services as parts
from parts.models import Backorder
from service_desk import links, services, signals
from service_desk.models import (
    DeferredWork,
    DeskPolicy,
    ItemStatus,
    OrderStatus,
    Rating,
    RepairItem,
)
from tests.factories import (
    make_labour_operation,
    make_order,
    make_part,
    make_user,
    make_vehicle,
    pass_all_items,
)
from workshop.models import Shift

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def advisor(db):
    return make_user("advisor", name="王芳")


# --- SD03 reception ---------------------------------------------------------------------------------


def test_sd03_arrival_greeting_and_bay_are_timed_and_only_the_first_tap_counts(advisor):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=NINE)

    services.record_greeting(by=advisor, order=order, at=NINE + timedelta(seconds=4))
    services.record_greeting(by=advisor, order=order, at=NINE + timedelta(seconds=40))
    services.record_in_bay(by=advisor, order=order, at=NINE + timedelta(seconds=50))

    order.refresh_from_db()
    assert order.number == "RO202611260001"
    assert (order.greeted_at - order.arrived_at, order.in_bay_at - order.arrived_at) == (
        timedelta(seconds=4),
        timedelta(seconds=50),
    )


def test_sd03_a_car_already_in_the_building_cannot_be_received_twice(advisor):
    vehicle = make_vehicle()
    services.receive_vehicle(by=advisor, vehicle=vehicle, at=NINE)

    with pytest.raises(services.VehicleAlreadyInService):
        services.receive_vehicle(by=advisor, vehicle=vehicle, at=NINE + timedelta(minutes=5))


# --- SD05, SD06 walk-around and requests ------------------------------------------------------------


def test_sd05_reception_sheet_needs_covers_and_the_customers_signature(advisor):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(mileage_km=30_000), at=NINE)
    sheet = {
        "mileage_km": 30_120,
        "fuel_eighths": 4,
        "damage": "左后门划痕 5cm",
        "valuables": "",
        "customer_requests": "右前轮有异响，刹车时明显；顺便做保养",
        "signature": "",
    }

    with pytest.raises(ValidationError) as refused:
        services.record_walkaround(
            by=advisor, order=order, at=NINE, version=order.version, covers_fitted=False, signed_by="", **sheet
        )
    order.refresh_from_db()
    assert set(refused.value.message_dict) == {"covers_fitted", "signed_by"}
    assert order.reception_signed_at is None

    services.record_walkaround(
        by=advisor, order=order, at=NINE, version=order.version, covers_fitted=True, signed_by="张三", **sheet
    )

    order.refresh_from_db()
    assert order.reception_signed_by == "张三" and order.walkaround["covers_fitted"] is True
    assert order.customer_requests == "右前轮有异响，刹车时明显；顺便做保养"  # SD06 word for word
    assert order.vehicle.mileage_km == 30_120


def test_sd05_a_stale_reception_form_does_not_overwrite(advisor):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=NINE)
    opened = order.version
    services.update_requests(by=advisor, order=order, text="保养", at=NINE, version=opened)

    with pytest.raises(StaleObject):
        services.update_requests(by=advisor, order=order, text="洗车", at=NINE, version=opened)


# --- SD07, SD08 items -----------------------------------------------------------------------------


def test_sd07_sd08_a_positional_operation_or_part_without_position_is_refused(advisor):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=NINE)
    shock = make_labour_operation(name="更换减震器", category="minor_repair", is_positional=True)
    shock_part = make_part(name="前减震器", is_positional=True, stock=4)

    with pytest.raises(ValidationError) as no_position:
        services.add_item(by=advisor, order=order, at=NINE, category="minor_repair", labour_operation=shock)
    plain = services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", description="检查底盘异响", labour_price=Decimal("0")
    )
    with pytest.raises(ValidationError) as part_needs_position:
        services.add_part_line(by=advisor, item=plain, part=shock_part, quantity=1, at=NINE)
    placed = services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", labour_operation=shock, position="front_left"
    )
    services.add_part_line(by=advisor, item=placed, part=shock_part, quantity=1, at=NINE)

    assert "position" in no_position.value.message_dict
    assert "part" in part_needs_position.value.message_dict
    assert str(placed) == "更换减震器（左前）"


def test_sd07_totals_are_decimal_sums_of_labour_and_parts(advisor):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=NINE)
    oil_change = make_labour_operation(price=Decimal("120.00"))
    filter_part = make_part(retail_price=Decimal("68.50"), stock=5)

    item = services.add_item(by=advisor, order=order, at=NINE, category="maintenance", labour_operation=oil_change)
    services.add_part_line(by=advisor, item=item, part=filter_part, quantity=2, at=NINE)
    services.add_item(
        by=advisor, order=order, at=NINE, category="accessory", description="加装脚垫", labour_price=Decimal("0")
    )

    order.refresh_from_db()
    filter_part.refresh_from_db()
    assert (order.labour_total, order.parts_total, order.total) == (
        Decimal("120.00"),
        Decimal("137.00"),
        Decimal("257.00"),
    )
    assert filter_part.stock_on_hand == 3


@pytest.mark.parametrize("bad", [{"labour_price": Decimal("-1")}, {"category": "oil"}, {"description": ""}])
def test_bad_items_are_refused_and_nothing_is_added(advisor, bad):
    order = services.receive_vehicle(by=advisor, vehicle=make_vehicle(), at=NINE)
    fields = {"category": "minor_repair", "description": "检查异响", "labour_price": Decimal("50")} | bad

    with pytest.raises(ValidationError):
        services.add_item(by=advisor, order=order, at=NINE, **fields)

    assert not order.items.exists()


def test_a_part_out_of_stock_can_be_backordered_for_the_order_and_fitted_when_it_arrives(advisor):
    order = make_order(advisor=advisor, at=NINE)
    item = order.items.get()
    mirror = make_part(name="外后视镜", stock=0)

    with pytest.raises(DomainError):
        services.add_part_line(by=advisor, item=item, part=mirror, quantity=1, at=NINE)
    line = services.backorder_part(
        by=advisor, item=item, part=mirror, quantity=1, at=NINE, expected_on=NINE.date() + timedelta(days=3)
    )
    backorder = mirror.backorders.get()

    parts.mark_arrived(by=make_user("parts"), backorder=backorder, at=NINE + timedelta(days=2))

    line.refresh_from_db()
    mirror.refresh_from_db()
    assert backorder.repair_order == order
    assert not line.is_backordered
    assert mirror.stock_on_hand == 0  # in for the backorder, out to the car
    assert "外后视镜" in order.events.latest("pk").note


def test_an_arrived_part_is_fitted_only_to_the_line_that_waits_for_that_backorder(advisor):
    order = make_order(advisor=advisor, at=NINE, items=2)
    left, right = order.items.order_by("pk")
    mirror = make_part(name="外后视镜", stock=0)
    expected = NINE.date() + timedelta(days=3)
    first = services.backorder_part(by=advisor, item=left, part=mirror, quantity=1, at=NINE, expected_on=expected)
    second = services.backorder_part(by=advisor, item=right, part=mirror, quantity=1, at=NINE, expected_on=expected)

    parts.mark_arrived(by=make_user("parts"), backorder=first.backorder, at=NINE + timedelta(days=1))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_backordered, second.is_backordered) == (False, True)


def test_declining_or_removing_an_item_gives_back_its_parts_and_cancels_its_backorder(advisor):
    order = make_order(advisor=advisor, at=NINE, items=3)
    kept, declined, removed = order.items.order_by("pk")
    oil = make_part(name="机油", stock=5)
    mirror = make_part(name="外后视镜", stock=0)
    expected = NINE.date() + timedelta(days=3)
    services.add_part_line(by=advisor, item=declined, part=oil, quantity=4, at=NINE)
    waiting = services.backorder_part(by=advisor, item=declined, part=mirror, quantity=1, at=NINE, expected_on=expected)
    for_removed = services.backorder_part(
        by=advisor, item=removed, part=mirror, quantity=1, at=NINE, expected_on=expected
    )

    services.remove_item(by=advisor, item=removed, at=NINE)
    services.confirm(order=order, signed_by="张三", declined={declined.pk}, by=advisor, at=NINE)

    oil.refresh_from_db()
    statuses = set(
        Backorder.objects.filter(pk__in=[waiting.backorder_id, for_removed.backorder_id]).values_list(
            "status", flat=True
        )
    )
    assert oil.stock_on_hand == 5 and statuses == {"cancelled"}
    assert order.items.get(pk=kept.pk).is_confirmed


def test_no_part_is_added_to_an_item_that_passed_qc_or_was_declined(advisor):
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    pass_all_items(order, at=NINE)
    item = order.items.get()

    with pytest.raises(TransitionNotAllowed):
        services.add_part_line(by=advisor, item=item, part=make_part(stock=3), quantity=1, at=NINE)


def test_removing_the_only_unfinished_item_makes_the_car_ready(advisor):
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    pass_all_items(order, at=NINE)
    extra = services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", description="检查异响", labour_price=Decimal("0")
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS

    services.remove_item(by=advisor, item=extra, at=NINE)

    order.refresh_from_db()
    assert order.status == OrderStatus.READY


def test_the_workshop_cannot_move_an_item_of_a_cancelled_order(advisor):
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    item = order.items.get()
    services.cancel(by=advisor, order=order, reason="客户改天再来", at=NINE)

    with pytest.raises(DomainError):
        services.move_item(item=item, to=ItemStatus.ASSIGNED, at=NINE, technician=make_user("technician"))

    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


# --- SD09 confirmation ------------------------------------------------------------------------------


def test_sd09_no_work_starts_before_the_customer_confirms(advisor):
    order = make_order(advisor=advisor, at=NINE)
    item = order.items.get()

    with pytest.raises(DomainError):
        services.move_item(item=item, to=ItemStatus.ASSIGNED, at=NINE, technician=make_user("technician"))
    services.confirm(order=order, signed_by="张三", by=advisor, at=NINE)
    item.refresh_from_db()
    services.move_item(item=item, to=ItemStatus.ASSIGNED, at=NINE, technician=make_user("technician"))

    order.refresh_from_db()
    assert (order.confirmed_by, order.status) == ("张三", OrderStatus.IN_PROGRESS)


def test_sd09_fourth_added_item_needs_reconfirmation(advisor):
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    technician = make_user("technician")
    added = [
        services.add_item(
            by=advisor,
            order=order,
            at=NINE,
            category="minor_repair",
            description=f"追加项目{number}",
            labour_price=Decimal("50"),
        )
        for number in range(3)
    ]
    order.refresh_from_db()
    assert not order.needs_confirmation
    services.move_item(item=added[0], to=ItemStatus.ASSIGNED, at=NINE, technician=technician)  # 3 are allowed

    fourth = services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", description="追加项目4", labour_price=Decimal("50")
    )

    order.refresh_from_db()
    assert order.needs_confirmation
    with pytest.raises(DomainError):
        services.move_item(item=fourth, to=ItemStatus.ASSIGNED, at=NINE, technician=technician)
    services.confirm(order=order, signed_by="张三", by=advisor, at=NINE + timedelta(minutes=10))
    fourth.refresh_from_db()
    services.move_item(item=fourth, to=ItemStatus.ASSIGNED, at=NINE, technician=technician)
    order.refresh_from_db()
    assert not order.needs_confirmation


def test_sd09_the_allowance_before_reconfirming_is_a_policy(advisor):
    DeskPolicy.objects.update_or_create(pk=1, defaults={"reconfirm_after_items": 0})
    order = make_order(advisor=advisor, at=NINE, confirmed=True)

    services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", description="追加", labour_price=Decimal("10")
    )

    order.refresh_from_db()
    assert order.needs_confirmation


def test_sd09_customer_confirms_by_link_and_declined_work_is_kept_for_next_visit(client, advisor):
    order = make_order(advisor=advisor, at=NINE, items=2)
    keep, decline = order.items.order_by("pk")
    url = services.send_confirmation_link(by=advisor, order=order, at=NINE)
    path = url.split("127.0.0.1:8000", 1)[-1]

    page = client.get(path)
    client.post(path, {"signed_by": "张三", "decline": [decline.pk], "version": version_on(page)})

    order.refresh_from_db()
    decline.refresh_from_db()
    assert page.status_code == 200 and "今天不做" in page.content.decode()
    assert SmsMessage.objects.get(kind="order_confirm_link").body.endswith(url)
    assert order.confirmed_by == "张三" and decline.status == ItemStatus.DECLINED
    assert order.total == keep.labour_price
    assert DeferredWork.objects.get(vehicle=order.vehicle).description == str(decline)


def version_on(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def test_sd09_the_customer_cannot_confirm_a_total_that_changed_while_they_read_it(client, advisor):
    order = make_order(advisor=advisor, at=NINE)
    path = services.send_confirmation_link(by=advisor, order=order, at=NINE).split("127.0.0.1:8000", 1)[-1]
    page = client.get(path)
    services.add_item(
        by=advisor, order=order, at=NINE, category="minor_repair", description="更换雨刮片", labour_price=Decimal("80")
    )

    stale = client.post(path, {"signed_by": "张三", "version": version_on(page)})
    fresh = client.post(path, {"signed_by": "张三", "version": version_on(stale)})

    assert "其他人刚刚修改了这条记录" in stale.content.decode() and "更换雨刮片" in stale.content.decode()
    assert fresh.status_code == 302
    order.refresh_from_db()
    assert order.confirmed_by == "张三" and order.items.filter(is_confirmed=True).count() == 2


def test_sd09_the_link_on_the_printed_order_only_follows_the_work(client, advisor):
    order = make_order(advisor=advisor, at=NINE)
    client.force_login(advisor)
    printed = client.get(f"/desk/orders/{order.pk}/print/").content.decode()
    client.logout()
    path = re.search(r"http://127\.0\.0\.1:8000(/o/[^<\s]+/)", printed).group(1)

    client_page = client.get(path)
    attempt = client.post(path, {"signed_by": "路人", "version": order.version})

    order.refresh_from_db()
    assert "我确认" not in client_page.content.decode() and order.items.get().status == ItemStatus.PENDING
    assert order.confirmed_at is None and attempt.status_code == 200


def test_sd09_a_tampered_or_outdated_link_shows_nothing(client, advisor):
    order = make_order(advisor=advisor, at=NINE)
    old = links.make_token(order)
    services.confirm(order=order, signed_by="张三", by=advisor, at=NINE)
    services.add_item(
        by=advisor, order=order, at=NINE, category="maintenance", description="x", labour_price=Decimal("1")
    )

    tampered = client.get(f"/o/{old[:-2]}xx/")
    outdated = client.post(f"/o/{old}/", {"signed_by": "李四"})

    order.refresh_from_db()
    assert tampered.status_code == 404
    assert outdated.status_code == 200 and order.confirmed_by == "张三"  # the old round cannot confirm new items


# --- SD10 promise and overrun -------------------------------------------------------------------------


def test_sd10_promise_counts_the_workshop_queue_and_shows_how(advisor):
    DeskPolicy.objects.update_or_create(
        pk=1, defaults={"technicians_on_shift": 2, "workday_start": time(8, 30), "workday_end": time(18, 0)}
    )
    busy = make_order(advisor=advisor, at=NINE)
    busy.items.update(labour_hours=Decimal("6"))
    order = make_order(advisor=advisor, at=NINE)
    order.items.update(labour_hours=Decimal("1.5"))

    services.make_promise(by=advisor, order=order, at=datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI))

    order.refresh_from_db()
    # 6 h queued / 2 technicians + 1.5 h = 4.5 h: 2 h today until 18:00, 2.5 h tomorrow from 08:30
    assert order.promised_at == datetime(2026, 11, 27, 11, 0, tzinfo=SHANGHAI)
    assert order.promise_basis.startswith("排队工时 6.0 小时 ÷ 技师 2 人 + 本车 1.5 小时 = 车间工作时间 4.5 小时")


def test_sd01_sd10_a_green_channel_car_is_promised_with_only_green_work_ahead_of_it(advisor):
    DeskPolicy.objects.update_or_create(pk=1, defaults={"workday_start": time(8, 30), "workday_end": time(18, 0)})
    for technician in [make_user("technician"), make_user("technician")]:
        Shift.objects.create(day=NINE.date(), technician=technician)
    make_user("technician")  # not on today's shift
    busy = make_order(advisor=advisor, at=NINE)
    busy.items.update(labour_hours=Decimal("6"))
    appointment = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="quick_maintenance", scheduled_at=NINE, at=NINE - timedelta(days=1)
    )
    green = services.receive_vehicle(by=advisor, vehicle=appointment.vehicle, appointment=appointment, at=NINE)
    services.add_item(
        by=advisor, order=green, at=NINE, category="maintenance", labour_operation=make_labour_operation()
    )
    green.items.update(labour_hours=Decimal("1"))
    regular = make_order(advisor=advisor, at=NINE)
    regular.items.update(labour_hours=Decimal("1"))

    services.make_promise(by=advisor, order=green, at=NINE)
    services.make_promise(by=advisor, order=regular, at=NINE)

    green.refresh_from_db()
    regular.refresh_from_db()
    assert green.promised_at == NINE + timedelta(hours=1)  # nothing green ahead: its own hour
    # 6 h + the green car's 1 h ahead, shared by the 2 on shift, then its own hour
    assert regular.promised_at == NINE + timedelta(hours=4.5)
    assert "÷ 技师 2 人" in regular.promise_basis


def test_sd10_an_overrun_is_recorded_and_the_advisor_tells_the_customer(advisor):
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    later = NINE + timedelta(hours=5)

    services.report_overrun(
        by=make_user("technician"), order=order, new_promise=later, reason="等待配件", at=NINE + timedelta(hours=1)
    )
    services.tell_customer_of_overrun(by=advisor, order=order, at=NINE + timedelta(hours=1, minutes=5))

    order.refresh_from_db()
    text = SmsMessage.objects.get(kind="order_overrun")
    assert order.promised_at == later and order.customer_told_of_overrun_at is not None
    assert "等待配件" in text.body and "14:00" in text.body


# --- SD12, SD13 checkout and delivery ---------------------------------------------------------------------


def test_ws02_sd13_checkout_is_refused_until_every_item_passed_final_qc(advisor):
    order = make_order(advisor=advisor, at=NINE, items=2, confirmed=True)
    first = order.items.first()
    services.move_item(item=first, to=ItemStatus.ASSIGNED, at=NINE, technician=make_user("technician"))

    with pytest.raises(TransitionNotAllowed):
        services.settle(by=advisor, order=order, rating=Rating.SATISFIED, at=NINE)
    pass_all_items(order, at=NINE)
    order.refresh_from_db()
    services.settle(by=advisor, order=order, rating=Rating.VERY_SATISFIED, at=NINE + timedelta(hours=2))

    order.refresh_from_db()
    assert (order.status, order.rating) == (OrderStatus.SETTLED, Rating.VERY_SATISFIED)


def test_sd13_checkout_happens_once_and_the_rating_stays_the_customers(advisor):
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)
    services.settle(by=advisor, order=order, rating=Rating.AVERAGE, at=NINE)
    order.refresh_from_db()

    with pytest.raises(TransitionNotAllowed):
        services.settle(by=advisor, order=order, rating=Rating.VERY_SATISFIED, at=NINE)

    order.refresh_from_db()
    assert order.rating == Rating.AVERAGE


@pytest.mark.parametrize("rating", ["very_satisfied", "satisfied", "good", "average", "poor", "refused", "missing"])
def test_sd13_the_seven_ratings_are_accepted(advisor, rating):
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)

    services.settle(by=advisor, order=order, rating=rating, at=NINE)

    order.refresh_from_db()
    assert order.rating == rating


def test_sd13_a_rating_outside_the_seven_is_refused(advisor):
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)

    with pytest.raises(ValidationError):
        services.settle(by=advisor, order=order, rating="excellent", at=NINE)


def test_sd13_customer_care_hears_of_settling_and_delivery_in_the_same_transaction(advisor):
    """The receivers write customer care's rows (follow-up call, care texts, rating entries) in the
    order's own transaction: the order and what it causes commit together or not at all (the outbox
    rule), and a receiver that fails leaves the car unsettled rather than settled without its follow-up."""
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)
    heard = []

    def listener(sender, order, at, **kwargs):
        stored = type(order).objects.get(pk=order.pk)
        heard.append(stored.status)

    def failing(sender, order, at, **kwargs):
        raise RuntimeError("customer care is down")

    signals.order_settled.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            services.settle(by=advisor, order=order, rating=Rating.GOOD, at=NINE)
    finally:
        signals.order_settled.disconnect(failing)
    order.refresh_from_db()
    unsettled = order.status

    signals.order_settled.connect(listener)
    signals.order_delivered.connect(listener)
    try:
        services.settle(by=advisor, order=order, rating=Rating.GOOD, at=NINE)
        services.deliver(by=advisor, order=order, at=NINE)
    finally:
        signals.order_settled.disconnect(listener)
        signals.order_delivered.disconnect(listener)

    assert unsettled == OrderStatus.READY
    assert heard == [OrderStatus.SETTLED, OrderStatus.DELIVERED]  # each receiver sees its order's new state


def test_sd12_delivery_only_after_settlement_and_nothing_changes_after(advisor):
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)

    with pytest.raises(TransitionNotAllowed):
        services.deliver(by=advisor, order=order, at=NINE)
    services.settle(by=advisor, order=order, rating=Rating.GOOD, at=NINE)
    order.refresh_from_db()
    services.deliver(by=advisor, order=order, at=NINE + timedelta(minutes=10))
    order.refresh_from_db()

    assert order.status == OrderStatus.DELIVERED
    with pytest.raises(services.OrderNotEditable):
        services.add_item(
            by=advisor, order=order, at=NINE, category="maintenance", description="x", labour_price=Decimal("1")
        )


def test_an_item_added_to_a_ready_car_sends_it_back_to_the_workshop(advisor):
    order = pass_all_items(make_order(advisor=advisor, at=NINE, confirmed=True), at=NINE)
    assert order.status == OrderStatus.READY
    assert SmsMessage.objects.filter(kind="order_ready").count() == 1

    services.add_item(
        by=advisor, order=order, at=NINE, category="maintenance", description="补充玻璃水", labour_price=Decimal("0")
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS


def test_cancelling_returns_parts_to_stock_but_not_once_work_started(advisor):
    order = make_order(advisor=advisor, at=NINE)
    part = make_part(stock=3)
    services.add_part_line(by=advisor, item=order.items.get(), part=part, quantity=2, at=NINE)

    services.cancel(by=advisor, order=order, reason="客户改天再来", at=NINE)

    part.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, part.stock_on_hand) == (OrderStatus.CANCELLED, 3)
    started = make_order(advisor=advisor, at=NINE, confirmed=True)
    services.move_item(item=started.items.get(), to=ItemStatus.ASSIGNED, at=NINE, technician=make_user("technician"))
    with pytest.raises(TransitionNotAllowed):
        services.cancel(by=advisor, order=started, reason="x", at=NINE)


def test_declined_items_do_not_count_toward_ready(advisor):
    order = make_order(advisor=advisor, at=NINE, items=2)
    declined = order.items.order_by("pk").last()
    services.confirm(order=order, signed_by="张三", declined={declined.pk}, at=NINE)

    pass_all_items(order, at=NINE)

    order.refresh_from_db()
    assert order.status == OrderStatus.READY
    assert RepairItem.objects.get(pk=declined.pk).status == ItemStatus.DECLINED


def test_junk_in_the_customers_link_form_is_refused_without_an_error_page(client, advisor):
    order = make_order(advisor=advisor, at=NINE)
    path = f"/o/{links.make_token(order)}/"

    response = client.post(path, {"signed_by": "张三", "decline": ["²", "abc"], "version": "¹"})

    order.refresh_from_db()
    assert response.status_code == 200 and order.confirmed_at is None


def test_free_text_work_carries_the_flat_rate_hours_the_advisor_gives(client, advisor):
    order = make_order(advisor=advisor, at=NINE, items=0)
    client.force_login(advisor)

    client.post(
        f"/desk/orders/{order.pk}/items/",
        {"category": "minor_repair", "description": "检查右前轮异响", "labour_price": "50", "labour_hours": "1.5"},
    )
    too_long = client.post(
        f"/desk/orders/{order.pk}/items/",
        {"category": "minor_repair", "description": "大修", "labour_price": "50", "labour_hours": "120"},
        follow=True,
    )

    assert list(order.items.values_list("description", "labour_hours")) == [("检查右前轮异响", Decimal("1.50"))]
    assert too_long.status_code == 200
