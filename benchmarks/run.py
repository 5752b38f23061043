"""`make bench`: performance figures on a throwaway database, printed as a table.

Runs in-process with Django's test client, so a figure is server time (queries, rendering),
not network. Uses DATABASE_URL like the suite (SQLite without it). BENCH_ONLY=directory,complaint_queue
runs only the named sections (the complaint queue needs the directory's customers).
"""

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

SECTIONS: list[Callable[[], list[tuple[str, str, str]]]] = []


def section(function):
    SECTIONS.append(function)
    return function


def measure(call: Callable[[], object], repeat: int = 30) -> tuple[float, float, int]:
    """Return median and p95 milliseconds and the query count of one call."""
    call()  # warm caches and connections
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    settings.DEBUG = True
    reset_queries()
    call()
    queries = len(connection.queries)
    settings.DEBUG = False
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def row(name: str, call: Callable[[], object], repeat: int = 30) -> tuple[str, str, str]:
    median, p95, queries = measure(call, repeat)
    return name, f"{median:8.1f} / {p95:6.1f}", f"{queries:3d}"


@section
def directory() -> list[tuple[str, str, str]]:
    from django.core.management import call_command

    from dealership.models import Customer
    from tests.factories import make_user

    settings.DEBUG = True  # seed_demo runs in debug only
    call_command("seed_demo", customers=20_000, stdout=io.StringIO())
    settings.DEBUG = False
    client = Client()
    client.force_login(make_user("advisor"))
    api = Client()
    api.force_login(make_user("manager"))
    count = Customer.objects.count()
    return [
        row(f"customer list page ({count:,} customers)", lambda: client.get("/customers/")),
        row("customer search by name", lambda: client.get("/customers/", {"q": "王"})),
        row("customer search by plate", lambda: client.get("/customers/", {"q": "豫PA"})),
        row("customer search by VIN tail", lambda: client.get("/customers/", {"q": "123456"})),
        row("customer detail page", lambda: client.get(f"/customers/{Customer.objects.first().pk}/")),
        row("API /customers/ page of 50", lambda: api.get("/api/v1/customers/")),
        row("/healthz", lambda: client.get("/healthz")),
    ]


@section
def parts_catalogue() -> list[tuple[str, str, str]]:
    """Catalogue search with 100,000 parts (PT04 asks for it to stay fast at that size)."""
    from decimal import Decimal

    from parts.models import Part
    from parts.services import pinyin_initials
    from tests.factories import make_user

    names = [
        "机油滤清器",
        "空气滤清器",
        "前减震器（左）",
        "后刹车片",
        "点火线圈（第2缸）",
        "雨刮片（前）",
        "正时皮带套件",
        "水泵",
    ]
    rows = []
    for number in range(100_000):
        name = f"{names[number % len(names)]}·{number % 97}"
        rows.append(
            Part(
                part_number=f"{number % 89:02d}K{number:07d}",
                name=name,
                initials=pinyin_initials(name),
                retail_price=Decimal("68.00"),
                wholesale_price=Decimal("55.00"),
            )
        )
    Part.objects.bulk_create(rows, batch_size=5000)
    client = Client()
    client.force_login(make_user("parts"))
    return [
        row(f"parts page ({Part.objects.count():,} parts)", lambda: client.get("/parts/")),
        row("parts search by number prefix", lambda: client.get("/parts/", {"q": "12K00012"})),
        row("parts search by Chinese name", lambda: client.get("/parts/", {"q": "减震器"})),
        row("parts search by pinyin initials", lambda: client.get("/parts/", {"q": "jylqq"})),
        row("API /parts/?search= name", lambda: client.get("/api/v1/parts/", {"search": "刹车片"})),
    ]


