"""In headless Chromium on a tablet-sized screen: an advisor logs in, in Chinese, and registers a car."""

import pytest

from dealership.models import Vehicle
from tests.factories import PASSWORD, make_user, valid_vin


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_advisor_logs_in_in_chinese_and_registers_a_customer_and_car(tablet, screenshot):
    make_user("advisor", username="wangfang", name="王芳")

    tablet.goto("/")
    assert tablet.url.endswith("/login/?next=/")
    assert tablet.get_by_role("button", name="登录").is_visible()
    screenshot(tablet, "login")
    tablet.get_by_label("用户名").fill("wangfang")
    tablet.get_by_label("密码").fill(PASSWORD)
    tablet.get_by_role("button", name="登录").click()

    tablet.get_by_role("heading", name="您好，王芳").wait_for()
    assert "服务顾问" in tablet.content()
    screenshot(tablet, "home")

    tablet.get_by_role("link", name="客户与车辆").first.click()
    tablet.get_by_role("link", name="新建客户").click()
    tablet.get_by_label("姓名").fill("张三")
    tablet.get_by_label("手机").fill("138 1234 5678")
    tablet.get_by_role("button", name="保存").click()
    tablet.get_by_role("link", name="登记车辆").click()
    tablet.get_by_label("车架号").fill(valid_vin(42)[:-1] + "0")  # a typo in the last digit
    tablet.get_by_label("车牌号").fill("豫p·d12345")
    tablet.get_by_label("车型").fill("一汽-大众 ID.4 CROZZ")
    tablet.get_by_role("button", name="保存").click()
    assert "校验位" in tablet.content()
    screenshot(tablet, "vin-refused")
    tablet.get_by_label("车架号").fill(valid_vin(42).lower())
    tablet.get_by_role("button", name="保存").click()

    tablet.get_by_text("豫PD12345", exact=True).wait_for()
    screenshot(tablet, "customer")
    vehicle = Vehicle.objects.get()
    assert (vehicle.vin, vehicle.customer.name, vehicle.customer.mobile) == (valid_vin(42), "张三", "13812345678")
