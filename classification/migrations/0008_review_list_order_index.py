"""Issue 10: the API list's order in an index, for keyset pages."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("classification", "0007_sentence_plans")]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["-initiated_at", "-id"], name="review_recent"),
        ),
    ]
