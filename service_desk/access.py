"""Who may use the desk's pages and endpoints, and the gates that load its objects for them.

The role sets are declared once here for the pages (`role_required`) and the API (`api_roles`); a
gate loads an object for a person, the same way for a page and an endpoint (404 when missing).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from dealership.models import Role
from service_desk import selectors
from service_desk.models import RepairOrder

DESK = frozenset({Role.ADVISOR, Role.MANAGER})  # the front desk: everything on an order
BOOKERS = DESK | {Role.CALLCENTRE}  # appointments are booked at the desk and by the call centre
ORDER_READERS = DESK | {Role.FOREMAN, Role.CALLCENTRE}  # the order pages
ORDER_API_READERS = ORDER_READERS | {Role.TECHNICIAN, Role.INSPECTOR}  # the workshop's tablets read orders too
OVERRUN_REPORTERS = DESK | {Role.TECHNICIAN, Role.FOREMAN}  # SD10: the workshop says a car will be late


def get_order_for(user: AbstractBaseUser, pk: int, *, detail: bool = False) -> RepairOrder:
    """The order, for a step on it; with `detail`, with its items, parts, events and questions for
    its page. Every order reader sees every order: the desk shares its cars (SD04 partners cover
    each other). Raises Http404."""
    try:
        if detail:
            return selectors.order_detail(int(pk))
        return RepairOrder.objects.select_related("vehicle", "customer").get(pk=int(pk))
    except (RepairOrder.DoesNotExist, ValueError) as missing:
        raise Http404 from missing
