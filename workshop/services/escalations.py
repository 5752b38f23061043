"""Escalations and the difficult-case library (WS04, WS05): faults the technical group examines,
major repairs it approves, and solved cases published for training."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dealership.errors import DomainError, NotPermitted, TransitionNotAllowed
from dealership.transitions import transition
from service_desk.models import ItemStatus, RepairItem
from workshop.models import (
    Approval,
    ClockEntry,
    Escalation,
    EscalationStatus,
    EscalationStep,
    LibraryCase,
    PauseReason,
    TechnicalGroupMember,
    WorkshopPolicy,
)


class WaitingForApproval(DomainError):
    message = _("A major problem on this job waits for every technical group member's approval.")


def group_members() -> list:
    return [member.user for member in TechnicalGroupMember.objects.select_related("user")]


def fully_approved(escalation: Escalation) -> bool:
    members = {user.pk for user in group_members()}
    approved = set(escalation.approvals.values_list("member_id", flat=True))
    return bool(members) and members <= approved


def waits_for_approval(item: RepairItem) -> bool:
    """WS05: a major problem on the job that not every technical group member has approved yet."""
    pending = Escalation.objects.filter(item=item, is_major=True, status=EscalationStatus.OPEN)
    return any(not fully_approved(escalation) for escalation in pending)


def check_no_pending_approval(item: RepairItem) -> None:
    if waits_for_approval(item):
        raise WaitingForApproval()


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
    """Write down how the fault was solved; its history keeps who solved it. Raises NotPermitted,
    WaitingForApproval (a major problem not yet approved), TransitionNotAllowed, StaleObject."""
    _check_group(by)
    if not result.strip():
        raise ValidationError({"result": _("Write down how it was solved.")})
    if escalation.is_major and not fully_approved(escalation):
        raise WaitingForApproval()
    refused = _("This escalation is already solved.")
    return transition(
        escalation, EscalationStatus.SOLVED, by=by, at=at, refused=refused, result=result.strip(), solved_at=at
    )


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
