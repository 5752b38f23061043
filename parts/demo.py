"""Demo parts department: a FAW-Volkswagen catalogue, stock, gifts and backorders at every stage."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from dealership.models import Customer
from parts import services
from parts.models import GiftItem, Part

# (name, price range in yuan, positional, genuine share) — what a VW service counter sells.
CATALOGUE = [
    ("机油滤清器", (45, 90), False),
    ("空气滤清器", (60, 160), False),
    ("空调滤清器", (50, 150), False),
    ("汽油滤清器", (80, 260), False),
    ("火花塞", (45, 120), False),
    ("点火线圈（第1缸）", (180, 420), True),
    ("点火线圈（第2缸）", (180, 420), True),
    ("点火线圈（第3缸）", (180, 420), True),
    ("点火线圈（第4缸）", (180, 420), True),
    ("前刹车片", (280, 780), False),
    ("后刹车片", (220, 620), False),
    ("前刹车盘", (380, 980), False),
    ("后刹车盘", (320, 860), False),
    ("前减震器（左）", (420, 1280), True),
    ("前减震器（右）", (420, 1280), True),
    ("后减震器（左）", (360, 980), True),
    ("后减震器（右）", (360, 980), True),
    ("前大灯总成（左）", (1800, 5200), True),
    ("前大灯总成（右）", (1800, 5200), True),
    ("尾灯总成（左）", (680, 1900), True),
    ("尾灯总成（右）", (680, 1900), True),
    ("外后视镜总成（左）", (780, 2600), True),
    ("外后视镜总成（右）", (780, 2600), True),
    ("雨刮片（前）", (90, 260), False),
    ("雨刮片（后）", (60, 160), False),
    ("正时皮带套件", (680, 1600), False),
    ("水泵", (520, 1400), False),
    ("节温器", (260, 680), False),
    ("蓄电池 60Ah", (680, 1200), False),
    ("蓄电池 72Ah", (820, 1500), False),
    ("发电机", (1800, 3800), False),
    ("起动机", (1500, 3400), False),
    ("前保险杠", (1200, 3200), False),
    ("后保险杠", (1100, 3000), False),
    ("机盖", (1600, 3800), False),
    ("翼子板（左）", (600, 1600), True),
    ("翼子板（右）", (600, 1600), True),
    ("前车门外板（左）", (1600, 3600), True),
    ("前车门外板（右）", (1600, 3600), True),
    ("轮胎 205/55 R16", (480, 980), False),
    ("轮胎 225/45 R18", (780, 1600), False),
    ("前摆臂（左）", (380, 980), True),
    ("前摆臂（右）", (380, 980), True),
    ("平衡杆连杆（左）", (120, 320), True),
    ("平衡杆连杆（右）", (120, 320), True),
    ("变速箱油 DSG", (260, 560), False),
    ("发动机机油 5W-30 4L", (360, 560), False),
    ("防冻液 4L", (120, 260), False),
    ("刹车油 1L", (80, 160), False),
    ("玻璃水 2L", (20, 45), False),
    ("空调压缩机", (3800, 7800), False),
    ("冷凝器", (1200, 2800), False),
    ("散热器", (1300, 3200), False),
    ("氧传感器（前）", (480, 1200), True),
    ("氧传感器（后）", (480, 1200), True),
    ("节气门总成", (1300, 2900), False),
    ("喷油嘴", (380, 880), False),
    ("燃油泵", (980, 2200), False),
    ("涡轮增压器", (5800, 12800), False),
    ("离合器片", (680, 1600), False),
]
PREFIXES = ["06H", "06K", "04E", "05E", "1K0", "5Q0", "3G0", "2GA", "5NA", "3Q0", "4K0", "8W0", "7N0", "1KD", "5C6"]
MODELS = ["速腾", "迈腾", "宝来", "高尔夫", "探岳", "探歌", "揽境", "CC", "捷达VS5", "ID.4"]
GIFTS = [
    ("钥匙扣", "5.00", 120),
    ("车载香薰", "25.00", 40),
    ("纸巾盒", "12.00", 60),
    ("玻璃水 2L", "10.00", 80),
    ("汽车脚垫", "88.00", 12),
]


def seed(rng: random.Random) -> str:
    if Part.objects.exists():
        return "Parts already present: left as they are."
    User = get_user_model()
    clerk = User.objects.get(username="heli")
    advisors = list(User.objects.filter(groups__name="advisor").order_by("pk"))
    now = timezone.now()
    parts = _catalogue(rng)
    for part in rng.sample(parts, k=min(800, len(parts))):
        services.receive_stock(
            by=clerk,
            part=part,
            quantity=rng.randint(1, 30),
            at=now - timedelta(days=30),
            reference=f"送货单 {rng.randint(10000, 99999)}",
        )
    for name, cost, stock in GIFTS:
        gift = services.save_gift_item(by=clerk, gift=GiftItem(name=name, unit_cost=Decimal(cost)))
        services.restock_gifts(by=clerk, gift=gift, quantity=stock, at=now - timedelta(days=20))
    backorders = _backorders(rng, parts, advisors, clerk, now)
    return f"Created {len(parts)} parts, {len(GIFTS)} gift items and {backorders} backorders."


def _catalogue(rng: random.Random) -> list[Part]:
    numbers: set[str] = set()
    rows = []
    for model in MODELS:
        for name, (low, high), positional in CATALOGUE:
            for _variant in range(rng.choice((3, 4, 5))):
                number = _unique_number(rng, numbers)
                genuine = rng.random() < 0.85
                retail = Decimal(rng.randint(low, high)) - Decimal("0.10") * rng.randint(0, 9)
                rows.append(
                    Part(
                        part_number=number,
                        name=f"{name}（{model}）" if "（" not in name else f"{name[:-1]}，{model}）",
                        retail_price=retail,
                        wholesale_price=(retail * Decimal("0.82")).quantize(Decimal("0.01")),
                        unit="件",
                        is_positional=positional,
                        is_genuine=genuine,
                        # Brand aftermarket parts are mostly approved (认证): fit for warranty work (PT04).
                        is_approved=not genuine and rng.random() < 0.7,
                        origin="一汽-大众" if genuine else rng.choice(["博世", "马勒", "曼牌", "法雷奥", "天合"]),
                    )
                )
    for part in rows:
        part.initials = services.pinyin_initials(part.name)
    return Part.objects.bulk_create(rows, batch_size=1000)


def _unique_number(rng: random.Random, seen: set[str]) -> str:
    while True:
        number = (
            f"{rng.choice(PREFIXES)}{rng.randint(100, 999)}{rng.randint(0, 999):03d}{rng.choice(['', 'A', 'B', 'C'])}"
        )
        if number not in seen:
            seen.add(number)
            return number


def _backorders(rng, parts, advisors, clerk, now) -> int:
    customers = list(Customer.objects.order_by("pk")[:40])
    today = timezone.localdate(now)
    positional = [part for part in parts if part.is_positional]
    created = 0
    for index, customer in enumerate(customers[:18]):
        advisor = advisors[index % len(advisors)]
        ordered_at = now - timedelta(days=rng.randint(2, 9))
        part = rng.choice(positional)
        # Dates before today are kept as the advisor typed them days ago; the hourly job marks them delayed.
        expected = timezone.localdate(ordered_at) + timedelta(days=rng.randint(2, 12))
        backorder = services.create_backorder(
            by=advisor, customer=customer, part=part, quantity=1, expected_on=expected, at=ordered_at
        )
        if index % 6 == 0:
            services.mark_arrived(by=clerk, backorder=backorder, at=now - timedelta(hours=rng.randint(1, 20)))
        elif index % 6 == 1 and expected >= today:
            services.mark_arrived(by=clerk, backorder=backorder, at=now - timedelta(days=1))
            backorder.refresh_from_db()
            services.mark_collected(by=advisor, backorder=backorder, at=now - timedelta(hours=3))
        created += 1
    return created
