"""Build a believable demo dealership: staff in every role, thousands of customers and their cars.

The data is the same on every run (a fixed random seed). Demo passwords come from DEMO_PASSWORD,
or a fresh random one is made and printed; the command refuses to run with DEBUG off, so it can
never plant known logins in production.
"""

import os
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dealership import demo, outbox
from dealership.identifiers import vin_check_digit
from dealership.models import Customer, Role, Staff, Team, Vehicle
from dealership.wording import cn_time

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红鹏辉博涵然怡萱航琪"
GIVEN_TWO = ("建国", "建华", "志强", "海燕", "雪梅", "晓东", "文博", "子涵", "浩然", "欣怡", "梓萱", "俊杰", "宇航")

# A FAW-Volkswagen dealership in Zhoukou, Henan (plates 豫P). VIN WMI LFV; the second part is
# the vehicle descriptor section as it appears on each model's certificate.
MODELS = (
    ("一汽-大众 速腾 1.4T", "LFV2A2BU", 22),
    ("一汽-大众 迈腾 2.0T", "LFV3A23C", 14),
    ("一汽-大众 宝来 1.5L", "LFV2A1BS", 18),
    ("一汽-大众 高尔夫 1.4T", "LFV2A2AU", 8),
    ("一汽-大众 探岳 2.0T", "LFV3B20V", 12),
    ("一汽-大众 探歌 1.4T", "LFV2B25G", 8),
    ("一汽-大众 揽境 2.0T", "LFV3B28W", 3),
    ("捷达 VS5 1.4T", "LFV2B21K", 9),
    ("一汽-大众 ID.4 CROZZ", "LFVVB9E6", 6),
)
NEW_ENERGY_MODELS = {"一汽-大众 ID.4 CROZZ"}
YEAR_CODES = "FGHJKLMNPRST"  # model years 2015-2026
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_OFFICES = "P" * 17 + "AKMNQSU"  # mostly Zhoukou, some from neighbouring cities


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    team: str
    mobile: str


DEMO_STAFF = (
    DemoStaff("songjianguo", "宋建国", (Role.MANAGER,), "管理组", "13903941001"),
    DemoStaff("wangfang", "王芳", (Role.ADVISOR,), "前台一组", "13903941011"),
    DemoStaff("lilei", "李磊", (Role.ADVISOR,), "前台一组", "13903941012"),
    DemoStaff("zhangjing", "张静", (Role.ADVISOR,), "前台二组", "13903941013"),
    DemoStaff("liuyang", "刘洋", (Role.ADVISOR,), "前台二组", "13903941014"),
    DemoStaff("chenqiang", "陈强", (Role.FOREMAN,), "车间", "13903941021"),
    DemoStaff("zhaogang", "赵刚", (Role.TECHNICIAN,), "机修一组", "13903941031"),
    DemoStaff("zhoupeng", "周鹏", (Role.TECHNICIAN,), "机修一组", "13903941032"),
    DemoStaff("wuhao", "吴浩", (Role.TECHNICIAN,), "机修二组", "13903941033"),
    DemoStaff("xujun", "徐军", (Role.TECHNICIAN,), "机修二组", "13903941034"),
    DemoStaff("sunliang", "孙亮", (Role.TECHNICIAN,), "钣喷组", "13903941035"),
    DemoStaff("guoming", "郭明", (Role.INSPECTOR,), "质检组", "13903941041"),
    DemoStaff("heli", "何丽", (Role.PARTS,), "配件部", "13903941051"),
    DemoStaff("linxue", "林雪", (Role.CALLCENTRE,), "客服组", "13903941061"),
    DemoStaff("luoting", "罗婷", (Role.CALLCENTRE,), "客服组", "13903941062"),
)


class Command(BaseCommand):
    help = "Load demo staff, customers and vehicles, and print the demo logins (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=3000, help="how many customers (default 3000)")

    def handle(self, *args, customers: int, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo plants demo logins and refuses to run with DEBUG off.")
        password = _demo_password()
        rng = random.Random(20261126)
        with transaction.atomic():
            logins = _seed_staff(password)
            if Customer.objects.exists():
                self.stdout.write("Customers already present: directory data left as it is.")
            else:
                created = _seed_directory(rng, customers)
                self.stdout.write(f"Created {created[0]} customers and {created[1]} vehicles.")
            for seeder in demo.seeders():
                self.stdout.write(seeder(rng))
            queued = _queue_demo_messages()
        self.stdout.write(f"Queued {queued} demo text messages (see the worker's output and /sms/).")
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {password})"))
        for username, label in logins:
            self.stdout.write(f"  {username:<14} {label}")


