"""Let the manager role keep the workshop's reference data in the admin site: the workshop policy,
the technical group (WS04, WS05) and the 6S areas with their responsible people (WS07)."""

from django.db import migrations

from dealership import grants

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
    grants.grant(apps, role="manager", app_label="workshop", codenames=MANAGER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("dealership", "0008_manager_admin_permissions"),
        ("workshop", "0001_clock_qc_rework_escalations"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
