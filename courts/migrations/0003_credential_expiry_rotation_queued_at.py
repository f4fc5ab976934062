import datetime

from django.db import migrations, models
from django.utils import timezone


def expire_in_a_year(apps, schema_editor):
    """Credentials issued before expiry existed get a year from now, not from their issue: an old
    credential must not stop the courts' messages the moment this is deployed."""
    CourtApiCredential = apps.get_model("courts", "CourtApiCredential")
    CourtApiCredential.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + datetime.timedelta(days=365)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courts", "0002_matching_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="courtapicredential",
            name="expires_at",
            field=models.DateTimeField(null=True, help_text="The current token is refused from this moment."),
        ),
        migrations.RunPython(expire_in_a_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="courtapicredential",
            name="expires_at",
            field=models.DateTimeField(help_text="The current token is refused from this moment."),
        ),
        migrations.AddField(
            model_name="courtapicredential",
            name="rotated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="courtapicredential",
            name="previous_token_prefix",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="courtapicredential",
            name="previous_token_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="courtapicredential",
            name="previous_valid_until",
            field=models.DateTimeField(
                blank=True, null=True, help_text="The token replaced by the last rotation works until then."
            ),
        ),
        migrations.AddField(
            model_name="courtmessage",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
