"""The API base per API.md: token auth, pagination, error shape, the directory endpoints."""

import re

import pytest
from rest_framework.test import APIClient

from dealership.models import Customer, Vehicle
from tests.factories import PASSWORD, make_customer, make_user, make_vehicle, valid_vin


@pytest.mark.django_db
def test_token_login_then_token_auth():
    make_user("advisor", username="wangfang")
    api = APIClient()

    issued = api.post("/api/v1/auth/token/", {"username": "wangfang", "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    listed = api.get("/api/v1/customers/")

    assert issued.status_code == 200
    assert listed.status_code == 200


@pytest.mark.django_db
def test_token_login_refuses_a_wrong_password_with_400():
    make_user("advisor", username="wangfang")

    refused = APIClient().post("/api/v1/auth/token/", {"username": "wangfang", "password": "nope"}, format="json")

    assert refused.status_code == 400
    assert "token" not in refused.json()


@pytest.mark.django_db
def test_without_credentials_401_and_a_bad_token_401():
    api = APIClient()

    anonymous = api.get("/api/v1/customers/")
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    bad_token = api.get("/api/v1/customers/")

    assert anonymous.status_code == 401
    assert bad_token.status_code == 401


@pytest.mark.django_db
def test_role_without_write_right_gets_403_and_nothing_is_saved(api_as):
    foreman = api_as("foreman")

    refused = foreman.post("/api/v1/customers/", {"name": "张三", "mobile": "13812345678"}, format="json")

    assert refused.status_code == 403
    assert "detail" in refused.json()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_create_and_read_a_customer(api_as):
    api = api_as("callcentre")

    created = api.post(
        "/api/v1/customers/", {"name": "张三", "mobile": "138 1234 5678", "landline": "03948123456"}, format="json"
    )
    read = api.get(f"/api/v1/customers/{created.json()['id']}/")

    assert created.status_code == 201
    assert read.json() | {"created_at": None} == {
        "id": created.json()["id"],
        "name": "张三",
        "mobile": "13812345678",
        "landline": "0394-8123456",
        "sms_opt_out": False,
        "created_at": None,
        "version": 1,
    }


@pytest.mark.django_db
def test_customer_list_is_paginated_and_searchable(api_as):
    api = api_as("advisor")
    for number in range(60):
        make_customer(name=f"客户{number}", mobile=f"1370000{number:04d}")
    make_customer(name="欧阳娜娜", mobile="15912345678")

    first = api.get("/api/v1/customers/")
    second = api.get("/api/v1/customers/", {"page": 2})
    by_name = api.get("/api/v1/customers/", {"search": "欧阳"})
    by_mobile = api.get("/api/v1/customers/", {"mobile": "159-1234-5678"})

    assert set(first.json()) == {"count", "next", "previous", "results"}
    assert first.json()["count"] == 61
    assert len(first.json()["results"]) == 50
    assert len(second.json()["results"]) == 11
    assert [c["name"] for c in by_name.json()["results"]] == ["欧阳娜娜"]
    assert [c["name"] for c in by_mobile.json()["results"]] == ["欧阳娜娜"]


@pytest.mark.django_db
def test_vehicle_filters_by_customer_vin_and_plate(api_as):
    api = api_as("advisor")
    wanted = make_vehicle(plate="豫PD12345")
    make_vehicle()

    by_customer = api.get("/api/v1/vehicles/", {"customer": wanted.customer_id})
    by_vin = api.get("/api/v1/vehicles/", {"vin": wanted.vin.lower()})
    by_plate = api.get("/api/v1/vehicles/", {"plate": "豫p·d12345"})
    bad_filter = api.get("/api/v1/vehicles/", {"customer": "abc"})

    for found in (by_customer, by_vin, by_plate):
        assert [v["id"] for v in found.json()["results"]] == [wanted.pk]
    half_an_id = api.get("/api/v1/vehicles/", {"customer": "1.5"})
    assert bad_filter.status_code == 400
    assert list(bad_filter.json()) == ["customer"]
    assert (half_an_id.status_code, list(half_an_id.json())) == (400, ["customer"])


@pytest.mark.django_db
def test_a_filter_the_list_does_not_know_or_a_nul_byte_answers_400_naming_it(api_as):
    api = api_as("callcentre")
    make_vehicle()

    unknown = api.get("/api/v1/vehicles/", {"owner": "1"})
    nul = api.get("/api/v1/customers/", {"search": "王\x00"})
    known = api.get("/api/v1/sms/", {"status": "sent", "page": 1})

    assert (unknown.status_code, list(unknown.json())) == (400, ["owner"])
    assert (nul.status_code, list(nul.json())) == (400, ["search"])
    assert known.status_code == 200


@pytest.mark.django_db
def test_a_vin_identifies_one_vehicle(api_as):
    api = api_as("advisor")
    existing = make_vehicle()

    duplicate = api.post(
        "/api/v1/vehicles/",
        {"customer": existing.customer_id, "vin": existing.vin, "model_name": "速腾"},
        format="json",
    )
    changed_vin = api.patch(f"/api/v1/vehicles/{existing.pk}/", {"vin": valid_vin(999)}, format="json")

    assert duplicate.status_code == 400
    assert list(duplicate.json()) == ["vin"]
    assert changed_vin.status_code == 400
    assert Vehicle.objects.get().vin == existing.vin


@pytest.mark.django_db
def test_a_plate_is_on_one_vehicle_at_a_time(api_as):
    api = api_as("advisor")
    make_vehicle(plate="豫P88888")

    taken = api.post(
        "/api/v1/vehicles/",
        {"customer": make_customer().pk, "vin": valid_vin(123), "plate": "豫P88888", "model_name": "速腾"},
        format="json",
    )

    assert taken.status_code == 400
    assert Vehicle.objects.count() == 1


@pytest.mark.django_db
def test_staff_lists_users_with_roles_and_their_profile_names(api_as):
    api = api_as("manager", name="宋建国")
    make_user("advisor", "callcentre", name="王芳")
    make_user()  # no role: not staff

    listed = api.get("/api/v1/staff/")

    assert listed.status_code == 200
    assert [(s["name"], s["roles"]) for s in listed.json()["results"]] == [
        ("宋建国", ["manager"]),
        ("王芳", ["advisor", "callcentre"]),
    ]


@pytest.mark.django_db
def test_schema_describes_the_directory(api_as):
    schema = api_as("advisor").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/customers/", "/api/v1/vehicles/", "/api/v1/staff/", "/api/v1/auth/token/"} <= set(paths)


@pytest.mark.django_db
def test_docs_page_loads_swagger_from_this_server_not_a_cdn(client):
    client.force_login(make_user("manager"))

    page = client.get("/api/v1/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    # Every script and stylesheet is served from this site: no absolute URL to another host.
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []


@pytest.mark.django_db
def test_directory_list_keeps_a_fixed_query_count(api_as, django_assert_max_num_queries):
    api = api_as("advisor")
    for _number in range(30):
        make_vehicle()

    with django_assert_max_num_queries(6):
        listed = api.get("/api/v1/customers/")

    assert listed.json()["count"] == 30


@pytest.mark.django_db
def test_roles_that_see_masked_numbers_get_them_masked_from_the_api_too(api_as):
    make_customer(name="张三", mobile="13812345678", landline="0394-8123456")
    foreman, advisor = api_as("foreman"), api_as("advisor")

    masked = foreman.get("/api/v1/customers/").json()["results"][0]
    by_number = foreman.get("/api/v1/customers/", {"mobile": "13812345678"})
    whole = advisor.get("/api/v1/customers/").json()["results"][0]

    assert (masked["mobile"], masked["landline"]) == ("138****5678", "****")
    assert by_number.status_code == 403
    assert (whole["mobile"], whole["landline"]) == ("13812345678", "0394-8123456")


@pytest.mark.django_db
def test_a_write_with_an_old_version_gets_409_and_changes_nothing(api_as):
    api = api_as("advisor")
    customer = make_customer(name="张三")

    first = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "张三丰", "version": 1}, format="json")
    stale = api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "张叁", "version": 1}, format="json")

    assert first.status_code == 200 and first.json()["version"] == 2
    assert stale.status_code == 409 and "detail" in stale.json()
    customer.refresh_from_db()
    assert customer.name == "张三丰"
