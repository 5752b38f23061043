"""Issue 11, corrections from the acceptance review: the workshop's part (WS01/SD09, WS02, WS06, 403/409,
version on the job actions, CC01 rev. 2 boundaries)."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from service_desk import services as desk
from service_desk.models import ItemStatus
from tests.factories import make_order, make_user
from workshop import selectors

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def crew(db):
    return {
        "foreman": make_user("foreman", name="陈强"),
        "technician": make_user("technician", name="赵刚"),
        "inspector": make_user("inspector", name="郭明"),
        "advisor": make_user("advisor", name="王芳"),
    }


def add_item(order, advisor, *, at=NINE, description="加装行车记录仪"):
    return desk.add_item(
        by=advisor, order=order, at=at, category="accessory", description=description, labour_price=Decimal("0")
    )


def waiting_on_board(*, at=NINE) -> set[int]:
    column = next(column for column in selectors.board(at=at)["columns"] if column["status"] == ItemStatus.PENDING)
    return {card.pk for card in column["cards"]}


# --- WS01 / SD09: the board shows exactly the items that may be worked on ------------------------------------


def test_ws01_sd09_an_item_within_the_allowance_after_confirmation_is_on_the_board(crew):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    confirmed = order.items.get()
    added = add_item(order, crew["advisor"], at=NINE + timedelta(minutes=10))

    on_board = waiting_on_board()

    assert desk.may_start(added) and desk.may_start(confirmed)
    assert on_board == {confirmed.pk, added.pk}


def test_ws01_sd09_the_board_and_may_start_agree_past_the_three_item_allowance(crew):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    unconfirmed_order = make_order(advisor=crew["advisor"], at=NINE)
    added = [add_item(order, crew["advisor"], description=f"附加项目{n}") for n in range(4)]  # the fourth: reconfirm
    order.refresh_from_db()
    items = [*order.items.all(), *unconfirmed_order.items.all()]

    on_board = waiting_on_board()

    assert order.needs_confirmation
    assert on_board == {item.pk for item in items if desk.may_start(item)} == {order.items.get(is_confirmed=True).pk}
    assert not any(desk.may_start(item) for item in added)
    desk.confirm(order=order, signed_by="张先生", at=NINE + timedelta(minutes=30))
    assert waiting_on_board() == {item.pk for item in order.items.all()}
