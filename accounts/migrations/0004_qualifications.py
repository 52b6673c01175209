from django.db import migrations


def forwards(apps, schema_editor):
    from accounts.qualifications import load_catalogue

    load_catalogue(apps.get_model("accounts", "Qualification"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
