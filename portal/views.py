"""The portal's cross-app pages (portal/__init__.py). Each reads the apps it shows through their
access modules and selectors."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from allocation.access import can_allocate_case
from allocation.handover import RELEASE_TYPES
from allocation.models import CaseAllocation, open_caseload
from audit.models import AuditAction, AuditEvent
from audit.services import audit_listed, audit_view
from casenotes.access import can_read_sensitive
from casenotes.models import Casenote
from courts.access import can_raise_correction
from datashare.access import browser_scope_of, reads_through_share
from documents.access import can_read_documents, can_write_documents, readable_documents
from inbox.selectors import has_inbox, inbox_of, person_of
from ioms.row_counts import count_up_to, estimated_rows
from offenders.access import access_offender_by_id, can_view_history
from offenders.forms import OffenderSearchForm
from offenders.models import Offender, visible_offenders_q
from offenders.views import record_context
from sentences.access import access_sentence_by_id, can_edit_sentence
from sentences.custody import in_custody_q
from sentences.models import (
    CURRENT_SENTENCES_INDEX,
    RESOLVABLE_EVENT_KINDS,
    Sentence,
    SentenceStatus,
    SentenceType,
)
from sentences.selectors import next_key_date, sentence_key_dates
from staff.access import access_staff_member_by_id, can_manage_staff_in, can_view_staff_directory, staff_of
from staff.forms import StaffFilterForm
from staff.models import Office, StaffMember
from staff.roles import Role, user_roles

# --- The home page: what each role needs first. A user holding several roles sees each role's part.

PRISON_ROLES = frozenset({Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER})
RECENT_LIMIT = 10
PRISONERS_PER_PAGE = 50
AUDIT_TODAY_LIMIT = 10_000


def _caseload(member: StaffMember) -> list[dict]:
    """The people allocated to the member, each once with every role the member holds on the case
    (an officer can be both the probation officer and the case manager: issue 14 found each such
    person listed once per role), the offender's current sentences and the next key date among
    them: three queries however long the caseload. Restricted records the member may not open are
    left out (need-to-know, as in every list)."""
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
    rows: dict[int, dict] = {}
    for allocation in allocations:
        row = rows.get(allocation.offender_id)
        if row is None:
            row = rows[allocation.offender_id] = {
                "offender": allocation.offender,
                "roles": [],
                "sentences": allocation.offender.current_sentences,
                "key_date": next_key_date(allocation.offender.current_sentences, today),
            }
        role = allocation.get_role_display()
        if role not in row["roles"]:
            row["roles"].append(role)
    return list(rows.values())


def _recent_casenotes_by(user) -> list[Casenote]:
    """The casenotes the user wrote, latest contact first: the list shows each note's contact date,
    as the record's casenotes tab does, so it is sorted by it too (sorted by save time, a note
    written up days after the contact put an older date above newer ones)."""
    return list(
        Casenote.objects.filter(author=user)
        .filter(visible_offenders_q(user, "offender"))
        .visible_to_sensitive(can_read_sensitive(user))
        .select_related("offender")
        .order_by("-contact_on", "-created_at", "-id")[:RECENT_LIMIT]
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
    """Offenders in custody serving an active sentence of imprisonment that the office manages (a
    released prisoner still serves the sentence, in the community: sentences.custody)."""
    in_prison = Sentence.objects.filter(
        offender=OuterRef("pk"),
        managing_office=office,
        sentence_type=SentenceType.IMPRISONMENT,
        status=SentenceStatus.ACTIVE,
    )
    return (
        Offender.objects.filter(Exists(in_prison), in_custody_q("pk"))
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


# --- The staff directory, with each member's open caseload (seed 001) ---------------------------

DIRECTORY_PAGE_SIZE = 50


def _role_labels(member: StaffMember) -> list[str]:
    valid = set(Role.values)
    # user.groups is prefetched: no query per row.
    return [Role(group.name).label for group in member.user.groups.all() if group.name in valid]


@require_http_methods(["GET"])
def staff_list(request):
    if not can_view_staff_directory(request.user):
        raise PermissionDenied("You may not see the staff directory.")
    form = StaffFilterForm(request.GET or None)
    members = StaffMember.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["office"]:
            members = members.filter(office=data["office"])
        if data["role"]:
            members = members.filter(user__groups__name=data["role"])
        if data["name"]:
            text = data["name"].strip()
            members = members.filter(
                Q(user__first_name__icontains=text)
                | Q(user__last_name__icontains=text)
                | Q(staff_number__iexact=text)
            )
        if not data["include_inactive"]:
            members = members.filter(active=True)
    else:
        members = members.filter(active=True)
    members = (
        members.select_related("user", "office", "team")
        .prefetch_related("user__groups")
        .annotate(caseload=open_caseload())
        .order_by("user__last_name", "user__first_name", "pk")
    )
    page_obj = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(member, _role_labels(member)) for member in page_obj]
    return render(request, "staff/list.html", {"form": form, "page_obj": page_obj, "rows": rows})


@require_http_methods(["GET"])
def staff_detail(request, pk):
    member = access_staff_member_by_id(request.user, pk)
    placements = member.placements.select_related("office", "team", "recorded_by")
    caseload = list(
        CaseAllocation.objects.current()
        .filter(staff=member)
        .filter(visible_offenders_q(request.user, "offender"))  # need-to-know
        .select_related("offender", "sentence")
        .order_by("offender__family_name", "offender__given_names")
    )
    audit_listed(
        actor=request.user,
        offender_ids=[allocation.offender_id for allocation in caseload],
        summary=f"Listed in the caseload of {member}",
    )
    return render(
        request,
        "staff/detail.html",
        {
            "member": member,
            "roles": [
                Role(name).label
                for name in member.user.groups.values_list("name", flat=True)
                if name in Role.values
            ],
            "placements": placements,
            "caseload": caseload,
            "can_relocate": can_manage_staff_in(request.user, member.office),
        },
    )


# --- A sentence's page, with what the viewer may do next in the apps above sentences -------------


@require_http_methods(["GET"])
def sentence_detail(request, pk):
    sentence = access_sentence_by_id(request.user, pk)
    audit_view(actor=request.user, obj=sentence)
    user = request.user
    may_edit = can_edit_sentence(user, sentence)
    is_open = sentence.status != SentenceStatus.COMPLETED
    documents = []
    if can_read_documents(user, sentence.offender):
        documents = (
            readable_documents(user, sentence.documents.all())
            .select_related("template", "created_by")
            .order_by("-updated_at")
        )
    return render(
        request,
        "sentences/detail.html",
        {
            "sentence": sentence,
            "offender": sentence.offender,
            "convictions": sentence.convictions.select_related("offence", "charge").order_by("-convicted_on"),
            "events": sentence.events.select_related("recorded_by").order_by("-occurred_on", "-id"),
            "outstanding_events": sentence.events.filter(
                kind__in=RESOLVABLE_EVENT_KINDS, resolved_on__isnull=True
            ).order_by("occurred_on"),
            "documents": documents,
            # The sentence calculation beside the recorded dates (docs/sentence-calculation.md).
            "key_dates": sentence_key_dates(sentence),
            "can_read_documents": can_read_documents(user, sentence.offender),
            "can_edit": may_edit and is_open,
            "can_record_event": may_edit,
            "can_complete": may_edit and is_open,
            # Seed 004: a recall moves the offender back to prison (allocation.team.offender_recall).
            "can_recall": is_open
            and sentence.sentence_type in RELEASE_TYPES
            and can_allocate_case(user, sentence.offender),
            "can_raise_correction": can_raise_correction(user, sentence.offender),
            "can_write_documents": can_write_documents(user, sentence.offender),
        },
    )


# --- A record's audit trail: a tab of the record page ---------------------------------------------

HISTORY_PAGE_SIZE = 50


def _redact_sensitive_casenotes(user, events) -> None:
    """The trail records a casenote's summary when it is written; a reader without the
    sensitive-casenote permission sees that a sensitive note was written, not what it says."""
    if can_read_sensitive(user):
        return
    note_ids = {event.object_id for event in events if event.object_type == "casenotes.Casenote"}
    if not note_ids:
        return
    sensitive = {
        str(pk)
        for pk in Casenote.objects.filter(pk__in=note_ids, sensitive=True).values_list("pk", flat=True)
    }
    for event in events:
        if event.object_type == "casenotes.Casenote" and event.object_id in sensitive:
            event.changes = {}
            event.summary = f"{event.summary} (sensitive note: details withheld)"


@require_http_methods(["GET"])
def offender_history(request, offender_pk: int):
    """The audit trail of one offender's record: who viewed, searched to and changed what."""
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_history(request.user, offender):
        raise PermissionDenied("You may not see the history of this record.")
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the history of {offender}")
    events = AuditEvent.objects.filter(offender=offender).select_related("actor").order_by("-at", "-id")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    page_obj = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    _redact_sensitive_casenotes(request.user, page_obj.object_list)
    context = record_context(request, offender, tab="history")
    context.update(page_obj=page_obj, actions=AuditAction.choices, action=action)
    return render(request, "audit/offender_history.html", context)
