"""How often a person under community supervision must be seen (contact levels): the rules per
sentence type, as data, and an adjustment per person with its reason. The defaults below are ours,
not published figures (docs/appointments.md); system administrators change them in the admin by
adding a rule with a later date. Community work (contact is the work placement) and imprisonment
have no contact level."""

import datetime

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


EFFECTIVE_FROM = datetime.date(2026, 1, 1)
RULES = [
    ("intensive_supervision", 7, "Ours: weekly"),
    ("supervision", 14, "Ours: fortnightly"),
    ("community_detention", 14, "Ours: fortnightly (the curfew is monitored electronically)"),
    ("home_detention", 7, "Ours: weekly"),
    ("parole", 14, "Ours: fortnightly"),
    ("release_on_conditions", 14, "Ours: fortnightly"),
    ("extended_supervision", 7, "Ours: weekly"),
]


def add(apps, schema_editor):
    Rule = apps.get_model("appointments", "ContactLevelRule")
    Rule.objects.bulk_create(
        Rule(sentence_type=kind, every_days=days, effective_from=EFFECTIVE_FROM, source=source)
        for kind, days, source in RULES
    )


def remove(apps, schema_editor):
    apps.get_model("appointments", "ContactLevelRule").objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_first_appointment_rules"),
        ("offenders", "0008_restricted_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactLevelRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sentence_type",
                    models.CharField(
                        choices=[
                            ("community_work", "Community work"),
                            ("supervision", "Supervision"),
                            ("intensive_supervision", "Intensive supervision"),
                            ("community_detention", "Community detention"),
                            ("home_detention", "Home detention"),
                            ("imprisonment", "Imprisonment"),
                            ("parole", "Parole"),
                            ("release_on_conditions", "Release on conditions"),
                            ("extended_supervision", "Extended supervision order"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "every_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days between contacts.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                    ),
                ),
                ("effective_from", models.DateField()),
                ("source", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "ordering": ["sentence_type", "-effective_from"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("sentence_type", "effective_from"), name="contact_level_rule_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("every_days__gte", 1), ("every_days__lte", 90)),
                        name="contact_level_rule_days_in_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ContactLevelAdjustment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "every_days",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ]
                    ),
                ),
                ("reason", models.TextField()),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField(blank=True, null=True)),
                ("set_at", models.DateTimeField(auto_now_add=True)),
                (
                    "offender",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contact_level_adjustments",
                        to="offenders.offender",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["offender", "-starts_on", "-set_at", "-id"],
                "indexes": [
                    models.Index(fields=["offender", "starts_on"], name="contact_adjustment_offender")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ends_on__isnull", True), ("ends_on__gt", models.F("starts_on")), _connector="OR"
                        ),
                        name="contact_adjustment_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("every_days__gte", 1), ("every_days__lte", 90)),
                        name="contact_adjustment_days_in_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="contact_adjustment_has_reason",
                    ),
                ],
            },
        ),
        migrations.RunPython(add, remove),
    ]
