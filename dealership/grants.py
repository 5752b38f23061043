"""Handing model permissions to a role from a data migration (the admin site's reference data)."""

from django.contrib.auth.management import create_permissions


def grant(apps, *, role: str, app_label: str, codenames: list[str]) -> None:
    """Give the role's group these permissions of one app, creating the permissions first (they are
    normally created only after migrate)."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=role)
    group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
