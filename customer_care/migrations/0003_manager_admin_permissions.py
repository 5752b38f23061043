"""Let the manager role keep the rescue zones (CC03) and the holiday calendar in the admin site."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    app_config = apps.get_app_config("customer_care")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _created = Group.objects.get_or_create(name="manager")
    manager.permissions.add(
        *Permission.objects.filter(content_type__app_label="customer_care", codename__in=MANAGER_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dealership", "0008_manager_admin_permissions"),
        ("customer_care", "0002_care_sms_templates_and_rescue_zones"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
