"""Give the manager role what the admin site is for: staff accounts and roles, the directory.

Managers whose account is marked "staff" see these in /admin/; reference data with pages of
its own (parts, SMS templates) stays on those pages, where its rules are kept.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = {
    "auth": ["view_user", "add_user", "change_user", "view_group"],
    "dealership": ["view_staff", "add_staff", "change_staff", "view_team", "add_team", "change_team",
                   "view_customer", "change_customer", "view_vehicle", "change_vehicle"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist before handing them out.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _created = Group.objects.get_or_create(name="manager")
    for app_label, codenames in MANAGER_PERMISSIONS.items():
        manager.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dealership", "0007_vehicle_mileage_limit_and_vin_message"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
