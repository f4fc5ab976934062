"""Issue 10: the API list's order in an index, for keyset pages."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="sentenceplan",
            index=models.Index(fields=["-written_on", "-id"], name="sentence_plan_recent"),
        ),
    ]
