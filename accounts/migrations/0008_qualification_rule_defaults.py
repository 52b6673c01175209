"""Every qualification gets the performance rule of its kind (建市规〔2023〕3号; national-standard.md §2.1)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accounts.qualifications import load_rules

    load_rules(apps.get_model("accounts", "Qualification"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_qualification_rules_and_system_role")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
