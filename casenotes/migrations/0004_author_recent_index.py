"""Issue 10: an author's recent notes (the home page) read from an index, not a scan of every note.
Built concurrently: the table is national-sized."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("casenotes", "0003_list_order_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="casenote",
            index=models.Index(fields=["author", "-created_at", "-id"], name="casenote_author_recent"),
        ),
    ]
