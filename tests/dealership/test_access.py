"""Role access for every page and API endpoint: anonymous → login or 401, wrong role → 403.

The table below must name every URL the project serves (a new URL without a row fails
`test_every_url_is_in_the_access_table`), so no page ships without a stated rule.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dealership import outbox
from dealership.permissions import ALL_ROLES
from tests.factories import make_sms_template, make_user, make_vehicle

DIRECTORY_READ = {"advisor", "foreman", "parts", "callcentre", "manager"}
DIRECTORY_WRITE = {"advisor", "parts", "callcentre", "manager"}
SMS_STAFF = {"callcentre", "manager"}
MANAGER = {"manager"}
PUBLIC = "public"
POST_ONLY = {"sms_send_again", "sms_mark_sent", "sms_template_preview"}  # GET by an allowed role: 405

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
}
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
    sms = outbox.enqueue_sms(mobile="13812345678", kind=template.kind, context=template.sample, dedupe_key="access")
    return {
        "customer": vehicle.customer_id,
        "vehicle": vehicle.pk,
        "staff": staff.pk,
        "sms": sms.pk,
        "sms_template": template.pk,
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
        assert response.status_code == (200 if allowed else 403)


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
    user.is_active = False
    user.save()

    assert client.get("/customers/").status_code == 302
