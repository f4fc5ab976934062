import datetime
from decimal import Decimal

from django.db import migrations

# Initial workload weights: hours a week a case of each type takes (tunable; add a row with a later
# effective date to change one).
INITIAL_WEIGHTS = {
    "community_work": "0.50",
    "supervision": "1.50",
    "intensive_supervision": "3.00",
    "community_detention": "1.00",
    "home_detention": "2.50",
    "imprisonment": "0.50",
    "parole": "2.50",
    "release_on_conditions": "1.50",
    "extended_supervision": "3.00",
}


def load(apps, schema_editor):
    WorkloadWeight = apps.get_model("allocation", "WorkloadWeight")
    for sentence_type, points in INITIAL_WEIGHTS.items():
        WorkloadWeight.objects.get_or_create(
            sentence_type=sentence_type,
            effective_from=datetime.date(2000, 1, 1),
            defaults={"points": Decimal(points)},
        )


def unload(apps, schema_editor):
    apps.get_model("allocation", "WorkloadWeight").objects.filter(effective_from=datetime.date(2000, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("allocation", "0002_allocate_requests")]
    operations = [migrations.RunPython(load, unload)]
