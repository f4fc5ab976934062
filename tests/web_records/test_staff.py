"""The staff directory, a staff member's page, and relocation (seed 001: the staff member
relocates to a new team or location)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction
from staff.models import StaffMember, StaffPlacement
from staff.roles import Role
from tests.factories import AllocationFactory, OfficeFactory, TeamFactory, UserFactory, staff_user
from tests.web_records.helpers import field_errors, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(office):
    user = staff_user(
        Role.PROBATION_OFFICER, office=office, username="kiri", first_name="Kiri", last_name="Walker"
    )
    return user.staff


def test_the_directory_lists_staff_with_roles_and_caseloads(as_user, service_manager, officer, offender):
    AllocationFactory(offender=offender, staff=officer)

    response = as_user(service_manager).get(reverse("staff:list"))

    [row] = [row for row in response.content.decode().split("<tr>") if "Kiri Walker" in row]
    assert "Wellington Community Corrections" in row
    assert "<td>Probation officer</td>" in row  # the role, as well as the position
    assert '<td class="num">1</td>' in row


def test_the_directory_filters_by_office_and_role(as_user, service_manager, officer, other_office):
    staff_user(Role.PROBATION_OFFICER, office=other_office, first_name="Hemi", last_name="Auckland")
    staff_user(Role.ADMIN_SUPPORT, office=officer.office, first_name="Ana", last_name="Clerk")
    client = as_user(service_manager)

    by_office = text(client.get(reverse("staff:list"), {"office": other_office.pk}))
    by_role = text(client.get(reverse("staff:list"), {"role": Role.ADMIN_SUPPORT}))
    by_name = text(client.get(reverse("staff:list"), {"name": "walk"}))

    assert "Hemi Auckland" in by_office and "Kiri Walker" not in by_office
    assert "Ana Clerk" in by_role and "Kiri Walker" not in by_role and "Hemi Auckland" not in by_role
    assert "Kiri Walker" in by_name and "Ana Clerk" not in by_name


def test_staff_who_have_left_are_listed_only_when_asked(as_user, service_manager, officer):
    StaffMember.objects.filter(pk=officer.pk).update(active=False)
    client = as_user(service_manager)

    assert "Kiri Walker" not in text(client.get(reverse("staff:list")))
    assert "Kiri Walker" in text(client.get(reverse("staff:list"), {"include_inactive": "on"}))


def _directory_queries(client, office, count):
    for _ in range(count):
        member = staff_user(Role.PROBATION_OFFICER, office=office).staff
        AllocationFactory(staff=member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("staff:list"), {"office": office.pk})
    assert response.status_code == 200
    assert len(response.context["rows"]) == count
    return len(queries)


def test_the_directory_makes_the_same_number_of_queries_for_5_and_50_staff(as_user, service_manager):
    client = as_user(service_manager)
    few = _directory_queries(client, OfficeFactory(code="FEW01"), 5)
    many = _directory_queries(client, OfficeFactory(code="MANY01"), 50)
    assert few == many


def test_the_directory_is_refused_to_the_data_share_and_to_users_without_a_role(as_user, data_share, officer):
    assert as_user(data_share).get(reverse("staff:list")).status_code == 403
    assert as_user(data_share).get(reverse("staff:detail", kwargs={"pk": officer.pk})).status_code == 403
    assert as_user(UserFactory()).get(reverse("staff:list")).status_code == 403


def test_the_staff_page_shows_placements_and_current_caseload(
    as_user, prison_officer, officer, offender, days, today
):
    AllocationFactory(offender=offender, staff=officer)
    AllocationFactory(staff=officer, started_on=today - days(50), ended_on=today - days(5))

    response = as_user(prison_officer).get(reverse("staff:detail", kwargs={"pk": officer.pk}))

    page = text(response)
    assert "Current caseload (1)" in page
    assert "Aroha Ngata" in page and "48765432" in page
    assert "Wellington Community Corrections" in page and "Current" in page
    assert reverse("staff:relocate", kwargs={"pk": officer.pk}) not in response.content.decode()


def test_a_manager_relocates_a_staff_member_keeping_the_history(
    as_user, service_manager, officer, other_office, today, days, audit_rows
):
    team = TeamFactory(office=other_office, name="Central team")

    response = as_user(service_manager).post(
        reverse("staff:relocate", kwargs={"pk": officer.pk}),
        {"office": other_office.pk, "team": team.pk, "on": today.isoformat(), "reason": "Promotion"},
        follow=True,
    )

    officer.refresh_from_db()
    assert officer.office == other_office and officer.team == team
    closed, current = StaffPlacement.objects.filter(staff=officer).order_by("started_on")
    assert closed.ended_on == today - days(1)
    assert (
        current.started_on == today
        and current.reason == "Promotion"
        and current.recorded_by == service_manager
    )
    page = text(response)
    assert "Auckland Central Community Corrections" in page and "Promotion" in page
    [update] = audit_rows(officer, AuditAction.UPDATE)
    assert update.changes["office"] == [
        "Wellington Community Corrections",
        "Auckland Central Community Corrections",
    ]


def test_a_team_of_another_office_is_refused_and_nothing_moves(
    as_user, service_manager, officer, other_office, today
):
    stray_team = TeamFactory(office=officer.office, name="Wellington team")

    response = as_user(service_manager).post(
        reverse("staff:relocate", kwargs={"pk": officer.pk}),
        {"office": other_office.pk, "team": stray_team.pk, "on": today.isoformat(), "reason": "Move"},
    )

    assert "team" in field_errors(response)
    officer.refresh_from_db()
    assert officer.office != other_office
    assert StaffPlacement.objects.filter(staff=officer).count() == 1


def test_a_move_before_the_current_placement_began_is_refused(
    as_user, service_manager, officer, other_office, days
):
    started = officer.placements.get().started_on

    response = as_user(service_manager).post(
        reverse("staff:relocate", kwargs={"pk": officer.pk}),
        {"office": other_office.pk, "on": (started - days(1)).isoformat(), "reason": "Backdated"},
    )

    assert "on" in field_errors(response)
    officer.refresh_from_db()
    assert officer.office != other_office


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT, Role.PRISON_OFFICER])
def test_only_a_manager_of_the_office_may_relocate(as_user, role_user, officer, other_office, today, role):
    response = as_user(role_user(role)).post(
        reverse("staff:relocate", kwargs={"pk": officer.pk}),
        {"office": other_office.pk, "on": today.isoformat(), "reason": "Move"},
    )
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.office != other_office


def test_a_manager_of_another_office_may_not_relocate(as_user, role_user, officer, other_office, today):
    manager_elsewhere = role_user(Role.SERVICE_MANAGER, at=other_office)

    response = as_user(manager_elsewhere).post(
        reverse("staff:relocate", kwargs={"pk": officer.pk}),
        {"office": other_office.pk, "on": today.isoformat(), "reason": "Poach"},
    )

    assert response.status_code == 403


def test_an_unknown_staff_member_is_not_found(as_user, service_manager):
    assert as_user(service_manager).get(reverse("staff:detail", kwargs={"pk": 777777})).status_code == 404
