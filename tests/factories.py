"""The smallest valid objects, with overrides: make_customer(name="张三")."""

import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dealership.identifiers import vin_check_digit
from dealership.models import Customer, SmsTemplate, Staff, Vehicle

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery"


def valid_vin(serial: int) -> str:
    """A VIN with a correct check digit, different for each serial."""
    draft = f"LFV2A2BU0T3{serial:06d}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def valid_plate(serial: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"豫P{letters[serial // 10000 % len(letters)]}{serial % 10000:04d}"


def make_user(*roles: str, username: str | None = None, name: str | None = None, **fields):
    number = next(_sequence)
    user = get_user_model().objects.create_user(
        username=username or f"user{number}", password=PASSWORD, first_name=name or f"员工{number}", **fields
    )
    if roles:
        # get_or_create: transactional tests truncate the groups the migration made.
        user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
        Staff.objects.create(user=user, name=name or f"员工{number}")
    return user


def make_customer(**overrides) -> Customer:
    number = next(_sequence)
    fields = {"name": f"客户{number}", "mobile": f"139{number:08d}"} | overrides
    return Customer.objects.create(**fields)


def make_vehicle(**overrides) -> Vehicle:
    number = next(_sequence)
    fields = {"vin": valid_vin(number), "plate": valid_plate(number), "model_name": "一汽-大众 速腾 1.4T"} | overrides
    if "customer" not in fields:
        fields["customer"] = make_customer()
    return Vehicle.objects.create(**fields)


def make_sms_template(kind: str = "notice", **overrides) -> SmsTemplate:
    """The template of a kind (created by migrations, but transactional tests empty the table)."""
    fields = {
        "name": kind,
        "body": "尊敬的{customer}，{text}",
        "placeholders": ["customer", "text"],
        "sample": {"customer": "张先生", "text": "您的爱车已完成保养。"},
        "is_urgent": False,
    } | overrides
    template, _created = SmsTemplate.objects.update_or_create(kind=kind, defaults=fields)
    return template


def make_part(**overrides):
    from parts.models import Part
    from parts.services import pinyin_initials

    number = next(_sequence)
    fields = {
        "part_number": f"06H115{number:05d}",
        "name": "机油滤清器",
        "retail_price": Decimal("68.00"),
        "wholesale_price": Decimal("55.00"),
    } | overrides
    stock = fields.pop("stock", 0)
    part = Part.objects.create(initials=pinyin_initials(fields["name"]), stock_on_hand=stock, **fields)
    return part


def make_labour_operation(**overrides):
    from service_desk.models import Category, LabourOperation

    number = next(_sequence)
    fields = {
        "code": f"OP{number}",
        "name": "更换机油机滤",
        "category": Category.MAINTENANCE,
        "hours": Decimal("0.5"),
        "price": Decimal("120.00"),
    } | overrides
    return LabourOperation.objects.create(**fields)


def sign_reception(order, *, by, at):
    """The walk-around done and the reception sheet signed by the customer (SD05)."""
    from service_desk import services

    return services.record_walkaround(
        by=by,
        order=order,
        at=at,
        version=order.version,
        mileage_km=order.mileage_km,
        fuel_eighths=4,
        damage="",
        valuables="",
        covers_fitted=True,
        signed_by=order.customer.name,
    )


def make_order(*, advisor=None, vehicle=None, at=None, items=1, confirmed=False, signed=True):
    """An order for a car that just arrived, with its reception sheet signed (unless `signed` is
    false) and `items` maintenance items (optionally confirmed)."""
    from django.utils import timezone

    from service_desk import services

    advisor = advisor or make_user("advisor")
    at = at or timezone.now()
    order = services.receive_vehicle(by=advisor, vehicle=vehicle or make_vehicle(), at=at)
    if signed:
        sign_reception(order, by=advisor, at=at)
    for _item in range(items):
        services.add_item(
            by=advisor, order=order, at=at, category="maintenance", labour_operation=make_labour_operation()
        )
    order.refresh_from_db()
    if confirmed:
        services.confirm(order=order, signed_by=order.customer.name, by=advisor, at=at)
        order.refresh_from_db()
    return order


def pass_all_items(order, *, at=None, technician=None):
    """Walk every item through assign, start and QC to passed, as the workshop does."""
    from django.utils import timezone

    from service_desk import services
    from service_desk.models import ItemStatus

    at = at or timezone.now()
    technician = technician or make_user("technician")
    path = [ItemStatus.PENDING, ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.QC, ItemStatus.PASSED]
    for item in order.items.exclude(status__in=[ItemStatus.DECLINED, ItemStatus.PASSED]):
        for step in path[path.index(item.status) + 1 :]:
            fields = {"technician": technician} if step == ItemStatus.ASSIGNED else {}
            services.move_item(item=item, to=step, at=at, **fields)
    order.refresh_from_db()
    return order
