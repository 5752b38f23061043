"""Sections the apps above the directory add to a customer's page: their work orders, complaints,
follow-up calls. The directory shows them without importing those apps (see ARCHITECTURE.md).

An app registers a Panel from its AppConfig.ready(); `rows` returns at most a handful of rows for
one customer in one query, and the panel's template renders them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    rows: Callable  # (customer) -> list, a few rows in one query
    roles: frozenset[str]


_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def for_customer(customer, user) -> list[dict]:
    from dealership.permissions import user_roles

    roles = user_roles(user)
    return [
        {"title": panel.title, "template": panel.template, "rows": panel.rows(customer)}
        for panel in _PANELS
        if user.is_superuser or roles & panel.roles
    ]
