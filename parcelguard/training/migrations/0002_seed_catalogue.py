"""The key positions, their courses and the question bank shipped in parcelguard/training/data/."""

from django.db import migrations


def seed(apps, schema_editor):
    from parcelguard.training.seed import seed as lay

    lay(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
