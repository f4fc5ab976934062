"""The documents app's work in the inbox (inbox.sources gathers it): reports for courts and the
Parole Board until their due date, for their author while they may work them, then for the service
managers who may approve them (documents.access)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q

from documents.models import DocumentVersion, Report, ReportStatus
from ioms.read_models import InboxSource, Person, make_item, url_for
from offenders.access import VIEWING_ROLES
from sentences.models import Sentence
from staff.models import StaffMember
from staff.roles import Role


def _may_read_record(viewer: Person) -> bool:
    """documents.access.can_read_documents: offenders.access.can_view_offender, less the read-only
    data share."""
    return bool(viewer.roles & VIEWING_ROLES)


def _offender_offices(offender_ref: str = "offender_id") -> ArraySubquery:
    """The offices of offenders.access.offender_office_ids, less the home office (added in Python)."""
    return ArraySubquery(
        Sentence.objects.current()
        .filter(offender_id=OuterRef(offender_ref), managing_office__isnull=False)
        .values("managing_office_id")
    )


def _allocated_users(offender_ref: str = "offender_id") -> ArraySubquery:
    """The users allocated to the offender's case now (offenders.access.is_allocated_to). Read from
    the staff side of allocation.CaseAllocation (its related name `allocations`): the allocation
    app sits above this one."""
    return ArraySubquery(
        StaffMember.objects.filter(
            allocations__offender_id=OuterRef(offender_ref), allocations__ended_on__isnull=True
        ).values("user_id")
    )


# The roles holding casenotes.view_sensitive_casenote (staff migration 0002): a report with
# sensitive casenote extracts is read only by them (documents.access.can_read_report).
SENSITIVE_READER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})
REPORT_TITLES = {
    ReportStatus.DRAFT: "Write the report",
    ReportStatus.RETURNED: "Rework the report returned to you",
    ReportStatus.APPROVED: "Issue the approved report",
    ReportStatus.SUBMITTED: "Approve or return the report",
}


class ReportDeadlineSource(InboxSource):
    """Issue 6, reports: a report not yet issued or cancelled is work until its due date (the court
    or hearing date). Draft, returned or approved: its author's, while they may still work it
    (documents.access.can_work_report: the record's keepers, can_edit_offender). Waiting for
    approval: the service managers of the offender's offices who wrote no part of it (four eyes,
    documents.access.approval_refusal). A report with sensitive casenote extracts only for those
    who may read them."""

    kind = "report"
    label = "Report deadlines"

    def items_for(self, people, today):
        by_user = {person.user_id: person for person in people}
        manager_offices = sorted(
            {p.office_id for p in people if p.office_id is not None and p.holds(Role.SERVICE_MANAGER)}
        )
        awaiting = Q(status=ReportStatus.SUBMITTED) & (
            Q(offender__home_office_id__in=manager_offices)
            | Exists(
                Sentence.objects.current().filter(
                    offender_id=OuterRef("offender_id"), managing_office_id__in=manager_offices
                )
            )
        )
        authors_work = Q(
            status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.APPROVED],
            author_id__in=list(by_user),
        )
        rows = (
            Report.objects.filter(authors_work | awaiting)
            .select_related("offender")
            .annotate(
                offices=_offender_offices(),
                allocated=_allocated_users(),
                contributors=ArraySubquery(
                    DocumentVersion.objects.filter(document_id=OuterRef("document_id")).values(
                        "created_by_id"
                    )
                ),
            )
            .order_by("due_on", "pk")
        )
        items = []
        for report in rows:
            offices = set(report.offices) | {report.offender.home_office_id}
            if report.status == ReportStatus.SUBMITTED:
                barred = {report.author_id, *report.contributors}
                assignees = {
                    p.user_id
                    for p in people
                    if p.holds(Role.SERVICE_MANAGER)
                    and p.office_id in offices
                    and p.user_id not in barred
                    and (not report.includes_sensitive or p.holds(*SENSITIVE_READER_ROLES))
                }
            else:
                author = by_user.get(report.author_id)
                assignees = (
                    {author.user_id}
                    if author is not None and self._may_work(author, report, offices)
                    else set()
                )
            if not assignees:
                continue
            items.append(
                make_item(
                    today=today,
                    due_on=report.due_on,
                    offender=report.offender,
                    key=f"{self.kind}:{report.pk}:{report.status}",
                    kind=self.kind,
                    title=f"{REPORT_TITLES[report.status]}: {report.get_kind_display()}"[:200],
                    detail=report.get_status_display(),
                    url=url_for("documents:report_detail", report.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset(offices - {None}),
                    sensitive=report.includes_sensitive,
                    produced_at=report.created_at,
                )
            )
        return items

    @staticmethod
    def _may_work(person: Person, report, offices: set) -> bool:
        """documents.access.can_work_report: offenders.access.can_edit_offender, and may read it."""
        if report.includes_sensitive and not person.holds(*SENSITIVE_READER_ROLES):
            return False
        if person.holds(Role.SYSTEM_ADMIN):
            return True
        if person.holds(Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT) and person.office_id in offices:
            return True
        return person.holds(Role.PROBATION_OFFICER) and person.user_id in report.allocated

    def may_see(self, viewer, item):
        if item.sensitive and not viewer.holds(*SENSITIVE_READER_ROLES):
            return False
        return _may_read_record(viewer)
