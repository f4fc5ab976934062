"""The outbox is append-only (audit/append_only.py): a partner that has read a row past its cursor
must never find it changed or gone. Row triggers refuse UPDATE and DELETE, a statement trigger
refuses TRUNCATE, both with audit's ioms_refuse_change() (audit migrations 0002 and 0004)."""

from django.db import migrations

TRIGGERS = """
CREATE TRIGGER outboxevent_append_only BEFORE UPDATE OR DELETE ON events_outboxevent
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
CREATE TRIGGER ioms_refuse_truncate BEFORE TRUNCATE ON events_outboxevent
FOR EACH STATEMENT EXECUTE FUNCTION ioms_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS outboxevent_append_only ON events_outboxevent;
DROP TRIGGER IF EXISTS ioms_refuse_truncate ON events_outboxevent;
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0001_outbox"), ("audit", "0004_chain_seal_and_no_truncate")]

    operations = [migrations.RunSQL(TRIGGERS, DROP)]
