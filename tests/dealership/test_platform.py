"""The platform promises: health check, background workers, production settings, demo data."""

import os
import subprocess
import sys
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dealership.identifiers import validate_mobile, validate_plate, validate_vin
from dealership.models import Customer, Staff, Vehicle
from dealership.money import format_cny, to_cny
from tests.conftest import ROOT


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client):
    with mock.patch("dealership.views.broker_is_reachable", return_value=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_makes_the_round_trip_through_a_real_worker(celery_worker):
    from dealership.tasks import ping

    answers = [ping.delay() for _ in range(20)]

    assert [answer.get(timeout=20) for answer in answers] == ["pong"] * 20


def test_money_is_decimal_rounded_half_up_and_shown_as_yuan():
    assert to_cny("2.345") == Decimal("2.35")
    assert to_cny(3) == Decimal("3.00")
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    assert format_cny(Decimal("-5")) == "-¥5.00"
    with pytest.raises(TypeError):
        to_cny(0.1)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unwanted = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 30 + "-production-like-secret-value-xyz",
        ALLOWED_HOSTS="service.example.cn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="service.example.cn")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_builds_valid_data_and_staff_in_every_role(settings, capsys, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-test")

    call_command("seed_demo", customers=200)
    call_command("seed_demo", customers=200)  # a second run keeps the data and resets the logins

    out = capsys.readouterr().out
    assert "demo-password-for-test" in out and "wangfang" in out
    assert Customer.objects.count() == 200
    assert Vehicle.objects.count() >= 200
    roles = set(Staff.objects.values_list("user__groups__name", flat=True))
    assert roles == {"advisor", "foreman", "technician", "inspector", "parts", "callcentre", "manager"}
    for vehicle in Vehicle.objects.select_related("customer"):
        validate_vin(vehicle.vin)
        validate_plate(vehicle.plate)
        validate_mobile(vehicle.customer.mobile)
    assert Vehicle.objects.filter(plate__startswith="豫P").count() > Vehicle.objects.count() / 2


@pytest.mark.django_db
def test_migration_creates_the_seven_role_groups():
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    Group.objects.all().delete()

    import_module("dealership.migrations.0002_create_roles").create_roles(apps, schema_editor=None)

    assert set(Group.objects.values_list("name", flat=True)) == {
        "advisor",
        "foreman",
        "technician",
        "inspector",
        "parts",
        "callcentre",
        "manager",
    }
