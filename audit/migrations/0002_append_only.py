from django.db import migrations

# The audit trail and the casenote trail are append-only: the database itself refuses UPDATE and
# DELETE of their rows, whoever asks (the application, an administrator in psql, a bad migration).
FUNCTION = """
CREATE OR REPLACE FUNCTION ioms_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ioms: rows of % are append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS ioms_refuse_change() CASCADE;"),
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS auditevent_append_only ON audit_auditevent;"),
    ]
