"""In headless Chromium with a real worker: a manager sends a test SMS and watches it go out."""

import pytest

from dealership.models import SmsMessage, SmsStatus
from tests.factories import PASSWORD, make_sms_template, make_user


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_cc06_manager_sends_a_test_sms_and_sees_it_sent(tablet, screenshot, celery_worker):
    make_sms_template(
        "test",
        name="测试短信",
        body="尊敬的{customer}，这是一条测试短信（{time}）",
        placeholders=["customer", "time"],
        is_urgent=True,
    )
    make_user("manager", username="songjianguo", name="宋建国")

    tablet.goto("/login/")
    tablet.get_by_label("用户名").fill("songjianguo")
    tablet.get_by_label("密码").fill(PASSWORD)
    tablet.get_by_role("button", name="登录").click()
    tablet.get_by_role("link", name="短信发件箱").first.click()
    tablet.get_by_role("link", name="发送测试短信").click()
    tablet.get_by_label("手机").fill("138-1234-5678")
    tablet.get_by_label("称呼").fill("宋经理")
    tablet.get_by_role("button", name="发送").click()

    tablet.get_by_text("测试短信已排队发送").wait_for()
    for _reload in range(40):  # the worker sends it within moments
        if tablet.locator(".badge", has_text="已发送").count():
            break
        tablet.wait_for_timeout(250)
        tablet.reload()
    screenshot(tablet, "sent")
    assert tablet.locator(".badge", has_text="已发送").count() >= 1
    message = SmsMessage.objects.get()
    assert (message.mobile, message.status) == ("13812345678", SmsStatus.SENT)
    assert "【" in message.body and "宋经理" in message.body
