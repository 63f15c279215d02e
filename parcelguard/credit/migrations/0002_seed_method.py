"""The first published credit rating method (see parcelguard/credit/seed.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from parcelguard.credit.seed import seed as lay

    lay(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
