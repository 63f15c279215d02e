"""On PostgreSQL the application may only INSERT into trail_trailentry: UPDATE and DELETE raise.

TRUNCATE is left alone on purpose (test databases are flushed with it); production roles should not
hold the TRUNCATE privilege.
"""

from django.db import migrations

TABLE = "trail_trailentry"

FORWARD = f"""
CREATE OR REPLACE FUNCTION parcelguard_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'parcelguard: % on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION parcelguard_refuse_change();
"""

BACKWARD = f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("trail", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
