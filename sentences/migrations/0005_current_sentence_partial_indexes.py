"""Issue 10: current sentences are `status IN ('pending', 'active')`, served by partial indexes (the
old (offender, status) and (managing_office, status) indexes served `status <> 'completed'` badly);
charges get an index in the API list's order. Built concurrently: the tables are national-sized."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sentences", "0004_office_kinds")]

    operations = [
        RemoveIndexConcurrently(model_name="sentence", name="sentence_offender_status"),
        RemoveIndexConcurrently(model_name="sentence", name="sentence_office_status"),
        AddIndexConcurrently(
            model_name="charge",
            index=models.Index(fields=["-charged_on", "-id"], name="charge_recent"),
        ),
        AddIndexConcurrently(
            model_name="sentence",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "active"])),
                fields=["offender"],
                name="sentence_current_offender",
            ),
        ),
        AddIndexConcurrently(
            model_name="sentence",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "active"])),
                fields=["managing_office", "sentence_type", "offender"],
                name="sentence_current_office",
            ),
        ),
    ]
