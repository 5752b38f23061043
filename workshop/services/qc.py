"""QC and rework (WS02, WS03, WS06): three signatures in order, rework after a fail or a comeback,
and who answers for it."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dealership.errors import NotPermitted, TransitionNotAllowed
from dealership.permissions import has_role
from dealership.transitions import edit
from service_desk import services as desk
from service_desk.models import ItemStatus, OrderStatus, RepairItem
from workshop import signals
from workshop.models import (
    QC_CHECKS,
    QC_ORDER,
    FaultKind,
    QcResult,
    QcSign,
    QcStage,
    Rework,
    ReworkKind,
    WorkshopPolicy,
)
from workshop.services.items import check_version, lock


def current_cycle(item: RepairItem) -> int:
    return 1 + item.reworks.filter(kind=ReworkKind.INTERNAL).count()


def next_stage(item: RepairItem) -> QcStage | None:
    """The stage that waits for a signature, or None when the item is not in QC."""
    if item.status != ItemStatus.QC:
        return None
    signed = set(QcSign.objects.filter(item=item, cycle=current_cycle(item)).values_list("stage", flat=True))
    for stage in QC_ORDER:
        if stage not in signed:
            return stage
    return None


def signing_refusal(user: AbstractBaseUser, item: RepairItem, stage: QcStage) -> str | None:
    """Why this person may not sign this QC stage of the job now, or None when they may (WS02).

    Self-check by the job's technician; general check by an inspector; final by an inspector or
    foreman. Three stages are three pairs of eyes: whoever did the job or signed a stage of this
    round signs no other stage of it.
    """
    if stage == QcStage.SELF:
        allowed = item.technician_id == user.pk
    elif stage == QcStage.GENERAL:
        allowed = has_role(user, "inspector")
    else:
        allowed = has_role(user, "inspector", "foreman")
    if not allowed:
        return _("You may not sign the %(stage)s of this job.") % {"stage": stage.label}
    if stage == QcStage.SELF:
        return None
    if item.technician_id == user.pk:
        return _("You did this job: its %(stage)s is signed by someone else.") % {"stage": stage.label}
    signed = (
        QcSign.objects.filter(item=item, cycle=current_cycle(item), by=user)
        .exclude(stage=stage)
        .values_list("stage", flat=True)
        .first()
    )
    if signed is not None:
        return _("You signed the %(signed)s of this round: the %(stage)s needs another pair of eyes.") % {
            "signed": QcStage(signed).label,
            "stage": stage.label,
        }
    return None


def may_sign(user: AbstractBaseUser, item: RepairItem, stage: QcStage) -> bool:
    """Whether the job page offers this person the stage's signature form."""
    return signing_refusal(user, item, stage) is None


def _checklist(ticked: dict | None) -> dict:
    """The signature's checklist, every box named: ticked or not."""
    ticked = ticked or {}
    unknown = set(ticked) - set(QC_CHECKS)
    if unknown:
        raise ValidationError({"checklist": _("Unknown check: %(check)s.") % {"check": ", ".join(sorted(unknown))}})
    return {key: bool(ticked.get(key)) for key in QC_CHECKS}


@transaction.atomic
def sign_qc(
    *,
    by: AbstractBaseUser,
    item: RepairItem,
    stage: str,
    result: str,
    at: datetime,
    notes: str = "",
    checklist: dict | None = None,
    fault: str = FaultKind.REPAIR,
    version: int | None = None,
) -> QcSign:
    """Sign a QC stage, in order. A pass needs every box of the checklist ticked; a fail needs a
    reason, sends the job to rework, records who answers for it (WS06) and restarts QC at the
    self-check; the final pass lets the car go to checkout. Raises NotPermitted (not this person's
    stage), TransitionNotAllowed (out of order), StaleObject (an older `version`), ValidationError."""
    item = lock(item)
    check_version(item, version)
    _check_signer(by, item, stage, result)
    checks = _checklist(checklist)
    if result == QcResult.PASS and not all(checks.values()):
        raise ValidationError({"checklist": _("A pass is signed only with every check ticked; otherwise sign a fail.")})
    if result == QcResult.FAIL and not notes.strip():
        raise ValidationError({"notes": _("Say what failed.")})
    if fault not in FaultKind.values:
        raise ValidationError({"fault": _("Unknown kind of fault.")})
    sign = QcSign.objects.create(
        item=item,
        cycle=current_cycle(item),
        stage=stage,
        result=result,
        by=by,
        at=at,
        notes=notes.strip(),
        checklist=checks,
    )
    if result == QcResult.FAIL:
        _send_to_rework(item, sign, fault=FaultKind(fault))
    elif stage == QcStage.FINAL:
        desk.move_item(item=item, to=ItemStatus.PASSED, at=at, by=by)
    else:
        edit(item, at=at)  # a signature that leaves the status as it is still changes the job: a newer version
    return sign


