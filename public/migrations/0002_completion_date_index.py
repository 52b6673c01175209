"""The public search's completion-year filter (竣工验收 e_date) by an index, not a scan of every completion row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("public", "0001_search_indexes"), ("projects", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS yeji_finishcheck_e_date ON projects_finishcheck (e_date)",
            "DROP INDEX IF EXISTS yeji_finishcheck_e_date",
            elidable=False,
        )
    ]
