"""In headless Chromium on a 10-inch tablet: a follow-up call turns into a complaint with its
deadlines counting down, and the advisor answers it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customer_care.models import Complaint
from service_desk import services as desk
from tests.factories import PASSWORD, make_customer, make_order, make_user, make_vehicle, pass_all_items


def log_in(page, username):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cc04_cc01_a_follow_up_call_raises_a_complaint_and_the_advisor_responds(tablet, screenshot):
    advisor = make_user("advisor", username="wangfang", name="王芳")
    make_user("callcentre", username="linxue", name="林雪")
    yesterday = timezone.now() - timedelta(days=2)  # its follow-up call is due by now, whatever the hour
    vehicle = make_vehicle(plate="豫PD12345", customer=make_customer(name="张三"))
    order = pass_all_items(make_order(advisor=advisor, vehicle=vehicle, at=yesterday, confirmed=True), at=yesterday)
    desk.settle(by=advisor, order=order, rating="good", at=yesterday)
    desk.deliver(by=advisor, order=order, at=yesterday)

    log_in(tablet, "linxue")
    tablet.goto("/care/follow-ups/")
    tablet.get_by_text("张三").click()
    tablet.get_by_label("是", exact=True).check()
    tablet.get_by_label("不满意").check()
    tablet.get_by_label("王芳").check()  # praised by name all the same
    tablet.get_by_label("客户有抱怨投诉").check()
    tablet.get_by_label("客户抱怨的内容").fill("保养后仪表盘保养灯没有复位")
    screenshot(tablet, "follow-up-call")
    tablet.get_by_role("button", name="保存回访").click()
    tablet.get_by_text("回访已记录。").wait_for()

    tablet.goto("/care/complaints/")
    tablet.get_by_text("保养灯没有复位").wait_for()
    countdown = tablet.locator("[data-until]").first
    assert countdown.inner_text().startswith("还剩 0小时")
    screenshot(tablet, "complaint-queue")

    tablet.context.clear_cookies()
    log_in(tablet, "wangfang")
    tablet.goto("/care/complaints/")
    tablet.get_by_role("link", name=Complaint.objects.get().number).click()
    tablet.get_by_role("button", name="签收").click()
    tablet.get_by_text("已签收。").wait_for()
    tablet.get_by_label("对客户的答复").fill("已致电客户，约今天下午到店复位保养灯")
    tablet.get_by_role("button", name="记录响应").last.click()
    tablet.get_by_text("响应已记录。").wait_for()
    screenshot(tablet, "complaint-responded")

    complaint = Complaint.objects.get()
    assert (complaint.status, complaint.repair_order, complaint.assignee) == ("responded", order, advisor)
    assert complaint.signed_for_at is not None and not complaint.breaches.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cc01_a_hotline_complaint_picks_the_customers_visit_from_their_latest_orders(tablet, screenshot):
    make_user("advisor", name="王芳")
    advisor = make_user("advisor", name="李磊")
    make_user("callcentre", username="linxue", name="林雪")
    vehicle = make_vehicle(plate="豫PE54321", customer=make_customer(name="赵敏"))
    order = make_order(advisor=advisor, vehicle=vehicle)

    log_in(tablet, "linxue")
    tablet.goto("/care/complaints/new/")
    tablet.get_by_label("查找客户").fill("赵敏")
    tablet.get_by_text("赵敏").click()
    tablet.get_by_role("button", name=order.number).click()  # fills the order and hands it to its advisor
    tablet.get_by_label("客户原话").fill("说好下午四点交车，到现在还没修好")
    screenshot(tablet, "complaint-from-hotline")
    tablet.get_by_role("button", name="登记并转交").click()
    tablet.get_by_text("已登记并转交").wait_for()

    complaint = Complaint.objects.get()
    assert (complaint.repair_order, complaint.assignee, complaint.customer) == (order, advisor, vehicle.customer)
