"""Issue 10: the API list's order in an index, for keyset pages."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_report_records_append_only")]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["-updated_at", "-id"], name="document_recent"),
        ),
    ]
