"""Issue 10: open allocations (ended_on IS NULL) by staff member in a partial index; the API list's
order in an index. Built concurrently: the table is national-sized."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("allocation", "0004_offender_management_team")]

    operations = [
        RemoveIndexConcurrently(model_name="caseallocation", name="allocation_staff_open"),
        RemoveIndexConcurrently(model_name="caseallocation", name="allocation_offender_open"),
        AddIndexConcurrently(
            model_name="caseallocation",
            index=models.Index(
                condition=models.Q(("ended_on__isnull", True)),
                fields=["staff", "role"],
                name="allocation_staff_open",
            ),
        ),
        AddIndexConcurrently(
            model_name="caseallocation",
            index=models.Index(fields=["-started_on", "-id"], name="allocation_started"),
        ),
    ]
