"""Every change in the workshop: dispatch, the job clock, QC and rework, escalations, 6S, assessments.

Items move along the service desk's state machine (`service_desk.services.move_item`), which also
keeps the work order's status in step; the workshop adds who, when and why in its own tables.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.errors import DomainError, NotPermitted, StaleObject, TransitionNotAllowed
from dealership.permissions import has_role
from service_desk import services as desk
from service_desk.models import ItemStatus, OrderStatus, RepairItem, RepairOrder
from workshop import signals
from workshop.models import (
    QC_CHECKS,
    QC_ORDER,
    SIX_S,
    Approval,
    ClockEntry,
    Escalation,
    EscalationStatus,
    EscalationStep,
    FaultKind,
    LeaderAssessment,
    LibraryCase,
    PauseReason,
    QcResult,
    QcSign,
    QcStage,
    Rework,
    ReworkKind,
    Shift,
    SixSArea,
    SixSCheck,
    TechnicalGroupMember,
    WorkshopPolicy,
)


class WaitingForApproval(DomainError):
    message = _("A major problem on this job waits for every technical group member's approval.")


def _lock(item: RepairItem) -> RepairItem:
    """Re-read the item under a row lock: one decision about it at a time.

    Its order is locked first, in the same order as the service desk's changes of items (order,
    then item), so the desk and the workshop wait for each other instead of deadlocking.
    """
    list(RepairOrder.objects.select_for_update(no_key=True).filter(pk=item.order_id).values_list("pk"))
    return RepairItem.objects.select_for_update(no_key=True, of=("self",)).select_related("order").get(pk=item.pk)


def _check_version(item: RepairItem, version: int | None) -> None:
    """A step taken from what someone saw at `version`: refused once the job has changed since."""
    if version is not None and item.version != version:
        raise StaleObject()


def _touch(item: RepairItem, *, at: datetime) -> None:
    """A signature that leaves the status as it is still changes the job: a newer version (compare-and-set)."""
    if not RepairItem.objects.filter(pk=item.pk, version=item.version).update(version=F("version") + 1, updated_at=at):
        raise StaleObject()
    item.refresh_from_db()


# --- Shifts and dispatch (WS01) --------------------------------------------------------------------------


@transaction.atomic
def set_shift(
    *, by: AbstractBaseUser, technician: AbstractBaseUser, day: date, on_shift: bool, hours: Decimal = Decimal("8")
) -> Shift | None:
    """Put a technician on (or off) the day's shift."""
    if not has_role(technician, "technician"):
        raise ValidationError(_("Only technicians go on the workshop shift."))
    if not on_shift:
        Shift.objects.filter(day=day, technician=technician).delete()
        return None
    shift, _created = Shift.objects.update_or_create(day=day, technician=technician, defaults={"hours": hours})
    return shift


@transaction.atomic
def assign(
    *, by: AbstractBaseUser, item: RepairItem, technician: AbstractBaseUser, at: datetime, version: int | None = None
) -> RepairItem:
    """Dispatch a job to a technician (WS01). Only a foreman or manager, unless policy lets technicians
    take jobs themselves; a job the customer has not confirmed cannot be dispatched (SD09)."""
    item = _lock(item)
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


# --- Job clock -----------------------------------------------------------------------------------------------


def _check_own_job(item: RepairItem, by: AbstractBaseUser) -> None:
    if item.technician_id != by.pk and not has_role(by, "foreman", "manager"):
        raise NotPermitted(_("This job is dispatched to someone else."))


def waits_for_approval(item: RepairItem) -> bool:
    """WS05: a major problem on the job that not every technical group member has approved yet."""
    pending = Escalation.objects.filter(item=item, is_major=True, status=EscalationStatus.OPEN)
    return any(not fully_approved(escalation) for escalation in pending)


def _check_no_pending_approval(item: RepairItem) -> None:
    if waits_for_approval(item):
        raise WaitingForApproval()


@transaction.atomic
def start(*, by: AbstractBaseUser, item: RepairItem, at: datetime, version: int | None = None) -> RepairItem:
    """Start (or restart after rework) the job and its clock. Raises NotPermitted, StaleObject
    (an older `version`), TransitionNotAllowed, WaitingForApproval."""
    item = _lock(item)
    _check_own_job(item, by)
    _check_version(item, version)
    _check_no_pending_approval(item)
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
    item = _lock(item)
    _check_own_job(item, by)
    if reason not in PauseReason.values:
        raise ValidationError({"reason": _("Say why the job is paused.")})
    if not ClockEntry.objects.filter(item=item, ended_at__isnull=True).update(ended_at=at, pause_reason=reason):
        raise TransitionNotAllowed(_("The clock of this job is not running."))
    return item