@section
def workshop_board() -> list[tuple[str, str, str]]:
    """The foreman's dispatch board with 500 cars in the workshop, three jobs each, in every state."""
    from tests.factories import make_user

    foreman = make_user("foreman")
    orders, items, working = _fill_workshop(timezone.now())
    client = Client()
    client.force_login(foreman)
    return [
        row(f"dispatch board ({len(orders)} cars, {len(items):,} jobs)", lambda: client.get("/workshop/board/")),
        row("dispatch board refresh (htmx)", lambda: client.get("/workshop/board/", HTTP_HX_REQUEST="true")),
        row("job page", lambda: client.get(f"/workshop/jobs/{working[0].pk}/")),
    ]


def _fill_workshop(now) -> tuple[list, list, list]:
    """500 cars in the workshop with three jobs each, in every state; clocks, escalations, questions."""
    from datetime import timedelta
    from decimal import Decimal

    from dealership.models import Vehicle
    from service_desk.models import ItemStatus, RepairItem, RepairOrder
    from tests.factories import make_user

    advisor = make_user("advisor")
    technicians = [make_user("technician") for _ in range(20)]
    states = [ItemStatus.PENDING, ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.QC, ItemStatus.REWORK]
    orders = RepairOrder.objects.bulk_create(
        [
            RepairOrder(
                number=f"RO20980101{index:05d}",
                vehicle=vehicle,
                customer_id=vehicle.customer_id,
                advisor=advisor,
                mileage_km=1000,
                arrived_at=now,
                in_bay_at=now,
                promised_at=now + timedelta(minutes=30 * (index % 12) - 60),
                is_green_channel=index % 10 == 0,
                status="in_progress",
                created_at=now,
                updated_at=now,
            )
            for index, vehicle in enumerate(
                Vehicle.objects.exclude(repair_orders__status__in=RepairOrder.EDITABLE).order_by("pk")[:500]
            )
        ]
    )
    items = RepairItem.objects.bulk_create(
        [
            RepairItem(
                order=order,
                category="maintenance",
                description="更换机油机滤",
                labour_price=Decimal("120"),
                labour_hours=Decimal("0.5"),
                is_confirmed=True,
                status=states[(index + job) % len(states)],
                technician=None
                if states[(index + job) % len(states)] == ItemStatus.PENDING
                else technicians[index % len(technicians)],
                added_by=advisor,
                created_at=now,
                updated_at=now,
            )
            for index, order in enumerate(orders)
            for job in range(3)
        ]
    )
    working = [item for item in items if item.status == ItemStatus.IN_PROGRESS]
    _workshop_activity(working, now)
    return orders, items, working


def _workshop_activity(working: list, now) -> None:
    """Clocks on the jobs in progress (one running per technician), escalations and questions."""
    from datetime import timedelta

    from service_desk.models import CustomerQuestion
    from workshop.models import ClockEntry, Escalation

    running: set[int] = set()  # one running clock per technician; their other jobs are paused
    entries = []
    for item in working:
        paused = item.technician_id in running
        running.add(item.technician_id)
        entries.append(
            ClockEntry(
                item=item,
                technician_id=item.technician_id,
                started_at=now - timedelta(minutes=30),
                ended_at=now - timedelta(minutes=10) if paused else None,
                pause_reason="parts" if paused else "",
            )
        )
    ClockEntry.objects.bulk_create(entries)
    Escalation.objects.bulk_create(
        [
            Escalation(item=item, raised_by_id=item.technician_id, raised_at=now, symptoms="怠速抖动")
            for item in working[::10]
        ]
    )
    CustomerQuestion.objects.bulk_create(
        [
            CustomerQuestion(item=item, question="刹车片也要换吗？", asked_by_id=item.technician_id, asked_at=now)
            for item in working[5::10]
        ]
    )


