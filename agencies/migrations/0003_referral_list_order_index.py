"""Issue 10: the API list's order in an index, for keyset pages."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agencies", "0002_places_waiting_list_and_outcomes")]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["-referred_on", "-id"], name="referral_recent"),
        ),
    ]
