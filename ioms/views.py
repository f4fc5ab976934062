"""The home page: what each role needs first. A user holding several roles sees each role's part."""

import datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from allocation.models import CaseAllocation, open_caseload
from audit.models import AuditEvent
from casenotes.access import can_read_sensitive
from casenotes.models import Casenote
from datashare.access import browser_scope_of, reads_through_share
from inbox.selectors import has_inbox, inbox_of, person_of
from ioms.row_counts import count_up_to, estimated_rows
from offenders.forms import OffenderSearchForm
from offenders.models import Offender, visible_offenders_q
from offenders.selectors import next_key_date
from sentences.models import CURRENT_SENTENCES_INDEX, Sentence, SentenceStatus, SentenceType
from staff.access import staff_of
from staff.models import Office, StaffMember
from staff.roles import Role, user_roles

PRISON_ROLES = frozenset({Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER})
RECENT_LIMIT = 10
PRISONERS_PER_PAGE = 50
AUDIT_TODAY_LIMIT = 10_000


def _caseload(member: StaffMember) -> list[dict]:
    """The member's current allocations, each with the offender's current sentences and the next
    key date among them: three queries however long the caseload. Restricted records the member
    may not open are left out (need-to-know, as in every list)."""
    allocations = (
        CaseAllocation.objects.current()
        .filter(staff=member)
        .filter(visible_offenders_q(member.user, "offender"))
        .select_related("offender__home_office")
        .prefetch_related(
            Prefetch(
                "offender__sentences",
                queryset=Sentence.objects.current().order_by("start_date", "id"),
                to_attr="current_sentences",
            )
        )
        .order_by("offender__family_name", "offender__given_names", "offender_id", "role")
    )
    today = timezone.localdate()
    return [
        {
            "allocation": allocation,
            "offender": allocation.offender,
            "sentences": allocation.offender.current_sentences,
            "key_date": next_key_date(allocation.offender.current_sentences, today),
        }
        for allocation in allocations
    ]


def _recent_casenotes_by(user) -> list[Casenote]:
    return list(
        Casenote.objects.filter(author=user)
        .filter(visible_offenders_q(user, "offender"))
        .visible_to_sensitive(can_read_sensitive(user))
        .select_related("offender")
        .order_by("-created_at", "-id")[:RECENT_LIMIT]
    )


def _office_sentence_counts(office: Office) -> dict:
    """Current sentences the office manages, by type, with the number of people under each."""
    labels = dict(SentenceType.choices)
    current = Sentence.objects.current().filter(managing_office=office)
    rows = current.values("sentence_type").annotate(
        sentences=Count("id"), offenders=Count("offender", distinct=True)
    )
    by_type = sorted(
        ({"label": labels.get(row["sentence_type"], row["sentence_type"]), **row} for row in rows),
        key=lambda row: row["label"],
    )
    return {"by_type": by_type, "offenders": current.values("offender").distinct().count()}


def _office_officers(office: Office) -> list[StaffMember]:
    is_officer = get_user_model().objects.filter(pk=OuterRef("user_id"), groups__name=Role.PROBATION_OFFICER)
    return list(
        StaffMember.objects.filter(office=office, active=True)
        .filter(Exists(is_officer))
        .select_related("user", "team")
        .annotate(caseload=open_caseload())
        .order_by("user__last_name", "user__first_name")
    )


def _recently_changed_sentences(office: Office, user) -> list[Sentence]:
    return list(
        Sentence.objects.filter(managing_office=office)
        .filter(visible_offenders_q(user, "offender"))
        .select_related("offender", "court")
        .order_by("-updated_at", "-id")[:20]
    )


def _prisoners(office: Office, user):
    """Offenders serving an active sentence of imprisonment that the office manages."""
    in_prison = Sentence.objects.filter(
        offender=OuterRef("pk"),
        managing_office=office,
        sentence_type=SentenceType.IMPRISONMENT,
        status=SentenceStatus.ACTIVE,
    )
    return (
        Offender.objects.filter(Exists(in_prison))
        .visible_to(user)
        .prefetch_related(
            Prefetch(
                "sentences",
                queryset=Sentence.objects.filter(
                    managing_office=office,
                    sentence_type=SentenceType.IMPRISONMENT,
                    status=SentenceStatus.ACTIVE,
                ).order_by("start_date"),
                to_attr="prison_sentences",
            )
        )
        .order_by("family_name", "given_names", "id")
    )


def _system_counts() -> dict:
    """Offenders and sentences grow with the country: PostgreSQL's estimates, not counts (issue 10).
    Staff and offices are a few thousand rows; a day's audit trail is counted up to a limit."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return {
        "offenders": estimated_rows(Offender._meta.db_table),
        "current_sentences": estimated_rows(CURRENT_SENTENCES_INDEX),
        "staff": StaffMember.objects.filter(active=True).count(),
        "offices": Office.objects.active().count(),
        "audit_today": count_up_to(AuditEvent.objects.filter(at__gte=start_of_today), AUDIT_TODAY_LIMIT),
    }


@require_http_methods(["GET"])
def home(request):
    user = request.user
    roles = user_roles(user)
    context: dict = {"roles": roles}
    if not roles:
        return render(request, "home.html", context)
    member = staff_of(user)
    office = member.office if member else None
    context["member"] = member
    context["office"] = office
    me = person_of(user)
    if has_inbox(me):
        context["inbox"] = inbox_of(me, viewer=me, today=timezone.localdate())

    if Role.PROBATION_OFFICER in roles:
        context["caseload"] = _caseload(member) if member else []
        context["recent_casenotes"] = _recent_casenotes_by(user)
    if Role.SERVICE_MANAGER in roles and office:
        context["office_counts"] = _office_sentence_counts(office)
        context["officers"] = _office_officers(office)
    if Role.ADMIN_SUPPORT in roles and office:
        context["changed_sentences"] = _recently_changed_sentences(office, user)
    if roles & PRISON_ROLES and office:
        context["prisoners_page"] = Paginator(_prisoners(office, user), PRISONERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    if Role.DATA_SHARE in roles:
        context["search_form"] = OffenderSearchForm()
        if reads_through_share(user):
            context["share_scope"] = browser_scope_of(user)
            context["share_not_in_force"] = context["share_scope"] is None
    if Role.SYSTEM_ADMIN in roles:
        context["counts"] = _system_counts()
    return render(request, "home.html", context)