@section
def front_desk() -> list[tuple[str, str, str]]:
    """The advisor's desk and the order pages with 10,000 open work orders in the database."""
    from decimal import Decimal

    from dealership.models import Vehicle
    from service_desk.models import RepairItem, RepairOrder
    from tests.factories import make_user

    advisors = [make_user("advisor") for _ in range(8)]
    me = advisors[0]
    now = timezone.now()
    vehicles = list(Vehicle.objects.exclude(repair_orders__status__in=RepairOrder.EDITABLE).order_by("pk")[:10_000])
    orders = RepairOrder.objects.bulk_create(
        [
            RepairOrder(
                number=f"RO20990101{index:05d}",
                vehicle=vehicle,
                customer_id=vehicle.customer_id,
                advisor=advisors[index % len(advisors)],
                mileage_km=1000,
                arrived_at=now,
                in_bay_at=now if index % 50 else None,
                status="open" if index % 3 else "in_progress",
                created_at=now,
                updated_at=now,
            )
            for index, vehicle in enumerate(vehicles)
        ],
        batch_size=2000,
    )
    RepairItem.objects.bulk_create(
        [
            RepairItem(
                order=order,
                category="maintenance",
                description="更换机油机滤",
                labour_price=Decimal("120"),
                labour_hours=Decimal("0.5"),
                added_by=me,
                created_at=now,
                updated_at=now,
            )
            for order in orders
            for _ in range(3)
        ],
        batch_size=5000,
    )
    client = Client()
    client.force_login(me)
    mine = next(order for order in orders if order.advisor_id == me.pk)
    return [
        row(
            f"desk page ({RepairOrder.objects.filter(status__in=RepairOrder.EDITABLE).count():,} open orders)",
            lambda: client.get("/desk/"),
        ),
        row("work order list (open)", lambda: client.get("/desk/orders/")),
        row("work order page (3 items)", lambda: client.get(f"/desk/orders/{mine.pk}/")),
        row("API /repair-orders/?status=open", lambda: client.get("/api/v1/repair-orders/", {"status": "open"})),
    ]


