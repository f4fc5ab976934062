import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from staff.access import office_id_of
from staff.models import StaffMember, StaffPlacement
from staff.roles import Role, user_roles
from staff.services import staff_create, staff_relocate
from tests.factories import OfficeFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def manager(service_manager):
    return service_manager


def appoint(actor, office, **overrides) -> StaffMember:
    data = {
        "username": "mtamihana",
        "first_name": "Mere",
        "last_name": "Tamihana",
        "email": "mere.tamihana@corrections.example",
        "staff_number": "S900001",
        "office": office,
        "roles": [Role.PROBATION_OFFICER],
        "started_on": today() - 100 * DAY,
    }
    data.update(overrides)
    return staff_create(actor=actor, **data)


# --- appointing ------------------------------------------------------------------------------------


def test_a_new_staff_member_holds_the_roles_given(manager, office):
    member = appoint(manager, office, roles=[Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT])

    assert user_roles(member.user) == {Role.PROBATION_OFFICER, Role.ADMIN_SUPPORT}
    assert sorted(member.user.groups.values_list("name", flat=True)) == [
        Role.ADMIN_SUPPORT,
        Role.PROBATION_OFFICER,
    ]
    assert office_id_of(member.user) == office.pk


def test_a_new_staff_member_starts_with_one_open_placement_and_an_audit_row(manager, office):
    team = TeamFactory(office=office, name="Team Kōwhai")

    member = appoint(manager, office, team=team)

    [placement] = member.placements.all()
    assert (placement.office, placement.team, placement.ended_on) == (office, team, None)
    assert placement.started_on == today() - 100 * DAY
    assert placement.reason == "Appointed"
    assert placement.recorded_by == manager
    row = AuditEvent.objects.get(object_type="staff.StaffMember", object_id=str(member.pk))
    assert row.action == AuditAction.CREATE
    assert row.actor == manager
    assert "probation_officer" in row.summary


def test_without_a_password_a_new_staff_member_cannot_log_in_yet(manager, office):
    member = appoint(manager, office)

    assert not member.user.has_usable_password()


def test_a_new_staff_member_can_be_given_a_password(manager, office):
    member = appoint(manager, office, password="a-long-enough-passphrase")

    assert member.user.check_password("a-long-enough-passphrase")


def test_an_unknown_role_is_refused(manager, office):
    with pytest.raises(ValidationError) as refused:
        appoint(manager, office, roles=[Role.PROBATION_OFFICER, "warden"])

    assert refused.value.message_dict["roles"] == ["Unknown roles: warden"]
    assert not StaffMember.objects.filter(staff_number="S900001").exists()


def test_a_team_of_another_office_is_refused_on_appointment(manager, office, other_office):
    with pytest.raises(ValidationError) as refused:
        appoint(manager, office, team=TeamFactory(office=other_office))

    assert refused.value.message_dict["team"] == ["That team belongs to another office."]


def test_a_taken_username_or_staff_number_is_refused_and_nothing_is_left_behind(manager, office):
    UserFactory(username="mtamihana")
    appoint(manager, office, username="other", staff_number="S900002")

    with pytest.raises(ValidationError):
        appoint(manager, office)
    with pytest.raises(ValidationError):
        appoint(manager, office, username="fresh", staff_number="S900002")

    assert not StaffMember.objects.filter(user__username="fresh").exists()


# --- relocating ------------------------------------------------------------------------------------


def test_relocating_closes_the_placement_the_day_before_and_opens_a_new_one(manager, office):
    member = appoint(manager, office)
    porirua = OfficeFactory(name="Porirua Community Corrections")
    team = TeamFactory(office=porirua, name="Team Tūī")
    move_on = today()

    placement = staff_relocate(
        actor=manager, member=member, office=porirua, team=team, on=move_on, reason="Promotion"
    )

    history = list(member.placements.order_by("started_on"))
    assert len(history) == 2
    assert history[0].office == office
    assert history[0].ended_on == move_on - DAY
    assert history[1] == placement
    assert (placement.office, placement.team, placement.started_on) == (porirua, team, move_on)
    assert placement.ended_on is None
    assert placement.reason == "Promotion"
    member.refresh_from_db()
    assert (member.office, member.team) == (porirua, team)
    row = AuditEvent.objects.filter(object_type="staff.StaffMember", action=AuditAction.UPDATE).get()
    assert row.changes == {
        "office": [str(office), "Porirua Community Corrections"],
        "team": [None, "Team Tūī (Porirua Community Corrections)"],
    }


def test_a_staff_member_relocated_twice_keeps_the_whole_history(manager, office, other_office):
    member = appoint(manager, office)

    staff_relocate(
        actor=manager, member=member, office=other_office, team=None, on=today() - DAY, reason="Cover"
    )
    staff_relocate(actor=manager, member=member, office=office, team=None, on=today(), reason="Back home")

    offices = list(member.placements.order_by("started_on").values_list("office_id", "ended_on"))
    assert offices == [
        (office.pk, today() - 2 * DAY),
        (other_office.pk, today() - DAY),
        (office.pk, None),
    ]


def test_relocating_into_a_team_of_another_office_is_refused(manager, office, other_office):
    member = appoint(manager, office)

    with pytest.raises(ValidationError) as refused:
        staff_relocate(
            actor=manager,
            member=member,
            office=other_office,
            team=TeamFactory(office=office),
            on=today(),
            reason="x",
        )

    assert "team" in refused.value.message_dict
    assert member.placements.count() == 1


def test_relocating_needs_a_reason(manager, office, other_office):
    member = appoint(manager, office)

    with pytest.raises(ValidationError) as refused:
        staff_relocate(actor=manager, member=member, office=other_office, team=None, on=today(), reason="  ")

    assert "reason" in refused.value.message_dict
    member.refresh_from_db()
    assert member.office == office


def test_relocating_to_where_the_staff_member_already_is_is_refused(manager, office):
    member = appoint(manager, office)

    with pytest.raises(ValidationError, match="already in that office and team"):
        staff_relocate(actor=manager, member=member, office=office, team=None, on=today(), reason="Same")


def test_a_move_must_come_after_the_current_placement_began(manager, office, other_office):
    member = appoint(manager, office, started_on=today() - 5 * DAY)

    with pytest.raises(ValidationError) as refused:
        staff_relocate(
            actor=manager, member=member, office=other_office, team=None, on=today() - 5 * DAY, reason="Early"
        )

    assert "on" in refused.value.message_dict
    assert StaffPlacement.objects.filter(staff=member, ended_on__isnull=True).get().office == office
