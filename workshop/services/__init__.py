"""Every change in the workshop: dispatch, the job clock, QC and rework, escalations, 6S, assessments.

Items move along the service desk's state machine (`service_desk.services.move_item`), which also
keeps the work order's status in step; the workshop adds who, when and why in its own tables.
Callers import the package (`from workshop import services`); each module holds one part of the work.
"""

from workshop.services.escalations import (
    WaitingForApproval,
    add_step,
    approve,
    escalate,
    fully_approved,
    group_members,
    publish_case,
    solve,
    waits_for_approval,
)
from workshop.services.jobs import assign, clocked_hours, finish, pause, resume, set_shift, start
from workshop.services.qc import (
    comeback_candidates,
    current_cycle,
    may_sign,
    next_stage,
    record_comeback,
    sign_qc,
    signing_refusal,
)
from workshop.services.teams import assess_leader, record_six_s

__all__ = [
    "WaitingForApproval",
    "add_step",
    "approve",
    "assess_leader",
    "assign",
    "clocked_hours",
    "comeback_candidates",
    "current_cycle",
    "escalate",
    "finish",
    "fully_approved",
    "group_members",
    "may_sign",
    "next_stage",
    "pause",
    "publish_case",
    "record_comeback",
    "record_six_s",
    "resume",
    "set_shift",
    "sign_qc",
    "signing_refusal",
    "solve",
    "start",
    "waits_for_approval",
]
