import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote, CasenoteType
from casenotes.services import casenote_amend, casenote_create, system_casenote
from tests.factories import OffenderFactory, SentenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


def write_note(actor, offender, **kwargs) -> Casenote:
    kwargs.setdefault("summary", "Reported as directed")
    kwargs.setdefault("text", "Attended the office on time. Discussed employment.")
    return casenote_create(actor=actor, offender=offender, **kwargs)


def test_a_casenote_records_its_author_and_is_audited(probation_officer, offender):
    contact = timezone.now() - datetime.timedelta(hours=2)

    note = write_note(probation_officer, offender, contact_on=contact, summary="  Home visit  ")

    assert note.author == probation_officer
    assert note.summary == "Home visit"
    assert note.contact_on == contact
    assert note.note_type == CasenoteType.CONTACT
    row = AuditEvent.objects.get(object_type="casenotes.Casenote", object_id=str(note.pk))
    assert row.action == AuditAction.CREATE
    assert row.actor == probation_officer
    assert row.offender_id == offender.pk
    assert row.changes["summary"] == [None, "Home visit"]


def test_a_casenote_without_a_time_is_timed_now(probation_officer, offender):
    before = timezone.now()

    note = write_note(probation_officer, offender)

    assert before <= note.contact_on <= timezone.now()


def test_a_casenote_cannot_record_a_contact_in_the_future(probation_officer, offender):
    with pytest.raises(ValidationError) as refused:
        write_note(probation_officer, offender, contact_on=timezone.now() + datetime.timedelta(hours=1))

    assert "contact_on" in refused.value.message_dict
    assert not Casenote.objects.exists()


def test_a_casenote_may_be_linked_to_the_offenders_own_sentence(probation_officer, offender):
    sentence = SentenceFactory(offender=offender)

    assert write_note(probation_officer, offender, sentence=sentence).sentence == sentence


def test_a_casenote_cannot_be_linked_to_another_offenders_sentence(probation_officer, offender):
    with pytest.raises(ValidationError) as refused:
        write_note(probation_officer, offender, sentence=SentenceFactory())

    assert refused.value.message_dict["sentence"] == ["That sentence belongs to a different offender."]
    assert not Casenote.objects.exists()


def test_a_sensitive_casenote_needs_the_sensitive_permission(probation_officer, service_manager, offender):
    with pytest.raises(PermissionDenied):
        write_note(probation_officer, offender, sensitive=True)
    assert not Casenote.objects.exists()

    note = write_note(service_manager, offender, sensitive=True)

    assert note.sensitive


def test_the_sensitive_permission_can_be_granted_to_one_user(offender):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive_casenote"))

    assert write_note(user, offender, sensitive=True).sensitive


def test_a_system_casenote_has_no_author(offender):
    note = system_casenote(offender=offender, summary="Sentence received", text="From the court interface")

    assert note.note_type == CasenoteType.SYSTEM
    assert note.author is None
    assert AuditEvent.objects.get(object_id=str(note.pk), object_type="casenotes.Casenote").actor_label == (
        "system"
    )


# --- amendments ------------------------------------------------------------------------------------


def test_an_amendment_is_a_new_note_and_the_original_stays_as_written(probation_officer, offender):
    original = write_note(probation_officer, offender, summary="Home visit", text="Seen at 12 Cuba St.")

    amendment = casenote_amend(
        actor=probation_officer,
        note=original,
        text="Seen at 21 Cuba St.",
        reason="Wrong house number",
    )

    assert Casenote.objects.count() == 2
    original.refresh_from_db()
    assert original.text == "Seen at 12 Cuba St."
    assert original.summary == "Home visit"
    assert amendment.amends == original
    assert amendment.text == "Seen at 21 Cuba St."
    assert amendment.summary == "Correction: Home visit"
    assert amendment.amendment_reason == "Wrong house number"
    assert amendment.contact_on == original.contact_on
    assert amendment.author == probation_officer
    assert list(original.amendments.all()) == [amendment]
    row = AuditEvent.objects.get(object_type="casenotes.Casenote", object_id=str(amendment.pk))
    assert row.summary == f"Amended casenote {original.pk}"
    assert row.offender_id == offender.pk


def test_an_amendment_needs_a_reason(probation_officer, offender):
    original = write_note(probation_officer, offender)

    with pytest.raises(ValidationError) as refused:
        casenote_amend(actor=probation_officer, note=original, text="Corrected text", reason="  ")

    assert "amendment_reason" in refused.value.message_dict
    assert Casenote.objects.count() == 1


def test_an_amendment_of_a_sensitive_note_is_sensitive_too(service_manager, offender):
    original = write_note(service_manager, offender, sensitive=True)

    amendment = casenote_amend(actor=service_manager, note=original, text="Corrected", reason="Typo")

    assert amendment.sensitive


def test_amending_a_sensitive_note_needs_the_sensitive_permission(
    service_manager, probation_officer, offender
):
    original = write_note(service_manager, offender, sensitive=True)

    with pytest.raises(PermissionDenied):
        casenote_amend(actor=probation_officer, note=original, text="Corrected", reason="Typo")

    assert Casenote.objects.count() == 1
