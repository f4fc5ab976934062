"""Agency and programme pages (seed 001: accepted, changed, discontinued; adopted, changed,
discontinued), referrals and attendance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import (
    Agency,
    AgencyStatus,
    Attendance,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from audit.models import AuditAction
from staff.roles import Role
from tests.factories import (
    AgencyFactory,
    AllocationFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
)
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db


def iso(value) -> str:
    return value.isoformat()


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Te Whare Oranga", kind="Iwi provider", contact_name="Mere Parata")


@pytest.fixture
def programme(agency, office):
    return ProgrammeFactory(agency=agency, name="Drug treatment programme", office=office, capacity=12)


@pytest.fixture
def supervising_officer(probation_officer, offender):
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    return probation_officer


def agency_data(today, **overrides):
    data = {
        "name": "Salvation Army Bridge",
        "kind": "NGO",
        "contact_name": "Sam Brown",
        "phone": "04 555 0000",
        "email": "bridge@example.org",
        "address": "1 Cuba Street, Wellington",
        "accepted_on": iso(today),
    }
    data.update(overrides)
    return data


# --- agencies --------------------------------------------------------------------------------------


def test_admin_support_accepts_an_agency(as_user, admin_support, today, audit_rows):
    response = as_user(admin_support).post(reverse("agencies:create"), agency_data(today), follow=True)

    agency = Agency.objects.get()
    assert response.redirect_chain[-1][0] == reverse("agencies:detail", kwargs={"pk": agency.pk})
    page = text(response)
    assert "Salvation Army Bridge" in page and "Sam Brown" in page and "Accepted" in page
    assert [row.action for row in audit_rows(agency)] == [AuditAction.CREATE]


def test_an_agency_name_must_be_unique(as_user, admin_support, agency, today):
    response = as_user(admin_support).post(reverse("agencies:create"), agency_data(today, name=agency.name))

    assert "name" in field_errors(response)
    assert Agency.objects.count() == 1


def test_changing_an_agency_is_audited(as_user, service_manager, agency, today, audit_rows):
    response = as_user(service_manager).post(
        reverse("agencies:edit", kwargs={"pk": agency.pk}),
        agency_data(today, name=agency.name, accepted_on=iso(agency.accepted_on), phone="04 999 1234"),
        follow=True,
    )

    agency.refresh_from_db()
    assert agency.phone == "04 999 1234"
    assert "04 999 1234" in text(response)
    [update] = audit_rows(agency, AuditAction.UPDATE)
    assert update.changes["phone"] == ["", "04 999 1234"]


def test_discontinuing_an_agency_needs_a_reason_and_ends_its_programmes(
    as_user, admin_support, agency, programme, today
):
    client = as_user(admin_support)
    url = reverse("agencies:discontinue", kwargs={"pk": agency.pk})

    refused = client.post(url, {"discontinued_on": iso(today), "discontinued_reason": "  "})
    assert "discontinued_reason" in field_errors(refused)
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.ACCEPTED

    response = client.post(
        url, {"discontinued_on": iso(today), "discontinued_reason": "Contract ended"}, follow=True
    )

    agency.refresh_from_db()
    programme.refresh_from_db()
    assert agency.status == AgencyStatus.DISCONTINUED and agency.discontinued_reason == "Contract ended"
    assert programme.status == ProgrammeStatus.DISCONTINUED
    assert "Contract ended" in text(response)


def test_an_agency_cannot_be_discontinued_before_it_was_accepted(as_user, admin_support, agency, days):
    response = as_user(admin_support).post(
        reverse("agencies:discontinue", kwargs={"pk": agency.pk}),
        {"discontinued_on": iso(agency.accepted_on - days(1)), "discontinued_reason": "Mistake"},
    )
    assert field_errors(response)["discontinued_on"] == [
        "An agency cannot be discontinued before it was accepted."
    ]
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.ACCEPTED


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE])
def test_only_managing_roles_change_agencies(as_user, role_user, agency, today, role):
    client = as_user(role_user(role))

    assert client.get(reverse("agencies:list")).status_code == 200
    assert client.get(reverse("agencies:detail", kwargs={"pk": agency.pk})).status_code == 200
    assert client.post(reverse("agencies:create"), agency_data(today)).status_code == 403
    assert (
        client.post(reverse("agencies:edit", kwargs={"pk": agency.pk}), agency_data(today)).status_code == 403
    )
    assert (
        client.post(
            reverse("agencies:discontinue", kwargs={"pk": agency.pk}),
            {"discontinued_on": iso(today), "discontinued_reason": "x"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("agencies:programme_create", kwargs={"agency_pk": agency.pk}),
            {"name": "X", "kind": "programme", "adopted_on": iso(today)},
        ).status_code
        == 403
    )
    assert Agency.objects.count() == 1 and not Programme.objects.exists()


def test_a_user_without_a_role_sees_no_agencies(as_user, agency):
    from tests.factories import UserFactory

    client = as_user(UserFactory())
    assert client.get(reverse("agencies:list")).status_code == 403
    assert client.get(reverse("agencies:detail", kwargs={"pk": agency.pk})).status_code == 403


def test_the_agency_list_filters_by_name_and_status(as_user, probation_officer, agency):
    AgencyFactory(name="Closed Trust", status=AgencyStatus.DISCONTINUED)
    client = as_user(probation_officer)

    everything = text(client.get(reverse("agencies:list")))
    accepted = text(client.get(reverse("agencies:list"), {"status": "accepted"}))
    by_name = text(client.get(reverse("agencies:list"), {"name": "trust"}))

    assert "Te Whare Oranga" in everything and "Closed Trust" in everything
    assert "Te Whare Oranga" in accepted and "Closed Trust" not in accepted
    assert "Closed Trust" in by_name and "Te Whare Oranga" not in by_name


def _list_queries(client, count):
    for index in range(count):
        agency = AgencyFactory(name=f"Agency {count}-{index:03d}")
        ProgrammeFactory(agency=agency)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agencies:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_agency_list_makes_the_same_number_of_queries_for_5_and_50_agencies(as_user, probation_officer):
    client = as_user(probation_officer)
    few = _list_queries(client, 5)
    Programme.objects.all().delete()
    Agency.objects.all().delete()
    many = _list_queries(client, 50)
    assert few == many


# --- programmes ------------------------------------------------------------------------------------


def test_a_programme_is_adopted_changed_and_discontinued(
    as_user, admin_support, agency, office, today, audit_rows
):
    client = as_user(admin_support)

    response = client.post(
        reverse("agencies:programme_create", kwargs={"agency_pk": agency.pk}),
        {
            "name": "Tikanga programme",
            "kind": "programme",
            "description": "Eight weeks",
            "office": office.pk,
            "capacity": "10",
            "adopted_on": iso(today),
        },
        follow=True,
    )
    programme = Programme.objects.get()
    assert programme.agency == agency
    assert "Tikanga programme" in text(response) and "Eight weeks" in text(response)

    client.post(
        reverse("agencies:programme_edit", kwargs={"pk": programme.pk}),
        {
            "name": "Tikanga programme",
            "kind": "programme",
            "description": "Ten weeks",
            "office": office.pk,
            "capacity": "15",
            "adopted_on": iso(today),
        },
    )
    programme.refresh_from_db()
    assert programme.capacity == 15 and programme.description == "Ten weeks"

    response = client.post(
        reverse("agencies:programme_discontinue", kwargs={"pk": programme.pk}),
        {"discontinued_on": iso(today), "discontinued_reason": "Funding ended"},
        follow=True,
    )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DISCONTINUED
    assert "Funding ended" in text(response)
    assert [row.action for row in audit_rows(programme)] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]


def test_a_programme_name_is_unique_within_its_agency(as_user, admin_support, programme, today):
    response = as_user(admin_support).post(
        reverse("agencies:programme_create", kwargs={"agency_pk": programme.agency_id}),
        {"name": programme.name.upper(), "kind": "programme", "adopted_on": iso(today)},
    )
    assert "name" in field_errors(response)
    assert Programme.objects.count() == 1


def test_a_programme_cannot_be_discontinued_before_it_was_adopted(as_user, admin_support, programme, days):
    response = as_user(admin_support).post(
        reverse("agencies:programme_discontinue", kwargs={"pk": programme.pk}),
        {"discontinued_on": iso(programme.adopted_on - days(1)), "discontinued_reason": "x"},
    )
    assert field_errors(response)["discontinued_on"] == ["A programme cannot end before it was adopted."]
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ADOPTED


def test_a_discontinued_agency_cannot_adopt_a_programme(as_user, admin_support, today):
    agency = AgencyFactory(status=AgencyStatus.DISCONTINUED)
    response = as_user(admin_support).post(
        reverse("agencies:programme_create", kwargs={"agency_pk": agency.pk}),
        {"name": "X", "kind": "programme", "adopted_on": iso(today)},
        follow=True,
    )
    assert "cannot sponsor a new programme" in text(response)
    assert not Programme.objects.exists()


def test_the_programme_page_lists_referrals_by_place(as_user, service_manager, programme, offender):
    ReferralFactory(programme=programme, offender=offender)
    ReferralFactory(programme=programme, status=ReferralStatus.ATTENDING)
    ReferralFactory(programme=programme, status=ReferralStatus.COMPLETED)

    page = text(
        as_user(service_manager).get(reverse("agencies:programme_detail", kwargs={"pk": programme.pk}))
    )

    assert "1 taken of 12, 11 free" in page
    assert "With a place (1 of 12 places)" in page
    assert "Awaiting a decision (1)" in page and "Aroha Ngata" in page
    assert "Closed (1)" in page


# --- referrals and attendance ----------------------------------------------------------------------


def test_a_supervising_officer_refers_the_offender_and_records_attendance(
    as_user, supervising_officer, offender, programme, today, audit_rows
):
    sentence = SentenceFactory(offender=offender)
    client = as_user(supervising_officer)

    response = client.post(
        reverse("agencies:refer", kwargs={"offender_pk": offender.pk}),
        {"programme": programme.pk, "referred_on": iso(today), "sentence": sentence.pk},
        follow=True,
    )
    referral = Referral.objects.get()
    assert referral.sentence == sentence and referral.referred_by == supervising_officer
    assert response.redirect_chain[-1][0] == reverse("agencies:attendance", kwargs={"pk": referral.pk})
    assert "Drug treatment programme" in text(response) and "Referred" in text(response)

    response = client.post(
        reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        {"session_on": iso(today), "attended": "yes", "note": "Engaged well"},
        follow=True,
    )
    attendance = Attendance.objects.get()
    assert attendance.attended and attendance.recorded_by == supervising_officer
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ATTENDING
    assert "Engaged well" in text(response)
    assert [row.action for row in audit_rows(referral)] == [
        AuditAction.CREATE,
        AuditAction.VIEW,
        AuditAction.UPDATE,
        AuditAction.VIEW,
    ]

    response = client.post(
        reverse("agencies:referral_status", kwargs={"pk": referral.pk}),
        {"to_status": ReferralStatus.COMPLETED, "on": iso(today), "note": "Completed all sessions"},
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert "Completed all sessions" in text(response)
    # A closed referral takes no more attendance.
    assert response.context["form"] is None


def test_a_second_open_referral_to_the_same_programme_is_refused(
    as_user, supervising_officer, offender, programme, today
):
    ReferralFactory(offender=offender, programme=programme)

    response = as_user(supervising_officer).post(
        reverse("agencies:refer", kwargs={"offender_pk": offender.pk}),
        {"programme": programme.pk, "referred_on": iso(today)},
    )

    assert field_errors(response)["programme"] == [
        "The offender already has an open referral to this programme."
    ]
    assert Referral.objects.count() == 1


def test_a_referral_dated_in_the_future_is_refused(
    as_user, supervising_officer, offender, programme, today, days
):
    response = as_user(supervising_officer).post(
        reverse("agencies:refer", kwargs={"offender_pk": offender.pk}),
        {"programme": programme.pk, "referred_on": iso(today + days(1))},
    )
    assert field_errors(response)["referred_on"] == ["A referral date cannot be in the future."]
    assert not Referral.objects.exists()


def test_a_discontinued_programme_is_not_offered(as_user, supervising_officer, offender, programme, today):
    Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.DISCONTINUED)

    response = as_user(supervising_officer).post(
        reverse("agencies:refer", kwargs={"offender_pk": offender.pk}),
        {"programme": programme.pk, "referred_on": iso(today)},
    )
    assert "programme" in field_errors(response)
    assert not Referral.objects.exists()


def test_attendance_before_the_referral_is_refused(as_user, supervising_officer, offender, programme, days):
    referral = ReferralFactory(offender=offender, programme=programme)

    response = as_user(supervising_officer).post(
        reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        {"session_on": iso(referral.referred_on - days(1)), "attended": "no"},
    )
    assert field_errors(response)["session_on"] == ["The session must be between the referral and today."]
    assert not Attendance.objects.exists()


def test_an_impossible_status_change_is_not_offered(as_user, supervising_officer, offender, programme, today):
    referral = ReferralFactory(offender=offender, programme=programme)

    response = as_user(supervising_officer).post(
        reverse("agencies:referral_status", kwargs={"pk": referral.pk}),
        {"to_status": ReferralStatus.COMPLETED, "on": iso(today)},
    )
    assert "to_status" in field_errors(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED


def test_those_not_on_the_case_may_read_but_not_refer_or_record(
    as_user, probation_officer, offender, programme, today
):
    referral = ReferralFactory(offender=offender, programme=programme)
    client = as_user(probation_officer)

    assert client.get(reverse("agencies:attendance", kwargs={"pk": referral.pk})).status_code == 200
    assert client.get(reverse("agencies:refer", kwargs={"offender_pk": offender.pk})).status_code == 403
    assert (
        client.post(
            reverse("agencies:attendance", kwargs={"pk": referral.pk}),
            {"session_on": iso(today), "attended": "yes"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("agencies:referral_status", kwargs={"pk": referral.pk}),
            {"to_status": ReferralStatus.WITHDRAWN, "on": iso(today)},
        ).status_code
        == 403
    )
    assert not Attendance.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED


def test_unknown_agencies_programmes_and_referrals_are_not_found(as_user, admin_support):
    client = as_user(admin_support)
    for name in ("agencies:detail", "agencies:programme_detail", "agencies:attendance"):
        assert client.get(reverse(name, kwargs={"pk": 987654})).status_code == 404
