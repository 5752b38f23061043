"""Signed links for the customer (no login): confirm the items of an order, follow its progress.

A link names the order and the confirmation round it was made for; when new items call for a new
confirmation, older confirmation links stop working. Links expire after seven days.
"""

from django.core import signing

LINK_AGE_S = 7 * 24 * 60 * 60
_SALT = "service_desk.order-link"


def make_token(order) -> str:
    return signing.dumps({"o": order.pk, "r": order.confirmation_round}, salt=_SALT, compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """Return (order id, confirmation round) of a genuine, unexpired link, else None."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_AGE_S)
    except signing.BadSignature:
        return None
    return int(data["o"]), int(data["r"])
