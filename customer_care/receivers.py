"""What customer care does when the service desk settles or delivers a car, or records a phone-script
violation: inside that event's own transaction."""

from customer_care import services


def after_delivery(sender, order, at, **kwargs) -> None:
    """service_desk.signals.order_delivered: the follow-up call tomorrow, the care texts."""
    services.after_delivery(order=order, at=at)


def after_settlement(sender, order, at, **kwargs) -> None:
    """service_desk.signals.order_settled: the checkout rating's entry for the advisor (IN03)."""
    services.post_rating(order=order, at=at)


def after_script_violation(sender, violation, at, **kwargs) -> None:
    """service_desk.signals.script_violation_recorded: half that day's output, if the day is over (IN06);
    a violation of today is posted by the nightly reconcile once its output is final."""
    services.post_script_violation(violation=violation, at=at)
