from django.db import migrations

# Casenotes are never edited in place (DOMAIN.md): corrections are appended amendments.
TRIGGER = """
CREATE TRIGGER casenote_append_only BEFORE UPDATE OR DELETE ON casenotes_casenote
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("casenotes", "0001_initial"), ("audit", "0002_append_only")]

    operations = [
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS casenote_append_only ON casenotes_casenote;"),
    ]
