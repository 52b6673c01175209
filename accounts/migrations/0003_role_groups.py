"""Create the role groups (企业填报员, 主管部门审核员, 省厅工作人员); permissions follow accounts/roles.py."""

from django.db import migrations

GROUPS = ["企业填报员", "主管部门审核员", "省厅工作人员"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_regions"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
