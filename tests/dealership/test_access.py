"""Role access for every page and API endpoint: anonymous → login or 401, wrong role → 403.

The table below must name every URL the project serves (a new URL without a row fails
`test_every_url_is_in_the_access_table`), so no page ships without a stated rule.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from dealership import outbox
from dealership.permissions import ALL_ROLES
from parts import services as parts
from parts.models import GiftItem
from tests.factories import make_part, make_sms_template, make_user, make_vehicle

DIRECTORY_READ = {"advisor", "foreman", "parts", "callcentre", "manager"}
DIRECTORY_WRITE = {"advisor", "parts", "callcentre", "manager"}
SMS_STAFF = {"callcentre", "manager"}
MANAGER = {"manager"}
CATALOGUE_READ = {"parts", "advisor", "foreman", "technician", "manager"}
PARTS_STAFF = {"parts", "manager"}
BACKORDER_STAFF = {"parts", "advisor", "manager"}
GIFT_GIVERS = {"parts", "advisor", "callcentre", "manager"}
PUBLIC = "public"
POST_ONLY = {
    "sms_send_again",
    "sms_mark_sent",
    "sms_template_preview",
    "backorder_arrived",
    "backorder_collected",
    "backorder_new_date",
    "backorder_cancel",
    "backorder-arrived",
}  # GET by an allowed role: 405

# url name → (path template, roles that get 200; PUBLIC for no login)
ACCESS = {
    "home": ("/", ALL_ROLES),
    "login": ("/login/", PUBLIC),
    "healthz": ("/healthz", PUBLIC),
    "customer_list": ("/customers/", DIRECTORY_READ),
    "customer_detail": ("/customers/{customer}/", DIRECTORY_READ),
    "customer_create": ("/customers/new/", DIRECTORY_WRITE),
    "customer_edit": ("/customers/{customer}/edit/", DIRECTORY_WRITE),
    "vehicle_create": ("/customers/{customer}/vehicles/new/", DIRECTORY_WRITE),
    "vehicle_edit": ("/vehicles/{vehicle}/edit/", DIRECTORY_WRITE),
    "api_docs": ("/api/v1/docs/", ALL_ROLES),
    "api_schema": ("/api/v1/schema/", ALL_ROLES),
    "customer-list": ("/api/v1/customers/", DIRECTORY_READ),
    "customer-detail": ("/api/v1/customers/{customer}/", DIRECTORY_READ),
    "vehicle-list": ("/api/v1/vehicles/", DIRECTORY_READ),
    "vehicle-detail": ("/api/v1/vehicles/{vehicle}/", DIRECTORY_READ),
    "staff-list": ("/api/v1/staff/", ALL_ROLES),
    "staff-detail": ("/api/v1/staff/{staff}/", ALL_ROLES),
    "sms_list": ("/sms/", SMS_STAFF),
    "sms_detail": ("/sms/{sms}/", SMS_STAFF),
    "sms_send_again": ("/sms/{sms}/send-again/", SMS_STAFF),
    "sms_mark_sent": ("/sms/{sms}/mark-sent/", SMS_STAFF),
    "sms_template_list": ("/sms/templates/", MANAGER),
    "sms_template_edit": ("/sms/templates/{sms_template}/", MANAGER),
    "sms_template_preview": ("/sms/templates/{sms_template}/preview/", MANAGER),
    "sms_policy": ("/sms/policy/", MANAGER),
    "sms_test": ("/sms/test/", MANAGER),
    "sms-list": ("/api/v1/sms/", SMS_STAFF),
    "sms-detail": ("/api/v1/sms/{sms}/", SMS_STAFF),
    "part_list": ("/parts/", CATALOGUE_READ),
    "part_detail": ("/parts/{part}/", CATALOGUE_READ),
    "part_create": ("/parts/new/", PARTS_STAFF),
    "part_edit": ("/parts/{part}/edit/", PARTS_STAFF),
    "part_receive": ("/parts/{part}/receive/", PARTS_STAFF),
    "part_adjust": ("/parts/{part}/adjust/", PARTS_STAFF),
    "part_return": ("/parts/{part}/return/", PARTS_STAFF),
    "part_import": ("/parts/import/", PARTS_STAFF),
    "backorder_list": ("/parts/backorders/", PARTS_STAFF),
    "backorder_mine": ("/parts/backorders/mine/", {"advisor"}),
    "backorder_create": ("/parts/backorders/new/", BACKORDER_STAFF),
    "backorder_detail": ("/parts/backorders/{backorder}/", BACKORDER_STAFF),
    "backorder_arrived": ("/parts/backorders/{backorder}/arrived/", PARTS_STAFF),
    "backorder_collected": ("/parts/backorders/{backorder}/collected/", BACKORDER_STAFF),
    "backorder_new_date": ("/parts/backorders/{backorder}/new-date/", PARTS_STAFF),
    "backorder_cancel": ("/parts/backorders/{backorder}/cancel/", BACKORDER_STAFF),
    "customer_picker": ("/parts/customer-picker/", GIFT_GIVERS),
    "sale_list": ("/parts/sales/", PARTS_STAFF),
    "sale_create": ("/parts/sales/new/", PARTS_STAFF),
    "sale_detail": ("/parts/sales/{sale}/", PARTS_STAFF),
    "gift_list": ("/parts/gifts/", GIFT_GIVERS),
    "gift_create": ("/parts/gifts/new/", PARTS_STAFF),
    "gift_edit": ("/parts/gifts/{gift}/edit/", PARTS_STAFF),
    "gift_give": ("/parts/gifts/{gift}/give/", GIFT_GIVERS),
    "gift_restock": ("/parts/gifts/{gift}/restock/", PARTS_STAFF),
    "part-list": ("/api/v1/parts/", ALL_ROLES),
    "part-detail": ("/api/v1/parts/{part}/", ALL_ROLES),
    "backorder-list": ("/api/v1/backorders/", BACKORDER_STAFF),
    "backorder-detail": ("/api/v1/backorders/{backorder}/", BACKORDER_STAFF),
    "backorder-arrived": ("/api/v1/backorders/{backorder}/arrived/", PARTS_STAFF),
}
# Object rules on top of roles: an advisor opening another advisor's backorder gets 404, as for any
# backorder that is not theirs (the test objects belong to a parts clerk).
EXPECTED = {("backorder_detail", "advisor"): 404, ("backorder-detail", "advisor"): 404}
# Served by Django itself or only redirecting/POST-only; covered by their own tests.
NOT_IN_TABLE = {"logout", "set_language", "api_root", "api_token", "sms_receipts"}


def _named_urls(patterns, prefix="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names |= _named_urls(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_is_in_the_access_table():
    served = _named_urls(get_resolver().url_patterns)

    assert served - NOT_IN_TABLE - set(ACCESS) == set()


def _cells():
    for name, (path, allowed) in ACCESS.items():
        for role in sorted(ALL_ROLES):
            yield pytest.param(name, path, role, allowed == PUBLIC or role in allowed, id=f"{name}-{role}")


@pytest.fixture
def objects(db):
    vehicle = make_vehicle()
    staff = make_user("advisor")
    template = make_sms_template()
    sms = outbox.enqueue_sms(
        mobile="13812345678", kind=template.kind, context=template.sample, dedupe_key="access", at=timezone.now()
    )
    part = make_part(stock=5)
    backorder = parts.create_backorder(
        by=make_user("parts"),
        customer=vehicle.customer,
        quantity=1,
        part=part,
        expected_on=timezone.localdate() + timedelta(days=3),
        at=timezone.now(),
    )
    sale = parts.sell_over_counter(by=staff, kind="retail", buyer_name="张三", lines=[(part, 1)], at=timezone.now())
    gift = parts.save_gift_item(by=staff, gift=GiftItem(name="钥匙扣", unit_cost=Decimal("5")))
    parts.restock_gifts(by=staff, gift=gift, quantity=3, at=timezone.now())
    return {
        "customer": vehicle.customer_id,
        "vehicle": vehicle.pk,
        "staff": staff.pk,
        "sms": sms.pk,
        "sms_template": template.pk,
        "part": part.pk,
        "backorder": backorder.pk,
        "sale": sale.pk,
        "gift": gift.pk,
    }


@pytest.mark.parametrize(("name", "path", "role", "allowed"), list(_cells()))
def test_role_gets_200_or_403(client, objects, name, path, role, allowed):
    client.force_login(make_user(role))

    response = client.get(path.format(**objects))

    if name == "login":
        assert response.status_code == 302  # a logged-in user goes on to the home page
    elif name in POST_ONLY:
        assert response.status_code == (405 if allowed else 403)
    else:
        assert response.status_code == EXPECTED.get((name, role), 200 if allowed else 403)


@pytest.mark.parametrize("name", [name for name, (_path, allowed) in ACCESS.items() if allowed != PUBLIC])
def test_anonymous_is_sent_to_login_or_gets_401(client, objects, name):
    path = ACCESS[name][0].format(**objects)

    response = client.get(path)

    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(f"/login/?next={path}")


@pytest.mark.parametrize("name", [name for name, (_path, allowed) in ACCESS.items() if allowed == PUBLIC])
def test_public_pages_open_without_login(client, objects, name):
    response = client.get(ACCESS[name][0])

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_is_for_staff_accounts_only(client):
    client.force_login(make_user("advisor"))
    refused = client.get("/admin/")
    client.force_login(make_user("manager", is_staff=True))
    admitted = client.get("/admin/")

    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    assert admitted.status_code == 200


@pytest.mark.django_db
def test_user_without_role_sees_only_a_request_to_get_one(client):
    client.force_login(make_user())

    home = client.get("/")
    directory = client.get("/customers/")
    api = client.get("/api/v1/staff/")

    assert home.status_code == 200
    assert "还没有角色" in home.content.decode()
    assert directory.status_code == 403
    assert api.status_code == 403


@pytest.mark.django_db
def test_inactive_user_is_locked_out_of_pages_and_api(client):
    user = make_user("advisor")
    client.force_login(user)
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": user.username, "password": "correct-horse-battery"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    user.is_active = False
    user.save()

    assert client.get("/customers/").status_code == 302
    assert api.get("/api/v1/customers/").status_code == 401


@pytest.mark.django_db
def test_a_staff_manager_keeps_accounts_and_roles_in_the_admin_but_cannot_make_superusers(client):
    manager = make_user("manager", is_staff=True)
    advisor = make_user("advisor")
    boss = make_user(is_superuser=True, is_staff=True)
    client.force_login(manager)

    index = client.get("/admin/").content.decode()
    advisor_page = client.get(f"/admin/auth/user/{advisor.pk}/change/").content.decode()
    boss_page = client.get(f"/admin/auth/user/{boss.pk}/change/")

    assert "/admin/auth/user/" in index and "/admin/dealership/customer/" in index
    assert 'name="groups"' in advisor_page and 'name="is_superuser"' not in advisor_page
    assert 'name="is_superuser"' not in boss_page.content.decode()  # viewable, not editable
