"""Demo workshop: shifts, the technical group, team leaders, 6S areas, clock and QC records behind
the demo orders, a few reworks, an escalation with its library case, and team-leader assessments
computed from those records."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from dealership.models import Team
from service_desk.models import ItemStatus, RepairItem
from workshop import services
from workshop.models import (
    SIX_S,
    ClockEntry,
    PauseReason,
    QcSign,
    Rework,
    Shift,
    SixSArea,
    TechnicalGroupMember,
    WorkshopPolicy,
)


def seed(rng: random.Random) -> str:
    if TechnicalGroupMember.objects.exists():
        return "The workshop's demo data is already present."
    User = get_user_model()
    users = {user.username: user for user in User.objects.all()}
    technicians = list(User.objects.filter(groups__name="technician").order_by("pk"))
    now = timezone.now()
    today = timezone.localdate(now)
    WorkshopPolicy.objects.update_or_create(
        pk=1, defaults={"paint_lead": users.get("sunliang"), "technical_director": users.get("songjianguo")}
    )
    for name in ("chenqiang", "zhaogang", "wuhao"):
        if name in users:
            TechnicalGroupMember.objects.create(user=users[name])
    for days_back in range(0, 200):
        day = today - timedelta(days=days_back)
        if day.weekday() == 6 and days_back:
            continue
        Shift.objects.bulk_create([Shift(day=day, technician=person, hours=Decimal("8")) for person in technicians])
    for team, leader in (("机修一组", "zhaogang"), ("机修二组", "wuhao"), ("钣喷组", "sunliang")):
        Team.objects.filter(name=team).update(leader=users.get(leader))
    foreman = users.get("chenqiang")
    for area, leader in (("机修工位区", "zhaogang"), ("钣喷车间", "sunliang"), ("配件仓库", "wuhao")):
        checked = SixSArea.objects.create(name=area, first_responsible=foreman, second_responsible=users[leader])
        for weeks_back in range(1, 5):  # the last four weeks, checked on Fridays
            monday = today - timedelta(days=today.weekday(), weeks=weeks_back)
            misses = {"seiso", "safety"} if rng.random() < 0.3 else set()
            services.record_six_s(
                by=foreman,
                area=checked,
                week_of=monday,
                results={key: key not in misses for key in SIX_S},
                notes="地面有油渍，灭火器过期" if misses else "",
                at=now - timedelta(days=today.weekday() + 7 * weeks_back - 4),
            )
    reworks = _history(rng, technicians, users, now)
    _in_progress(now)
    _escalation(users, now)
    _assessments(users, users.get("songjianguo") or foreman, today, now)
    return (
        f"Workshop: shifts for {len(technicians)} technicians, clock and QC records, {reworks} reworks, "
        f"an escalation with its library case."
    )


def _history(rng, technicians, users, now) -> int:
    inspector = users.get("guoming") or users.get("chenqiang")
    passed = RepairItem.objects.filter(status=ItemStatus.PASSED, technician__isnull=False).select_related("order")
    entries, signs, reworks = [], [], []
    latest = now - timedelta(minutes=20)  # nothing in the records happens later than now
    for item in passed:
        started = item.order.in_bay_at or item.order.arrived_at
        started += timedelta(minutes=rng.randint(5, 40))
        actual = max(item.labour_hours, Decimal("0.3")) * Decimal(str(rng.uniform(0.7, 1.3)))
        ended = min(started + timedelta(hours=float(actual)), latest)
        started = min(started, ended - timedelta(minutes=15))
        entries.append(ClockEntry(item=item, technician=item.technician, started_at=started, ended_at=ended))
        cycle = 1
        if rng.random() < 0.03:
            reworks.append(
                Rework(
                    item=item,
                    kind="internal",
                    reason="终检发现异响未排除",
                    responsible=item.technician,
                    stage="final",
                    recorded_by=inspector,
                    at=ended,
                )
            )
            signs.append(QcSign(item=item, cycle=1, stage="self", result="pass", by=item.technician, at=ended))
            signs.append(QcSign(item=item, cycle=1, stage="general", result="pass", by=inspector, at=ended))
            signs.append(
                QcSign(
                    item=item, cycle=1, stage="final", result="fail", by=inspector, at=ended, notes="终检发现异响未排除"
                )
            )
            cycle = 2
        for stage, by in (("self", item.technician), ("general", inspector), ("final", inspector)):
            signs.append(
                QcSign(item=item, cycle=cycle, stage=stage, result="pass", by=by, at=ended + timedelta(minutes=10))
            )
    ClockEntry.objects.bulk_create(entries)
    QcSign.objects.bulk_create(signs)
    Rework.objects.bulk_create(reworks)
    return len(reworks)


def _in_progress(now) -> None:
    """Jobs in progress: each technician's latest one has its clock running, the others wait for parts."""
    running = set()
    entries = []
    jobs = RepairItem.objects.filter(status=ItemStatus.IN_PROGRESS, technician__isnull=False).select_related("order")
    for item in jobs.order_by("-order__arrived_at"):
        started = min((item.order.in_bay_at or item.order.arrived_at) + timedelta(minutes=30), now)
        if item.technician_id in running:
            paused = min(started + timedelta(minutes=25), now)
            entries.append(
                ClockEntry(
                    item=item,
                    technician_id=item.technician_id,
                    started_at=started,
                    ended_at=paused,
                    pause_reason=PauseReason.WAITING_FOR_PARTS,
                )
            )
        else:
            running.add(item.technician_id)
            entries.append(ClockEntry(item=item, technician_id=item.technician_id, started_at=started))
    ClockEntry.objects.bulk_create(entries)


def _escalation(users, now) -> None:
    item = RepairItem.objects.filter(status=ItemStatus.IN_PROGRESS).select_related("order__vehicle").first()
    if item is None or "zhaogang" not in users:
        return
    escalation = services.escalate(
        by=item.technician or users["zhaogang"],
        item=item,
        symptoms="冷车启动后怠速抖动，热车后消失",
        fault_codes="P0300 P0302",
        at=now - timedelta(days=1, hours=3),
    )
    services.add_step(
        by=users["zhaogang"],
        escalation=escalation,
        text="读取数据流：2缸失火计数偏高；互换点火线圈后故障转移到3缸",
        at=now - timedelta(days=1, hours=2),
    )
    services.solve(
        by=users["zhaogang"],
        escalation=escalation,
        result="更换2缸点火线圈，清除故障码，路试正常",
        at=now - timedelta(days=1, hours=1),
    )
    services.publish_case(
        by=users["zhaogang"],
        escalation=escalation,
        title="冷车怠速抖动：点火线圈失效",
        diagnosis="数据流显示单缸失火；互换点火线圈后故障随线圈转移，确认线圈内部击穿。",
        solution="更换点火线圈并清除故障码；提醒客户同批次线圈可一并检查。",
        at=now - timedelta(days=1),
    )


def _assessments(users, manager, today, now) -> None:
    """The last two finished quarters, figures from the records above; the skill scores are the manager's."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for _back in range(2):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        quarters.append((year, quarter))
    for leader, scores in (("zhaogang", (91, 88)), ("wuhao", (76, 72)), ("sunliang", (70, 85))):
        if leader not in users:
            continue
        for (year, quarter), score in zip(quarters, scores, strict=True):
            services.assess_leader(
                by=manager, leader=users[leader], year=year, quarter=quarter, skill_score=score, at=now
            )
