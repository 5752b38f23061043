"""In headless Chromium on a 10-inch tablet: an advisor takes a car from arrival to checkout."""

from decimal import Decimal

import pytest

from service_desk.models import RepairOrder
from tests.factories import PASSWORD, make_customer, make_labour_operation, make_user, make_vehicle, pass_all_items


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sd03_to_sd13_advisor_takes_a_car_from_arrival_to_checkout(tablet, screenshot):
    make_user("advisor", username="wangfang", name="王芳")
    make_labour_operation(code="BY01", name="更换机油机滤", price=Decimal("120.00"))
    make_vehicle(plate="豫PD12345", mileage_km=18_000, customer=make_customer(name="张三", mobile="13812345678"))

    tablet.goto("/login/")
    tablet.get_by_label("用户名").fill("wangfang")
    tablet.get_by_label("密码").fill(PASSWORD)
    tablet.get_by_role("button", name="登录").click()
    tablet.goto("/desk/")
    tablet.get_by_role("link", name="车辆到店").click()
    tablet.get_by_placeholder("车牌").fill("PD123")
    tablet.get_by_text("张三").click()
    tablet.get_by_role("button", name="已到店：开委托书").click()

    tablet.get_by_role("button", name="已迎接").click()
    tablet.get_by_role("button", name="进工位").click()
    screenshot(tablet, "order-opened")
    tablet.get_by_role("link", name="环车检查与接车单").click()
    tablet.get_by_label("里程（公里）").fill("18250")
    tablet.get_by_label("车损情况").fill("左后门划痕约5厘米")
    tablet.get_by_label("已铺三件套（座椅套、方向盘套、脚垫）").check()
    tablet.get_by_label("客户的要求（原话记录）").fill("做个保养，右前轮刹车有异响")
    tablet.get_by_role("button", name="保存已签字的接车单").click()
    tablet.get_by_text("接车单已签字").wait_for()

    tablet.get_by_label("工时项目").select_option(label="BY01 更换机油机滤")
    tablet.get_by_role("button", name="添加项目").click()
    tablet.get_by_text("项目已添加").wait_for()
    tablet.get_by_label("客户姓名（签字）").fill("张三")
    tablet.get_by_role("button", name="客户确认项目、时间和费用").click()
    tablet.get_by_text("客户已确认").first.wait_for()
    screenshot(tablet, "confirmed")

    order = RepairOrder.objects.get()
    pass_all_items(order)  # the workshop's part of the journey
    tablet.reload()
    tablet.get_by_role("link", name="结算：请客户评价").click()
    screenshot(tablet, "rating-screen")
    tablet.get_by_role("button", name="非常满意").click()
    tablet.get_by_text("谢谢您！").wait_for()
    tablet.get_by_role("link", name="返回委托书（工作人员）").click()
    tablet.get_by_role("button", name="交车").click()
    tablet.get_by_text("已交车：车辆已离店。").wait_for()
    screenshot(tablet, "delivered")

    order.refresh_from_db()
    assert (order.status, order.rating, order.total) == ("delivered", "very_satisfied", Decimal("120.00"))
    assert order.greeted_at and order.in_bay_at and order.reception_signed_by
    assert order.customer_requests == "做个保养，右前轮刹车有异响"
