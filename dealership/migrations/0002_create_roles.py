from django.db import migrations

ROLES = ["advisor", "foreman", "technician", "inspector", "parts", "callcentre", "manager"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("dealership", "0001_directory"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
