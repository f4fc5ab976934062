"""Casenotes: the list (sensitive notes, corrections, constant queries), adding and correcting."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from casenotes.access import can_amend_casenote, casenote_amend_checker
from casenotes.models import Casenote
from casenotes.services import casenote_amend
from staff.roles import Role
from tests.factories import AllocationFactory, CasenoteFactory, OffenderFactory, SentenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offender(office):
    return OffenderFactory(family_name="Ruatapu", given_names="Mere", home_office=office)


@pytest.fixture
def officer(probation_officer, offender):
    """The probation officer, allocated to the offender's case."""
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    return probation_officer


# --- The list ------------------------------------------------------------------------------------


def test_sensitive_notes_are_hidden_without_the_permission(client, officer, offender):
    CasenoteFactory(offender=offender, summary="Reported as directed")
    CasenoteFactory(offender=offender, summary="Disclosed family violence", sensitive=True)
    client.force_login(officer)
    page = client.get(f"/offenders/{offender.pk}/casenotes/").content.decode()
    assert "Reported as directed" in page
    assert "Disclosed family violence" not in page
    assert "1 note," in page


def test_sensitive_notes_are_shown_with_the_permission(client, officer, offender, grant_sensitive):
    CasenoteFactory(offender=offender, summary="Disclosed family violence", sensitive=True)
    client.force_login(grant_sensitive(officer))
    page = client.get(f"/offenders/{offender.pk}/casenotes/").content.decode()
    assert "Disclosed family violence" in page
    assert "Sensitive</span>" in page


def test_corrections_are_shown_beneath_the_note_they_correct(client, officer, offender):
    original = CasenoteFactory(
        offender=offender,
        author=officer,
        summary="Home visit",
        text="Nobody home.",
        contact_on=timezone.now() - datetime.timedelta(days=3),
    )
    CasenoteFactory(offender=offender, summary="Office visit", contact_on=timezone.now())
    casenote_amend(
        actor=officer, note=original, text="Mother answered; he was at work.", reason="Wrong detail"
    )
    client.force_login(officer)
    page = client.get(f"/offenders/{offender.pk}/casenotes/").content.decode()
    assert page.index("Office visit") < page.index("Home visit") < page.index("Nobody home.")
    assert page.index("Nobody home.") < page.index("Mother answered; he was at work.")
    assert "Reason: Wrong detail" in page
    assert "2 notes," in page  # the correction is not listed as a note of its own


def test_casenote_list_view_is_audited(client, officer, offender):
    client.force_login(officer)
    client.get(f"/offenders/{offender.pk}/casenotes/")
    event = AuditEvent.objects.get(action=AuditAction.VIEW, offender=offender)
    assert event.summary == f"Viewed the casenotes of {offender}"


def test_casenote_list_is_paginated(client, officer, offender):
    for number in range(25):
        CasenoteFactory(
            offender=offender,
            summary=f"Contact number {number:02d}",
            contact_on=timezone.now() - datetime.timedelta(hours=number),
        )
    client.force_login(officer)
    page = client.get(f"/offenders/{offender.pk}/casenotes/").content.decode()
    assert "Contact number 00" in page and "Contact number 19" in page and "Contact number 20" not in page
    assert "Page 1 of 2" in page
    page = client.get(f"/offenders/{offender.pk}/casenotes/?page=2").content.decode()
    assert "Contact number 24" in page and "Contact number 00" not in page


def test_casenote_list_filters_by_type(client, officer, offender):
    CasenoteFactory(offender=offender, summary="Rang him", note_type="contact")
    CasenoteFactory(offender=offender, summary="Court outcome", note_type="court")
    client.force_login(officer)
    page = client.get(f"/offenders/{offender.pk}/casenotes/?type=court").content.decode()
    assert "Court outcome" in page and "Rang him" not in page


def _notes_with_corrections(offender, author, count):
    for _ in range(count):
        note = CasenoteFactory(offender=offender, author=author)
        CasenoteFactory(offender=offender, author=author, amends=note, amendment_reason="typo")


def _queries_for_casenote_list(client, offender) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/offenders/{offender.pk}/casenotes/")
    assert response.status_code == 200
    return len(queries)


def test_casenote_list_costs_the_same_number_of_queries_for_5_or_50_notes(client, officer, offender, office):
    client.force_login(officer)
    other_author = UserFactory()
    _notes_with_corrections(offender, officer, 3)
    _notes_with_corrections(offender, other_author, 2)
    few = _queries_for_casenote_list(client, offender)
    _notes_with_corrections(offender, officer, 20)
    _notes_with_corrections(offender, other_author, 25)
    many = _queries_for_casenote_list(client, offender)
    assert few == many


