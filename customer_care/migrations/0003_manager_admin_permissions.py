"""Let the manager role keep the rescue zones (CC03) and the holiday calendar in the admin site."""

from django.db import migrations

from dealership import grants

MANAGER_PERMISSIONS = [
    "view_rescuezone",
    "add_rescuezone",
    "change_rescuezone",
    "view_holiday",
    "add_holiday",
    "change_holiday",
    "delete_holiday",
]


def grant(apps, schema_editor):
    grants.grant(apps, role="manager", app_label="customer_care", codenames=MANAGER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("dealership", "0008_manager_admin_permissions"),
        ("customer_care", "0002_care_sms_templates_and_rescue_zones"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
