"""The links on each role's home page and in the top bar.

Apps register their pages from `AppConfig.ready()`, so the home page grows as pages are built
without the core importing the apps above it. Who sees a link is read off its view's
`role_required(...)`, the same declaration that lets them in, so a link never shows for a role
the page refuses. Only a page no role gates (the admin site, which Django gates by `is_staff`)
names its roles on the link.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db import models
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from dealership.permissions import user_roles


class Section(models.TextChoices):
    DESK = "desk", _("Front desk")
    WORKSHOP = "workshop", _("Workshop")
    PARTS = "parts", _("Parts")
    CARE = "care", _("Customer care")
    REPORTS = "reports", _("Reports")
    ADMIN = "admin", _("Administration")


@dataclass(frozen=True)
class Waiting:
    """What waits behind a home-page tile for this user: how many, and how many of them are late."""

    count: int
    late: int = 0


@dataclass(frozen=True)
class Link:
    label: str
    description: str
    url_name: str
    icon: str
    section: Section
    roles: frozenset[str] = frozenset()  # only for a page without role_required (see the module's docstring)
    staff_only: bool = False  # also needs Django's is_staff (the admin site)
    # One query answering "how much waits for this user there now" for the home page.
    waiting: Callable[[object, datetime], Waiting] | None = field(default=None, compare=False)


_LINKS: list[Link] = []


def register(*links: Link) -> None:
    _LINKS.extend(link for link in links if link not in _LINKS)


def links_for(user) -> list[Link]:
    """Return the links this user may follow, in section order."""
    if not user.is_authenticated:
        return []
    roles = user_roles(user)
    order = list(Section)
    visible = [
        link
        for link in _LINKS
        if (user.is_superuser or roles & link_roles(link)) and (user.is_staff or not link.staff_only)
    ]
    return sorted(visible, key=lambda link: order.index(link.section))


def link_roles(link: Link) -> frozenset[str]:
    """The roles that see `link`: its view's `role_required` roles, else the roles the link names."""
    return _view_roles(link.url_name) or frozenset(link.roles)


@cache
def _view_roles(url_name: str) -> frozenset[str] | None:
    return getattr(resolve(reverse(url_name)).func, "allowed_roles", None)


def home_tiles(user, *, at: datetime) -> list[tuple[str, list[tuple[Link, Waiting | None]]]]:
    """The user's links by section, each with what waits behind it (one query per link that counts)."""
    sections: dict[Section, list[tuple[Link, Waiting | None]]] = {}
    for link in links_for(user):
        waiting = link.waiting(user, at) if link.waiting else None
        sections.setdefault(link.section, []).append((link, waiting))
    return [(Section(section).label, tiles) for section, tiles in sections.items()]
