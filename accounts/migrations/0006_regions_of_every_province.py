"""Every county-level region of China (issue 9): accounts/data/regions.csv now holds every province; the regions
already in the table (Guangxi, Jilin) are kept, the missing ones inserted."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accounts.regions import load_regions

    load_regions(apps.get_model("accounts", "Region"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_auth_epoch")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
