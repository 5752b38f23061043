"""PT04 catalogue and PT05 counter sales; stock that never goes below zero unless a person says so."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dealership.errors import DomainError
from parts import selectors, services
from parts.models import MovementKind, Part, SaleKind, StockMovement
from tests.conftest import require_service
from tests.factories import make_customer, make_part, make_user

NOW = timezone.now()


@pytest.fixture
def clerk(db):
    return make_user("parts", name="何丽")


def test_pt04_part_number_is_stored_without_spaces_and_name_gets_pinyin_initials(clerk):
    part = services.create_part(
        by=clerk,
        part_number="06h 115-562",
        name="机油滤清器",
        retail_price=Decimal("68"),
        wholesale_price=Decimal("55"),
        is_genuine=True,
        origin="一汽-大众",
    )

    assert (part.part_number, part.initials) == ("06H115562", "jylqq")
    assert part.history.get().history_user == clerk


@pytest.mark.parametrize("bad", [{"retail_price": Decimal("-1")}, {"name": ""}, {"wholesale_price": Decimal("-0.01")}])
def test_pt04_bad_part_is_refused_and_nothing_saved(clerk, bad):
    fields = {"name": "空气滤清器", "retail_price": Decimal("80"), "wholesale_price": Decimal("60")} | bad

    with pytest.raises(ValidationError):
        services.create_part(by=clerk, part_number="1K0129620D", **fields)

    assert not Part.objects.exists()


def test_pt04_a_part_number_is_in_the_catalogue_once(clerk):
    make_part(part_number="1K0129620D")

    with pytest.raises(ValidationError):
        services.create_part(
            by=clerk,
            part_number="1k0 129 620 d",
            name="空气滤清器",
            retail_price=Decimal("80"),
            wholesale_price=Decimal("60"),
        )


def test_pt04_search_by_number_name_or_initials(db):
    oil = make_part(part_number="06H115562", name="机油滤清器")
    make_part(part_number="1K0129620D", name="空气滤清器")
    make_part(part_number="5Q0413031", name="前减震器（左）")

    by_number = list(selectors.search_parts("06h 115"))
    by_name = list(selectors.search_parts("机油"))
    by_initials = list(selectors.search_parts("JYL"))
    both_filters = {part.name for part in selectors.search_parts("滤清器")}

    assert by_number == by_name == by_initials == [oil]
    assert both_filters == {"机油滤清器", "空气滤清器"}


# --- Stock --------------------------------------------------------------------------------------------


def test_receive_and_issue_keep_a_movement_for_every_change(clerk):
    part = make_part()

    services.receive_stock(by=clerk, part=part, quantity=5, at=NOW, reference="送货单 8812")
    services.issue_to_work_order(by=clerk, part=part, quantity=2, reference="RO202611260001", at=NOW)

    part.refresh_from_db()
    assert part.stock_on_hand == 3
    assert list(part.movements.order_by("pk").values_list("kind", "quantity", "balance_after")) == [
        (MovementKind.RECEIPT, 5, 5),
        (MovementKind.ISSUE, -2, 3),
    ]


def test_stock_never_goes_below_zero_without_a_recorded_override(clerk):
    part = make_part(stock=1)

    with pytest.raises(DomainError, match="1"):
        services.issue_to_work_order(by=clerk, part=part, quantity=2, reference="RO1", at=NOW)
    services.issue_to_work_order(by=clerk, part=part, quantity=2, reference="RO1", at=NOW, allow_negative=True)

    part.refresh_from_db()
    movement = part.movements.get()
    assert part.stock_on_hand == -1
    assert movement.went_negative and clerk.username in movement.reason


def test_an_adjustment_needs_a_reason_and_a_return_too(clerk):
    part = make_part(stock=3)

    with pytest.raises(ValidationError):
        services.adjust_stock(by=clerk, part=part, quantity=-1, reason=" ", at=NOW)
    with pytest.raises(ValidationError):
        services.return_stock(by=clerk, part=part, quantity=1, reason="", at=NOW)
    services.adjust_stock(by=clerk, part=part, quantity=-1, reason="盘点少一个", at=NOW)

    part.refresh_from_db()
    assert part.stock_on_hand == 2


@pytest.mark.django_db(transaction=True)
def test_two_clerks_issuing_the_last_unit_at_once_only_one_succeeds():
    require_service(connection.vendor == "postgresql", "PostgreSQL (concurrent writers)")
    clerk = make_user("parts")
    part = make_part(stock=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def issue():
        try:
            barrier.wait(timeout=10)
            services.issue_to_work_order(by=clerk, part=part, quantity=1, reference="RO", at=timezone.now())
            outcomes.append("issued")
        except DomainError:
            outcomes.append("out of stock")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["issued", "out of stock"]
    assert Part.objects.get(pk=part.pk).stock_on_hand == 0
    assert StockMovement.objects.filter(part=part).count() == 1


# --- Counter sales ----------------------------------------------------------------------------------


def test_pt05_wholesale_sale_uses_wholesale_prices_and_takes_the_stock(clerk):
    oil = make_part(retail_price=Decimal("68.00"), wholesale_price=Decimal("55.50"), stock=10)
    wiper = make_part(name="雨刮片", retail_price=Decimal("120.00"), wholesale_price=Decimal("99.90"), stock=4)

    sale = services.sell_over_counter(
        by=clerk, kind=SaleKind.WHOLESALE, buyer_name="周口顺达汽修", lines=[(oil, 4), (wiper, 2)], at=NOW
    )

    assert sale.number.startswith("CS") and len(sale.number) == 14
    assert sale.total == Decimal("421.80")
    oil.refresh_from_db()
    wiper.refresh_from_db()
    assert (oil.stock_on_hand, wiper.stock_on_hand) == (6, 2)


def test_pt05_a_sale_with_one_line_out_of_stock_sells_nothing(clerk):
    oil = make_part(stock=10)
    wiper = make_part(name="雨刮片", stock=1)

    with pytest.raises(DomainError):
        services.sell_over_counter(
            by=clerk,
            kind=SaleKind.RETAIL,
            buyer_name="张先生",
            lines=[(oil, 1), (wiper, 2)],
            at=NOW,
            customer=make_customer(),
        )

    oil.refresh_from_db()
    assert oil.stock_on_hand == 10
    assert not StockMovement.objects.exists()


def test_pt05_receipt_lists_each_part_and_the_total(client_as):
    client = client_as("parts")
    oil = make_part(part_number="06H115562", retail_price=Decimal("68.00"), stock=5)

    response = client.post(
        "/parts/sales/new/",
        {
            "kind": "retail",
            "buyer_name": "张先生",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "30",
            "lines-0-part": "06h115562",
            "lines-0-quantity": "2",
            "lines-1-part": "",
            "lines-1-quantity": "",
        },
    )
    receipt = client.get(response["Location"]).content.decode()

    assert "06H115562" in receipt and "¥136.00" in receipt
    oil.refresh_from_db()
    assert oil.stock_on_hand == 3


def test_pt05_sale_form_names_an_unknown_part_number(client_as):
    client = client_as("parts")

    response = client.post(
        "/parts/sales/new/",
        {
            "kind": "retail",
            "buyer_name": "张先生",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "30",
            "lines-0-part": "NOPE123",
            "lines-0-quantity": "1",
        },
    )

    assert response.status_code == 200
    assert "NOPE123" in response.content.decode()


def test_part_list_keeps_a_fixed_query_count(client_as, django_assert_max_num_queries):
    client = client_as("advisor")
    for _number in range(40):
        make_part()

    with django_assert_max_num_queries(8):
        page = client.get("/parts/", {"q": "机油"})

    assert page.content.decode().count("/parts/") > 30


# --- API ------------------------------------------------------------------------------------------------


def test_parts_api_gives_the_contract_fields_and_only_clerks_write(api_as):
    make_part(part_number="06H115562", retail_price=Decimal("68.00"), stock=3, is_positional=False)
    advisor, clerk = api_as("advisor"), api_as("parts")

    listed = advisor.get("/api/v1/parts/", {"search": "06H"})
    refused = advisor.post(
        "/api/v1/parts/", {"part_number": "X1", "name": "x", "price": "1.00", "wholesale_price": "1.00"}, format="json"
    )
    created = clerk.post(
        "/api/v1/parts/",
        {
            "part_number": "5q0 413 031",
            "name": "前减震器（左）",
            "price": "450.00",
            "wholesale_price": "380.00",
            "positional": True,
        },
        format="json",
    )
    negative = clerk.post(
        "/api/v1/parts/", {"part_number": "X2", "name": "x", "price": "-1.00", "wholesale_price": "1.00"}, format="json"
    )

    row = listed.json()["results"][0]
    assert {k: row[k] for k in ("part_number", "price", "stock", "positional", "genuine")} == {
        "part_number": "06H115562",
        "price": "68.00",
        "stock": 3,
        "positional": False,
        "genuine": True,
    }
    assert refused.status_code == 403
    assert created.status_code == 201 and created.json()["part_number"] == "5Q0413031"
    assert Part.objects.get(part_number="5Q0413031").initials == "qjzqz"
    assert negative.status_code == 400 and "price" in negative.json()


def test_pt04_the_parts_api_finds_a_part_by_its_number_as_printed(api_as):
    oil = make_part(part_number="06H115562", name="机油滤清器")
    make_part(part_number="06H115561", name="机油滤清器（旧款）")
    advisor = api_as("advisor")

    exact = advisor.get("/api/v1/parts/", {"part_number": "06h 115-562"})
    unknown = advisor.get("/api/v1/parts/", {"part_number": "NOPE"})

    assert [row["id"] for row in exact.json()["results"]] == [oil.pk]
    assert unknown.json()["count"] == 0


def test_a_parameter_the_parts_api_does_not_know_is_a_400_naming_it(api_as):
    make_part()
    advisor = api_as("advisor")

    refused = advisor.get("/api/v1/parts/", {"colour": "red", "search": "机油"})

    assert refused.status_code == 400
    assert list(refused.json()) == ["colour"]
