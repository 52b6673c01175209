"""A qualification says whether its performance must be on the national platform (建市规〔2023〕3号, from
2024-01-01, for the qualifications the Ministry approves: national-standard.md §2.1); seeded for 特级, 综合, 甲级 and
施工总承包一级."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def forwards(apps, schema_editor):
    from accounts.qualifications import load_national_platform

    load_national_platform(apps.get_model("accounts", "Qualification"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_qualification_rule_defaults"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="qualification",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="qualification",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="qualification",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="qualification",
            name="requires_national_platform",
            field=models.BooleanField(
                default=False,
                help_text="For qualifications approved by the Ministry (住建部): from 2024-01-01 a record counts only once the national platform has accepted it.",
                verbose_name="performance must be on the national platform",
            ),
        ),
        migrations.AddField(
            model_name="qualificationevent",
            name="requires_national_platform",
            field=models.BooleanField(
                default=False,
                help_text="For qualifications approved by the Ministry (住建部): from 2024-01-01 a record counts only once the national platform has accepted it.",
                verbose_name="performance must be on the national platform",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="qualification",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_qualificationevent" ("checked_stages", "code", "enterprise_grades", "grade", "id", "kind", "name", "personal_grades", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requires_national_platform") VALUES (NEW."checked_stages", NEW."code", NEW."enterprise_grades", NEW."grade", NEW."id", NEW."kind", NEW."name", NEW."personal_grades", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."requires_national_platform"); RETURN NULL;',
                    hash="735313017e3f43f3a8204658aa8d6e569b453203",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_9357b",
                    table="accounts_qualification",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="qualification",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "accounts_qualificationevent" ("checked_stages", "code", "enterprise_grades", "grade", "id", "kind", "name", "personal_grades", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requires_national_platform") VALUES (NEW."checked_stages", NEW."code", NEW."enterprise_grades", NEW."grade", NEW."id", NEW."kind", NEW."name", NEW."personal_grades", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."requires_national_platform"); RETURN NULL;',
                    hash="a660809c31c141465807855bc8b4aa99a75f5712",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_b117f",
                    table="accounts_qualification",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="qualification",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_qualificationevent" ("checked_stages", "code", "enterprise_grades", "grade", "id", "kind", "name", "personal_grades", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "requires_national_platform") VALUES (OLD."checked_stages", OLD."code", OLD."enterprise_grades", OLD."grade", OLD."id", OLD."kind", OLD."name", OLD."personal_grades", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."requires_national_platform"); RETURN NULL;',
                    hash="c0b814a7495043464612ace2310b2319b8ce93ac",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_4240b",
                    table="accounts_qualification",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