def test_the_bulk_amend_check_agrees_with_can_amend_casenote(officer, offender, role_user, system_admin):
    manager = role_user(Role.SERVICE_MANAGER)
    notes = [
        CasenoteFactory(offender=offender, author=officer),
        CasenoteFactory(offender=offender, author=manager),
        CasenoteFactory(offender=offender, note_type="system"),
    ]
    for user in (officer, manager, system_admin, role_user(Role.PROBATION_OFFICER)):
        check = casenote_amend_checker(user, offender)
        assert [check(note) for note in notes] == [can_amend_casenote(user, note) for note in notes]


# --- Reading one note ----------------------------------------------------------------------------


def test_a_sensitive_note_does_not_exist_for_those_without_the_permission(client, officer, offender):
    note = CasenoteFactory(offender=offender, sensitive=True)
    client.force_login(officer)
    assert client.get(f"/casenotes/{note.pk}/").status_code == 404


def test_reading_a_note_is_audited(client, officer, offender):
    note = CasenoteFactory(offender=offender, summary="Phoned employer")
    client.force_login(officer)
    page = client.get(f"/casenotes/{note.pk}/").content.decode()
    assert "Phoned employer" in page
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.object_type, event.object_id, event.offender_id) == (
        "casenotes.Casenote",
        str(note.pk),
        offender.pk,
    )


# --- Adding --------------------------------------------------------------------------------------


def _note_form(**overrides):
    data = {
        "note_type": "contact",
        "contact_on": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "summary": "Reported as directed",
        "text": "Discussed work and housing.",
        "sentence": "",
    }
    data.update(overrides)
    return data


def test_an_allocated_officer_adds_a_casenote(client, officer, offender):
    sentence = SentenceFactory(offender=offender)
    client.force_login(officer)
    response = client.post(
        f"/casenotes/offender/{offender.pk}/new/", _note_form(sentence=sentence.pk), follow=True
    )
    assert response.redirect_chain == [(f"/offenders/{offender.pk}/casenotes/", 302)]
    page = response.content.decode()
    assert "Casenote added." in page and "Reported as directed" in page
    note = Casenote.objects.get()
    assert (note.author, note.sentence, note.sensitive) == (officer, sentence, False)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="casenotes.Casenote")
    assert event.actor == officer and event.offender_id == offender.pk


