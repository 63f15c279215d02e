"""The first published county assessment method (see parcelguard/assessment/seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from parcelguard.assessment.seed import seed as lay

    lay(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
