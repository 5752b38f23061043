"""Parts on work-order items: PT04 (warranty parts genuine or approved) and parts given by number in the API."""

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parts.models import Backorder
from service_desk import services
from service_desk.models import PartLine
from tests.factories import make_order, make_part, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def advisor(db):
    return make_user("advisor", name="王芳")


def item_of(order, category: str):
    return services.add_item(
        by=order.advisor,
        order=order,
        at=NINE,
        category=category,
        description="更换机油滤清器",
        labour_price=Decimal("0"),
    )


def first_error(errors, field: str) -> str:
    """The first message for `field` in DRF's nested errors (a list, or a dict by index, per list)."""
    if isinstance(errors, dict):
        if field in errors:
            return errors[field][0]
        errors = list(errors.values())
    return next(message for nested in errors if nested for message in [first_error(nested, field)] if message)


def aftermarket_part(**overrides):
    return make_part(name="机油滤清器（副厂）", part_number="W71980", is_genuine=False, stock=5, **overrides)


# --- PT04 -------------------------------------------------------------------------------------------


def test_pt04_a_part_neither_genuine_nor_approved_is_refused_on_a_warranty_item(advisor):
    order = make_order(advisor=advisor, at=NINE, items=0)
    warranty = item_of(order, "warranty")
    part = aftermarket_part()

    with pytest.raises(ValidationError) as refused:
        services.add_part_line(by=advisor, item=warranty, part=part, quantity=1, at=NINE)

    assert "W71980" in refused.value.message_dict["part"][0]
    part.refresh_from_db()
    assert part.stock_on_hand == 5 and not PartLine.objects.exists()


@pytest.mark.parametrize(("genuine", "approved"), [(True, False), (False, True)])
def test_pt04_genuine_or_approved_parts_are_fitted_under_warranty(advisor, genuine, approved):
    order = make_order(advisor=advisor, at=NINE, items=0)
    warranty = item_of(order, "warranty")
    part = make_part(is_genuine=genuine, is_approved=approved, stock=5)

    line = services.add_part_line(by=advisor, item=warranty, part=part, quantity=1, at=NINE)

    assert line.item == warranty


def test_pt04_an_aftermarket_part_may_still_go_on_an_item_outside_warranty(advisor):
    order = make_order(advisor=advisor, at=NINE, items=0)
    minor_repair = item_of(order, "minor_repair")

    line = services.add_part_line(by=advisor, item=minor_repair, part=aftermarket_part(), quantity=1, at=NINE)

    assert line.part.part_number == "W71980"


def test_pt04_an_aftermarket_part_is_not_backordered_for_a_warranty_item(advisor):
    order = make_order(advisor=advisor, at=NINE, items=0)
    warranty = item_of(order, "warranty")

    with pytest.raises(ValidationError) as refused:
        services.backorder_part(
            by=advisor, item=warranty, part=aftermarket_part(), quantity=1, expected_on=date(2026, 11, 30), at=NINE
        )

    assert "W71980" in refused.value.message_dict["part"][0]
    assert not Backorder.objects.exists()


def test_pt04_the_desk_page_says_which_part_is_refused_under_warranty(client, advisor):
    order = make_order(advisor=advisor, items=0)
    warranty = item_of(order, "warranty")
    aftermarket_part()
    client.force_login(advisor)

    page = client.post(
        f"/desk/orders/{order.pk}/items/{warranty.pk}/parts/", {"part": "W71980", "quantity": "1"}, follow=True
    )

    assert "W71980" in page.content.decode()
    assert not PartLine.objects.exists()


def test_pt04_the_api_refuses_an_unapproved_part_on_a_warranty_item_and_adds_nothing(api_as):
    desk = api_as("advisor")
    order = make_order(advisor=desk.user, items=0)
    part = aftermarket_part()

    response = desk.post(
        f"/api/v1/repair-orders/{order.pk}/items/",
        {
            "category": "warranty",
            "description": "机油滤清器保修更换",
            "labour_price": "0",
            "parts": [{"part": part.pk, "quantity": 1}],
        },
        format="json",
    )

    assert response.status_code == 400 and "W71980" in response.json()["part"][0]
    assert not order.items.exists()


def test_pt04_the_parts_api_says_whether_a_part_is_approved(api_as):
    part = make_part(is_genuine=False, is_approved=True)

    row = api_as("advisor").get(f"/api/v1/parts/{part.pk}/").json()

    assert (row["genuine"], row["approved"]) == (False, True)


# --- Parts given by number in the API ----------------------------------------------------------------


def test_api_adds_an_items_parts_by_part_number_as_well_as_by_id(api_as):
    desk = api_as("advisor")
    order = make_order(advisor=desk.user, items=0)
    by_number = make_part(part_number="06H115562", stock=5)
    by_id = make_part(stock=5)

    response = desk.post(
        f"/api/v1/repair-orders/{order.pk}/items/",
        {
            "category": "maintenance",
            "description": "更换机油机滤",
            "labour_price": "120.00",
            "parts": [{"part_number": "06H 115 562", "quantity": 1}, {"part": by_id.pk, "quantity": 2}],
        },
        format="json",
    )

    assert response.status_code == 200
    assert [(p["part"], p["quantity"]) for p in response.json()["items"][0]["parts"]] == [
        (by_number.pk, 1),
        (by_id.pk, 2),
    ]


def test_api_creating_an_order_takes_parts_by_number_and_names_an_unknown_one(api_as):
    from tests.factories import make_vehicle

    desk = api_as("advisor")
    known = make_part(part_number="5Q0413031", stock=5)
    item = {"category": "minor_repair", "description": "更换前减震器", "labour_price": "200", "position": "front_left"}

    unknown = desk.post(
        "/api/v1/repair-orders/",
        {"vehicle": make_vehicle().pk, "items": [item | {"parts": [{"part_number": "NOPE-1", "quantity": 1}]}]},
        format="json",
    )
    created = desk.post(
        "/api/v1/repair-orders/",
        {"vehicle": make_vehicle().pk, "items": [item | {"parts": [{"part_number": "5Q0413031", "quantity": 1}]}]},
        format="json",
    )

    assert unknown.status_code == 400
    assert "NOPE-1" in first_error(unknown.json()["items"], "part_number")
    assert created.status_code == 201 and created.json()["items"][0]["parts"][0]["part"] == known.pk


@pytest.mark.parametrize(
    ("line", "field"),
    [({"quantity": 1}, "part"), ({"part_number": "NOPE-2", "quantity": 1}, "part_number")],
)
def test_api_an_item_part_without_a_known_part_is_400_and_adds_nothing(api_as, line, field):
    desk = api_as("advisor")
    order = make_order(advisor=desk.user, items=0)

    response = desk.post(
        f"/api/v1/repair-orders/{order.pk}/items/",
        {"category": "maintenance", "description": "保养", "labour_price": "0", "parts": [line]},
        format="json",
    )

    assert response.status_code == 400 and first_error(response.json()["parts"], field)
    assert not order.items.exists()


def test_api_the_schema_offers_part_or_part_number_for_an_items_parts(api_as):
    schema = api_as("advisor").get("/api/v1/schema/", {"format": "json"}).json()

    components = schema["components"]["schemas"]
    request = components.get("PartOnItemRequest", components["PartOnItem"])
    assert {"part", "part_number", "quantity"} <= set(request["properties"])
    assert "quantity" in request["required"]
    assert not {"part", "part_number"} & set(request["required"])  # either one will do