def _queue_demo_messages() -> int:
    """A test message to the manager and care notices to a few customers, once a day.

    Urgent kinds go at once; care notices wait for the end of quiet hours (21:00-08:00).
    """
    now = timezone.now()
    local = timezone.localtime(now)
    today = local.date().isoformat()
    manager = Staff.objects.get(user__username="songjianguo")
    messages = [
        outbox.enqueue_sms(
            mobile=manager.mobile,
            kind="test",
            dedupe_key=f"demo:test:{today}",
            at=now,
            context={"customer": manager.name, "time": cn_time(local)},
        )
    ]
    for vehicle in Vehicle.objects.select_related("customer").order_by("pk")[:3]:
        text = f"您的爱车{vehicle.plate}已完成保养，建议5000公里或6个月后再次保养，祝您用车愉快。"
        messages.append(
            outbox.enqueue_sms(
                mobile=vehicle.customer.mobile,
                kind="notice",
                dedupe_key=f"demo:care:{today}:{vehicle.pk}",
                at=now,
                context={"customer": vehicle.customer.name, "text": text},
            )
        )
    return len(messages)


def _demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)


def _seed_staff(password: str) -> list[tuple[str, str]]:
    User = get_user_model()
    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    logins = []
    for person in DEMO_STAFF:
        user, _created = User.objects.get_or_create(username=person.username)
        user.first_name = person.name
        user.set_password(password)
        user.is_staff = Role.MANAGER in person.roles  # managers keep reference data in the admin
        user.save()
        user.groups.set([groups[role] for role in person.roles])
        team, _created = Team.objects.get_or_create(name=person.team)
        Staff.objects.update_or_create(user=user, defaults={"name": person.name, "mobile": person.mobile, "team": team})
        labels = "、".join(str(Role(role).label) for role in person.roles)
        logins.append((person.username, f"{person.name}（{labels}）"))
    admin, _created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
    admin.set_password(password)
    admin.save()
    logins.append(("admin", "系统管理员"))
    return logins


def _seed_directory(rng: random.Random, count: int) -> tuple[int, int]:
    mobiles: set[str] = set()
    customers = []
    for _index in range(count):
        mobile = _unique(mobiles, lambda: rng.choice("3578") + "".join(rng.choices("0123456789", k=9)), prefix="1")
        landline = f"0394-{rng.randint(8100000, 8999999)}" if rng.random() < 0.2 else ""
        customers.append(Customer(name=_person_name(rng), mobile=mobile, landline=landline))
    customers = Customer.objects.bulk_create(customers, batch_size=1000)
    # Customers of a dealership that has been open for years, not all signed up today.
    now = timezone.now()
    for customer in customers:
        customer.created_at = now - timedelta(days=rng.randint(30, 6 * 365))
    Customer.objects.bulk_update(customers, ["created_at"], batch_size=1000)

    vins: set[str] = set()
    plates: set[str] = set()
    weights = [weight for _name, _vds, weight in MODELS]
    vehicles = []
    for customer in customers:
        for _car in range(2 if rng.random() < 0.15 else 1):
            model_name, descriptor, _weight = rng.choices(MODELS, weights=weights)[0]
            vin = _unique(vins, lambda descriptor=descriptor: _vin(rng, descriptor))
            new_energy = model_name in NEW_ENERGY_MODELS
            plate = _unique(plates, lambda new_energy=new_energy: _plate(rng, new_energy))
            mileage = rng.randint(800, 160_000)
            vehicles.append(Vehicle(customer=customer, vin=vin, plate=plate, model_name=model_name, mileage_km=mileage))
    Vehicle.objects.bulk_create(vehicles, batch_size=1000)
    return len(customers), len(vehicles)


def _unique(seen: set[str], make, prefix: str = "") -> str:
    while True:
        value = prefix + make()
        if value not in seen:
            seen.add(value)
            return value


def _person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.4:
        return surname + rng.choice(GIVEN_TWO)
    return surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _vin(rng: random.Random, descriptor: str) -> str:
    year = rng.choice(YEAR_CODES)
    plant = rng.choice("3ABC")
    serial = f"{rng.randint(0, 999_999):06d}"
    draft = f"{descriptor}0{year}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _plate(rng: random.Random, new_energy: bool) -> str:
    office = rng.choice(PLATE_OFFICES)
    if new_energy:
        return f"豫{office}{rng.choice('DF')}{rng.choice(PLATE_LETTERS + '0123456789')}{rng.randint(0, 9999):04d}"
    # Ordinary plates are mostly digits, with a letter or two.
    body = "".join(rng.choice(PLATE_LETTERS) if rng.random() < 0.2 else rng.choice("0123456789") for _ in range(5))
    return f"豫{office}{body}"
