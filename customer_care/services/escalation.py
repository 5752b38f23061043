"""The complaint deadline sweep (CC01): each missed stage recorded once and its advisor told, then the
chain climbed (the service manager, then the general manager) while a complaint stays behind.

"Overdue" itself is a query (`selectors.overdue`), right at every read; the sweep only makes the
record and sends the texts. It stamps breach fields, never a complaint's state, so it needs no
transition and leaves the version of a form someone has open alone.
"""

import hashlib
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from customer_care.models import STAGES, Breach, Complaint, ComplaintEvent, ComplaintPolicy, Stage
from customer_care.services.staff import BATCH, staff_mobile
from dealership.models import Customer, Role, Staff
from dealership.outbox import enqueue_many

# What the deadline sweep reads of a complaint besides its number, customer, assignee and round.
SWEPT_FIELDS = ("respond_by", "organise_by", "close_by", "responded_at", "organised_at", "closed_at")
DEADLINES = (("respond_by", "responded_at"), ("organise_by", "organised_at"), ("close_by", "closed_at"))


def record_breaches(*, at: datetime, batch: int = BATCH) -> int:
    """The beat sweep: record every stage whose due time has passed undone, once, and tell the assignee.

    The Breach rows are the record (the complaint's timeline shows them). Each assignee gets one
    text per batch: the complaint itself when it is one, a count and the first numbers when several
    (nobody wants forty texts after an outage). A notice's dedupe key names the breaches it covers.

    Catches up after any outage (it looks at `watch_from < at`, never "the last minute"); rows are
    taken with SKIP LOCKED so concurrent sweeps share the work; a breach row is unique per
    complaint, round and stage, so nothing is recorded or told twice.
    """
    total = 0
    while True:
        with transaction.atomic():
            # Only the columns the sweep reads: after an outage a batch is a thousand complaints.
            due = list(
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(watch_from__lt=at)
                .only("number", "customer", "assignee", "round", *SWEPT_FIELDS)
                .order_by("watch_from", "pk")[:batch]
            )
            if not due:
                return total
            breaches = _missed(due, at=at)
            Breach.objects.bulk_create(breaches, batch_size=batch, ignore_conflicts=True)
            # Every stage due before `at` is recorded now: watch the next one still to come, in one UPDATE.
            Complaint.objects.filter(pk__in=[complaint.pk for complaint in due]).update(
                watch_from=Case(
                    *(
                        When(Q(**{f"{done}__isnull": True, f"{deadline}__gte": at}), then=F(deadline))
                        for deadline, done in DEADLINES
                    ),
                    default=None,
                ),
                # Escalation delays count from the deadline that was missed first, not from the sweep.
                first_breach_at=Coalesce(F("first_breach_at"), F("watch_from")),
            )
            _tell_of_breaches(breaches, at=at)
            total += len(breaches)


def _missed(due: list[Complaint], *, at: datetime) -> list[Breach]:
    """The breaches of these complaints not yet recorded: each stage past its due time and not done."""
    known: dict[tuple[int, int], set[str]] = {}
    for pk, round_, stage in (
        Breach.objects.filter(complaint__in=due).values_list("complaint_id", "round", "stage").order_by()
    ):
        known.setdefault((pk, round_), set()).add(stage)
    breaches = []
    for complaint in due:
        recorded = known.get((complaint.pk, complaint.round), set())
        for stage in STAGES:
            if complaint.done_at(stage) is None and complaint.due(stage) < at and stage not in recorded:
                recorded.add(stage)
                breaches.append(
                    Breach(
                        complaint=complaint,
                        round=complaint.round,
                        stage=stage,
                        due_at=complaint.due(stage),
                        recorded_at=at,
                        responsible_id=complaint.assignee_id,
                    )
                )
    return breaches


