"""In headless Chromium on a 10-inch tablet: the foreman dispatches a job from the board, and the
board follows the workshop by itself."""

import pytest
from django.utils import timezone

from service_desk.models import ItemStatus
from tests.factories import PASSWORD, make_order, make_user, make_vehicle
from workshop import services
from workshop.models import Shift


def column(page, name: str):
    return page.get_by_role("region", name=name)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ws01_foreman_taps_a_card_and_a_technician_and_the_board_follows_the_workshop(tablet, screenshot):
    make_user("foreman", username="chenqiang", name="陈强")
    zhao = make_user("technician", name="赵刚")
    make_user("technician", name="孙伟")
    Shift.objects.create(day=timezone.localdate(), technician=zhao)
    order = make_order(vehicle=make_vehicle(plate="豫PD12345"), confirmed=True)
    item = order.items.get()

    tablet.clock.install()  # the board's 15-second refresh is driven by this clock, not by waiting
    tablet.goto("/login/")
    tablet.get_by_label("用户名").fill("chenqiang")
    tablet.get_by_label("密码").fill(PASSWORD)
    tablet.get_by_role("button", name="登录").click()
    tablet.goto("/workshop/board/")
    screenshot(tablet, "board")
    column(tablet, "待派工").get_by_text("PD12345").click()
    screenshot(tablet, "job")
    tablet.get_by_role("button", name="赵刚").click()
    tablet.get_by_text("已派工。").wait_for()
    column(tablet, "已派工").get_by_text("PD12345").wait_for()

    # The technician starts the job on his own tablet; the foreman's board catches up on its own.
    services.start(by=zhao, item=item, at=timezone.now())
    tablet.clock.fast_forward("00:16")
    column(tablet, "维修中").get_by_text("PD12345").wait_for()
    screenshot(tablet, "board-refreshed")

    item.refresh_from_db()
    assert (item.status, item.technician) == (ItemStatus.IN_PROGRESS, zhao)
    assert column(tablet, "已派工").get_by_text("PD12345").count() == 0
    assert tablet.get_by_text("已派工。").is_visible()  # refreshed in place: no reload
