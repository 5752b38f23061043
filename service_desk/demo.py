"""Demo front desk: the price board, care rules, today's appointments and orders at every stage,
plus a few weeks of settled orders so the daily report has figures."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from dealership.models import Vehicle
from parts.models import Part
from service_desk import services
from service_desk.models import CareRule, Category, ItemStatus, LabourOperation, Rating, RepairOrder

OPERATIONS = [
    ("BY01", "更换机油机滤", Category.MAINTENANCE, "0.5", "120", False),
    ("BY02", "更换空气滤清器", Category.MAINTENANCE, "0.3", "60", False),
    ("BY03", "更换空调滤清器", Category.MAINTENANCE, "0.3", "60", False),
    ("BY04", "更换火花塞", Category.MAINTENANCE, "0.8", "160", False),
    ("BY05", "更换刹车油", Category.MAINTENANCE, "0.8", "150", False),
    ("BY06", "更换DSG变速箱油", Category.MAINTENANCE, "1.2", "380", False),
    ("BY07", "四轮定位", Category.MAINTENANCE, "1.0", "200", False),
    ("XX01", "更换前刹车片", Category.MINOR_REPAIR, "1.0", "180", False),
    ("XX02", "更换后刹车片", Category.MINOR_REPAIR, "1.0", "180", False),
    ("XX03", "更换减震器", Category.MINOR_REPAIR, "1.5", "300", True),
    ("XX04", "更换点火线圈", Category.MINOR_REPAIR, "0.4", "80", True),
    ("XX05", "更换蓄电池", Category.MINOR_REPAIR, "0.3", "50", False),
    ("XX06", "更换摆臂", Category.MINOR_REPAIR, "1.2", "240", True),
    ("XX07", "空调系统检测加氟", Category.MINOR_REPAIR, "1.0", "260", False),
    ("BX01", "保修：更换水泵", Category.WARRANTY, "2.0", "0", False),
    ("BX02", "保修：更换氧传感器", Category.WARRANTY, "0.6", "0", True),
    ("SG01", "钣金修复（每面）", Category.ACCIDENT, "3.0", "600", True),
    ("SG02", "喷漆（每面）", Category.ACCIDENT, "2.5", "800", True),
    ("SG03", "更换前保险杠", Category.ACCIDENT, "1.5", "300", False),
    ("YH01", "发动机舱清洗养护", Category.CARE_PRODUCT, "0.5", "198", False),
    ("YH02", "燃油系统清洗", Category.CARE_PRODUCT, "0.5", "280", False),
    ("YH03", "空调管路杀菌", Category.CARE_PRODUCT, "0.5", "168", False),
    ("YH04", "节气门清洗", Category.CARE_PRODUCT, "0.6", "220", False),
    ("JP01", "加装行车记录仪", Category.ACCESSORY, "1.0", "150", False),
    ("JP02", "加装脚垫", Category.ACCESSORY, "0.2", "0", False),
]
CARE_RULES = [
    ("YH02", "", 180, "燃油系统积碳影响动力和油耗，建议每半年清洗一次。"),
    ("YH03", "", 365, "空调使用一年后管路易滋生细菌，建议杀菌除味。"),
    ("YH04", "速腾", 270, "速腾车型节气门易积碳，怠速抖动前清洗效果最好。"),
]


def seed(rng: random.Random) -> str:
    if LabourOperation.objects.exists():
        return "Labour operations already present: the desk's demo data is left as it is."
    User = get_user_model()
    advisors = list(User.objects.filter(groups__name="advisor").order_by("pk"))
    technicians = list(User.objects.filter(groups__name="technician").order_by("pk"))
    operations = {
        code: LabourOperation.objects.create(
            code=code,
            name=name,
            category=category,
            hours=Decimal(hours),
            price=Decimal(price),
            is_positional=positional,
        )
        for code, name, category, hours, price, positional in OPERATIONS
    }
    for code, model, days, reason in CARE_RULES:
        CareRule.objects.create(
            labour_operation=operations[code], model_contains=model, interval_days=days, reason=reason
        )
    now = timezone.now()
    busy = set(RepairOrder.objects.filter(status__in=RepairOrder.EDITABLE).values_list("vehicle_id", flat=True))
    vehicles = [v for v in Vehicle.objects.select_related("customer").order_by("pk")[40:400] if v.pk not in busy]
    rng.shuffle(vehicles)
    # The past four weeks in detail, and thinner back over two quarters for the quarterly figures.
    history = _history(rng, vehicles[:120], advisors, technicians, operations, now, days=(1, 28))
    history += _history(rng, vehicles[170:320], advisors, technicians, operations, now, days=(29, 200))
    today = _today(rng, vehicles[120:150], advisors, technicians, operations, now)
    booked = _appointments(rng, vehicles[150:170], advisors, now)
    manager = User.objects.filter(groups__name="manager").order_by("pk").first()
    overheard = (  # a call the manager overheard on a busy day last week (SD16)
        RepairOrder.objects.filter(settled_at__lt=now - timedelta(days=2)).order_by("-settled_at").first()
    )
    if manager and overheard:
        services.record_script_violation(
            by=manager,
            advisor=overheard.advisor,
            day=timezone.localdate(overheard.settled_at),
            note="接听电话未报姓名",
            at=now,
        )
    return (
        f"Created {len(operations)} labour operations, {history} settled orders of the past weeks, "
        f"{today} orders in the building and {booked} appointments."
    )


def _items(rng, order, advisor, operations, at, count):
    oil = Part.objects.filter(name__startswith="机油滤清器", stock_on_hand__gt=2).first()
    for code in rng.sample(sorted(operations), k=count):
        operation = operations[code]
        position = (
            rng.choice(["front_left", "front_right", "rear_left", "rear_right"]) if operation.is_positional else ""
        )
        item = services.add_item(
            by=advisor, order=order, at=at, category=operation.category, labour_operation=operation, position=position
        )
        if code == "BY01" and oil is not None:
            services.add_part_line(by=advisor, item=item, part=oil, quantity=1, at=at)


def _work_done(order, technicians, at, rng, until=ItemStatus.PASSED):
    path = [ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.QC, ItemStatus.PASSED]
    for item in order.items.filter(status=ItemStatus.PENDING):
        for step in path[: path.index(until) + 1]:
            fields = {"technician": rng.choice(technicians)} if step == ItemStatus.ASSIGNED else {}
            services.move_item(item=item, to=step, at=at, **fields)


def _walkaround(rng, order, advisor, at) -> None:
    services.record_walkaround(
        by=advisor,
        order=order,
        at=at,
        version=order.version,
        mileage_km=order.mileage_km + rng.randint(0, 40),
        fuel_eighths=rng.randint(1, 8),
        damage=rng.choice(["", "", "左后门划痕约5厘米", "前保险杠右侧轻微擦伤", "右后视镜壳裂纹"]),
        valuables=rng.choice(["", "", "行车记录仪", "雨伞两把"]),
        covers_fitted=True,
        signed_by=order.customer.name,
    )


def _history(rng, vehicles, advisors, technicians, operations, now, *, days: tuple[int, int]) -> int:
    count = 0
    for index, vehicle in enumerate(vehicles):
        advisor = advisors[index % len(advisors)]
        arrived = now - timedelta(days=rng.randint(*days), hours=rng.randint(0, 6), minutes=rng.randint(0, 59))
        arrived = arrived.replace(hour=rng.randint(1, 7))  # 09:00-15:59 Shanghai time
        order = services.receive_vehicle(by=advisor, vehicle=vehicle, at=arrived)
        services.record_greeting(by=advisor, order=order, at=arrived + timedelta(seconds=rng.choice([2, 3, 4, 6, 9])))
        services.record_in_bay(by=advisor, order=order, at=arrived + timedelta(seconds=rng.choice([35, 50, 58, 75])))
        _walkaround(rng, order, advisor, arrived + timedelta(minutes=3))
        _items(rng, order, advisor, operations, arrived, rng.randint(1, 3))
        order.refresh_from_db()
        services.confirm(order=order, signed_by=vehicle.customer.name, by=advisor, at=arrived + timedelta(minutes=8))
        _work_done(order, technicians, arrived + timedelta(hours=2), rng)
        order.refresh_from_db()
        rating = rng.choices(
            [
                Rating.VERY_SATISFIED,
                Rating.SATISFIED,
                Rating.GOOD,
                Rating.AVERAGE,
                Rating.POOR,
                Rating.REFUSED,
                Rating.MISSING,
            ],
            weights=[50, 25, 10, 5, 2, 4, 4],
        )[0]
        services.settle(order=order, rating=rating, by=advisor, at=arrived + timedelta(hours=3))
        order.refresh_from_db()
        services.deliver(by=advisor, order=order, at=arrived + timedelta(hours=3, minutes=15))
        count += 1
    return count


def _arrival(rng, stage: int, now):
    """When a car in the building arrived: just now at the desk, a little earlier when its items
    wait for the customer, else earlier in the working day (yesterday afternoon before 10:30)."""
    if stage == 0:
        return now - timedelta(minutes=rng.randint(1, 8))
    if stage == 1:
        return now - timedelta(minutes=rng.randint(12, 40))
    local = timezone.localtime(now)
    if local.hour * 60 + local.minute >= 10 * 60 + 30:
        opening = local.replace(hour=8, minute=30, second=0, microsecond=0)
        return opening + (now - timedelta(minutes=50) - opening) * rng.random()
    return (local - timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0) + timedelta(
        minutes=rng.randint(0, 240)
    )


def _today(rng, vehicles, advisors, technicians, operations, now) -> int:
    for index, vehicle in enumerate(vehicles):
        advisor = advisors[index % len(advisors)]
        stage = index % 6
        arrived = _arrival(rng, stage, now)
        order = services.receive_vehicle(by=advisor, vehicle=vehicle, at=arrived)
        if stage == 0:
            continue  # just arrived: waiting on the desk with its timer running
        services.record_greeting(by=advisor, order=order, at=arrived + timedelta(seconds=4))
        services.record_in_bay(by=advisor, order=order, at=arrived + timedelta(seconds=55))
        _walkaround(rng, order, advisor, arrived + timedelta(minutes=2))
        _items(rng, order, advisor, operations, arrived + timedelta(minutes=3), rng.randint(1, 3))
        if stage == 1:
            continue  # items written, waiting for the customer's confirmation
        order.refresh_from_db()
        services.confirm(order=order, signed_by=vehicle.customer.name, by=advisor, at=arrived + timedelta(minutes=6))
        order.refresh_from_db()
        services.make_promise(by=advisor, order=order, at=arrived + timedelta(minutes=7))
        if stage in (3, 4):
            _work_done(
                order,
                technicians,
                arrived + timedelta(minutes=30),
                rng,
                until=ItemStatus.IN_PROGRESS if stage == 3 else ItemStatus.PASSED,
            )
        if stage == 5:
            order.refresh_from_db()
            services.report_overrun(
                by=rng.choice(technicians),
                order=order,
                reason="等待配件到货",
                new_promise=now + timedelta(hours=5),
                at=now - timedelta(minutes=5),
            )
    return len(vehicles)


def _appointments(rng, vehicles, advisors, now) -> int:
    local = timezone.localtime(now)
    for index, vehicle in enumerate(vehicles):
        day = local.date() + timedelta(days=0 if index < 8 else 1)
        hour = 9 + index % 8
        scheduled = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour, minutes=30)
        if scheduled <= now:
            scheduled = now + timedelta(minutes=20 + 10 * index)
        kind = rng.choices(["regular", "quick_maintenance", "rework", "complaint"], weights=[60, 25, 10, 5])[0]
        services.book_appointment(
            by=advisors[0],
            vehicle=vehicle,
            kind=kind,
            scheduled_at=scheduled,
            at=now,
            advisor=advisors[index % len(advisors)],
            added_value_service=rng.choice(["", "免费洗车", "免费21项安全检查"]),
        )
    return len(vehicles)