def test_bad_casenote_input_shows_errors_and_saves_nothing(client, officer, offender):
    client.force_login(officer)
    response = client.post(f"/casenotes/offender/{offender.pk}/new/", _note_form(summary="", text=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'id="id_summary_error"' in page and 'id="id_text_error"' in page
    assert 'href="#id_summary"' in page
    assert not Casenote.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_casenote_cannot_be_dated_in_the_future(client, officer, offender):
    client.force_login(officer)
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        f"/casenotes/offender/{offender.pk}/new/", _note_form(contact_on=tomorrow)
    ).content.decode()
    assert "the time cannot be in the future" in page
    assert 'id="id_contact_day_error"' in page
    assert not Casenote.objects.exists()


def test_the_moment_is_typed_as_a_date_in_three_boxes_and_a_time_in_words(client, officer, offender):
    client.force_login(officer)
    form = _note_form()
    del form["contact_on"]
    form.update(contact_day_day="3", contact_day_month="12", contact_day_year="2026", contact_time="2:15pm")

    response = client.post(f"/casenotes/offender/{offender.pk}/new/", form)

    assert response.status_code == 302
    note = Casenote.objects.get()
    assert timezone.localtime(note.contact_on).replace(tzinfo=None) == datetime.datetime(2026, 12, 3, 14, 15)


def test_a_time_that_is_not_real_is_refused_with_an_example(client, officer, offender):
    client.force_login(officer)
    form = _note_form()
    del form["contact_on"]
    form.update(contact_day_day="3", contact_day_month="12", contact_day_year="2026", contact_time="25:00")

    page = client.post(f"/casenotes/offender/{offender.pk}/new/", form).content.decode()

    assert "Time of the contact or action must be a real time, for example 9:30am or 14:00" in page
    assert not Casenote.objects.exists()


def test_a_sentence_of_another_offender_is_refused(client, officer, offender):
    other = SentenceFactory()
    client.force_login(officer)
    page = client.post(
        f"/casenotes/offender/{offender.pk}/new/", _note_form(sentence=other.pk)
    ).content.decode()
    assert "Select a valid choice" in page
    assert not Casenote.objects.exists()


def test_the_sensitive_box_is_offered_only_to_those_who_may_write_sensitive_notes(
    client, officer, offender, grant_sensitive
):
    client.force_login(officer)
    assert 'name="sensitive"' not in client.get(f"/casenotes/offender/{offender.pk}/new/").content.decode()
    # A forged field is ignored: the note is not sensitive.
    client.post(f"/casenotes/offender/{offender.pk}/new/", _note_form(sensitive="on"))
    assert Casenote.objects.get().sensitive is False
    grant_sensitive(officer)
    client.force_login(officer)
    assert 'name="sensitive"' in client.get(f"/casenotes/offender/{offender.pk}/new/").content.decode()
    client.post(f"/casenotes/offender/{offender.pk}/new/", _note_form(sensitive="on", summary="Second"))
    assert Casenote.objects.get(summary="Second").sensitive is True


def test_an_officer_not_on_the_case_may_not_add_a_casenote(client, probation_officer, offender):
    client.force_login(probation_officer)
    assert client.get(f"/casenotes/offender/{offender.pk}/new/").status_code == 403
    assert client.post(f"/casenotes/offender/{offender.pk}/new/", _note_form()).status_code == 403
    assert not Casenote.objects.exists()


def test_data_share_may_not_add_a_casenote(client, data_share, offender):
    client.force_login(data_share)
    assert client.post(f"/casenotes/offender/{offender.pk}/new/", _note_form()).status_code == 403
    assert not Casenote.objects.exists()


def test_adding_a_casenote_to_an_unknown_offender_is_not_found(client, officer):
    client.force_login(officer)
    assert client.post("/casenotes/offender/987654/new/", _note_form()).status_code == 404


# --- Correcting ----------------------------------------------------------------------------------


def test_the_author_corrects_a_note_and_the_original_is_kept(client, officer, offender):
    note = CasenoteFactory(offender=offender, author=officer, summary="Home visit", text="Nobody home.")
    client.force_login(officer)
    response = client.post(
        f"/casenotes/{note.pk}/amend/",
        {"text": "His mother answered.", "reason": "Wrong detail", "summary": ""},
        follow=True,
    )
    assert response.redirect_chain == [(f"/casenotes/{note.pk}/", 302)]
    page = response.content.decode()
    assert "Correction added beneath the original note." in page
    assert "Nobody home." in page and "His mother answered." in page
    note.refresh_from_db()
    assert note.text == "Nobody home."
    correction = Casenote.objects.get(amends=note)
    assert (correction.text, correction.amendment_reason, correction.author) == (
        "His mother answered.",
        "Wrong detail",
        officer,
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(correction.pk)).exists()


def test_correcting_a_correction_corrects_the_original(client, officer, offender):
    note = CasenoteFactory(offender=offender, author=officer)
    first = casenote_amend(actor=officer, note=note, text="First fix", reason="typo")
    client.force_login(officer)
    client.post(f"/casenotes/{first.pk}/amend/", {"text": "Second fix", "reason": "another typo"})
    assert Casenote.objects.get(text="Second fix").amends == note


def test_a_correction_needs_a_reason(client, officer, offender):
    note = CasenoteFactory(offender=offender, author=officer)
    client.force_login(officer)
    page = client.post(f"/casenotes/{note.pk}/amend/", {"text": "Changed", "reason": ""}).content.decode()
    assert 'id="id_reason_error"' in page
    assert Casenote.objects.count() == 1


def test_another_officer_may_not_correct_someone_elses_note(client, officer, offender, role_user):
    note = CasenoteFactory(offender=offender, author=officer)
    colleague = role_user(Role.PROBATION_OFFICER)
    AllocationFactory(offender=offender, staff=colleague.staff)
    client.force_login(colleague)
    assert client.get(f"/casenotes/{note.pk}/amend/").status_code == 403
    assert client.post(f"/casenotes/{note.pk}/amend/", {"text": "x", "reason": "y"}).status_code == 403
    assert Casenote.objects.count() == 1
    # ... and the list offers no correction link for it.
    page = client.get(f"/offenders/{offender.pk}/casenotes/").content.decode()
    assert f"/casenotes/{note.pk}/amend/" not in page
