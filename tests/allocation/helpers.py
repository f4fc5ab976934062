"""Shared set-up for the allocate-request tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from allocation.models import WorkloadWeight
from sentences.models import SentenceType
from sentences.services import sentence_create
from tests.factories import CourtFactory, OffenceFactory

DAY = datetime.timedelta(days=1)

WEIGHTS = {
    "community_work": "0.50",
    "supervision": "1.50",
    "intensive_supervision": "3.00",
    "community_detention": "1.00",
    "home_detention": "2.50",
    "imprisonment": "0.50",
    "parole": "2.50",
    "release_on_conditions": "1.50",
    "extended_supervision": "3.00",
}


def today() -> datetime.date:
    return timezone.localdate()


def ensure_weights() -> None:
    """The data migration loads these; a transactional test elsewhere may have flushed them."""
    for kind, points in WEIGHTS.items():
        WorkloadWeight.objects.get_or_create(
            sentence_type=kind, effective_from=datetime.date(2000, 1, 1), defaults={"points": Decimal(points)}
        )


def record_sentence(
    actor,
    offender,
    sentence_type=SentenceType.SUPERVISION,
    *,
    start=None,
    offence=None,
    source="person",
    **extra,
):
    """A sentence recorded through the one service every path uses."""
    start = start or today()
    order_date = min(start, today())
    data = {
        "sentence_type": sentence_type,
        "court": CourtFactory(),
        "order_date": order_date,
        "start_date": start,
        "end_date": start + 365 * DAY,
        "managing_office": offender.home_office,
    }
    if sentence_type == SentenceType.COMMUNITY_WORK:
        data["hours"] = 100
    if sentence_type == SentenceType.IMPRISONMENT:
        data["statutory_release_date"] = start + 200 * DAY
    data.update(extra)
    return sentence_create(
        actor=actor,
        offender=offender,
        source=source,
        convictions=[{"offence": offence or OffenceFactory(), "convicted_on": order_date}],
        **data,
    )


def finish_checklist(actor, request) -> None:
    """Mark every open step of the request's checklist done (with an OWS outcome)."""
    from allocation.checklist import allocate_request_step_record

    for row in request.steps.all():
        if row.is_open:
            allocate_request_step_record(
                actor=actor, request=request, step=row.step, outcome="No OWS criteria met"
            )
