"""What the plans app adds to an offender's record (records.sections gathers it): the sentence
plans tab (plans.views.offender_plans decides what each viewer sees there)."""

from ioms.read_models import RecordTab

TAB = RecordTab("plans", "Sentence plans", "plans:offender")
