"""Who may see compliance and act on enforcement. Views and API endpoints obtain enforcement
actions only through access_action_by_id.

- A person's compliance (the record's tab) and their enforcement actions: whoever may see the
  offender's record, never the read-only data share.
- Acting on an action (decide, issue the warning, lay the breach, withdraw): the officer holding
  it, the service managers and administrative support of its office, system administrators
  (compliance.services.may_act_on, which the services check again).
- Approving or returning a breach: a service manager of its office, or a system administrator,
  who did not prepare it (compliance.services.may_approve: four eyes)."""

from django.db.models import QuerySet
from django.http import Http404

from audit.refusals import Refused
from compliance.models import EnforcementAction
from compliance.services import may_act_on, may_approve
from offenders.access import VIEWING_ROLES, can_view_offender, refuse_unless_need_to_know
from offenders.models import visible_offenders_q
from staff.access import is_read_only_user
from staff.roles import user_roles


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def can_view_compliance(user, offender) -> bool:
    return can_view_offender(user, offender) and not is_read_only_user(user)


def access_action_by_id(
    user, action_id, *, for_edit: bool = False, for_approval: bool = False
) -> EnforcementAction:
    try:
        action = EnforcementAction.objects.select_related(
            "offender__home_office",
            "sentence",
            "appointment",
            "officer__user",
            "office",
            "rules",
            "prepared_by",
            "approved_by",
            "sentence_event",
        ).get(pk=_as_int(action_id))
    except EnforcementAction.DoesNotExist:
        raise Http404("No such enforcement action.") from None
    refuse_unless_need_to_know(user, action.offender)
    if not can_view_compliance(user, action.offender):
        raise Refused("You may not see this enforcement action.", obj=action)
    if for_edit and not may_act_on(user, action):
        raise Refused("You may not act on this enforcement action.", obj=action)
    if for_approval and not may_approve(user, action):
        raise Refused(
            "Only a service manager of the office who did not prepare it may approve it.", obj=action
        )
    return action


def actions_visible_to(user) -> QuerySet[EnforcementAction]:
    """can_view_compliance as a filter: none for the read-only data share, else the actions of the
    records the user may open."""
    if is_read_only_user(user) or not user_roles(user) & VIEWING_ROLES:
        return EnforcementAction.objects.none()
    return EnforcementAction.objects.filter(visible_offenders_q(user, "offender"))
