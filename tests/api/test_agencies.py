import datetime

from agencies.models import Agency, Attendance, Programme, Referral
from audit.models import AuditAction, AuditEvent
from tests.factories import AgencyFactory, OffenderFactory, ProgrammeFactory, ReferralFactory

TODAY = datetime.date.today


def days_ago(days: int) -> str:
    return (TODAY() - datetime.timedelta(days=days)).isoformat()


# --- agencies -------------------------------------------------------------------------------------


def test_every_role_reads_agencies_and_filters_them(api, data_share):
    AgencyFactory(name="Te Whare Oranga")
    AgencyFactory(name="City Mission", status="discontinued", discontinued_on=TODAY())

    rows = api(data_share).get("/api/v1/agencies/", {"status": "accepted"}).json()["results"]

    assert [row["name"] for row in rows] == ["Te Whare Oranga"]


def test_a_manager_accepts_changes_and_discontinues_an_agency(api, service_manager):
    client = api(service_manager)

    created = client.post(
        "/api/v1/agencies/", {"name": "Kia Ora Trust", "accepted_on": days_ago(30)}, format="json"
    )
    agency_id = created.json()["id"]
    changed = client.patch(f"/api/v1/agencies/{agency_id}/", {"phone": "04 555 1234"}, format="json")
    ended = client.post(
        f"/api/v1/agencies/{agency_id}/discontinue/",
        {"on": TODAY().isoformat(), "reason": "Contract ended"},
        format="json",
    )

    assert created.status_code == 201
    assert changed.json()["phone"] == "04 555 1234"
    assert ended.json()["status"] == "discontinued"
    assert [event.action for event in AuditEvent.objects.filter(object_type="agencies.Agency")] == [
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.CREATE,
    ]


def test_a_duplicate_agency_name_is_a_400_naming_it(api, service_manager):
    AgencyFactory(name="Kia Ora Trust")

    response = api(service_manager).post(
        "/api/v1/agencies/", {"name": "Kia Ora Trust", "accepted_on": days_ago(1)}, format="json"
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_a_probation_officer_may_not_change_agencies(api, probation_officer):
    agency = AgencyFactory()
    client = api(probation_officer)

    assert client.post("/api/v1/agencies/", {"name": "X", "accepted_on": days_ago(1)}).status_code == 403
    assert client.patch(f"/api/v1/agencies/{agency.pk}/", {"phone": "1"}).status_code == 403
    assert not Agency.objects.filter(name="X").exists()


# --- programmes -----------------------------------------------------------------------------------


def test_adopt_and_discontinue_a_programme(api, admin_support, office):
    agency = AgencyFactory()
    client = api(admin_support)

    created = client.post(
        "/api/v1/programmes/",
        {"agency": agency.pk, "name": "Tikanga Māori", "office": office.pk, "adopted_on": days_ago(10)},
        format="json",
    )
    ended = client.post(
        f"/api/v1/programmes/{created.json()['id']}/discontinue/",
        {"on": TODAY().isoformat(), "reason": "Replaced"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["agency_name"] == agency.name
    assert created.json()["office_name"] == "Wellington Community Corrections"
    assert ended.json()["status"] == "discontinued"


def test_a_discontinued_agency_cannot_adopt_a_programme(api, admin_support):
    agency = AgencyFactory(status="discontinued", discontinued_on=TODAY())

    response = api(admin_support).post(
        "/api/v1/programmes/", {"agency": agency.pk, "name": "New", "adopted_on": days_ago(1)}, format="json"
    )

    assert response.status_code == 400
    assert "agency" in response.json()
    assert not Programme.objects.exists()


def test_programmes_filter_by_agency(api, probation_officer):
    wanted = ProgrammeFactory(name="Wanted")
    ProgrammeFactory(name="Other")

    rows = api(probation_officer).get("/api/v1/programmes/", {"agency": wanted.agency_id}).json()["results"]

    assert [row["name"] for row in rows] == ["Wanted"]


# --- referrals ------------------------------------------------------------------------------------


def test_refer_attend_and_complete(api, service_manager, offender):
    programme = ProgrammeFactory(name="Driving programme")
    client = api(service_manager)

    created = client.post(
        "/api/v1/referrals/",
        {"offender": offender.pk, "programme": programme.pk, "referred_on": days_ago(14)},
        format="json",
    )
    referral_id = created.json()["id"]
    attended = client.post(
        f"/api/v1/referrals/{referral_id}/attendance/",
        {"session_on": days_ago(7), "attended": True, "note": "On time"},
        format="json",
    )
    completed = client.post(
        f"/api/v1/referrals/{referral_id}/transition/",
        {"to_status": "completed", "on": TODAY().isoformat(), "note": "Certificate issued"},
        format="json",
    )
    detail = client.get(f"/api/v1/referrals/{referral_id}/").json()

    assert created.status_code == 201
    assert created.json()["programme_name"] == "Driving programme"
    assert attended.status_code == 201
    assert completed.json()["status"] == "completed"
    assert [row["note"] for row in detail["attendances"]] == ["On time"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="agencies.Referral").exists()


def test_a_second_open_referral_to_the_same_programme_is_a_400(api, service_manager, offender):
    referral = ReferralFactory(offender=offender)

    response = api(service_manager).post(
        "/api/v1/referrals/",
        {"offender": offender.pk, "programme": referral.programme_id, "referred_on": days_ago(1)},
        format="json",
    )

    assert response.status_code == 400
    assert "programme" in response.json()
    assert Referral.objects.count() == 1


def test_an_impossible_transition_is_a_400(api, service_manager, offender):
    referral = ReferralFactory(offender=offender)

    response = api(service_manager).post(
        f"/api/v1/referrals/{referral.pk}/transition/",
        {"to_status": "completed", "on": TODAY().isoformat()},
        format="json",
    )

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "referred"


def test_attendance_in_the_future_is_a_400_naming_the_date(api, service_manager, offender):
    referral = ReferralFactory(offender=offender)
    future = (TODAY() + datetime.timedelta(days=2)).isoformat()

    response = api(service_manager).post(
        f"/api/v1/referrals/{referral.pk}/attendance/",
        {"session_on": future, "attended": True},
        format="json",
    )

    assert response.status_code == 400
    assert "session_on" in response.json()
    assert not Attendance.objects.exists()


def test_referrals_filter_by_offender_and_status(api, probation_officer, offender):
    ReferralFactory(offender=offender)
    ReferralFactory(offender=offender, status="withdrawn")
    ReferralFactory(offender=OffenderFactory())

    rows = api(probation_officer).get("/api/v1/referrals/", {"offender": offender.pk, "status": "referred"})

    assert [row["status"] for row in rows.json()["results"]] == ["referred"]


def test_someone_not_working_the_case_may_not_refer(api, probation_officer, offender):
    response = api(probation_officer).post(
        "/api/v1/referrals/",
        {"offender": offender.pk, "programme": ProgrammeFactory().pk, "referred_on": days_ago(1)},
        format="json",
    )

    assert response.status_code == 403
