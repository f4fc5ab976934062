import datetime

from allocation.models import CaseAllocation
from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from staff.access import staff_of
from staff.models import StaffPlacement
from tests.factories import AllocationFactory, OffenderFactory, TeamFactory

TODAY = datetime.date.today


# --- staff, offices, teams ------------------------------------------------------------------------


def test_the_staff_directory_lists_staff_with_roles(api, probation_officer, service_manager):
    rows = (
        api(probation_officer).get("/api/v1/staff/", {"office": staff_of(service_manager).office_id}).json()
    )

    assert {row["username"]: row["roles"] for row in rows["results"]} == {
        "po": ["probation_officer"],
        "sm": ["service_manager"],
    }


def test_the_data_share_may_not_see_the_staff_directory(api, data_share, probation_officer):
    client = api(data_share)

    assert client.get("/api/v1/staff/").status_code == 403
    assert client.get(f"/api/v1/staff/{staff_of(probation_officer).pk}/").status_code == 403


def test_a_manager_relocates_a_staff_member_of_their_office(api, service_manager, probation_officer, office):
    member = staff_of(probation_officer)
    team = TeamFactory(office=office, name="Intensive supervision")

    response = api(service_manager).post(
        f"/api/v1/staff/{member.pk}/relocate/",
        {"office": office.pk, "team": team.pk, "on": TODAY().isoformat(), "reason": "New team"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["team_name"] == "Intensive supervision"
    assert [(row["team_name"], row["ended_on"]) for row in body["placements"]] == [
        ("Intensive supervision", None),
        ("", (TODAY() - datetime.timedelta(days=1)).isoformat()),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="staff.StaffMember").exists()


def test_a_team_of_another_office_is_a_400_naming_team(api, service_manager, probation_officer, office):
    foreign_team = TeamFactory()

    response = api(service_manager).post(
        f"/api/v1/staff/{staff_of(probation_officer).pk}/relocate/",
        {"office": office.pk, "team": foreign_team.pk, "on": TODAY().isoformat(), "reason": "Move"},
        format="json",
    )

    assert response.status_code == 400
    assert "team" in response.json()
    assert StaffPlacement.objects.filter(staff__user=probation_officer).count() == 1


def test_a_relocation_that_does_not_say_the_team_is_a_400_naming_team_and_moves_nobody(
    api, service_manager, probation_officer, office
):
    """Issue 11: an omitted team was a 500. It must be said, null for none."""
    response = api(service_manager).post(
        f"/api/v1/staff/{staff_of(probation_officer).pk}/relocate/",
        {"office": office.pk, "on": TODAY().isoformat(), "reason": "Move"},
        format="json",
    )

    assert response.status_code == 400
    assert "team" in response.json()
    assert StaffPlacement.objects.filter(staff__user=probation_officer).count() == 1


def test_a_manager_may_not_relocate_staff_of_another_office(api, service_manager, role_user, other_office):
    from staff.roles import Role

    elsewhere = role_user(Role.PROBATION_OFFICER, at=other_office, username="akl_po")

    response = api(service_manager).post(
        f"/api/v1/staff/{staff_of(elsewhere).pk}/relocate/",
        {"office": staff_of(service_manager).office_id, "on": TODAY().isoformat(), "reason": "Move"},
        format="json",
    )

    assert response.status_code == 403


def test_offices_and_teams_are_read_only_reference_data(api, data_share, office, other_office):
    TeamFactory(office=office, name="Team A")
    client = api(data_share)

    offices = client.get("/api/v1/offices/", {"name": "Auckland"}).json()["results"]
    teams = client.get("/api/v1/teams/", {"office": office.pk}).json()["results"]

    assert [row["code"] for row in offices] == ["AKL01"]
    assert [row["name"] for row in teams] == ["Team A"]
    assert client.post("/api/v1/offices/", {"code": "X"}).status_code == 403
    assert api(data_share).get("/api/v1/offices/").status_code == 200


# --- allocations ----------------------------------------------------------------------------------


def test_a_manager_allocates_and_ends_an_allocation(api, service_manager, probation_officer, offender):
    client = api(service_manager)
    member = staff_of(probation_officer)

    created = client.post(
        "/api/v1/allocations/",
        {"offender": offender.pk, "staff": member.pk, "reason": "New case"},
        format="json",
    )
    ended = client.post(
        f"/api/v1/allocations/{created.json()['id']}/end/",
        {"ended_on": TODAY().isoformat(), "reason": "Transferred"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["staff_name"] == str(member)
    assert created.json()["current"] is True
    assert ended.json()["current"] is False
    # The allocation service leaves a casenote for each change.
    assert Casenote.objects.filter(offender=offender, note_type="allocation").count() == 2
    assert AuditEvent.objects.filter(object_type="allocation.CaseAllocation").count() == 2


def test_a_duplicate_allocation_is_a_400(api, service_manager, probation_officer, offender):
    AllocationFactory(offender=offender, staff=staff_of(probation_officer))

    response = api(service_manager).post(
        "/api/v1/allocations/",
        {"offender": offender.pk, "staff": staff_of(probation_officer).pk},
        format="json",
    )

    assert response.status_code == 400
    assert CaseAllocation.objects.count() == 1


def test_ending_an_allocation_needs_a_reason(api, service_manager, probation_officer, offender):
    allocation = AllocationFactory(offender=offender, staff=staff_of(probation_officer))

    response = api(service_manager).post(
        f"/api/v1/allocations/{allocation.pk}/end/", {"ended_on": TODAY().isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_probation_officer_may_not_allocate(api, probation_officer, offender):
    response = api(probation_officer).post(
        "/api/v1/allocations/",
        {"offender": offender.pk, "staff": staff_of(probation_officer).pk},
        format="json",
    )

    assert response.status_code == 403
    assert not CaseAllocation.objects.exists()


def test_allocations_filter_and_retrieve_is_audited(api, probation_officer, offender):
    current = AllocationFactory(offender=offender, staff=staff_of(probation_officer))
    AllocationFactory(offender=offender, ended_on=TODAY(), end_reason="Moved")
    AllocationFactory(offender=OffenderFactory())
    client = api(probation_officer)

    rows = client.get("/api/v1/allocations/", {"offender": offender.pk, "current": "true"}).json()["results"]
    detail = client.get(f"/api/v1/allocations/{current.pk}/")

    assert [row["id"] for row in rows] == [current.pk]
    assert detail.json()["staff"] == staff_of(probation_officer).pk
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="allocation.CaseAllocation"
    ).exists()


# --- the audit trail ------------------------------------------------------------------------------


def test_only_a_system_admin_reads_the_audit_trail(api, system_admin, service_manager, data_share):
    assert api(service_manager).get("/api/v1/audit-events/").status_code == 403
    assert api(data_share).get("/api/v1/audit-events/").status_code == 403
    assert api(system_admin).get("/api/v1/audit-events/").status_code == 200


def test_the_audit_trail_filters_by_offender_actor_action_and_date(
    api, system_admin, probation_officer, offender
):
    other = OffenderFactory()
    officer = api(probation_officer)
    officer.get(f"/api/v1/offenders/{offender.pk}/")
    officer.get(f"/api/v1/offenders/{other.pk}/")
    officer.get("/api/v1/offenders/", {"family_name": "Tam"})
    today = TODAY().isoformat()
    client = api(system_admin)

    views = client.get(
        "/api/v1/audit-events/",
        {"offender": offender.pk, "actor": probation_officer.pk, "action": "view", "date_from": today},
    ).json()["results"]
    searches = client.get("/api/v1/audit-events/", {"action": "search"}).json()["results"]
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    future = client.get("/api/v1/audit-events/", {"date_from": tomorrow}).json()["results"]

    record_views = [row for row in views if row["object_id"]]
    assert [(row["object_id"], row["actor_label"], row["channel"]) for row in record_views] == [
        (str(offender.pk), "po", "api")
    ]
    # The offender also appeared in the search's results, which is filed as a view of a list.
    assert all(row["summary"].startswith("Listed in") for row in views if not row["object_id"])
    assert [row["query"] for row in searches] == ["family_name=Tam"]
    assert future == []


def test_the_audit_trail_cannot_be_written_through_the_api(api, system_admin):
    event_count = AuditEvent.objects.count()
    client = api(system_admin)

    assert client.post("/api/v1/audit-events/", {"action": "view"}).status_code == 405
    assert AuditEvent.objects.count() == event_count