@transaction.atomic
def resume(*, by: AbstractBaseUser, item: RepairItem, at: datetime) -> RepairItem:
    item = _lock(item)
    _check_own_job(item, by)
    _check_no_pending_approval(item)
    if item.status != ItemStatus.IN_PROGRESS or ClockEntry.objects.filter(item=item, ended_at__isnull=True).exists():
        raise TransitionNotAllowed(_("Only a paused job can be resumed."))
    _start_clock(item, at=at)
    return item


@transaction.atomic
def finish(*, by: AbstractBaseUser, item: RepairItem, at: datetime, version: int | None = None) -> RepairItem:
    """The technician is done: the clock stops and the job waits for their self-check. Raises
    NotPermitted, StaleObject (an older `version`), TransitionNotAllowed."""
    item = _lock(item)
    _check_own_job(item, by)
    _check_version(item, version)
    if item.status != ItemStatus.IN_PROGRESS:
        raise TransitionNotAllowed(_("Only a job in progress can be finished; start it first."))
    ClockEntry.objects.filter(item=item, ended_at__isnull=True).update(ended_at=at)
    return desk.move_item(item=item, to=ItemStatus.QC, at=at, by=by)


def clocked_hours(item: RepairItem, *, at: datetime) -> Decimal:
    total = timedelta()
    for entry in item.clock_entries.all():
        total += (entry.ended_at or at) - entry.started_at
    return Decimal(total.total_seconds() / 3600).quantize(Decimal("0.01"))


# --- QC (WS02, WS03, WS06) --------------------------------------------------------------------------------


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
    item = _lock(item)
    _check_version(item, version)
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
        responsible = _responsible_for(item, FaultKind(fault))
        Rework.objects.create(
            item=item,
            kind=ReworkKind.INTERNAL,
            fault=fault,
            reason=notes.strip(),
            responsible=responsible,
            stage=stage,
            recorded_by=by,
            at=at,
        )
        desk.move_item(item=item, to=ItemStatus.REWORK, at=at, by=by)
        transaction.on_commit(
            lambda: signals.item_reworked.send(sender=RepairItem, item=item, at=at, kind=ReworkKind.INTERNAL)
        )
    elif stage == QcStage.FINAL:
        desk.move_item(item=item, to=ItemStatus.PASSED, at=at, by=by)
    else:
        _touch(item, at=at)
    return sign


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


# --- Escalations and the library (WS04, WS05) ----------------------------------------------------------------


@transaction.atomic
def escalate(
    *,
    by: AbstractBaseUser,
    item: RepairItem,
    symptoms: str,
    at: datetime,
    fault_codes: str = "",
    is_major: bool = False,
) -> Escalation:
    """Hand a fault the technician cannot finish to the technical director and group."""
    if not symptoms.strip():
        raise ValidationError({"symptoms": _("Describe the symptoms.")})
    if item.status in (ItemStatus.PASSED, ItemStatus.DECLINED):
        raise TransitionNotAllowed(_("This job is finished."))
    escalation = Escalation.objects.create(
        item=item,
        raised_by=by,
        raised_at=at,
        symptoms=symptoms.strip(),
        fault_codes=fault_codes.strip(),
        is_major=is_major,
    )
    running = ClockEntry.objects.filter(item=item, ended_at__isnull=True)
    if is_major and running.exists():
        running.update(ended_at=at, pause_reason=PauseReason.WAITING_FOR_APPROVAL)
    return escalation


def group_members() -> list:
    return [member.user for member in TechnicalGroupMember.objects.select_related("user")]


def fully_approved(escalation: Escalation) -> bool:
    members = {user.pk for user in group_members()}
    approved = set(escalation.approvals.values_list("member_id", flat=True))
    return bool(members) and members <= approved


def _check_group(by: AbstractBaseUser) -> None:
    director = WorkshopPolicy.current().technical_director_id
    if by.pk != director and not TechnicalGroupMember.objects.filter(user=by).exists():
        raise NotPermitted(_("Only the technical director and group work on escalations."))


@transaction.atomic
def add_step(*, by: AbstractBaseUser, escalation: Escalation, text: str, at: datetime) -> EscalationStep:
    _check_group(by)
    if not text.strip():
        raise ValidationError({"text": _("Describe the step.")})
    return EscalationStep.objects.create(escalation=escalation, by=by, at=at, text=text.strip())


