"""A correction's decision is a notice to the firm (J7, ADR 0013): the notice fields on CorrectionRequest.

Requests decided before this migration were shown on the record page only: they join the portal's notices as read
and are not mailed (nobody waits for a mail of an old decision)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0011_declared_project_unique"),
        ("review", "0009_corrections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="correctionrequest",
            name="mail_attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="e-mail attempts"),
        ),
        migrations.AddField(
            model_name="correctionrequest",
            name="mail_error",
            field=models.CharField(blank=True, max_length=300, verbose_name="e-mail error"),
        ),
        migrations.AddField(
            model_name="correctionrequest",
            name="mail_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "No e-mail"),
                    ("to_send", "To send"),
                    ("sent", "Sent"),
                    ("failed", "Sending failed"),
                    ("no_address", "No e-mail address"),
                ],
                default="",
                max_length=12,
                verbose_name="e-mail",
            ),
        ),
        migrations.AddField(
            model_name="correctionrequest",
            name="mailed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mailed at"),
        ),
        migrations.AddField(
            model_name="correctionrequest",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="read by the enterprise at"),
        ),
        migrations.AddIndex(
            model_name="correctionrequest",
            index=models.Index(
                condition=models.Q(("mail_status", "to_send")), fields=["mail_status"], name="correction_mail_to_send"
            ),
        ),
        migrations.RunSQL(
            "UPDATE review_correctionrequest SET read_at = decided_at WHERE decided_at IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