def _check_signer(by: AbstractBaseUser, item: RepairItem, stage: str, result: str) -> None:
    """The stage is the one waiting, and this person may sign it."""
    if stage not in QcStage.values or result not in QcResult.values:
        raise ValidationError(_("Unknown QC stage or result."))
    expected = next_stage(item)
    if expected is None:
        raise TransitionNotAllowed(_("This job is not waiting for QC."))
    if stage != expected:
        raise TransitionNotAllowed(_("QC goes in order: the %(stage)s comes first.") % {"stage": expected.label})
    refusal = signing_refusal(by, item, QcStage(stage))
    if refusal is not None:
        raise NotPermitted(refusal)


def _send_to_rework(item: RepairItem, sign: QcSign, *, fault: FaultKind) -> None:
    """A failed stage: internal rework, charged as the fault's kind says (WS06); QC starts again."""
    Rework.objects.create(
        item=item,
        kind=ReworkKind.INTERNAL,
        fault=fault,
        reason=sign.notes,
        responsible=_responsible_for(item, fault),
        stage=sign.stage,
        recorded_by=sign.by,
        at=sign.at,
    )
    desk.move_item(item=item, to=ItemStatus.REWORK, at=sign.at, by=sign.by)
    transaction.on_commit(
        lambda: signals.item_reworked.send(sender=RepairItem, item=item, at=sign.at, kind=ReworkKind.INTERNAL)
    )


def _responsible_for(item: RepairItem, fault: FaultKind) -> AbstractBaseUser:
    """WS06: body and paint faults to the paint lead; repair faults to the technician who did the job.

    With no paint lead named in the workshop policy, a body and paint fault is refused rather than
    charged to someone it does not belong to; the manager names the lead, then it is recorded.
    """
    if fault == FaultKind.PAINT:
        lead = WorkshopPolicy.current().paint_lead
        if lead is None:
            raise ValidationError({"fault": _("Name the paint lead in the workshop policy first.")})
        return lead
    if item.technician is None:
        raise ValidationError({"fault": _("Nobody was dispatched to this job to answer for it.")})
    return item.technician


# --- External rework, comebacks (WS03) --------------------------------------------------------------------


def comeback_candidates(item: RepairItem) -> list[RepairItem]:
    """Earlier items on the same car, same operation (or same words), delivered within the comeback window."""
    window = timedelta(days=WorkshopPolicy.current().comeback_days)
    order = item.order
    earlier = RepairItem.objects.select_related("order", "technician__staff").filter(
        order__vehicle_id=order.vehicle_id,
        order__status=OrderStatus.DELIVERED,
        order__delivered_at__gte=order.arrived_at - window,
        order__delivered_at__lte=order.arrived_at,
        status=ItemStatus.PASSED,
    )
    if item.labour_operation_id:
        earlier = earlier.filter(labour_operation_id=item.labour_operation_id)
    else:
        earlier = earlier.filter(description=item.description)
    return list(earlier.order_by("-order__delivered_at")[:3])


@transaction.atomic
def record_comeback(
    *,
    by: AbstractBaseUser,
    item: RepairItem,
    original: RepairItem,
    reason: str,
    at: datetime,
    fault: str = FaultKind.REPAIR,
) -> Rework:
    """The car came back for the same fault: external rework, answered for as the fault's kind says
    (WS06): repair work by the original job's technician, body and paint by the paint lead."""
    if original not in comeback_candidates(item):
        raise ValidationError(_("That earlier job is not the same work on this car within the comeback window."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what came back.")})
    if fault not in FaultKind.values:
        raise ValidationError({"fault": _("Unknown kind of fault.")})
    responsible = _responsible_for(original, FaultKind(fault))
    try:
        with transaction.atomic():
            rework = Rework.objects.create(
                item=item,
                kind=ReworkKind.EXTERNAL,
                fault=fault,
                reason=reason.strip(),
                responsible=responsible,
                original_item=original,
                recorded_by=by,
                at=at,
            )
    except IntegrityError as twice:
        raise TransitionNotAllowed(_("This job is already recorded as a comeback.")) from twice
    transaction.on_commit(
        lambda: signals.item_reworked.send(sender=RepairItem, item=item, at=at, kind=ReworkKind.EXTERNAL)
    )
    return rework
