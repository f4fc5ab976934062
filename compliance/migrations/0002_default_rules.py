"""The first version of the compliance rules: a formal warning after the first unacceptable failure to
attend, enforcement action (a breach) after a second within 12 months. Changed by adding a version
with a later date, never by editing this one."""

import datetime

from django.db import migrations

DESCRIPTION = (
    "A formal warning after the first unacceptable failure to attend; enforcement action (a breach) "
    "after a second unacceptable failure within 12 months. Decide within 5 days of the failure, approve "
    "a breach within 3 days, lay it with the court within 10 days of approval."
)


def add(apps, schema_editor):
    apps.get_model("compliance", "ComplianceRuleSet").objects.get_or_create(
        effective_from=datetime.date(2000, 1, 1),
        defaults={
            "warning_after": 1,
            "enforcement_after": 2,
            "window_months": 12,
            "decide_within_days": 5,
            "approve_within_days": 3,
            "lay_within_days": 10,
            "description": DESCRIPTION,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
