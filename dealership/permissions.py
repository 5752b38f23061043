"""Who may do what: role gates for views and API endpoints.

A role is membership of the Django group of the same name. Superusers pass every role gate (they
administer the system); object rules such as "an advisor sees only their own ledger" are written
in the gates of the app that owns the objects.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

ALL_ROLES = frozenset({"advisor", "foreman", "technician", "inspector", "parts", "callcentre", "manager"})


def user_roles(user) -> frozenset[str]:
    """Return the role names of this user, read once per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = set(roles) if roles else ALL_ROLES
    return bool(user_roles(user) & wanted)


def staff_with_role(role: str) -> QuerySet:
    """Active accounts holding a role, by name: the choices wherever a person of that role is named."""
    return (
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .select_related("staff")
        .order_by("staff__name", "username")
    )


def role_required(*roles: str) -> Callable:
    """Let only users holding one of `roles` (any role when none given) reach a view; others get 403."""
    unknown = set(roles) - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles) or ALL_ROLES
        return wrapped

    return decorator


class HasAnyRole(BasePermission):
    """The API's default: an authenticated, active user with at least one role."""

    def has_permission(self, request, view) -> bool:
        return has_role(request.user)


def api_roles(*, read: Iterable[str] = ALL_ROLES, write: Iterable[str] = ()) -> type[BasePermission]:
    """Build a DRF permission: `read` roles may GET, `write` roles may also change."""
    read_roles, write_roles = frozenset(read), frozenset(write)

    class RolePermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            roles = read_roles | write_roles if request.method in SAFE_METHODS else write_roles
            return bool(roles) and has_role(request.user, *roles)

    RolePermission.__name__ = f"Roles(read={sorted(read_roles)}, write={sorted(write_roles)})"
    return RolePermission


def may_see_full_mobile(user) -> bool:
    """Staff who phone customers or keep their records see whole numbers; everyone else 138****5678."""
    return has_role(user, "advisor", "callcentre", "parts", "manager")
