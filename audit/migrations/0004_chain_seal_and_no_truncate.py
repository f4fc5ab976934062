"""Issue 11: the append-only tables refuse TRUNCATE too (a statement trigger: the row triggers of
0002 and the other apps never fire for it), and the hash chain's seals (audit/chain.py) are
append-only themselves. The table names are copied from audit/append_only.py on purpose: a migration
must not change when that list does."""

from django.db import migrations, models

APPEND_ONLY_TABLES = [
    "audit_auditevent",
    "casenotes_casenote",
    "classification_securityclassification",
    "documents_issuerecord",
    "documents_reporttransition",
    "audit_chainseal",
]

SEAL_ROW_TRIGGER = """
CREATE TRIGGER chainseal_append_only BEFORE UPDATE OR DELETE ON audit_chainseal
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
"""

# ioms_refuse_change() (0002) names TG_OP, so one function serves rows and statements.
NO_TRUNCATE = "".join(
    f"CREATE TRIGGER ioms_refuse_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION ioms_refuse_change();\n"
    for table in APPEND_ONLY_TABLES
)
ALLOW_TRUNCATE = "".join(
    f"DROP TRIGGER IF EXISTS ioms_refuse_truncate ON {table};\n" for table in APPEND_ONLY_TABLES
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_at_id_index"),
        # The tables guarded below must exist.
        ("casenotes", "0002_append_only"),
        ("classification", "0002_instrument_v1_and_append_only"),
        ("documents", "0003_report_records_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("taken_at", models.DateTimeField(auto_now_add=True)),
                ("sequence_values", models.JSONField(default=dict)),
                ("waiting_for", models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name="ChainSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("table_name", models.CharField(max_length=63)),
                ("row_id", models.BigIntegerField()),
                ("previous_row_id", models.BigIntegerField(blank=True, null=True)),
                ("hash", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("table_name", "row_id"), name="chainseal_row_once"),
                    models.UniqueConstraint(
                        fields=("table_name", "previous_row_id"),
                        name="chainseal_one_successor",
                        nulls_distinct=False,
                    ),
                ],
            },
        ),
        migrations.RunSQL(SEAL_ROW_TRIGGER, "DROP TRIGGER IF EXISTS chainseal_append_only ON audit_chainseal;"),
        migrations.RunSQL(NO_TRUNCATE, ALLOW_TRUNCATE),
    ]
