"""Staff records: creation and relocation (seed 001: staff relocates to a new team or location)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actors import actor_user
from audit.models import AuditAction
from audit.services import audit_created, audit_record
from staff.models import Office, OfficeKind, StaffMember, StaffPlacement, Team
from staff.roles import Role


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    staff_number: str,
    office: Office,
    roles: list[str],
    started_on: datetime.date,
    team: Team | None = None,
    position: str = "",
    password: str | None = None,
    hours_per_week=40,
) -> StaffMember:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown roles: {', '.join(sorted(unknown))}"})
    if team is not None and team.office_id != office.pk:
        raise ValidationError({"team": "That team belongs to another office."})
    user = get_user_model()(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    member = StaffMember(
        user=user,
        staff_number=staff_number,
        office=office,
        team=team,
        position=position,
        hours_per_week=hours_per_week,
    )
    member.full_clean()
    member.save()
    StaffPlacement.objects.create(
        staff=member,
        office=office,
        team=team,
        started_on=started_on,
        reason="Appointed",
        recorded_by=actor_user(actor),
    )
    audit_created(
        actor=actor,
        obj=member,
        fields=("staff_number", "office", "team", "position"),
        summary=f"Created staff member {member} ({', '.join(sorted(roles))})",
    )
    return member


@transaction.atomic
def staff_relocate(
    *, actor, member: StaffMember, office: Office, team: Team | None, on: datetime.date, reason: str
) -> StaffPlacement:
    """Close the current placement the day before `on` and open a new one; the staff record's
    current office and team follow."""
    if team is not None and team.office_id != office.pk:
        raise ValidationError({"team": "That team belongs to another office."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the staff member is moving."})
    if office.kind == OfficeKind.COURT:
        raise ValidationError({"office": "Staff are not placed at a court."})
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    if member.office_id == office.pk and member.team_id == (team.pk if team else None):
        raise ValidationError("The staff member is already in that office and team.")
    current = member.placements.filter(ended_on__isnull=True).first()
    if current is not None:
        if on <= current.started_on:
            raise ValidationError(
                {"on": f"The move must be after the current placement began ({current.started_on})."}
            )
        current.ended_on = on - datetime.timedelta(days=1)
        current.save(update_fields=["ended_on"])
    placement = StaffPlacement.objects.create(
        staff=member,
        office=office,
        team=team,
        started_on=on,
        reason=reason,
        recorded_by=actor_user(actor),
    )
    before = {"office": str(member.office), "team": str(member.team) if member.team else None}
    member.office, member.team = office, team
    member.save(update_fields=["office", "team", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member,
        summary=f"Relocated {member}: {reason}",
        changes={
            "office": [before["office"], str(office)],
            "team": [before["team"], str(team) if team else None],
        },
    )
    return placement
