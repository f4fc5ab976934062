"""What the compliance app adds to an offender's record (records.sections gathers it): the
compliance tab (compliance.views decides who may open it: never the read-only data share)."""

from ioms.read_models import RecordTab

TAB = RecordTab("compliance", "Compliance", "compliance:offender")
