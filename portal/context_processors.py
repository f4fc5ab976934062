"""The main menu: each link shown only to those its page lets in, decided by the same access rule
the page's view uses, so no menu link answers 403. It asks apps of every layer, so it lives in the
portal (a read model), not in staff."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from agencies.access import can_view_agencies
from allocation.access import can_work_queue
from allocation.models import Notification
from classification.access import can_manage_instruments
from courts.access import can_view_court_messages
from datashare.access import reads_through_share
from inbox.access import can_have_inbox
from ioms.admin_site import administrators_only
from muster.access import can_view_muster
from offenders.access import can_search_offenders
from reconciliation.access import can_view_exceptions_report
from staff.access import can_view_staff_directory, office_id_of, staff_of
from staff.roles import Role, has_role, user_roles

# Those whose own work is a caseload (allocation.selectors.CASELOAD_ROLES): a probation officer
# supervises sentences, a prison officer is the offender supervisor of prisoners. Managers and
# administrative support open other officers' caseloads from the allocation queue and staff pages.
CASELOAD_HOLDERS = (Role.PROBATION_OFFICER, Role.PRISON_OFFICER)
# classification.views.reviews.review_list: prison staff placed at a prison, or a system administrator.
REVIEW_LIST_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)
# The API docs are for those who work with the API: system administrators, who set up partner
# systems, and the data share's readers. Front-line staff use the portal's pages.
API_DOCS_ROLES = (Role.SYSTEM_ADMIN, Role.DATA_SHARE)


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    current: bool = False


def _may_open_caseload(user) -> bool:
    """allocation.views.caseload: one's own caseload needs a staff record; the menu offers it only
    to those whose work is a caseload."""
    return has_role(user, *CASELOAD_HOLDERS) and staff_of(user) is not None


def _may_work_queue(user) -> bool:
    """allocation.views._queue_office without a chosen office: the user's own office, which they
    must manage (a system administrator too needs an office to start from)."""
    member = staff_of(user)
    return member is not None and can_work_queue(user, member.office)


def _may_list_reviews(user) -> bool:
    """classification.views.reviews.review_list."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, *REVIEW_LIST_ROLES) and office_id_of(user) is not None


def main_menu(request) -> list[MenuLink]:
    """The links of the main menu for this request's user, in the menu's order."""
    user = request.user
    match = getattr(request, "resolver_match", None)  # None on a page no URL matched (a 404)
    namespace = match.namespace if match else ""
    view_name = match.view_name if match else ""
    links = [MenuLink("Home", reverse("home"), view_name == "home")]
    if not user_roles(user):
        return links

    def add(label: str, url_name: str, current: bool) -> None:
        links.append(MenuLink(label, reverse(url_name), current))

    if reads_through_share(user) or can_search_offenders(user):
        add("Search offenders", "offenders:search", namespace in {"offenders", "casenotes", "audit"})
    if can_have_inbox(user):
        add("Inbox", "inbox:mine", namespace == "inbox")
    if _may_open_caseload(user):
        add("My caseload", "allocation:caseload", view_name == "allocation:caseload")
    if has_role(user, Role.PROBATION_OFFICER):  # appointments.views.my_diary
        add("My diary", "appointments:mine", namespace == "appointments")
    if _may_work_queue(user):
        add("Allocation queue", "allocation:queue", view_name in {"allocation:queue", "allocation:request"})
    if can_view_muster(user):
        add("Muster list", "muster:mine", namespace == "muster")
    if can_view_exceptions_report(user):
        add("Exceptions", "reconciliation:report", namespace == "reconciliation")
    if _may_list_reviews(user):
        add(
            "Classification",
            "classification:reviews",
            namespace == "classification" and not view_name.startswith("classification:instrument"),
        )
    if can_manage_instruments(user):
        add(
            "Scoring instrument",
            "classification:instruments",
            view_name.startswith("classification:instrument"),
        )
    if can_view_court_messages(user):
        add("Court messages", "courts:message_list", namespace == "courts")
    if can_view_agencies(user):
        add("Agencies & programmes", "agencies:list", namespace == "agencies")
    if can_view_staff_directory(user):
        add("Staff", "staff:list", namespace == "staff")
    if has_role(user, *API_DOCS_ROLES):
        add("API docs", "api-docs", view_name == "api-docs")
    if administrators_only(request):
        add("Admin", "admin:index", namespace == "admin")
    return links


def unread_notifications(user) -> int:
    """One COUNT over the user's unread notifications, answered from the (recipient, read_at) index
    `notification_unread` (allocation.models.Notification)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def staff_context(request):
    user = getattr(request, "user", None)
    roles = user_roles(user)
    return {
        "user_roles": roles,
        "user_role_labels": [Role(role).label for role in sorted(roles)],
        "Role": Role,
        # Lazy: worked out only when a page draws the menu (not for a CSV, a PDF or an e-mail).
        "main_menu": SimpleLazyObject(lambda: main_menu(request)),
        "nav_unread": SimpleLazyObject(lambda: unread_notifications(user)) if roles else 0,
    }