def _vacuum_analyze(table: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _complaint(index: int, *, closed: bool, raised, customers: list[int], advisors: list, agent):
    """One complaint for the queue benchmark: closed a day after it was raised, or still open."""
    from datetime import timedelta

    from customer_care.models import Complaint

    return Complaint(
        number=f"CP2099{index:08d}",
        customer_id=customers[index % len(customers)],
        channel="hotline",
        category="other",
        summary="等待时间太长",
        assignee=advisors[index % len(advisors)],
        raised_by=agent,
        created_at=raised,
        round_started_at=raised,
        respond_by=raised + timedelta(minutes=30),
        organise_by=raised + timedelta(hours=1),
        close_by=raised + timedelta(days=2),
        status="closed" if closed else "open",
        responded_at=raised if closed else None,
        organised_at=raised if closed else None,
        closed_at=raised + timedelta(days=1) if closed else None,
        next_due=None if closed else raised + timedelta(minutes=30),
        watch_from=None if closed else raised + timedelta(minutes=30),
    )


@section
def complaint_queue() -> list[tuple[str, str, str]]:
    """The complaint queue with 100,000 complaints stored (1,000 still open, a large backlog), then with
    10,000 open; and the sweep recording 10,000 new breaches at once."""
    import time
    from datetime import timedelta

    from customer_care import services
    from customer_care.models import Complaint
    from dealership.models import Customer, Staff
    from tests.factories import make_user

    agent = make_user("callcentre")
    advisors = [make_user("advisor") for _ in range(10)]
    for number, advisor in enumerate(advisors):
        Staff.objects.filter(user=advisor).update(mobile=f"1390394{number:04d}")
    customers = list(Customer.objects.values_list("pk", flat=True)[:5000])
    now = timezone.now()

    def complaint(index: int, *, closed: bool, raised) -> Complaint:
        return _complaint(index, closed=closed, raised=raised, customers=customers, advisors=advisors, agent=agent)

    # Closed ones over the past year; open ones raised 31-59 minutes ago: each is past its 30-minute
    # response deadline and before the 1-hour one (what a sweep finds after a quiet spell).
    Complaint.objects.bulk_create(
        [
            complaint(index, closed=index < 99_000, raised=now - timedelta(days=400) + timedelta(minutes=5 * index))
            if index < 99_000
            else complaint(index, closed=False, raised=now - timedelta(minutes=31 + index % 29))
            for index in range(100_000)
        ],
        batch_size=5000,
    )
    _vacuum_analyze("customer_care_complaint")  # what autovacuum does after a load like this
    client = Client()
    client.force_login(agent)
    advisor_client = Client()
    advisor_client.force_login(advisors[0])
    results = [
        row("complaint queue (100,000 stored, 1,000 open)", lambda: client.get("/care/complaints/")),
        row("complaint queue, overdue only", lambda: client.get("/care/complaints/", {"overdue": "1"})),
        row("complaint queue, one advisor's", lambda: advisor_client.get("/care/complaints/")),
        row("API /complaints/?overdue=true", lambda: client.get("/api/v1/complaints/", {"overdue": "true"})),
    ]
    Complaint.objects.bulk_create(
        [
            complaint(index, closed=False, raised=now - timedelta(minutes=31 + index % 29))
            for index in range(100_000, 109_000)
        ],
        batch_size=5000,
    )
    results.append(row("complaint queue (10,000 open)", lambda: client.get("/care/complaints/")))
    started = time.perf_counter()
    recorded = services.record_breaches(at=now)
    seconds = time.perf_counter() - started
    results.append(
        (f"sweep: record {recorded:,} new breaches and write their notices", f"{seconds * 1000:,.0f} ms total", "—")
    )
    return results


@section
def award_report() -> list[tuple[str, str, str]]:
    """The monthly award report (IN02, IN04) for last month with 100,000 rated orders, 10,000 praises and
    their ledger entries: previewed while the month is open, then read back after closing it."""
    from datetime import timedelta

    from django.urls import NoReverseMatch, reverse

    from customer_care import services
    from tests.factories import make_user

    manager = make_user("manager")
    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # over, so it can be closed
    orders = _rated_month(month, advisors=[make_user("advisor") for _ in range(20)])
    client = Client()
    client.force_login(manager)
    label = f"{month:%Y-%m}"
    try:
        page = reverse("report_awards")
    except NoReverseMatch:  # the page came later than the API
        page = None

    def report_rows(state: str) -> list[tuple[str, str, str]]:
        found = [
            row(
                f"API /reports/awards/ ({orders:,} rated orders, {state})",
                lambda: client.get("/api/v1/reports/awards/", {"month": label}),
                repeat=10,
            )
        ]
        if page:
            found.append(row(f"award report page ({state})", lambda: client.get(page, {"month": label}), repeat=10))
        return found

    results = report_rows("open: previewed")
    started = time.perf_counter()
    services.close_month(by=manager, month=month, at=timezone.now())
    seconds = time.perf_counter() - started
    results.append(("close the month: post its awards", f"{seconds * 1000:,.0f} ms total", "—"))
    return results + report_rows("closed: posted")


def _rated_month(month, *, advisors: list) -> int:
    """A month of settled orders rated at random by the advisors' customers, every tenth followed up with
    a praise, and the IN03 and IN01 entries their postings make; returns the number of orders."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from customer_care.models import FollowUp, LedgerEntry, Praise, Rule
    from dealership.clock import month_bounds
    from service_desk.models import Rating, RepairOrder
    from tests.factories import make_vehicle

    vehicles = [make_vehicle() for _ in range(200)]
    ratings = [*[Rating.VERY_SATISFIED] * 4, *[Rating.SATISFIED] * 3, Rating.AVERAGE, Rating.POOR, Rating.MISSING]
    costs = {Rating.AVERAGE: Decimal("-1.00"), Rating.POOR: Decimal("-5.00"), Rating.MISSING: Decimal("-5.00")}
    start = month_bounds(month)[0]
    count = 100_000
    pick = random.Random(13)  # the same month on every run
    orders = RepairOrder.objects.bulk_create(
        [
            RepairOrder(
                number=f"RO2097{index:08d}",
                vehicle=vehicles[index % len(vehicles)],
                customer_id=vehicles[index % len(vehicles)].customer_id,
                advisor=pick.choice(advisors),
                mileage_km=1000,
                arrived_at=start + timedelta(seconds=24 * index),
                status="settled",
                rating=pick.choice(ratings),
                total=Decimal("480.00"),
                settled_at=start + timedelta(seconds=24 * index + 3600),
                created_at=start,
                updated_at=start,
            )
            for index in range(count)
        ],
        batch_size=5000,
    )
    follow_ups = FollowUp.objects.bulk_create(
        [
            FollowUp(repair_order=order, due_at=order.settled_at, status="done", created_at=order.settled_at)
            for order in orders[::10]
        ],
        batch_size=5000,
    )
    praises = Praise.objects.bulk_create(
        [
            Praise(follow_up=follow_up, staff_id=follow_up.repair_order.advisor_id, at=follow_up.due_at)
            for follow_up in follow_ups
        ],
        batch_size=5000,
    )
    day = timezone.localdate
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                staff_id=order.advisor_id,
                amount=costs[order.rating],
                rule=Rule.RATING,
                reason="bench",
                source=f"order:{order.pk}",
                occurred_on=day(order.settled_at),
                month=month,
                posted_at=order.settled_at,
            )
            for order in orders
            if order.rating in costs
        ]
        + [
            LedgerEntry(
                staff_id=praise.staff_id,
                amount=Decimal("20.00"),
                rule=Rule.PRAISE,
                reason="bench",
                source=f"praise:{praise.pk}",
                occurred_on=day(praise.at),
                month=month,
                posted_at=praise.at,
            )
            for praise in praises
        ],
        batch_size=5000,
    )
    for table in ("service_desk_repairorder", "customer_care_praise", "customer_care_ledgerentry"):
        _vacuum_analyze(table)
    return count


@section
def sms_worker_throughput() -> list[tuple[str, str, str]]:
    """Messages per second one worker process sends through the locmem gateway."""
    from django.db import transaction
    from django.db.models import Max, Min

    from dealership import outbox
    from dealership.models import SmsMessage, SmsStatus
    from tests.conftest import purge_broker, start_celery_worker, stop_celery_worker
    from tests.factories import make_sms_template

    make_sms_template("bench", is_urgent=True)
    rows = []
    for concurrency in (1, 2):
        SmsMessage.objects.all().delete()
        purge_broker()
        count = 2000
        with transaction.atomic():
            for number in range(count):
                outbox.enqueue_sms(
                    mobile=f"139{number:08d}",
                    kind="bench",
                    dedupe_key=f"bench:{concurrency}:{number}",
                    at=timezone.now(),
                    context={"customer": "张先生", "text": "您的爱车已完成保养。"},
                )
        log = ROOT / "var" / "bench-worker.log"
        worker = start_celery_worker(log, SMS_BACKEND="locmem", CELERY_CONCURRENCY=str(concurrency))
        try:
            deadline = time.monotonic() + 600
            while SmsMessage.objects.exclude(status=SmsStatus.SENT).exists():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise RuntimeError(f"the worker did not send them all; see {log}")
                time.sleep(0.5)
        finally:
            stop_celery_worker(worker)
        span = SmsMessage.objects.aggregate(first=Min("claimed_at"), last=Max("sent_at"))
        seconds = (span["last"] - span["first"]).total_seconds()
        rows.append((f"SMS sent by one worker, concurrency {concurrency}", f"{count / seconds:,.0f} msg/s", "—"))
    return rows


def main() -> None:
    # Server time as production spends it: no setup_test_environment(), whose instrumented template
    # rendering copies the context of every template rendered for the test client's assertions.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = (
        str(ROOT / "var" / "bench.sqlite3") if db["ENGINE"].endswith("sqlite3") else "bench_dealership"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = [("what", "median / p95 ms", "queries")]
        only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
        for run in SECTIONS:
            if not only or run.__name__ in only:
                rows.extend(run())
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        print(f"\nDatabase: {connection.vendor}; Python {sys.version.split()[0]}\n")
        for name, timing, queries in rows:
            print(f"{name:<{widths[0]}}  {timing:>{widths[1]}}  {queries:>{widths[2]}}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
