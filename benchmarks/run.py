"""`make bench`: performance figures on a throwaway database, printed as a table.

Runs in-process with Django's test client, so a figure is server time (queries, rendering),
not network. Uses DATABASE_URL like the suite (SQLite without it).
"""

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
from django.test.utils import setup_test_environment  # noqa: E402

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
    call_command("seed_demo", customers=20_000, stdout=open(os.devnull, "w"))  # noqa: SIM115
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


def main() -> None:
    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = (
        str(ROOT / "var" / "bench.sqlite3") if db["ENGINE"].endswith("sqlite3") else "bench_dealership"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = [("what", "median / p95 ms", "queries")]
        for run in SECTIONS:
            rows.extend(run())
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        print(f"\nDatabase: {connection.vendor}; Python {sys.version.split()[0]}\n")
        for name, timing, queries in rows:
            print(f"{name:<{widths[0]}}  {timing:>{widths[1]}}  {queries:>{widths[2]}}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
