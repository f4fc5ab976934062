"""Who has an inbox and whose inbox they may open.

Every signed-in user with a role that does work has an inbox; the read-only data share has none.
A manager (inbox.selectors: a service manager; at a prison, its approving officers too) opens
their team's inbox and each member's; anyone else only their own. Which items each person may see
is decided per source (inbox.sources: each producing app's, next to its access module)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from inbox.selectors import has_inbox, is_manager, manages, person_by_staff_id, person_of
from ioms.read_models import Person


def can_have_inbox(user) -> bool:
    return has_inbox(person_of(user))


def can_view_team_inbox(user) -> bool:
    person = person_of(user)
    return has_inbox(person) and is_manager(person)


def access_own_inbox(user) -> Person:
    """The signed-in user as the owner of an inbox: 403 for the data share and users with no role."""
    person = person_of(user)
    if not has_inbox(person):
        raise PermissionDenied("You have no work inbox: your access is read-only.")
    return person


def access_team_inbox(user) -> Person:
    """The signed-in manager: 403 for anyone who manages no team."""
    person = access_own_inbox(user)
    if not is_manager(person):
        raise PermissionDenied("Only a manager sees a team's inbox.")
    return person


def access_inbox_person_by_id(user, staff_id) -> tuple[Person, Person]:
    """(viewer, owner) for one staff member's inbox: 404 if there is no such staff member or they
    have no inbox, 403 unless the viewer is that person or their manager."""
    viewer = access_own_inbox(user)
    owner = person_by_staff_id(staff_id)
    if owner is None or not has_inbox(owner):
        raise Http404("No such staff member, or they have no work inbox.")
    if owner.user_id == viewer.user_id:
        return viewer, viewer
    if not manages(viewer, owner):
        raise PermissionDenied("Only this person's manager may see their inbox.")
    return viewer, owner
