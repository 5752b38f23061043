"""The ledger is append-only in the database too, and the rules' rates as the department set them."""

from datetime import date
from decimal import Decimal

from django.db import migrations

TABLE = "customer_care_ledgerentry"

POSTGRES_UP = f"""
CREATE FUNCTION ledger_entry_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never updated or deleted: post a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_is_append_only();
"""
POSTGRES_DOWN = f"""
DROP TRIGGER ledger_entry_append_only ON {TABLE};
DROP FUNCTION ledger_entry_is_append_only();
"""
# SQLite (the first-run database) refuses updates; it cannot refuse DELETE, which is how Django
# empties a test database there. TRUNCATE, on PostgreSQL, stays an operator's tool.
SQLITE_UP = [
    f"""CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are never updated: post a reversing entry'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER ledger_entry_no_update;"]

# (rule, case, amount) in force from the start: IN01-IN04 as the department wrote them; IN08 as
# percentages of a person's output value and bonus per CSI point, both zero until a manager sets them.
RATES = [
    ("IN01", "", "20.00"),
    ("IN02", "", "100.00"),
    ("IN02", "minimum", "3"),
    ("IN03", "average", "-1.00"),
    ("IN03", "poor", "-5.00"),
    ("IN03", "missing", "-5.00"),
    ("IN03", "refused", "0.00"),
    ("IN04", "", "200.00"),
    ("IN08", "output", "0.00"),
    ("IN08", "csi", "0.00"),
]


def triggers(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def rates(apps, schema_editor):
    from django.utils import timezone

    Rate = apps.get_model("customer_care", "Rate")
    for rule, key, amount in RATES:
        Rate.objects.get_or_create(
            rule=rule,
            key=key,
            effective_from=date(2020, 1, 1),
            defaults={"amount": Decimal(amount), "created_at": timezone.now()},
        )


class Migration(migrations.Migration):
    dependencies = [("customer_care", "0009_ledger_rates_closed_months_faults")]

    operations = [
        migrations.RunPython(triggers, drop_triggers),
        migrations.RunPython(rates, migrations.RunPython.noop),
    ]
