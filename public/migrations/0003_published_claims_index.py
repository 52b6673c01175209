"""Is a project published? (a claim approved and not a working copy): answered from a partial index of the published
records' projects, without reading the records (every search asks it of every project it finds)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("public", "0002_completion_date_index"), ("projects", "0009_record_revision_of")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS yeji_record_published_project ON projects_record (project_id) "
            "WHERE status = 'approved' AND revision_of_id IS NULL",
            "DROP INDEX IF EXISTS yeji_record_published_project",
            elidable=False,
        )
    ]
