"""On PostgreSQL transitions and their evidence links are append-only, like the trail: UPDATE and
DELETE raise (the function comes from the trail's migration)."""

from django.db import migrations

TABLES = ("events_transition", "events_transitionevidence")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                                  "FOR EACH ROW EXECUTE FUNCTION parcelguard_refuse_change();", params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)


class Migration(migrations.Migration):
    dependencies = [("events", "0002_seed_taxonomy"), ("trail", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
