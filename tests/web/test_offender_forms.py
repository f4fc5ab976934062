"""Creating and changing offender records through the browser forms."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from offenders.models import Address, Flag, FlagKind, Identifier, Offender, OffenderAlias
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _details(office, **overrides):
    data = {
        "prn": "23456789",
        "family_name": "Te Whatu",
        "given_names": "Aperahama",
        "preferred_name": "",
        "date_of_birth": "1992-08-14",
        "date_of_death": "",
        "gender": "M",
        "ethnicity": "Māori",
        "home_office": office.pk,
        "phone": "",
        "email": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def offender(office):
    return OffenderFactory(family_name="Kingi", given_names="Rawiri", home_office=office, phone="04 123 4567")


@pytest.fixture
def officer(probation_officer, offender):
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    return probation_officer


# --- Create --------------------------------------------------------------------------------------


def test_admin_support_creates_an_offender_record(client, admin_support, office):
    client.force_login(admin_support)
    page = client.get("/offenders/new/").content.decode()
    assert f'<option value="{office.pk}" selected>' in page
    response = client.post("/offenders/new/", _details(office), follow=True)
    offender = Offender.objects.get(prn="23456789")
    assert response.redirect_chain == [(f"/offenders/{offender.pk}/", 302)]
    assert "Created the record of Aperahama Te Whatu (PRN 23456789)." in response.content.decode()
    assert offender.name_words == ["aperahama", "te", "whatu"]  # search keys kept by the database
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="offenders.Offender")
    assert event.actor == admin_support and event.changes["prn"] == [None, "23456789"]


def test_bad_details_show_errors_and_create_nothing(client, admin_support, office):
    client.force_login(admin_support)
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        "/offenders/new/", _details(office, prn="12AB", family_name="", date_of_birth=future)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A PRN is 8 or 9 digits." in page
    assert 'id="id_family_name_error"' in page
    assert "Date of birth cannot be in the future." in page
    assert not Offender.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_prn_already_in_use_is_refused(client, admin_support, office, offender):
    client.force_login(admin_support)
    page = client.post("/offenders/new/", _details(office, prn=offender.prn)).content.decode()
    assert "Offender with this PRN already exists." in page
    assert Offender.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE])
def test_roles_that_do_not_create_records_are_refused(client, role_user, office, role):
    client.force_login(role_user(role))
    assert client.get("/offenders/new/").status_code == 403
    assert client.post("/offenders/new/", _details(office)).status_code == 403
    assert not Offender.objects.exists()


def test_the_create_link_is_only_offered_to_those_who_may(client, probation_officer, admin_support):
    client.force_login(probation_officer)
    assert "/offenders/new/" not in client.get("/offenders/").content.decode()
    client.force_login(admin_support)
    assert "/offenders/new/" in client.get("/offenders/").content.decode()


# --- Edit ----------------------------------------------------------------------------------------


def test_the_allocated_officer_changes_details_and_the_change_is_audited(client, officer, offender, office):
    client.force_login(officer)
    data = _details(office, family_name="Kingi", given_names="Rawiri", phone="027 999 0000")
    del data["prn"]
    data["date_of_birth"] = offender.date_of_birth.isoformat()
    response = client.post(f"/offenders/{offender.pk}/edit/", data, follow=True)
    assert "Saved the changes to Rawiri Kingi" in response.content.decode()
    offender.refresh_from_db()
    assert offender.phone == "027 999 0000"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="offenders.Offender")
    assert event.changes["phone"] == ["04 123 4567", "027 999 0000"]


def test_a_refused_edit_changes_nothing_and_keeps_the_saved_name_in_the_header(
    client, officer, offender, office
):
    client.force_login(officer)
    data = _details(
        office, family_name="Changed", date_of_birth=(TODAY + datetime.timedelta(days=1)).isoformat()
    )
    del data["prn"]
    page = client.post(f"/offenders/{offender.pk}/edit/", data).content.decode()
    assert "Date of birth cannot be in the future." in page
    assert "KINGI, Rawiri" in page  # the header shows the record as saved
    offender.refresh_from_db()
    assert offender.family_name == "Kingi"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_the_prn_is_not_changed_through_the_edit_form(client, officer, offender, office):
    client.force_login(officer)
    data = _details(office, family_name="Kingi", given_names="Rawiri", prn="99999999")
    data["date_of_birth"] = offender.date_of_birth.isoformat()
    client.post(f"/offenders/{offender.pk}/edit/", data)
    offender.refresh_from_db()
    assert offender.prn != "99999999"


def test_an_officer_not_on_the_case_may_not_edit(client, probation_officer, offender, office):
    client.force_login(probation_officer)
    assert client.get(f"/offenders/{offender.pk}/edit/").status_code == 403
    assert client.post(f"/offenders/{offender.pk}/edit/", _details(office)).status_code == 403


def test_a_manager_of_another_office_may_not_edit(client, role_user, other_office, offender, office):
    client.force_login(role_user(Role.SERVICE_MANAGER, at=other_office))
    assert client.get(f"/offenders/{offender.pk}/edit/").status_code == 403


def test_editing_an_unknown_offender_is_not_found(client, system_admin):
    client.force_login(system_admin)
    assert client.get("/offenders/765432/edit/").status_code == 404


# --- Aliases, addresses, identifiers -------------------------------------------------------------


def test_adding_an_alias(client, officer, offender):
    client.force_login(officer)
    response = client.post(
        f"/offenders/{offender.pk}/aliases/new/", {"family_name": "King", "given_names": "Ray"}, follow=True
    )
    assert "Alias added." in response.content.decode() and "KING, Ray" in response.content.decode()
    assert OffenderAlias.objects.get(offender=offender).family_name_folded == "king"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="offenders.OffenderAlias"
    ).exists()


def test_an_alias_needs_a_family_name(client, officer, offender):
    client.force_login(officer)
    page = client.post(f"/offenders/{offender.pk}/aliases/new/", {"family_name": ""}).content.decode()
    assert 'id="id_family_name_error"' in page
    assert not OffenderAlias.objects.exists()


def test_a_new_address_ends_the_previous_one(client, officer, offender):
    old = Address.objects.create(
        offender=offender, line1="1 Old Road", city="Porirua", started_on=datetime.date(2020, 1, 1)
    )
    client.force_login(officer)
    client.post(
        f"/offenders/{offender.pk}/addresses/new/",
        {
            "kind": "residential",
            "line1": "5 New Street",
            "city": "Lower Hutt",
            "postcode": "5010",
            "started_on": "2024-03-01",
        },
    )
    old.refresh_from_db()
    assert old.ended_on == datetime.date(2024, 2, 29)
    page = client.get(f"/offenders/{offender.pk}/").content.decode()
    assert "5 New Street, Lower Hutt, 5010" in page and "29 Feb 2024" in page


def test_a_bad_postcode_is_refused_and_nothing_changes(client, officer, offender):
    old = Address.objects.create(
        offender=offender, line1="1 Old Road", city="Porirua", started_on=datetime.date(2020, 1, 1)
    )
    client.force_login(officer)
    page = client.post(
        f"/offenders/{offender.pk}/addresses/new/",
        {
            "kind": "residential",
            "line1": "5 New Street",
            "city": "Lower Hutt",
            "postcode": "50",
            "started_on": "2024-03-01",
        },
    ).content.decode()
    assert "Four digits." in page and 'id="id_postcode_error"' in page
    old.refresh_from_db()
    assert old.ended_on is None and Address.objects.count() == 1


def test_an_identifier_in_use_is_refused(client, officer, offender):
    Identifier.objects.create(offender=OffenderFactory(), kind="pnc", value="PNC-1")
    client.force_login(officer)
    page = client.post(
        f"/offenders/{offender.pk}/identifiers/new/", {"kind": "pnc", "value": "PNC-1"}
    ).content.decode()
    assert "already recorded" in page
    assert not Identifier.objects.filter(offender=offender).exists()
    client.post(f"/offenders/{offender.pk}/identifiers/new/", {"kind": "pnc", "value": "PNC-2"})
    assert Identifier.objects.filter(offender=offender, value="PNC-2").exists()


# --- Flags ---------------------------------------------------------------------------------------


def test_a_raised_flag_becomes_a_warning_on_every_page(client, officer, offender):
    client.force_login(officer)
    response = client.post(
        f"/offenders/{offender.pk}/flags/new/",
        {"kind": FlagKind.ESCAPE, "reason": "Escaped custody 2019", "raised_on": TODAY.isoformat()},
        follow=True,
    )
    assert "Flag raised." in response.content.decode()
    for tab in ("", "sentences/", "staff/", "timeline/"):
        page = client.get(f"/offenders/{offender.pk}/{tab}").content.decode()
        assert "Escape risk</strong> — Escaped custody 2019" in page
    assert Flag.objects.get(offender=offender).raised_by == officer


def test_a_second_active_flag_of_the_same_kind_is_refused(client, officer, offender):
    Flag.objects.create(offender=offender, kind=FlagKind.ESCAPE, reason="First")
    client.force_login(officer)
    page = client.post(
        f"/offenders/{offender.pk}/flags/new/",
        {"kind": FlagKind.ESCAPE, "reason": "Again", "raised_on": TODAY.isoformat()},
    ).content.decode()
    assert "There is a problem" in page
    assert Flag.objects.filter(offender=offender).count() == 1


def test_ending_a_flag_needs_a_reason(client, officer, offender):
    flag = Flag.objects.create(offender=offender, kind=FlagKind.AT_RISK, reason="Self-harm")
    client.force_login(officer)
    page = client.post(f"/offenders/{offender.pk}/flags/{flag.pk}/end/", {"reason": ""}).content.decode()
    assert 'id="id_reason_error"' in page
    flag.refresh_from_db()
    assert flag.ended_on is None
    response = client.post(
        f"/offenders/{offender.pk}/flags/{flag.pk}/end/",
        {"reason": "Assessed as no longer at risk"},
        follow=True,
    )
    assert "Ended the flag" in response.content.decode()
    flag.refresh_from_db()
    assert flag.ended_on == TODAY and flag.ended_reason == "Assessed as no longer at risk"
    assert 'class="warnings"' not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="offenders.Flag").exists()


def test_a_flag_cannot_end_before_it_was_raised(client, officer, offender):
    flag = Flag.objects.create(offender=offender, kind=FlagKind.AT_RISK, reason="x", raised_on=TODAY)
    client.force_login(officer)
    page = client.post(
        f"/offenders/{offender.pk}/flags/{flag.pk}/end/",
        {"reason": "done", "ended_on": (TODAY - datetime.timedelta(days=5)).isoformat()},
    ).content.decode()
    assert "A flag cannot end before it was raised." in page
    flag.refresh_from_db()
    assert flag.ended_on is None


def test_a_flag_of_another_offender_is_not_found(client, officer, offender):
    flag = Flag.objects.create(offender=OffenderFactory(), kind=FlagKind.AT_RISK, reason="x")
    client.force_login(officer)
    assert client.post(f"/offenders/{offender.pk}/flags/{flag.pk}/end/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("path", ["aliases/new/", "addresses/new/", "identifiers/new/", "flags/new/"])
def test_those_who_may_not_change_the_record_are_refused_every_form(
    client, probation_officer, data_share, offender, path
):
    for user in (probation_officer, data_share):
        client.force_login(user)
        assert client.get(f"/offenders/{offender.pk}/{path}").status_code == 403
        assert client.post(f"/offenders/{offender.pk}/{path}", {}).status_code == 403
