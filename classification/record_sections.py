"""What the classification app adds to an offender's record (records.sections gathers it): the
classification tab, for those who may view the classification, and whether the user may record the
prison records the review reads (the tab links to them: classification:prison_records)."""

from classification.access import can_view_classification
from classification.records import can_record_prison_records
from ioms.read_models import RecordTab

TAB = RecordTab("classification", "Classification", "classification:prisoner", shown_if="view_classification")


def permissions(user, offender) -> dict[str, bool]:
    viewer = can_view_classification(user, offender)
    return {
        "view_classification": viewer,
        "record_prison_records": viewer and can_record_prison_records(user, offender),
    }
