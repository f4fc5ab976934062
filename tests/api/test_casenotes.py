import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.access import staff_of
from tests.factories import AllocationFactory, CasenoteFactory, OffenderFactory, SentenceFactory

URL = "/api/v1/casenotes/"


@pytest.fixture
def allocated_officer(probation_officer, offender):
    AllocationFactory(offender=offender, staff=staff_of(probation_officer))
    return probation_officer


def test_list_shows_notes_with_their_author(api, allocated_officer, offender):
    CasenoteFactory(offender=offender, summary="Reported on time", author=allocated_officer)

    response = api(allocated_officer).get(URL, {"offender": offender.pk})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["summary"] == "Reported on time"
    assert row["author_name"] == allocated_officer.get_full_name()
    assert AuditEvent.objects.get(action=AuditAction.SEARCH).offender_id == offender.pk


def test_list_filters_by_type_and_date(api, probation_officer, offender):
    now = timezone.now()
    CasenoteFactory(offender=offender, summary="Old contact", contact_on=now - datetime.timedelta(days=40))
    CasenoteFactory(offender=offender, summary="Recent contact", contact_on=now)
    CasenoteFactory(offender=offender, summary="Assessment done", note_type="assessment", contact_on=now)
    CasenoteFactory(summary="Someone else's")
    client = api(probation_officer)
    since = (now - datetime.timedelta(days=7)).date().isoformat()

    recent = client.get(URL, {"offender": offender.pk, "contact_on_after": since, "note_type": "contact"})
    assessments = client.get(URL, {"note_type": "assessment"})

    assert [row["summary"] for row in recent.json()["results"]] == ["Recent contact"]
    assert [row["summary"] for row in assessments.json()["results"]] == ["Assessment done"]


def test_list_filters_by_sentence(api, probation_officer, sentence):
    CasenoteFactory(offender=sentence.offender, sentence=sentence, summary="On the sentence")
    CasenoteFactory(offender=sentence.offender, summary="On the record")

    rows = api(probation_officer).get(URL, {"sentence": sentence.pk}).json()["results"]

    assert [row["summary"] for row in rows] == ["On the sentence"]


def test_sensitive_notes_only_for_those_with_the_permission(
    api, probation_officer, service_manager, offender
):
    note = CasenoteFactory(offender=offender, summary="Victim details", sensitive=True)
    CasenoteFactory(offender=offender, summary="Ordinary")

    officer_rows = api(probation_officer).get(URL).json()["results"]
    manager_rows = api(service_manager).get(URL).json()["results"]

    assert [row["summary"] for row in officer_rows] == ["Ordinary"]
    assert sorted(row["summary"] for row in manager_rows) == ["Ordinary", "Victim details"]
    assert api(probation_officer).get(f"{URL}{note.pk}/").status_code == 404
    assert api(service_manager).get(f"{URL}{note.pk}/").json()["text"] == note.text


def test_retrieve_is_audited(api, probation_officer, offender):
    note = CasenoteFactory(offender=offender)

    response = api(probation_officer).get(f"{URL}{note.pk}/")

    assert response.json()["summary"] == note.summary
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.object_type, event.object_id, event.offender_id) == (
        "casenotes.Casenote",
        str(note.pk),
        offender.pk,
    )


def test_the_data_share_sees_no_casenotes(api, data_share, offender):
    note = CasenoteFactory(offender=offender)
    client = api(data_share)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{note.pk}/").status_code == 403


def test_the_allocated_officer_adds_a_casenote_through_the_service(api, allocated_officer, offender):
    response = api(allocated_officer).post(
        URL,
        {"offender": offender.pk, "summary": "Home visit", "text": "Seen at home; all well."},
        format="json",
    )

    assert response.status_code == 201
    note = Casenote.objects.get(pk=response.json()["id"])
    assert (note.author, note.note_type, note.text) == (
        allocated_officer,
        "contact",
        "Seen at home; all well.",
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="casenotes.Casenote", object_id=str(note.pk)
    ).exists()


def test_a_casenote_in_the_future_is_a_400_naming_contact_on(api, allocated_officer, offender):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    response = api(allocated_officer).post(
        URL, {"offender": offender.pk, "summary": "S", "text": "T", "contact_on": future}, format="json"
    )

    assert response.status_code == 400
    assert "contact_on" in response.json()
    assert not Casenote.objects.exists()


def test_a_casenote_on_another_offenders_sentence_is_a_400_naming_sentence(api, allocated_officer, offender):
    theirs = SentenceFactory(offender=OffenderFactory())

    response = api(allocated_officer).post(
        URL, {"offender": offender.pk, "sentence": theirs.pk, "summary": "S", "text": "T"}, format="json"
    )

    assert response.status_code == 400
    assert "sentence" in response.json()


def test_writing_a_sensitive_note_needs_the_permission(api, allocated_officer, offender):
    response = api(allocated_officer).post(
        URL, {"offender": offender.pk, "summary": "S", "text": "T", "sensitive": True}, format="json"
    )

    assert response.status_code == 403
    assert not Casenote.objects.exists()


def test_system_notes_cannot_be_written_by_people(api, allocated_officer, offender):
    response = api(allocated_officer).post(
        URL, {"offender": offender.pk, "summary": "S", "text": "T", "note_type": "system"}, format="json"
    )

    assert response.status_code == 400
    assert "note_type" in response.json()


def test_someone_not_working_the_case_may_not_add_notes(api, probation_officer, offender):
    response = api(probation_officer).post(
        URL, {"offender": offender.pk, "summary": "S", "text": "T"}, format="json"
    )

    assert response.status_code == 403


def test_the_author_amends_a_note_and_the_original_is_kept(api, allocated_officer, offender):
    note = CasenoteFactory(offender=offender, author=allocated_officer, text="Seen on Tusday")

    response = api(allocated_officer).post(
        f"{URL}{note.pk}/amend/", {"text": "Seen on Tuesday", "reason": "Spelling"}, format="json"
    )

    assert response.status_code == 201
    amendment = response.json()
    assert (amendment["amends"], amendment["text"], amendment["amendment_reason"]) == (
        note.pk,
        "Seen on Tuesday",
        "Spelling",
    )
    note.refresh_from_db()
    assert note.text == "Seen on Tusday"
    assert api(allocated_officer).get(f"{URL}{note.pk}/").json()["amendments"] == [amendment["id"]]


def test_an_amendment_needs_a_reason(api, allocated_officer, offender):
    note = CasenoteFactory(offender=offender, author=allocated_officer)

    response = api(allocated_officer).post(f"{URL}{note.pk}/amend/", {"text": "New"}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert Casenote.objects.count() == 1


def test_only_the_author_or_a_manager_amends(api, allocated_officer, role_user, offender):
    from staff.roles import Role

    colleague = role_user(Role.PROBATION_OFFICER, username="colleague")
    AllocationFactory(offender=offender, staff=staff_of(colleague))
    note = CasenoteFactory(offender=offender, author=allocated_officer)

    response = api(colleague).post(f"{URL}{note.pk}/amend/", {"text": "X", "reason": "Y"}, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_casenotes_are_never_changed_or_deleted(api, system_admin, offender, method):
    note = CasenoteFactory(offender=offender, text="As written")

    response = getattr(api(system_admin), method)(f"{URL}{note.pk}/", {"text": "Rewritten"}, format="json")

    assert response.status_code == 405
    note.refresh_from_db()
    assert note.text == "As written"
