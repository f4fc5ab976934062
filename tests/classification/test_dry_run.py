import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classification.models import InstrumentOption, RiskLevel
from classification.selectors import instrument_dry_run
from classification.services import (
    instrument_draft_create,
    instrument_option_set_points,
    instrument_thresholds_set,
)
from sentences.models import SentenceType
from tests.classification.factories import (
    EscapeEventFactory,
    IncidentReportFactory,
    PoliceInformationFactory,
    days_ago,
    prisoner,
    today,
)
from tests.factories import ConvictionFactory, SentenceFactory

pytestmark = pytest.mark.django_db


def busy_prisoner():
    """A prisoner with a long history in every record the form reads."""
    offender = prisoner()
    for days in (30, 60, 400):
        EscapeEventFactory(
            offender=offender, occurred_on=days_ago(days + 1000), convicted_on=days_ago(days + 900)
        )
        IncidentReportFactory(offender=offender, occurred_on=days_ago(days), negative_attitude=True)
        PoliceInformationFactory(offender=offender, received_on=days_ago(days))
    return offender


def test_the_dry_run_reports_how_many_categories_change_and_whose(v1):
    # Police information H: B.4.3 10 points; escape convicted 2 years ago: A.2.1 8 (B.2.1 8) (seed 003
    # counts only escapes "for which the prisoner was convicted"); SRD ~1.5 years:
    # B.3.1 3; current offence M (150): A.4.1 4 (B.2.2 4). External 10 + 8 + 3 + 4 = 25 -> B.
    flagged = prisoner()
    PoliceInformationFactory(offender=flagged, level=RiskLevel.HIGH)
    EscapeEventFactory(offender=flagged, occurred_on=days_ago(730), convicted_on=days_ago(730))
    quiet = prisoner()
    community = SentenceFactory(sentence_type=SentenceType.SUPERVISION)  # not a prisoner: not scored
    ConvictionFactory(sentence=community)

    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    # Version 2 weighs Police information less: H 10 -> 4, so the flagged prisoner's external is A.
    h = InstrumentOption.objects.get(item__instrument=draft, item__code="B.4.3", code="H")
    instrument_option_set_points(actor=None, option=h, points=4)

    report = instrument_dry_run(draft=draft, active=v1)

    assert report.prisoners_scored == 2
    assert report.changed_count == 1
    (change,) = report.changes
    assert (change.offender_id, change.prn) == (flagged.pk, flagged.prn)
    assert change.active_categories == ("A", "B")
    assert change.draft_categories == ("A", "A")
    assert quiet.pk not in {c.offender_id for c in report.changes}


def test_a_lower_threshold_moves_every_prisoner_over_it(v1):
    prisoners = [prisoner() for _ in range(3)]  # each: current offence M, 4 internal points
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    instrument_thresholds_set(actor=None, instrument=draft, internal_b_from=4, external_b_from=24)
    report = instrument_dry_run(draft=draft, active=v1)
    assert report.changed_count == 3
    assert {c.offender_id for c in report.changes} == {p.pk for p in prisoners}
    # B.4.4 follows the internal category: internal B adds 8 external points, still below 24.
    assert {c.draft_categories for c in report.changes} == {("B", "A")}


def dry_run_queries(draft, active) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = instrument_dry_run(draft=draft, active=active)
    return len(queries), report.prisoners_scored


def test_the_dry_run_takes_the_same_number_of_queries_for_5_and_30_prisoners(v1):
    draft = instrument_draft_create(actor=None, source=v1, effective_from=today())
    for _ in range(5):
        busy_prisoner()
    five, scored = dry_run_queries(draft, v1)
    assert scored == 5
    for _ in range(25):
        busy_prisoner()
    thirty, scored = dry_run_queries(draft, v1)
    assert scored == 30
    assert thirty == five <= 20, (five, thirty)
