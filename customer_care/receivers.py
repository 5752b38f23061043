"""What customer care does when the service desk delivers a car (inside the delivery's transaction)."""

from customer_care import services


def after_delivery(sender, order, at, **kwargs) -> None:
    """service_desk.signals.order_delivered: the follow-up call tomorrow, the care texts."""
    services.after_delivery(order=order, at=at)
