"""Demo customer care: pairings, complaints in every state (some past their deadlines), calls,
rescues, and the follow-up calls of recent deliveries partly made."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from customer_care import services
from customer_care.models import Complaint, FollowUp, FollowUpStatus, RescueZone, Satisfaction
from dealership.models import Customer, SmsMessage, SmsStatus
from service_desk.models import OrderStatus, RepairOrder


def seed(rng: random.Random) -> str:
    if Complaint.objects.exists():
        return "Customer care's demo data is already present."
    User = get_user_model()
    users = {user.username: user for user in User.objects.select_related("staff")}
    now = timezone.now()
    agents = [users[name] for name in ("linxue", "luoting") if name in users]
    advisors = list(User.objects.filter(groups__name="advisor").order_by("pk"))
    for index, advisor in enumerate(advisors):
        if agents:
            services.pair_care_agent(by=users["songjianguo"], advisor=advisor, care_agent=agents[index % len(agents)])
    calls = _follow_ups(rng, users, agents, now)
    complaints = _complaints(rng, users, agents, advisors, now)
    rescues = _rescues(rng, agents, now)
    closed = _ledger(users, now)
    # The demo's history happened: texts of visits long past went out at the time.
    SmsMessage.objects.filter(created_at__lt=now - timedelta(hours=2), status=SmsStatus.QUEUED).update(
        status=SmsStatus.SENT, sent_at=F("created_at"), attempts=1
    )
    return (
        f"Customer care: {len(advisors)} pairings, {calls} follow-up calls made, {complaints} complaints, "
        f"{rescues} rescues; ledger months closed: {closed}."
    )


def _ledger(users, now) -> str:
    """The two months before this one closed (awards posted, published), one manager's bonus and a
    penalty reversed as a mistake: what a manager finds at the start of a month."""
    manager = users["songjianguo"]
    this_month = timezone.localdate(now).replace(day=1)
    months = []
    month = this_month
    for _ in range(2):
        month = (month - timedelta(days=1)).replace(day=1)
        months.insert(0, month)
    for month in months:
        services.close_month(by=manager, month=month, at=now)
    today = timezone.localdate(now)
    services.post_manual(
        by=manager, staff=users["wangfang"], amount="50", reason="雨天主动为客户送伞到车旁", occurred_on=today, at=now
    )
    mistake = services.post_manual(
        by=manager, staff=users["lilei"], amount="-20", reason="工位卫生不达标", occurred_on=today, at=now
    )
    services.reverse(by=manager, entry=mistake, reason="记错了人：当天是张静值日", at=now)
    return "、".join(f"{month:%Y-%m}" for month in months)


def _follow_ups(rng, users, agents, now) -> int:
    made = 0
    # The last two days' calls are left for the queue.
    due = FollowUp.objects.filter(status=FollowUpStatus.DUE, due_at__lt=now - timedelta(days=2)).select_related(
        "repair_order__advisor", "care_agent"
    )
    for follow_up in due.order_by("due_at"):
        agent = follow_up.care_agent or (agents[0] if agents else None)
        if agent is None:
            break
        at = follow_up.due_at + timedelta(minutes=rng.randint(0, 180))
        if rng.random() < 0.15:  # never reached: called as often as the policy says, then given up
            while follow_up.status == FollowUpStatus.DUE:
                follow_up = services.record_follow_up(
                    by=agent, follow_up=follow_up, reached=False, at=max(at, follow_up.due_at), notes="无人接听"
                )
        else:
            praised = [follow_up.repair_order.advisor] if rng.random() < 0.3 else []
            services.record_follow_up(
                by=agent,
                follow_up=follow_up,
                reached=True,
                at=at,
                satisfaction=rng.choices(
                    [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.NEUTRAL], weights=[60, 35, 5]
                )[0],
                praised=praised,
                notes=rng.choice(["客户对保养很满意", "表扬服务顾问讲解清楚", "车辆使用正常"]),
            )
        made += 1
    return made


COMPLAINTS = [
    ("repair_quality", "保养后发动机舱有异响，怀疑机油滤清器没有拧紧"),
    ("waiting", "预约了九点半，十点多才进工位，等待时间太长"),
    ("price", "结算金额比报价多了八十元，没有提前说明"),
    ("attitude", "电话咨询时接线人员态度不耐烦"),
    ("parts", "订的后视镜说三天到，已经一周还没到货"),
    ("repair_quality", "更换刹车片后刹车有尖叫声"),
]


def _complaints(rng, users, agents, advisors, now) -> int:
    if not agents or not advisors:
        return 0
    delivered = list(
        RepairOrder.objects.filter(status=OrderStatus.DELIVERED)
        .select_related("customer", "advisor")
        .order_by("-delivered_at")[:20]
    )
    made = 0
    # Raised at different times before now: some answered in time, some late, some still open and overdue.
    for index, (category, summary) in enumerate(COMPLAINTS):
        order = delivered[index] if index < len(delivered) else None
        customer = order.customer if order else Customer.objects.order_by("?").first()
        if index < 4:  # the last hour and a half: deadlines running now
            raised = now - timedelta(minutes=[10, 25, 50, 95][index])
        else:  # one and two days ago, in the afternoon
            raised = timezone.localtime(now - timedelta(days=index - 3)).replace(hour=15, minute=20)
        complaint = services.raise_complaint(
            by=agents[index % len(agents)],
            customer=customer,
            repair_order=order,
            assignee=order.advisor if order else advisors[index % len(advisors)],
            channel=rng.choice(["follow_up", "hotline", "counter"]),
            category=category,
            summary=summary,
            is_serious=index == 5,
            dealership_at_fault=index == 5,
            at=raised,
        )
        if index >= 2:
            services.respond(
                by=complaint.assignee,
                complaint=complaint,
                text="已致电客户致歉并了解详细情况",
                at=raised + timedelta(minutes=[0, 0, 20, 45, 25, 40][index]),
            )
        if index >= 4:
            services.organise(
                by=complaint.assignee,
                complaint=complaint,
                text="约客户明天上午到店复查",
                at=raised + timedelta(minutes=55),
            )
        if index == 5:
            services.close(
                by=complaint.assignee,
                complaint=complaint,
                text="复查后重新安装刹车片，客户试车满意",
                at=raised + timedelta(hours=20),
            )
        made += 1
    services.record_breaches(at=now)
    services.escalate(at=now)
    return made


def _rescues(rng, agents, now) -> int:
    if not agents:
        return 0
    zones = {zone.code: zone for zone in RescueZone.objects.all()}
    customers = list(Customer.objects.order_by("pk")[:3])
    plans = [
        ("city", "川汇区七一路与八一路交叉口", "车辆无法启动，疑似电瓶亏电", 70, "arrived"),
        ("county", "商水县城关乡", "左前轮爆胎，无备胎", 40, "dispatched"),
        ("city", "周口东站停车场", "钥匙锁在车内", 8, "requested"),
    ]
    for customer, (code, location, problem, minutes_ago, state) in zip(customers, plans, strict=False):
        if code not in zones:
            continue
        at = now - timedelta(minutes=minutes_ago)
        rescue = services.request_rescue(
            by=agents[0],
            caller=customer.name,
            mobile=customer.mobile,
            customer=customer,
            zone=zones[code],
            location=location,
            problem=problem,
            at=at,
        )
        if state in ("dispatched", "arrived"):
            rescue = services.dispatch_crew(
                by=agents[0], rescue=rescue, crew="救援车豫P·J8821 李师傅", at=at + timedelta(minutes=5)
            )
        if state == "arrived":
            services.rescue_arrived(by=agents[0], rescue=rescue, at=at + timedelta(minutes=26))
    services.record_rescue_breaches(at=now)
    return len(plans)
