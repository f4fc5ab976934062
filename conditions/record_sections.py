"""What the conditions app adds to an offender's record (records.sections gathers it): the
conditions tab."""

from ioms.read_models import RecordTab

TAB = RecordTab("conditions", "Conditions", "conditions:offender")
