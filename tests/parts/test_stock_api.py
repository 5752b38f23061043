"""Stock moved through the API: receipts and adjustments call the stock services, never `stock` directly."""

import pytest

from dealership.permissions import ALL_ROLES
from parts.models import MovementKind, StockMovement
from tests.factories import make_part


def test_stock_api_receipt_writes_a_movement_and_stock_stays_read_only(api_as):
    clerk = api_as("parts")
    part = make_part(stock=2)

    received = clerk.post(f"/api/v1/parts/{part.pk}/receive/", {"quantity": 5, "reference": "DN-881"}, format="json")
    patched = clerk.patch(f"/api/v1/parts/{part.pk}/", {"stock": 999}, format="json")

    assert received.status_code == 201
    assert {k: received.json()[k] for k in ("kind", "quantity", "balance_after", "reference", "by")} == {
        "kind": "receipt",
        "quantity": 5,
        "balance_after": 7,
        "reference": "DN-881",
        "by": clerk.user.pk,
    }
    assert patched.status_code == 200 and patched.json()["stock"] == 7
    part.refresh_from_db()
    assert part.stock_on_hand == 7
    assert list(part.movements.values_list("kind", "quantity")) == [(MovementKind.RECEIPT, 5)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": -1, "reference": "x"}, "reason"),
        ({"quantity": 0, "reason": "盘点"}, "quantity"),
        ({"quantity": "two", "reason": "盘点"}, "quantity"),
    ],
)
def test_stock_api_bad_adjustment_is_400_naming_the_field_and_moves_nothing(api_as, body, field):
    part = make_part(stock=5)

    response = api_as("parts").post(f"/api/v1/parts/{part.pk}/adjust/", body, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not StockMovement.objects.exists()


def test_stock_api_adjustment_below_zero_is_409_unless_allowed_and_then_recorded(api_as):
    manager = api_as("manager")
    part = make_part(stock=1)
    body = {"quantity": -3, "reason": "盘点短少", "reference": "PD-2026-11"}

    refused = manager.post(f"/api/v1/parts/{part.pk}/adjust/", body, format="json")
    allowed = manager.post(f"/api/v1/parts/{part.pk}/adjust/", body | {"allow_negative": True}, format="json")

    assert refused.status_code == 409
    assert allowed.status_code == 201
    assert (allowed.json()["balance_after"], allowed.json()["went_negative"]) == (-2, True)
    assert allowed.json()["reason"] == "盘点短少" and allowed.json()["reference"] == "PD-2026-11"
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_stock_api_only_parts_clerks_and_managers_move_stock(api_as, role):
    part = make_part(stock=5)
    api = api_as(role)

    received = api.post(f"/api/v1/parts/{part.pk}/receive/", {"quantity": 1}, format="json")
    adjusted = api.post(f"/api/v1/parts/{part.pk}/adjust/", {"quantity": -1, "reason": "损坏"}, format="json")

    expected = 201 if role in {"parts", "manager"} else 403
    assert (received.status_code, adjusted.status_code) == (expected, expected)
    part.refresh_from_db()
    assert part.stock_on_hand == 5


def test_stock_api_is_described_in_the_openapi_schema(api_as):
    schema = api_as("parts").get("/api/v1/schema/", {"format": "json"}).json()

    receive = schema["paths"]["/api/v1/parts/{id}/receive/"]["post"]
    adjust = schema["paths"]["/api/v1/parts/{id}/adjust/"]["post"]
    bodies = schema["components"]["schemas"]
    assert receive["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/StockReceipt")
    assert set(bodies["StockAdjustment"]["required"]) == {"quantity", "reason"}
    assert adjust["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/StockMovement")
    assert bodies["Part"]["properties"]["stock"]["readOnly"] is True
