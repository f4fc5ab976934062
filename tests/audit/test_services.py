import datetime

import pytest
from django.utils import timezone

from agencies.services import attendance_record, referral_create
from audit import context
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record, audit_search, audit_view
from documents.services import document_create, document_revise
from offenders.services import alias_add, offender_update
from sentences.models import SentenceEventKind, SentenceType
from sentences.services import conviction_add, sentence_create, sentence_event_record
from tests.factories import (
    CourtFactory,
    DocumentTemplateFactory,
    OffenceFactory,
    OffenderFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


@pytest.fixture
def web_request_context():
    token = context.set_context(
        context.AuditContext(ip_address="10.20.30.40", user_agent="Firefox/140", channel="web")
    )
    yield
    context.reset_context(token)


def row_for(obj) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).latest("id")


# --- who and where ---------------------------------------------------------------------------------


def test_an_audit_row_names_the_user_who_acted(service_manager, offender):
    offender_update(actor=service_manager, offender=offender, phone="04 555 0000")

    row = row_for(offender)
    assert row.actor == service_manager
    assert row.actor_label == "sm"
    assert row.at <= timezone.now()


def test_an_audit_row_carries_the_address_and_channel_of_the_request(
    web_request_context, service_manager, offender
):
    offender_update(actor=service_manager, offender=offender, phone="04 555 0000")

    row = row_for(offender)
    assert row.ip_address == "10.20.30.40"
    assert row.user_agent == "Firefox/140"
    assert row.channel == "web"


def test_outside_a_request_the_channel_is_system_and_there_is_no_address(service_manager, offender):
    offender_update(actor=service_manager, offender=offender, phone="04 555 0000")

    row = row_for(offender)
    assert row.channel == "system"
    assert row.ip_address is None


def test_the_context_is_restored_after_the_request(service_manager, offender):
    token = context.set_context(context.AuditContext(ip_address="10.0.0.1", channel="api"))
    context.reset_context(token)

    audit_view(actor=service_manager, obj=offender)

    assert row_for(offender).channel == "system"


def test_an_action_without_a_user_is_recorded_as_the_system_or_the_named_interface(offender):
    audit_record(actor=None, action=AuditAction.UPDATE, obj=offender, summary="Nightly job")
    audit_record(actor="court interface", action=AuditAction.UPDATE, obj=offender, summary="CMS message")

    labels = list(AuditEvent.objects.order_by("id").values_list("actor", "actor_label"))
    assert labels == [(None, "system"), (None, "court interface")]


def test_viewing_a_record_is_audited_against_the_offender(data_share, offender):
    audit_view(actor=data_share, obj=offender)

    row = row_for(offender)
    assert row.action == AuditAction.VIEW
    assert row.offender_id == offender.pk
    assert row.summary == f"Viewed {offender}"


def test_a_search_is_audited_with_its_terms(probation_officer):
    audit_search(
        actor=probation_officer,
        scope="offenders",
        terms={"text": "Smith, John", "date_of_birth": "1980-01-02", "office": None, "empty": ""},
    )

    row = AuditEvent.objects.get()
    assert row.action == AuditAction.SEARCH
    assert row.summary == "Searched offenders"
    assert row.query == "date_of_birth=1980-01-02&text=Smith, John"
    assert row.offender_id is None


def test_an_overlong_summary_is_cut_to_fit_rather_than_lost(system_admin, offender):
    row = audit_record(actor=system_admin, action=AuditAction.EXPORT, obj=offender, summary="x" * 400)

    assert len(row.summary) == 300


# --- rows about a record's parts are filed under the offender --------------------------------------


def test_an_alias_is_audited_against_its_offender(admin_support, offender):
    alias = alias_add(actor=admin_support, offender=offender, family_name="Brown")

    assert row_for(alias).offender_id == offender.pk


@pytest.fixture
def sentence(admin_support, offender):
    start = timezone.localdate() - 30 * DAY
    return sentence_create(
        actor=admin_support,
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": start}],
        sentence_type=SentenceType.SUPERVISION,
        court=CourtFactory(),
        order_date=start,
        start_date=start,
        end_date=start + 365 * DAY,
    )


def test_a_sentence_and_its_conviction_are_audited_against_the_offender(admin_support, offender, sentence):
    conviction = conviction_add(
        actor=admin_support, sentence=sentence, offence=OffenceFactory(), convicted_on=sentence.order_date
    )

    assert row_for(sentence).offender_id == offender.pk
    assert row_for(sentence.convictions.earliest("id")).offender_id == offender.pk
    assert row_for(conviction).offender_id == offender.pk


def test_a_sentence_event_is_audited_against_the_offender(admin_support, offender, sentence):
    event = sentence_event_record(
        actor=admin_support,
        sentence=sentence,
        kind=SentenceEventKind.BREACH,
        occurred_on=timezone.localdate(),
        detail="Breach of curfew",
    )

    assert row_for(event).offender_id == offender.pk


def test_a_referral_and_its_attendance_are_audited_against_the_offender(probation_officer, offender):
    referral = referral_create(
        actor=probation_officer,
        offender=offender,
        programme=ProgrammeFactory(),
        referred_on=timezone.localdate() - 7 * DAY,
    )
    attendance = attendance_record(
        actor=probation_officer, referral=referral, session_on=timezone.localdate(), attended=True
    )

    assert row_for(referral).offender_id == offender.pk
    assert row_for(attendance).offender_id == offender.pk


def test_a_document_and_its_versions_are_audited_against_the_offender(probation_officer, offender):
    document = document_create(actor=probation_officer, offender=offender, template=DocumentTemplateFactory())
    version = document_revise(actor=probation_officer, document=document, body_html="<p>Edited</p>")

    assert row_for(document).offender_id == offender.pk
    exported = audit_record(actor=probation_officer, action=AuditAction.EXPORT, obj=version)
    assert exported.object_type == "documents.DocumentVersion"
    assert exported.offender_id == offender.pk


def test_a_row_about_no_record_has_no_offender(system_admin):
    assert audit_record(actor=system_admin, action=AuditAction.LOGIN).offender_id is None
