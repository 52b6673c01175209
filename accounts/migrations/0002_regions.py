"""Seed the GB/T 2260 regions of accounts/data/regions.csv (every province since 0006) down to county level."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accounts.regions import load_regions

    load_regions(apps.get_model("accounts", "Region"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
