"""Shifts, dispatch and the job clock (WS01): who works on which job, and for how long."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dealership.errors import NotPermitted, TransitionNotAllowed
from dealership.permissions import has_role
from service_desk import services as desk
from service_desk.models import ItemStatus, RepairItem
from workshop.models import ClockEntry, PauseReason, Shift, WorkshopPolicy
from workshop.services.escalations import check_no_pending_approval
from workshop.services.items import check_own_job, check_version, lock


@transaction.atomic
def set_shift(
    *, by: AbstractBaseUser, technician: AbstractBaseUser, day: date, on_shift: bool, hours: Decimal = Decimal("8")
) -> Shift | None:
    """Put a technician on (or off) the day's shift; the shift keeps who planned it."""
    if not has_role(technician, "technician"):
        raise ValidationError(_("Only technicians go on the workshop shift."))
    if not on_shift:
        Shift.objects.filter(day=day, technician=technician).delete()
        return None
    shift, _created = Shift.objects.update_or_create(
        day=day, technician=technician, defaults={"hours": hours, "planned_by": by}
    )
    return shift


@transaction.atomic
def assign(
    *, by: AbstractBaseUser, item: RepairItem, technician: AbstractBaseUser, at: datetime, version: int | None = None
) -> RepairItem:
    """Dispatch a job to a technician (WS01). Only a foreman or manager, unless policy lets technicians
    take jobs themselves; a job the customer has not confirmed cannot be dispatched (SD09)."""
    item = lock(item)
    if not has_role(technician, "technician"):
        raise ValidationError({"technician": _("Choose a technician.")})
    if not has_role(by, "foreman", "manager"):
        if not (by == technician and WorkshopPolicy.current().technicians_assign_themselves):
            raise NotPermitted(_("Only the foreman dispatches jobs."))
    if item.status == ItemStatus.ASSIGNED:
        # Dispatched to someone else before work started: take it back first.
        item = desk.move_item(item=item, to=ItemStatus.PENDING, at=at, by=by, version=version, technician=None)
        version = None
    return desk.move_item(item=item, to=ItemStatus.ASSIGNED, at=at, by=by, version=version, technician=technician)


@transaction.atomic
def start(*, by: AbstractBaseUser, item: RepairItem, at: datetime, version: int | None = None) -> RepairItem:
    """Start (or restart after rework) the job and its clock. Raises NotPermitted, StaleObject
    (an older `version`), TransitionNotAllowed, WaitingForApproval."""
    item = lock(item)
    check_own_job(item, by)
    check_version(item, version)
    check_no_pending_approval(item)
    if item.status not in (ItemStatus.ASSIGNED, ItemStatus.REWORK):
        raise TransitionNotAllowed(_("Only a dispatched job or a job sent back for rework can be started."))
    item = desk.move_item(item=item, to=ItemStatus.IN_PROGRESS, at=at, by=by)
    _start_clock(item, at=at)
    return item


def _start_clock(item: RepairItem, *, at: datetime) -> None:
    """The technician's clock runs on this job now; a job of theirs still running is paused for it."""
    ClockEntry.objects.filter(technician_id=item.technician_id, ended_at__isnull=True).exclude(item=item).update(
        ended_at=at, pause_reason=PauseReason.OTHER_JOB
    )
    ClockEntry.objects.create(item=item, technician_id=item.technician_id, started_at=at)


@transaction.atomic
def pause(*, by: AbstractBaseUser, item: RepairItem, reason: str, at: datetime) -> RepairItem:
    """Stop the clock for a reason: waiting for parts or approval, a break, another job."""
    item = lock(item)
    check_own_job(item, by)
    if reason not in PauseReason.values:
        raise ValidationError({"reason": _("Say why the job is paused.")})
    if not ClockEntry.objects.filter(item=item, ended_at__isnull=True).update(ended_at=at, pause_reason=reason):
        raise TransitionNotAllowed(_("The clock of this job is not running."))
    return item


@transaction.atomic
def resume(*, by: AbstractBaseUser, item: RepairItem, at: datetime) -> RepairItem:
    item = lock(item)
    check_own_job(item, by)
    check_no_pending_approval(item)
    if item.status != ItemStatus.IN_PROGRESS or ClockEntry.objects.filter(item=item, ended_at__isnull=True).exists():
        raise TransitionNotAllowed(_("Only a paused job can be resumed."))
    _start_clock(item, at=at)
    return item


@transaction.atomic
def finish(*, by: AbstractBaseUser, item: RepairItem, at: datetime, version: int | None = None) -> RepairItem:
    """The technician is done: the clock stops and the job waits for their self-check. Raises
    NotPermitted, StaleObject (an older `version`), TransitionNotAllowed."""
    item = lock(item)
    check_own_job(item, by)
    check_version(item, version)
    if item.status != ItemStatus.IN_PROGRESS:
        raise TransitionNotAllowed(_("Only a job in progress can be finished; start it first."))
    ClockEntry.objects.filter(item=item, ended_at__isnull=True).update(ended_at=at)
    return desk.move_item(item=item, to=ItemStatus.QC, at=at, by=by)


def clocked_hours(item: RepairItem, *, at: datetime) -> Decimal:
    total = timedelta()
    for entry in item.clock_entries.all():
        total += (entry.ended_at or at) - entry.started_at
    return Decimal(total.total_seconds() / 3600).quantize(Decimal("0.01"))