@transaction.atomic
def approve(*, by: AbstractBaseUser, escalation: Escalation, at: datetime) -> Approval:
    """A group member approves the repair of a major problem (WS05)."""
    if not TechnicalGroupMember.objects.filter(user=by).exists():
        raise NotPermitted(_("Only members of the technical group approve."))
    approval, _created = Approval.objects.get_or_create(escalation=escalation, member=by, defaults={"at": at})
    return approval


@transaction.atomic
def solve(*, by: AbstractBaseUser, escalation: Escalation, result: str, at: datetime) -> Escalation:
    _check_group(by)
    if not result.strip():
        raise ValidationError({"result": _("Write down how it was solved.")})
    if escalation.is_major and not fully_approved(escalation):
        raise WaitingForApproval()
    if not Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
        status=EscalationStatus.SOLVED, result=result.strip(), solved_at=at
    ):
        raise TransitionNotAllowed(_("This escalation is already solved."))
    escalation.refresh_from_db()
    return escalation


@transaction.atomic
def publish_case(
    *, by: AbstractBaseUser, escalation: Escalation, title: str, diagnosis: str, solution: str, at: datetime
) -> LibraryCase:
    """Put a solved case in the difficult-case library for next morning's training."""
    _check_group(by)
    if escalation.status != EscalationStatus.SOLVED:
        raise TransitionNotAllowed(_("Only a solved case goes into the library."))
    if not (title.strip() and diagnosis.strip() and solution.strip()):
        raise ValidationError(_("A case needs a title, the diagnosis and the solution."))
    model_name = escalation.item.order.vehicle.model_name
    search = " ".join([title, model_name, escalation.symptoms, escalation.fault_codes, diagnosis, solution]).lower()
    try:
        with transaction.atomic():
            return LibraryCase.objects.create(
                escalation=escalation,
                title=title.strip(),
                model_name=model_name,
                symptoms=escalation.symptoms,
                fault_codes=escalation.fault_codes,
                diagnosis=diagnosis.strip(),
                solution=solution.strip(),
                published_by=by,
                published_at=at,
                search_text=search,
            )
    except IntegrityError as twice:
        raise TransitionNotAllowed(_("This case is already in the library.")) from twice


# --- 6S and team leaders (WS07, WS08) -----------------------------------------------------------------------


@transaction.atomic
def record_six_s(
    *, by: AbstractBaseUser, area: SixSArea, week_of: date, results: dict, at: datetime, notes: str = ""
) -> SixSCheck:
    """A week's 6S check of an area; checking again the same week replaces it."""
    monday = week_of - timedelta(days=week_of.weekday())
    clean = {key: bool(results.get(key)) for key in SIX_S}
    check, _created = SixSCheck.objects.update_or_create(
        area=area,
        week_of=monday,
        defaults={"results": clean, "notes": notes.strip(), "checked_by": by, "checked_at": at},
    )
    return check


@transaction.atomic
def assess_leader(
    *,
    by: AbstractBaseUser,
    leader: AbstractBaseUser,
    year: int,
    quarter: int,
    skill_score: int,
    at: datetime,
    notes: str = "",
) -> LeaderAssessment:
    """Assess a team leader for a quarter (WS08): skill plus their team's output and rework from the records."""
    from workshop import selectors

    if not 1 <= quarter <= 4 or not 0 <= skill_score <= 100:
        raise ValidationError(_("A quarter is 1 to 4 and a skill score 0 to 100."))
    if not leader.led_teams.exists():
        raise ValidationError({"leader": _("Only a team's leader is assessed; set the leader on the team first.")})
    if date(year, 3 * quarter, 1) >= timezone.localdate(at).replace(day=1):
        raise ValidationError({"quarter": _("A quarter is assessed once it is over.")})
    figures = selectors.team_quarter(leader, year=year, quarter=quarter)
    policy = WorkshopPolicy.current()
    meets = skill_score >= policy.leader_pass_score and figures["internal_percent"] <= policy.leader_max_rework_percent
    try:
        with transaction.atomic():
            return LeaderAssessment.objects.create(
                leader=leader,
                year=year,
                quarter=quarter,
                skill_score=skill_score,
                output_hours=figures["billed_hours"],
                internal_rework_percent=figures["internal_percent"],
                external_rework_percent=figures["external_percent"],
                meets_standard=meets,
                notes=notes.strip(),
                assessed_by=by,
                assessed_at=at,
            )
    except IntegrityError as twice:
        raise ValidationError(_("This leader is already assessed for that quarter.")) from twice
