import datetime

from django.db import migrations

from classification.default_instrument import load_instrument

# Seed 003 history: classifications are never edited. The function comes from audit 0002.
TRIGGER = """
CREATE TRIGGER securityclassification_append_only
BEFORE UPDATE OR DELETE ON classification_securityclassification
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
"""


def load_v1(apps, schema_editor):
    load_instrument(
        apps.get_model("classification", "Instrument"),
        apps.get_model("classification", "InstrumentItem"),
        apps.get_model("classification", "InstrumentOption"),
        version=1,
        effective_from=datetime.date(2026, 1, 1),
        status="active",
    )


def unload_v1(apps, schema_editor):
    apps.get_model("classification", "Instrument").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("classification", "0001_initial"), ("audit", "0002_append_only")]

    operations = [
        migrations.RunSQL(
            TRIGGER,
            "DROP TRIGGER IF EXISTS securityclassification_append_only ON classification_securityclassification;",
        ),
        migrations.RunPython(load_v1, unload_v1),
    ]
