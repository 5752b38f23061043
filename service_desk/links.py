"""Signed links for the customer (no login): confirm the items of an order, or only follow its progress.

A confirmation link names the order and the confirmation round it was made for; when new items
call for a new confirmation, older confirmation links stop working. The link printed on the work
order only follows progress: whoever holds the paper cannot confirm anything with it. Links expire
after seven days.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

LINK_AGE_S = 7 * 24 * 60 * 60
_SALT = "service_desk.order-link"
CONFIRM = "confirm"
FOLLOW = "follow"


def make_token(order, purpose: str = CONFIRM) -> str:
    return signing.dumps({"o": order.pk, "r": order.confirmation_round, "p": purpose}, salt=_SALT, compress=True)


def read_token(token: str) -> tuple[int, int, str] | None:
    """Return (order id, confirmation round, purpose) of a genuine, unexpired link, else None."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_AGE_S)
    except signing.BadSignature:
        return None
    return int(data["o"]), int(data["r"]), data.get("p", CONFIRM)


def order_url(order, purpose: str = CONFIRM) -> str:
    """The full address for a text message or the printed order, on the site's public address."""
    path = reverse("customer_order", kwargs={"token": make_token(order, purpose)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"
