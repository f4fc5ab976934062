from django.db import migrations

# The record of who issued what to whom, and each step of a report, are written once and never
# changed or removed (issue 6): the database refuses UPDATE and DELETE, as for casenotes.
TRIGGERS = """
CREATE TRIGGER issue_record_append_only BEFORE UPDATE OR DELETE ON documents_issuerecord
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
CREATE TRIGGER report_transition_append_only BEFORE UPDATE OR DELETE ON documents_reporttransition
FOR EACH ROW EXECUTE FUNCTION ioms_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS issue_record_append_only ON documents_issuerecord;
DROP TRIGGER IF EXISTS report_transition_append_only ON documents_reporttransition;
"""


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_reports"), ("audit", "0002_append_only")]

    operations = [migrations.RunSQL(TRIGGERS, DROP)]
