"""Home, the health check, and the core's pages (directory, SMS outbox)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dealership import navigation
from dealership.celery import broker_is_reachable
from dealership.models import Role
from dealership.permissions import user_roles


def home(request):
    role_labels = [Role(name).label for name in sorted(user_roles(request.user))]
    return render(
        request,
        "dealership/home.html",
        {
            "sections": navigation.home_tiles(request.user, at=timezone.now()),
            "role_labels": role_labels,
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Report whether the database and the broker answer: 200 when both do, 503 otherwise."""
    checks = {"database": _database_is_reachable(), "broker": broker_is_reachable()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False
