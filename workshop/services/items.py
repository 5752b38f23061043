"""How the workshop takes one decision about a job (an item of the service desk's) at a time."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from dealership.errors import NotPermitted, StaleObject
from dealership.permissions import has_role
from service_desk.models import RepairItem, RepairOrder


def lock(item: RepairItem) -> RepairItem:
    """Re-read the item under a row lock: one decision about it at a time.

    Its order is locked first, in the same order as the service desk's changes of items (order,
    then item), so the desk and the workshop wait for each other instead of deadlocking.
    """
    list(RepairOrder.objects.select_for_update(no_key=True).filter(pk=item.order_id).values_list("pk"))
    return RepairItem.objects.select_for_update(no_key=True, of=("self",)).select_related("order").get(pk=item.pk)


def check_version(item: RepairItem, version: int | None) -> None:
    """A step taken from what someone saw at `version`: refused once the job has changed since."""
    if version is not None and item.version != version:
        raise StaleObject()


def check_own_job(item: RepairItem, by: AbstractBaseUser) -> None:
    if item.technician_id != by.pk and not has_role(by, "foreman", "manager"):
        raise NotPermitted(_("This job is dispatched to someone else."))
