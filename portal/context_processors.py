"""The main menu: each area shown only to those its app's access module lets in. It asks apps of every
layer, so it lives in the portal (a read model), not in staff."""

from allocation.access import can_work_queue
from courts.access import can_view_court_messages
from inbox.access import can_have_inbox
from muster.access import can_view_muster
from reconciliation.access import can_view_exceptions_report
from staff.access import staff_of
from staff.roles import Role, has_role, user_roles


def staff_context(request):
    user = getattr(request, "user", None)
    roles = user_roles(user)
    signed_in = bool(roles)
    return {
        "user_roles": roles,
        "user_role_labels": [Role(role).label for role in sorted(roles)],
        "Role": Role,
        # The main menu shows each area only to those its access module lets in.
        "nav_inbox": signed_in and can_have_inbox(user),
        "nav_muster": signed_in and can_view_muster(user),
        "nav_exceptions": signed_in and can_view_exceptions_report(user),
        "nav_courts": signed_in and can_view_court_messages(user),
        "nav_queue": signed_in
        and (
            has_role(user, Role.SYSTEM_ADMIN) or can_work_queue(user, getattr(staff_of(user), "office", None))
        ),
        # Anyone who may sit on an offender management team (seed 004) has a caseload.
        "nav_caseload": signed_in
        and has_role(
            user,
            Role.PROBATION_OFFICER,
            Role.PRISON_OFFICER,
            Role.ADMIN_SUPPORT,
            Role.SERVICE_MANAGER,
            Role.RECOMMENDING_OFFICER,
            Role.APPROVING_OFFICER,
        ),
        "nav_classification": signed_in
        and has_role(
            user, Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER, Role.SYSTEM_ADMIN
        ),
    }
