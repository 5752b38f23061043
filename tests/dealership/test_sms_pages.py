"""The SMS outbox pages and API for customer care and managers."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from dealership import outbox
from dealership.models import SmsMessage, SmsPolicy, SmsStatus
from dealership.sms_gateways import GatewayRejected
from tests.dealership.test_outbox import ScriptedGateway
from tests.factories import make_sms_template, make_user


@pytest.fixture(autouse=True)
def working_hours():
    """Noon in Shanghai, outside quiet hours, so care messages go at once."""
    with time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        yield


def queue(number: int, **overrides) -> SmsMessage:
    fields = {
        "mobile": f"139{number:08d}",
        "kind": "notice",
        "context": {"customer": "张先生", "text": f"第{number}条"},
        "dedupe_key": f"page-test:{number}",
    }
    return outbox.enqueue_sms(at=timezone.now(), **(fields | overrides))


def failed_message() -> SmsMessage:
    message = queue(1)
    outbox.deliver(message_id=message.pk, at=timezone.now(), gateway=ScriptedGateway(GatewayRejected))
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_cc06_outbox_page_counts_each_status_and_filters(client_as):
    make_sms_template()
    make_sms_template("rescue", name="救援通知", is_urgent=True)
    client = client_as("callcentre")
    for number in range(3):
        queue(number)
    queue(10, kind="rescue")
    failed_message()

    everything = client.get("/sms/").content.decode()
    only_failed = client.get("/sms/", {"status": "failed"}).content.decode()
    only_rescue = client.get("/sms/", {"kind": "rescue"}).content.decode()

    assert "第0条" in everything and "救援通知" in everything
    assert "第1条" in only_failed and "第0条" not in only_failed
    assert "救援通知" in only_rescue and "第0条" not in only_rescue


@pytest.mark.django_db
def test_outbox_page_keeps_a_fixed_query_count(client_as, django_assert_max_num_queries):
    make_sms_template()
    client = client_as("manager")
    for number in range(60):
        queue(number)

    with django_assert_max_num_queries(10):
        page = client.get("/sms/")

    assert page.content.decode().count('href="/sms/') >= 50
    assert "?page=2" in page.content.decode()


@pytest.mark.django_db
def test_cc06_a_person_sends_a_failed_message_again_from_its_page(client_as):
    make_sms_template()
    client = client_as("callcentre")
    message = failed_message()

    detail = client.get(f"/sms/{message.pk}/").content.decode()
    client.post(f"/sms/{message.pk}/send-again/")

    assert "重新发送" in detail
    message.refresh_from_db()
    assert message.status in (SmsStatus.QUEUED, SmsStatus.HELD)
    assert message.events.latest("pk").by == client.user


@pytest.mark.django_db
def test_sending_again_a_sent_message_is_refused_with_a_message(client_as):
    make_sms_template(is_urgent=True)
    client = client_as("callcentre")
    message = queue(1)
    outbox.deliver(message_id=message.pk, at=timezone.now())

    response = client.post(f"/sms/{message.pk}/send-again/", follow=True)

    assert "只有发送失败或状态未知的短信才能重新发送" in response.content.decode()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


@pytest.mark.django_db
def test_template_with_an_unknown_placeholder_is_refused_on_the_page(client_as):
    template = make_sms_template()
    client = client_as("manager")

    refused = client.post(f"/sms/templates/{template.pk}/", {"name": "服务通知", "body": "{customer}：{plate}"})
    saved = client.post(f"/sms/templates/{template.pk}/", {"name": "服务通知", "body": "{customer}您好，{text}"})

    assert "{plate}" in refused.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "{customer}您好，{text}"


@pytest.mark.django_db
def test_template_preview_shows_the_signed_sample_and_its_length(client_as):
    template = make_sms_template(sample={"customer": "张先生", "text": "您好"})
    SmsPolicy.objects.update_or_create(pk=1, defaults={"signature": "【周口一汽-大众】"})
    client = client_as("manager")

    preview = client.post(f"/sms/templates/{template.pk}/preview/", {"body": "尊敬的{customer}，{text}"})

    html = preview.content.decode()
    assert "【周口一汽-大众】尊敬的张先生，您好" in html
    assert "按 1 条计费" in html


@pytest.mark.django_db
def test_manager_sets_quiet_hours_and_attempts(client_as):
    client = client_as("manager")

    client.post(
        "/sms/policy/",
        {"signature": "【周口一汽-大众】", "quiet_from": "22:00", "quiet_until": "07:30", "max_attempts": "3"},
    )

    policy = SmsPolicy.current()
    assert (policy.signature, policy.quiet_from.hour, policy.quiet_until.minute, policy.max_attempts) == (
        "【周口一汽-大众】",
        22,
        30,
        3,
    )


@pytest.mark.django_db
def test_manager_sends_a_test_message(client_as):
    make_sms_template(
        "test", body="尊敬的{customer}，这是一条测试短信（{time}）", placeholders=["customer", "time"], is_urgent=True
    )
    client = client_as("manager")

    response = client.post("/sms/test/", {"mobile": "138 1234 5678", "customer": "宋经理"})

    message = SmsMessage.objects.get()
    assert response["Location"] == f"/sms/{message.pk}/"
    assert (message.mobile, message.kind, message.status) == ("13812345678", "test", SmsStatus.QUEUED)


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sms_api_lists_and_filters_the_outbox(api_as):
    make_sms_template()
    api = api_as("callcentre")
    queue(2)
    failed_message_id = failed_message().pk

    listed = api.get("/api/v1/sms/")
    failed = api.get("/api/v1/sms/", {"status": "failed"})
    bad = api.get("/api/v1/sms/", {"status": "lost"})

    assert listed.json()["count"] == 2
    assert {"mobile", "kind", "body", "status", "dedupe_key", "attempts", "sent_at"} <= set(listed.json()["results"][0])
    assert [m["id"] for m in failed.json()["results"]] == [failed_message_id]
    assert bad.status_code == 400


@pytest.mark.django_db
def test_gateway_posts_delivery_receipts_with_its_token():
    make_sms_template(is_urgent=True)
    delivered, bounced = queue(1), queue(2)
    for message in (delivered, bounced):
        outbox.deliver(message_id=message.pk, at=timezone.now())
    gateway_account = make_user()
    gateway_account.user_permissions.add(Permission.objects.get(codename="record_sms_receipt"))
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": gateway_account.username, "password": "correct-horse-battery"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    answer = api.post(
        "/api/v1/sms/receipts/",
        [
            {"out_id": delivered.out_id, "status": "delivered"},
            {"out_id": bounced.out_id, "status": "failed", "detail": "空号"},
            {"out_id": "sms-999999", "status": "delivered"},
        ],
        format="json",
    )

    assert answer.json() == {"received": 3, "matched": 2}
    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert delivered.delivered_at is not None and delivered.status == SmsStatus.SENT
    assert bounced.status == SmsStatus.FAILED and "空号" in bounced.error


@pytest.mark.django_db
def test_receipts_need_the_gateway_permission_and_a_token(api_as, client_as):
    staff_api = api_as("manager")
    browser = client_as("manager")

    by_manager = staff_api.post("/api/v1/sms/receipts/", [], format="json")
    by_session = browser.post("/api/v1/sms/receipts/", [], content_type="application/json")

    assert by_manager.status_code == 403
    assert by_session.status_code == 401
