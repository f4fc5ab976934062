"""The muster list reads an office's current sentences from sentence_current_office alone: the index
now carries the dates it shows. Built concurrently: the table is national-sized."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sentences", "0005_current_sentence_partial_indexes")]

    operations = [
        RemoveIndexConcurrently(model_name="sentence", name="sentence_current_office"),
        AddIndexConcurrently(
            model_name="sentence",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "active"])),
                fields=["managing_office", "sentence_type", "offender"],
                include=("start_date", "end_date", "indeterminate"),
                name="sentence_current_office",
            ),
        ),
    ]
