"""The compliance app's work in the inbox (inbox.sources gathers it): each open step of the
enforcement workflow, for whoever takes it (compliance.services.may_act_on, may_approve).

- Decide on enforcement: an action being considered, for the officer holding it, due on its
  `due_on` (the failure's day plus the rules' days to decide).
- Issue the warning: a warning prepared, for the officer holding it.
- Approve a breach: a breach prepared, for the service managers of the action's office except the
  one who prepared it (four eyes).
- Lay the breach with the court: an approved breach, for the officer holding it.

Each source is one query, on the partial indexes of open actions by officer and by office,
whatever the number of people or actions."""

from compliance.models import EnforcementStatus
from compliance.selectors import breaches_to_approve, open_actions_for_officers
from ioms.read_models import InboxSource, Person, make_item, pools, url_for
from staff.roles import Role
from staff.templatetags.staff_names import staff_name


class _HeldActionSource(InboxSource):
    """Actions at one status, work for the officer holding them."""

    status: str = ""
    title: str = ""

    def detail(self, action) -> str:
        return f"Failure to attend on {action.failed_on:%-d %b %Y}"

    def items_for(self, people, today):
        # Every person with a staff record is asked about: the same query whoever is in the team.
        staff = {person.staff_id: person for person in people if person.staff_id}
        if not staff:
            return []
        actions = open_actions_for_officers(staff).filter(status=self.status)
        return [
            make_item(
                today=today,
                due_on=action.due_on,
                offender=action.offender,
                key=f"{self.kind}:{action.pk}",
                kind=self.kind,
                title=self.title,
                detail=self.detail(action),
                url=url_for("compliance:detail", action.pk),
                assignee_ids=frozenset({staff[action.officer_id].user_id}),
                office_ids=frozenset({action.office_id}),
                produced_at=action.created_at,
            )
            for action in actions
        ]

    def may_see(self, viewer: Person, item):
        """The officer holding it, and the service managers and support staff of the action's
        office, who may act on it too (compliance.services.may_act_on); not the office's other
        probation officers."""
        if viewer.user_id in item.assignee_ids or viewer.holds(Role.SYSTEM_ADMIN):
            return True
        return viewer.office_id in item.office_ids and viewer.holds(Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT)


class EnforcementDecisionSource(_HeldActionSource):
    kind = "enforcement_decide"
    label = "Enforcement decisions"
    status = EnforcementStatus.CONSIDERED
    title = "Decide on enforcement"

    def detail(self, action) -> str:
        count = action.failures_in_window
        return (
            f"{count} unacceptable failure{'s' if count != 1 else ''} to attend, the latest on "
            f"{action.failed_on:%-d %b %Y}; recommended: {action.get_recommendation_display().lower()}"
        )


class WarningIssueSource(_HeldActionSource):
    kind = "enforcement_warning"
    label = "Formal warnings to issue"
    status = EnforcementStatus.WARNING_PREPARED
    title = "Issue the warning"


class BreachLaySource(_HeldActionSource):
    kind = "enforcement_lay"
    label = "Breaches to lay"
    status = EnforcementStatus.APPROVED
    title = "Lay the breach with the court"


class BreachApprovalSource(InboxSource):
    """A breach prepared waits for a service manager of its office who did not prepare it."""

    kind = "enforcement_approve"
    label = "Breaches to approve"

    def items_for(self, people, today):
        managers = pools(people, lambda person: person.holds(Role.SERVICE_MANAGER))
        if not managers:
            return []
        items = []
        for action in breaches_to_approve(managers):
            assignees = frozenset(managers[action.office_id] - {action.prepared_by_id})
            if not assignees:
                continue
            preparer = staff_name(action.prepared_by)
            items.append(
                make_item(
                    today=today,
                    due_on=action.due_on,
                    offender=action.offender,
                    key=f"{self.kind}:{action.pk}",
                    kind=self.kind,
                    title="Approve a breach",
                    detail=f"Failure to attend on {action.failed_on:%-d %b %Y}"
                    + (f", prepared by {preparer}" if preparer else ""),
                    url=url_for("compliance:detail", action.pk),
                    assignee_ids=assignees,
                    office_ids=frozenset({action.office_id}),
                    produced_at=action.prepared_at,
                )
            )
        return items

    def may_see(self, viewer: Person, item):
        if viewer.holds(Role.SYSTEM_ADMIN):
            return True
        return viewer.office_id in item.office_ids and viewer.holds(Role.SERVICE_MANAGER)
