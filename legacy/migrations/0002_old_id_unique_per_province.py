"""Old ids are unique per province (J2): each province's old system numbered its records and reviewers alike.

The province of a row already migrated: a record's is its project's county's province, a reviewer's its authority's
region's province (the importer migrated a province's data only: `legacy.services._check_user`)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Left


def _province_of(path: str):
    return Concat(Left(path, 2), Value("0000"), output_field=models.CharField())


def fill_provinces(apps, schema_editor):
    LegacyRecord = apps.get_model("legacy", "LegacyRecord")
    LegacyReviewer = apps.get_model("legacy", "LegacyReviewer")
    Record = apps.get_model("projects", "Record")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    LegacyRecord.objects.update(
        province_id=Subquery(
            Record.objects.filter(pk=OuterRef("record_id"))
            .annotate(province=_province_of("project__county_id"))
            .values("province")[:1]
        )
    )
    LegacyReviewer.objects.update(
        province_id=Subquery(
            User.objects.filter(pk=OuterRef("user_id"))
            .annotate(province=_province_of("authority__region_id"))
            .values("province")[:1]
        )
    )


def _province_field(null: bool):
    return models.ForeignKey(
        null=null,
        limit_choices_to={"level": 1},
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="accounts.region",
        verbose_name="province",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_qualification_rule_defaults"),
        ("legacy", "0001_initial"),
        ("projects", "0011_declared_project_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="legacyrecord", name="province", field=_province_field(null=True)),
        migrations.AddField(model_name="legacyreviewer", name="province", field=_province_field(null=True)),
        migrations.RunPython(fill_provinces, migrations.RunPython.noop),
        migrations.AlterField(model_name="legacyrecord", name="province", field=_province_field(null=False)),
        migrations.AlterField(model_name="legacyreviewer", name="province", field=_province_field(null=False)),
        migrations.AlterField(
            model_name="legacyrecord",
            name="old_id",
            field=models.CharField(max_length=50, verbose_name="old system record id"),
        ),
        migrations.AlterField(
            model_name="legacyreviewer",
            name="old_id",
            field=models.CharField(max_length=50, verbose_name="old system user id"),
        ),
        migrations.AddConstraint(
            model_name="legacyrecord",
            constraint=models.UniqueConstraint(
                fields=("province", "old_id"), name="legacy_record_old_id_unique_per_province"
            ),
        ),
        migrations.AddConstraint(
            model_name="legacyreviewer",
            constraint=models.UniqueConstraint(
                fields=("province", "old_id"), name="legacy_reviewer_old_id_unique_per_province"
            ),
        ),
    ]
