from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0007_pii_reveal"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordtransition",
            name="receipt_no",
            field=models.CharField(blank=True, max_length=32, verbose_name="receipt number"),
        ),
        migrations.AddConstraint(
            model_name="recordtransition",
            constraint=models.UniqueConstraint(
                condition=models.Q(("receipt_no", ""), _negated=True),
                fields=("receipt_no",),
                name="transition_receipt_no_unique",
            ),
        ),
    ]
