"""Issue 10: the trail's order (-at, -id) as one index, for keyset pages of the API list; it replaces
the index on `at` alone. Built concurrently: the table is the largest there is."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0002_append_only")]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["-at", "-id"], name="audit_at"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(auto_now_add=True),
        ),
    ]
