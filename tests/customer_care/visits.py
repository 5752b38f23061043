"""Visits that make ledger entries, for the ledger, statement and report tests: a settled order
with its rating (IN03), and a delivered one whose follow-up call praises someone (IN01)."""

import zoneinfo
from datetime import datetime, timedelta

from customer_care import services
from service_desk import services as desk
from tests.factories import make_order, make_user, pass_all_items

NINE = datetime(2026, 11, 26, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))  # a Thursday


def settled(advisor, rating: str, *, at=NINE, technician=None):
    """An order of `advisor`'s, every item passed, settled two hours later by a cashier."""
    order = pass_all_items(make_order(advisor=advisor, at=at, confirmed=True), at=at, technician=technician)
    return desk.settle(by=make_user("advisor"), order=order, rating=rating, at=at + timedelta(hours=2))


def praised(person, *, agent, at=NINE, rating: str = "very_satisfied", called_after=timedelta(days=1)):
    """A delivered order of `person`'s whose follow-up call, `called_after` the visit, praises them."""
    order = settled(person, rating, at=at)
    order = desk.deliver(by=order.advisor, order=order, at=at + timedelta(hours=3))
    return services.record_follow_up(
        by=agent,
        follow_up=order.follow_up,
        reached=True,
        satisfaction="very_satisfied",
        praised=[person],
        at=at + called_after,
    )
