"""Let the manager role keep the workshop's reference data in the admin site: the workshop policy,
the technical group (WS04, WS05) and the 6S areas with their responsible people (WS07)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = [
    "view_workshoppolicy",
    "change_workshoppolicy",
    "view_technicalgroupmember",
    "add_technicalgroupmember",
    "delete_technicalgroupmember",
    "view_sixsarea",
    "add_sixsarea",
    "change_sixsarea",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("workshop")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _created = Group.objects.get_or_create(name="manager")
    manager.permissions.add(
        *Permission.objects.filter(content_type__app_label="workshop", codename__in=MANAGER_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dealership", "0008_manager_admin_permissions"),
        ("workshop", "0001_clock_qc_rework_escalations"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
