"""Trigram indexes for searching part names and pinyin initials by any fragment.

PostgreSQL only; on SQLite the search scans the table, which is fine at a single counter's size.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS part_name_trgm ON parts_part USING gin (UPPER(name) gin_trgm_ops)"
    )
    schema_editor.execute("CREATE INDEX IF NOT EXISTS part_initials_trgm ON parts_part USING gin (initials gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS part_name_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS part_initials_trgm")


class Migration(migrations.Migration):
    dependencies = [("parts", "0002_backorder_sms_templates")]

    operations = [migrations.RunPython(create, drop)]
