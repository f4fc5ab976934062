"""People and work for the inbox tests: a community office (the shared `office` fixture) with a
service manager, administrative support and probation officers, and a prison with its officers."""

import datetime

import pytest
from django.utils import timezone

from allocation.models import AllocateRequest, AllocateRequestKind, AllocationTrigger
from classification.models import ClassificationKind
from classification.schedule import schedule_refresh
from classification.selectors import active_instrument
from classification.services import security_classification_record
from reconciliation.detection import exception_raise
from reconciliation.models import ReasonCode
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prisoner
from tests.factories import OffenderFactory, OfficeFactory, SentenceFactory, staff_user


@pytest.fixture
def v1(db):
    """The active instrument. Its data migration's rows are gone after a browser (transactional)
    test has flushed the tables, so load it again then."""
    instrument = active_instrument()
    if instrument is None:
        from classification.default_instrument import load_instrument
        from classification.models import Instrument, InstrumentItem, InstrumentOption

        load_instrument(
            Instrument,
            InstrumentItem,
            InstrumentOption,
            version=1,
            effective_from=datetime.date(2026, 1, 1),
            status="active",
        )
        instrument = active_instrument()
    return instrument


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, code="ARO01", name="Arohata Prison")


@pytest.fixture
def community(office):
    """The community office's people, by what they do."""
    return {
        "manager": staff_user(Role.SERVICE_MANAGER, office, username="sam.manager", first_name="Sam"),
        "clerk": staff_user(Role.ADMIN_SUPPORT, office, username="mere.clerk", first_name="Mere"),
        "clerk2": staff_user(Role.ADMIN_SUPPORT, office, username="tia.clerk", first_name="Tia"),
        "officer": staff_user(Role.PROBATION_OFFICER, office, username="pita.officer", first_name="Pita"),
    }


@pytest.fixture
def prison_staff(prison):
    return {
        "manager": staff_user(Role.SERVICE_MANAGER, prison, username="hine.manager", first_name="Hine"),
        "initiator": staff_user(Role.PRISON_OFFICER, prison, username="aroha.po", first_name="Aroha"),
        "adviser": staff_user(Role.PRISON_OFFICER, prison, username="dan.po", first_name="Dan"),
        "recommender": staff_user(Role.RECOMMENDING_OFFICER, prison, username="ben.ro", first_name="Ben"),
        "approver": staff_user(Role.APPROVING_OFFICER, prison, username="cara.ao", first_name="Cara"),
    }


def classified_prisoner(prison, *, classified_days_ago=200, family_name=None):
    """A prisoner at `prison` classified B/B `classified_days_ago` days ago, with their review
    schedule computed."""
    offender = prisoner(
        managing_office=prison,
        offender=OffenderFactory(**({"family_name": family_name} if family_name else {})),
    )
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=days_ago(classified_days_ago),
    )
    schedule_refresh(offender_ids=[offender.pk])
    return offender


def allocate_request(office, *, due_in=3, **kwargs):
    offender = kwargs.pop("offender", None) or OffenderFactory(home_office=office)
    return AllocateRequest.objects.create(
        offender=offender,
        office=office,
        kind=kwargs.pop("kind", AllocateRequestKind.SENTENCE),
        trigger=AllocationTrigger.SENTENCE,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in),
        **kwargs,
    )


def data_exception(office, *, opened_days_ago=0, **kwargs):
    """An open exception on a sentence managed by `office`, raised `opened_days_ago` days ago."""
    from reconciliation.models import DataException

    offender = kwargs.pop("offender", None) or OffenderFactory(home_office=office)
    sentence = SentenceFactory(offender=offender, managing_office=office)
    exception, _ = exception_raise(
        reason_code=kwargs.pop("reason_code", ReasonCode.MISSING_KEY_DATES),
        detail=kwargs.pop("detail", "Imprisonment has no SRD."),
        sentence=sentence,
        **kwargs,
    )
    if opened_days_ago:
        DataException.objects.filter(pk=exception.pk).update(
            opened_at=timezone.now() - datetime.timedelta(days=opened_days_ago)
        )
        exception.refresh_from_db()
    return exception
