import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ON_CI = os.environ.get("CI") == "true"


# Reference rows that data migrations create. Transactional tests empty every table when they end,
# and --reuse-db keeps the database between runs, so each session puts these rows back first.
REFERENCE_DATA = [
    ("dealership.migrations.0002_create_roles", "create_roles"),
    ("dealership.migrations.0004_core_sms_templates", "create"),
    ("parts.migrations.0002_backorder_sms_templates", "create"),
    ("parts.migrations.0006_backorder_new_date_advisor_sms", "create"),
    ("dealership.migrations.0008_manager_admin_permissions", "grant"),
    ("service_desk.migrations.0002_desk_sms_templates", "create"),
    ("workshop.migrations.0002_manager_admin_permissions", "grant"),
    ("customer_care.migrations.0002_care_sms_templates_and_rescue_zones", "create"),
    ("customer_care.migrations.0003_manager_admin_permissions", "grant"),
    ("customer_care.migrations.0005_greetings_honour_opt_out", "apply"),
    ("customer_care.migrations.0010_ledger_append_only_and_rates", "rates"),
    ("customer_care.migrations.0011_weekly_figures_sms_template", "create"),
]


def load_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(import_module(module), function)(apps, schema_editor=None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test starts after another one emptied every table: put the reference rows back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        load_reference_data()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    uses = {"transactional_db", "live_server", "django_db_reset_sequences"} & set(getattr(item, "fixturenames", ()))
    return bool(uses) or bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table as it ends: put the reference rows back for the
    tests after it. pytest-django runs those tests last, but a pytest-xdist process that takes a
    file at a time (`--dist loadfile`) runs other files' tests after them."""
    result = yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
    return result


# --- Slow tests -------------------------------------------------------------------------------------

# Slow besides the worker and browser tests. `-m "not slow"` leaves them all out.
SLOW = {
    "tests/dealership/test_platform.py::test_seed_demo_builds_valid_data_and_staff_in_every_role",  # ~30 s
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config, items):
    """Mark the worker, browser and SLOW tests `slow`."""
    for item in items:
        if item.get_closest_marker("worker") or item.get_closest_marker("browser") or item.nodeid in SLOW:
            item.add_marker(pytest.mark.slow)


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing on a developer's machine; on CI, fail it."""
    if available:
        return
    if ON_CI:
        pytest.fail(f"{what} is required on CI but is not available")
    pytest.skip(f"{what} is not available here")


@pytest.fixture
def user_with(db):
    """user_with("advisor") → a user holding those roles."""
    return make_user


@pytest.fixture
def client_as(db, client):
    """client_as("advisor") → a test client logged in as a new user with those roles."""

    def login(*roles: str, **fields):
        user = make_user(*roles, **fields)
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture
def api_as(db):
    """api_as("manager") → an API client authenticated as a new user with those roles."""

    def login(*roles: str, **fields):
        api = APIClient()
        user = make_user(*roles, **fields)
        api.force_authenticate(user)
        api.user = user
        return api

    return login


# --- Real worker processes --------------------------------------------------------------------------


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_celery_worker(log_path: Path, **env: str) -> subprocess.Popen:
    """Start `celery worker` on the configured broker and the test database, in its own process group."""
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _database_url()} | env
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "dealership",
        "worker",
        "--loglevel=INFO",
        "--concurrency=2",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_celery_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_answering(process: subprocess.Popen, log_path: Path, timeout_s: float = 60) -> None:
    from dealership.tasks import ping

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(Exception):  # the worker is not consuming yet
            if ping.delay().get(timeout=5) == "pong":
                return
    raise RuntimeError(f"celery worker did not answer:\n{log_path.read_text(errors='replace')}")


def purge_broker() -> None:
    if ON_CI:
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI runs the workers on Redis"
    from dealership.celery import app

    app.control.purge()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the configured broker and the test database.

    Tests that use it need `django_db(transaction=True)`, so the worker sees committed rows.
    """
    purge_broker()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    process = start_celery_worker(log_path)
    try:
        wait_until_answering(process, log_path)
        yield process
    finally:
        stop_celery_worker(process)


# --- Browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    require_service(Path(CHROMIUM).exists() or shutil.which("chromium") is not None, "chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself between page steps are ordinary blocking calls.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                args=[
                    "--no-sandbox",
                    "--headless",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def tablet(browser, live_server):
    """A 10-inch tablet in landscape (1280×800), Chinese locale, pointed at the live server."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") saves var/screenshots/<test>-<name>.png to look at after the run."""
    folder = ROOT / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
