"""What the appointments app adds to an offender's record (records.sections gathers it): the
appointments tab, the offender's schedule (appointments.views decides what each viewer sees)."""

from ioms.read_models import RecordTab

TAB = RecordTab("appointments", "Appointments", "appointments:offender")
