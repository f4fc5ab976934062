"""What the classification app adds to an offender's record (records.sections gathers it): the
classification tab, for those who may view the classification."""

from classification.access import can_view_classification
from ioms.read_models import RecordTab

TAB = RecordTab("classification", "Classification", "classification:prisoner", shown_if="view_classification")


def permissions(user, offender) -> dict[str, bool]:
    return {"view_classification": can_view_classification(user, offender)}
