"""What the service desk does when an app below it has news."""

from service_desk import services


def fit_arrived_part(sender, backorder, at, **kwargs) -> None:
    """parts.signals.backorder_arrived: the part a work order was waiting for is here."""
    services.fit_arrived_part(backorder=backorder, at=at)