def _tell_of_breaches(breaches: list[Breach], *, at: datetime) -> None:
    """One text per assignee with a mobile on file about the breaches just recorded."""
    missed_by: dict[int, list[tuple[Complaint, str]]] = {}
    for breach in breaches:
        missed_by.setdefault(breach.responsible_id, []).append((breach.complaint, breach.stage))
    mobiles = dict(Staff.objects.filter(user_id__in=missed_by).exclude(mobile="").values_list("user_id", "mobile"))
    missed_by = {assignee: missed for assignee, missed in missed_by.items() if assignee in mobiles}
    # A lone complaint's text names its customer; a digest of several names only numbers.
    names = dict(
        Customer.objects.filter(
            pk__in={missed[0][0].customer_id for missed in missed_by.values() if _lone(missed)}
        ).values_list("pk", "name")
    )
    enqueue_many([_breach_notice(missed, mobiles[assignee], names) for assignee, missed in missed_by.items()], at=at)


def _lone(missed: list[tuple[Complaint, str]]) -> bool:
    return len({complaint.pk for complaint, _stage in missed}) == 1


def _breach_notice(missed: list[tuple[Complaint, str]], mobile: str, names: dict[int, str]) -> dict:
    """One text to an assignee about the stages of their complaints that just missed their deadline."""
    first = missed[0][0]
    covered = ",".join(f"{c.pk}.{c.round}.{s}" for c, s in sorted(missed, key=lambda pair: (pair[0].pk, pair[1])))
    key = f"complaint-breach:{first.assignee_id}:{hashlib.sha256(covered.encode()).hexdigest()[:24]}"
    complaints = list({complaint.pk: complaint for complaint, _stage in missed}.values())
    if len(complaints) == 1:  # one complaint, maybe several stages after an outage
        stages = "、".join(str(Stage(stage).label) for _complaint, stage in missed)
        return {
            "mobile": mobile,
            "kind": "complaint_breach",
            "dedupe_key": key,
            "context": {"number": first.number, "customer": names[first.customer_id], "stage": stages},
        }
    numbers = "、".join(complaint.number for complaint in complaints[:3])
    return {
        "mobile": mobile,
        "kind": "complaint_breaches",
        "dedupe_key": key,
        "context": {"count": len(complaints), "numbers": numbers + ("等" if len(complaints) > 3 else "")},
    }


def escalate(*, at: datetime, batch: int = BATCH) -> int:
    """Climb the chain for complaints behind schedule: the service manager, then the general manager,
    each after the policy's delay from the first missed deadline, while the stage in hand is overdue
    (a complaint caught up and on time again climbs no further). Each step once."""
    policy = ComplaintPolicy.current()
    managers = (
        [policy.service_manager]
        if policy.service_manager
        else list(get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True).select_related("staff"))
    )
    chain = [(1, policy.manager_after, managers)]
    if policy.general_manager:
        chain.append((2, policy.general_manager_after, [policy.general_manager]))
    escalated = 0
    for level, delay, people in chain:
        with transaction.atomic():
            rows = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(escalation_level__lt=level, first_breach_at__lte=at - delay, next_due__lt=at)
                .select_related("customer")
                .order_by("first_breach_at", "pk")[:batch]
            )
            if rows:
                _escalate_to(rows, level, people, at=at)
            escalated += len(rows)
    return escalated


def _escalate_to(rows: list[Complaint], level: int, people: list, *, at: datetime) -> None:
    Complaint.objects.filter(pk__in=[c.pk for c in rows], escalation_level__lt=level).update(escalation_level=level)
    note = _("Escalated to %(who)s") % {"who": str(Complaint.ESCALATION[level])}
    ComplaintEvent.objects.bulk_create([ComplaintEvent(complaint=c, at=at, note=note) for c in rows])
    enqueue_many(
        [
            {
                "mobile": staff_mobile(person),
                "kind": "complaint_escalated",
                "dedupe_key": f"complaint:{c.pk}:{c.round}:escalated:{level}:{person.pk}",
                "context": {"number": c.number, "customer": c.customer.name, "summary": c.summary[:40]},
            }
            for c in rows
            for person in people
            if staff_mobile(person)
        ],
        at=at,
    )
