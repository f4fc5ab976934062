"""Browser pages for allocating staff to an offender's case (seed 001: staff allocated, changed)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from allocation.access import (
    PRISON_MANAGING_ROLES,
    access_allocate_request_by_id,
    access_allocation_by_id,
    access_unavailability_by_id,
    can_allocate_case,
    can_manage_team,
    can_manage_team_member,
    can_view_caseload,
    can_work_queue,
    team_roles_for,
    team_staff_office_ids,
)
from allocation.checklist import allocate_request_step_record
from allocation.forms import (
    AllocateForm,
    AllocationEndForm,
    OfficeChoiceForm,
    OwsReviewForm,
    QueueFilterForm,
    ReallocateForm,
    RecallForm,
    RequestAllocateForm,
    RequestCancelForm,
    StepConfirmForm,
    TeamReplaceForm,
    TransferForm,
    UnavailabilityCancelForm,
    UnavailabilityForm,
)
from allocation.handover import RELEASE_TYPES
from allocation.models import (
    TEAM_ORDER,
    AllocateRequest,
    AllocateRequestStatus,
    CaseAllocation,
    ChecklistStep,
    Notification,
    StaffUnavailability,
)
from allocation.notifications import notification_mark_read
from allocation.reallocation import case_transfer_request, cases_reallocate
from allocation.requests import allocate_request_allocate, allocate_request_cancel
from allocation.selectors import (
    allocation_history,
    offender_team,
    office_officers,
    office_queue,
    office_workload,
    officer_caseload,
    officer_options,
    request_counts,
)
from allocation.team import offender_recall, team_member_add, team_member_end, team_member_replace
from allocation.unavailability import staff_unavailability_cancel, staff_unavailability_record
from audit.services import audit_listed, audit_view
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id
from offenders.models import visible_offenders_q
from sentences.models import Sentence, SentenceStatus
from staff.access import access_staff_member_by_id, staff_of
from staff.models import Office, OfficeKind
from staff.roles import Role, has_role

# Cases allocated within this many days show as new on the officer's caseload.
NEW_CASE_DAYS = 14
# The most recent allocation changes shown on a caseload page.
HISTORY_ROWS = 50


def team_panel(user, offender) -> dict:
    """The offender management team for the record's Staff tab: each role with its current members
    and whether the user may end or replace each (a fixed number of queries)."""
    team = offender_team(offender)
    for group in team:
        for member in group.members:
            member.may_change = can_manage_team_member(user, offender, role=member.role, staff=member.staff)
    return {"team": team, "may_manage_team": can_manage_team(user, offender)}


@require_http_methods(["GET", "POST"])
def allocate(request, offender_pk):
    """Add a member to the offender's team (seed 004)."""
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_manage_team(request.user, offender):
        raise PermissionDenied("Only a manager of the offender's office or prison may change the team.")
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to allocate the case")
    form = AllocateForm(
        request.POST or None,
        offender=offender,
        roles=team_roles_for(request.user, offender),
        office_ids=team_staff_office_ids(request.user, offender),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation = team_member_add(
                actor=request.user,
                offender=offender,
                staff=data["staff"],
                role=data["role"],
                started_on=data["started_on"],
                sentence=data["sentence"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{allocation.staff} is allocated to {offender.full_name} as "
                f"{allocation.get_role_display().lower()}.",
            )
            return redirect("offenders:detail", pk=offender.pk)
    current = list(
        CaseAllocation.objects.current()
        .filter(offender=offender)
        .select_related("staff__user", "staff__office", "sentence")
    )
    for member in current:
        member.may_change = can_manage_team_member(
            request.user, offender, role=member.role, staff=member.staff
        )
    return render(
        request, "allocation/allocate.html", {"offender": offender, "form": form, "current": current}
    )


@require_http_methods(["GET", "POST"])
def allocation_end(request, pk):
    """End one membership of the team; it stays in the history."""
    allocation = access_allocation_by_id(request.user, pk)
    offender = allocation.offender
    if allocation.ended_on is not None:
        messages.info(request, f"The allocation of {allocation.staff} already ended.")
        return redirect("offenders:detail", pk=offender.pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to end a team membership")
    form = AllocationEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team_member_end(
                actor=request.user,
                allocation=allocation,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{allocation.staff} is no longer allocated to {offender.full_name}.")
            return redirect("offenders:detail", pk=offender.pk)
    return render(
        request, "allocation/end.html", {"allocation": allocation, "offender": offender, "form": form}
    )


@require_http_methods(["GET", "POST"])
def allocation_replace(request, pk):
    """Replace one member of the team: the old membership ends the day the new one starts."""
    allocation = access_allocation_by_id(request.user, pk)
    offender = allocation.offender
    if allocation.ended_on is not None:
        messages.info(request, f"The allocation of {allocation.staff} already ended.")
        return redirect("offenders:staff", pk=offender.pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to replace a team member")
    form = TeamReplaceForm(
        request.POST or None,
        allocation=allocation,
        office_ids=team_staff_office_ids(request.user, offender),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = team_member_replace(
                actor=request.user,
                allocation=allocation,
                staff=data["staff"],
                on=data["on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"ended_on": "on", "started_on": "on"})
        else:
            messages.success(
                request,
                f"{new.staff} replaces {allocation.staff} as {new.get_role_display().lower()} "
                f"of {offender.full_name}.",
            )
            return redirect("offenders:staff", pk=offender.pk)
    return render(
        request, "allocation/replace.html", {"allocation": allocation, "offender": offender, "form": form}
    )


@require_http_methods(["GET", "POST"])
def sentence_recall(request, sentence_pk):
    """Record that an offender on parole or release on conditions is recalled to prison: the
    release ends and the prison's queue gets a request for an offender supervisor
    (allocation.team.offender_recall)."""
    release = get_object_or_404(Sentence.objects.select_related("offender"), pk=sentence_pk)
    offender = access_offender_by_id(request.user, release.offender_id)
    if not (can_allocate_case(request.user, offender) or has_role(request.user, *PRISON_MANAGING_ROLES)):
        raise PermissionDenied("Only a manager of the offender's office or of a prison records a recall.")
    if release.sentence_type not in RELEASE_TYPES or release.status == SentenceStatus.COMPLETED:
        messages.error(request, "Only a current parole or release on conditions can be recalled.")
        return redirect("sentences:detail", pk=release.pk)
    if request.method == "GET":
        audit_view(actor=request.user, obj=release, summary=f"Opened {release} to record a recall")
    prisons = Office.objects.active().filter(kind=OfficeKind.PRISON).order_by("name")
    form = RecallForm(request.POST or None, prisons=prisons)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offender_recall(
                actor=request.user,
                release=release,
                prison=data["prison"],
                recalled_on=data["recalled_on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"release": "__all__"})
        else:
            messages.success(
                request,
                f"Recall recorded. {data['prison'].name}'s allocation queue has a request for an "
                "offender supervisor; the community team stays until someone ends it.",
            )
            return redirect("offenders:staff", pk=offender.pk)
    return render(request, "allocation/recall.html", {"release": release, "offender": offender, "form": form})


# --- The allocation queue (seed 002) -----------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


def _queue_office(
    request,
    refusal: str = "Only a manager sees their office's allocation queue.",
    *,
    may=can_work_queue,
    prisons: bool = True,
):
    """The manager's own office; a system administrator may choose any office."""
    member = staff_of(request.user)
    office = member.office if member else None
    office_form = None
    if has_role(request.user, Role.SYSTEM_ADMIN):
        office_form = OfficeChoiceForm(request.GET or None, initial={"office": office}, prisons=prisons)
        if request.GET.get("office") and office_form.is_valid():
            office = office_form.cleaned_data["office"]
    if office is None or not may(request.user, office):
        raise PermissionDenied(refusal)
    return office, office_form


def _may_record_leave_in(user, office) -> bool:
    """The leave page: a service manager of the office (allocation.access.can_manage_unavailability
    decides each officer's leave)."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return (
        has_role(user, Role.SERVICE_MANAGER)
        and office is not None
        and office.pk == getattr(staff_of(user), "office_id", None)
    )


@require_http_methods(["GET"])
def queue(request):
    office, office_form = _queue_office(request)
    form = QueueFilterForm(request.GET or None)
    # Need-to-know: requests for restricted records the manager may not open are not listed.
    rows = office_queue(office).filter(visible_offenders_q(request.user, "offender"))
    today = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["sentence_type"]:
            rows = rows.filter(sentence__sentence_type=data["sentence_type"])
        if data["urgency"] == "overdue":
            rows = rows.filter(due_on__lt=today)
        elif data["urgency"] == "pre_allocation":
            rows = rows.filter(pre_allocation=True)
        elif data["urgency"] == "week":
            rows = rows.filter(due_on__lte=today + datetime.timedelta(days=7))
    page_obj = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "request": item,
            "days_left": (item.due_on - today).days,
            "age": (today - timezone.localdate(item.received_at)).days,
        }
        for item in page_obj.object_list
    ]
    audit_listed(
        actor=request.user,
        offender_ids=[item["request"].offender_id for item in items],
        summary=f"Allocation queue of {office.name}",
    )
    return render(
        request,
        "allocation/queue.html",
        {
            "office": office,
            "office_form": office_form,
            "form": form,
            "page_obj": page_obj,
            "items": items,
            "counts": request_counts(office),
            "workload": office_workload(office),
            "can_record_leave": _may_record_leave_in(request.user, office),
        },
    )


# --- Working one allocate request: a task list (GOV.UK pattern) --------------------------------------
# The request page lists the checklist's steps and the choice of officer as tasks, each with its
# status; each step has its own page with one button that returns to the task list.

# What each step asks, in plain words (seed 002), and the sentence its box confirms.
STEP_GUIDANCE = {
    ChecklistStep.DUE_CHECKED: (
        "Check IOMS for offenders due for allocation.",
        "I have checked the offenders due for allocation",
    ),
    ChecklistStep.ORDER_RECEIVED: (
        "Check that the sentence order or release notice has been received.",
        "The sentence order or release notice has been received",
    ),
    ChecklistStep.ORDER_RECORDED: (
        "Record the sentence order or release notice in IOMS, under the sentence or Parole Board order "
        "received.",
        "The sentence order or release notice is recorded on the sentence",
    ),
    ChecklistStep.FILE_SET_UP: (
        "Set up or re-open the offender's paper file.",
        "The offender file is set up or re-opened",
    ),
    ChecklistStep.OWS_REVIEWED: (
        "Review the offender's details against the offender warning system (OWS) criteria, if this "
        "has not already been done.",
        "",
    ),
    ChecklistStep.CSO_NOTIFICATION: (
        "This offender is a child sex offender serving a sentence for a child sex offence: complete "
        "the CSO9 child sex offender notification (initial identification) form.",
        "The CSO9 notification form is completed",
    ),
}

# Task statuses (GOV.UK task list): the words shown and whether the task can be opened.
NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START, NOT_NEEDED = (
    "Not started",
    "In progress",
    "Completed",
    "Cannot start yet",
    "Does not apply",
)


def step_status(row) -> str:
    if row.done_at is not None:
        return COMPLETED
    if not row.applicable:
        return NOT_NEEDED
    return NOT_STARTED


def checklist_status(steps) -> str:
    """The checklist as a whole: not started, in progress (some step settled by a manager) or
    completed (no applicable step open). The CSO step the system marked "does not apply" is not
    progress."""
    if not any(row.is_open for row in steps):
        return COMPLETED
    settled = [
        row
        for row in steps
        if row.done_at is not None or (not row.applicable and row.step != ChecklistStep.CSO_NOTIFICATION)
    ]
    return IN_PROGRESS if settled else NOT_STARTED


def officer_task_status(allocate_request, steps) -> str:
    if allocate_request.status == AllocateRequestStatus.ALLOCATED:
        return COMPLETED
    if allocate_request.status != AllocateRequestStatus.OPEN or any(row.is_open for row in steps):
        return CANNOT_START
    return NOT_STARTED


def _officer_title(allocate_request) -> str:
    prison = allocate_request.office.kind == OfficeKind.PRISON
    return "Choose the offender supervisor" if prison else "Choose the probation officer"


def _steps(allocate_request) -> list:
    return list(allocate_request.steps.select_related("done_by"))


@require_http_methods(["GET"])
def request_detail(request, pk):
    """The task list of one request: the checklist's steps, then the choice of officer."""
    allocate_request = access_allocate_request_by_id(request.user, pk)
    offender = allocate_request.offender
    steps = _steps(allocate_request)
    audit_view(actor=request.user, obj=offender, summary=f"Opened {allocate_request} of {offender}")
    settled = [row for row in steps if not row.is_open]
    return render(
        request,
        "allocation/request.html",
        {
            "item": allocate_request,
            "offender": offender,
            "days_left": allocate_request.days_left(),
            "tasks": [(row, step_status(row)) for row in steps],
            "checklist_status": checklist_status(steps),
            "settled_count": len(settled),
            "step_count": len(steps),
            "officer_title": _officer_title(allocate_request),
            "officer_status": officer_task_status(allocate_request, steps),
            "transitions": allocate_request.transitions.select_related("actor"),
        },
    )


@require_http_methods(["GET", "POST"])
def request_step(request, pk, step):
    """One step of the checklist: what it asks and one button that records it."""
    allocate_request = access_allocate_request_by_id(request.user, pk)
    offender = allocate_request.offender
    steps = _steps(allocate_request)
    row = next((row for row in steps if row.step == step), None)
    if row is None:
        raise Http404("No such checklist step.")
    guidance, confirm_label = STEP_GUIDANCE[step]
    ows = step == ChecklistStep.OWS_REVIEWED
    editable = allocate_request.status == AllocateRequestStatus.OPEN and row.is_open
    data = request.POST if request.method == "POST" else None
    form = OwsReviewForm(data) if ows else StepConfirmForm(data, label=confirm_label)
    if request.method == "POST" and not editable:
        messages.info(request, f"{row.get_step_display()}: already settled. Nothing was changed.")
        return redirect("allocation:request", pk=allocate_request.pk)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=offender, summary=f"Opened {allocate_request} of {offender}: {row}"
        )
    elif form.is_valid():
        cleaned = form.cleaned_data
        done = cleaned.get("action", "done") == "done"
        try:
            recorded = allocate_request_step_record(
                actor=request.user,
                request=allocate_request,
                step=step,
                done=done,
                outcome=cleaned.get("outcome", "") if done else "",
                not_applicable_reason="" if done else cleaned.get("not_applicable_reason", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"step": "__all__"})
        else:
            messages.success(
                request,
                f"{recorded.get_step_display()}: "
                + ("completed." if recorded.done_at else "recorded as not applying."),
            )
            return redirect("allocation:request", pk=allocate_request.pk)
    return render(
        request,
        "allocation/request_step.html",
        {
            "item": allocate_request,
            "offender": offender,
            "row": row,
            "position": steps.index(row) + 1,
            "status": step_status(row),
            "guidance": guidance,
            "form": form,
            "ows": ows,
            "editable": editable,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def request_officer(request, pk):
    """Choose the officer: one list of radios, best first, each with its caseload and capacity."""
    allocate_request = access_allocate_request_by_id(request.user, pk)
    offender = allocate_request.offender
    if allocate_request.status == AllocateRequestStatus.ALLOCATED:
        return redirect("allocation:request_allocated", pk=allocate_request.pk)
    steps = _steps(allocate_request)
    open_steps = [row for row in steps if row.is_open]
    is_open = allocate_request.status == AllocateRequestStatus.OPEN
    blocked = ""
    if not is_open:
        blocked = (
            f"This request is {allocate_request.get_status_display().lower()}: no officer can be chosen."
        )
    elif open_steps:
        blocked = (
            "Complete the checklist first. Still open: "
            + "; ".join(row.get_step_display() for row in open_steps)
            + "."
        )
    options = officer_options(allocate_request) if not blocked else []
    prison = allocate_request.office.kind == OfficeKind.PRISON
    form = RequestAllocateForm(request.POST or None, options=options, prison=prison)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=offender, summary=f"Opened {allocate_request} of {offender}: officer"
        )
    elif not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            allocate_request_allocate(
                actor=request.user,
                request=allocate_request,
                staff=data["staff"],
                reason=data["reason"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            if any(row.is_open for row in _steps(allocate_request)):
                # The CSO step was reopened (seed 002 step 7): say so, and offer only the way back to
                # the task list, as for any open step.
                blocked, options = " ".join(error.messages), []
            else:
                add_service_errors(form, error)
        else:
            return redirect("allocation:request_allocated", pk=allocate_request.pk)
    return render(
        request,
        "allocation/request_officer.html",
        {
            "item": allocate_request,
            "offender": offender,
            "title": _officer_title(allocate_request),
            "form": form,
            "options": options,
            "blocked": blocked,
            "refused": request.method == "POST" and bool(blocked),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET"])
def request_allocated(request, pk):
    """The confirmation after the decision (GOV.UK panel); a request not allocated has none."""
    allocate_request = access_allocate_request_by_id(request.user, pk)
    if allocate_request.status != AllocateRequestStatus.ALLOCATED:
        return redirect("allocation:request", pk=allocate_request.pk)
    offender = allocate_request.offender
    audit_view(
        actor=request.user, obj=offender, summary=f"Opened {allocate_request} of {offender}: allocated"
    )
    return render(
        request,
        "allocation/request_allocated.html",
        {"item": allocate_request, "offender": offender},
    )


@require_http_methods(["GET", "POST"])
def request_cancel(request, pk):
    """Cancel a request that no longer needs an officer, with the reason."""
    allocate_request = access_allocate_request_by_id(request.user, pk)
    offender = allocate_request.offender
    if allocate_request.status != AllocateRequestStatus.OPEN:
        messages.info(request, f"This request is already {allocate_request.get_status_display().lower()}.")
        return redirect("allocation:request", pk=allocate_request.pk)
    form = RequestCancelForm(request.POST or None)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=offender, summary=f"Opened {allocate_request} of {offender}: cancel"
        )
    elif form.is_valid():
        try:
            allocate_request_cancel(
                actor=request.user, request=allocate_request, reason=form.cleaned_data["cancel_reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The request to allocate {offender.full_name} is cancelled.")
            return redirect("allocation:queue")
    return render(
        request,
        "allocation/request_cancel.html",
        {"item": allocate_request, "offender": offender, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET"])
def caseload(request):
    staff_id = request.GET.get("staff")
    member = staff_of(request.user)
    if staff_id:
        member = access_staff_member_by_id(request.user, staff_id)
    if member is None or not can_view_caseload(request.user, member):
        raise PermissionDenied("You may see your own caseload, or the caseloads of your office's officers.")
    cases = officer_caseload(member, viewer=request.user)
    today = timezone.localdate()
    recent = today - datetime.timedelta(days=NEW_CASE_DAYS)
    # One row per offender, with every part the member plays in the case (seed 004: the team is
    # visible on each member's caseload).
    rows_by_offender: dict[int, dict] = {}
    for allocation in cases:
        row = rows_by_offender.get(allocation.offender_id)
        if row is None:
            sentences = allocation.offender.current_sentences
            upcoming = sorted(
                [s.start_date for s in sentences if s.start_date >= today]
                + [s.end_date for s in sentences if s.end_date and s.end_date >= today]
            )
            row = rows_by_offender[allocation.offender_id] = {
                "allocation": allocation,
                "offender": allocation.offender,
                "roles": [],
                "sentences": sentences,
                "next_date": upcoming[0] if upcoming else None,
                "since": allocation.started_on,
                "new": False,
            }
        row["roles"].append(allocation)
        row["since"] = min(row["since"], allocation.started_on)
        row["new"] = row["new"] or allocation.started_on >= recent
    rows = list(rows_by_offender.values())
    for row in rows:
        row["roles"].sort(key=lambda allocation: TEAM_ORDER.index(allocation.role))
    audit_listed(
        actor=request.user,
        offender_ids=[row["offender"].pk for row in rows],
        summary=f"Caseload of {member}",
    )
    return render(
        request,
        "allocation/caseload.html",
        {
            "member": member,
            "rows": rows,
            "new_count": sum(1 for row in rows if row["new"]),
            "own": member == staff_of(request.user),
            "can_reallocate": can_work_queue(request.user, member.office),
            "history": list(
                allocation_history(staff=member).filter(visible_offenders_q(request.user, "offender"))[
                    :HISTORY_ROWS
                ]
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        raw = request.POST.get("read", "")
        valid = raw.isascii() and raw.isdigit() and len(raw) <= 18  # a bigint id, never a 500
        notification = (
            Notification.objects.filter(recipient=request.user, pk=int(raw)).first() if valid else None
        )
        if notification is None:
            messages.error(request, "That notification was not found. Nothing was changed.")
        else:
            notification_mark_read(actor=request.user, notification=notification)
            messages.success(request, f"Marked as read: {notification.subject}")
        return redirect("allocation:notifications")
    page_obj = Paginator(Notification.objects.filter(recipient=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "allocation/notifications.html", {"page_obj": page_obj})


@require_http_methods(["GET", "POST"])
def reallocate(request, staff_pk):
    member = access_staff_member_by_id(request.user, staff_pk)
    if not can_work_queue(request.user, member.office):
        raise PermissionDenied("Only a service manager of the officer's office reallocates their cases.")
    current = list(
        CaseAllocation.objects.current()
        .filter(staff=member)
        .select_related("offender", "sentence")
        .order_by("offender__family_name", "offender__given_names")
    )
    officers = office_officers(member.office).exclude(pk=member.pk)
    form = ReallocateForm(request.POST or None, allocations=current, officers=officers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = cases_reallocate(
                actor=request.user,
                allocations=data["allocations"],
                to_staff=data["to_staff"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"staff": "to_staff"})
        else:
            messages.success(
                request,
                f"{len(moved)} case{'s' if len(moved) != 1 else ''} reallocated to {data['to_staff']}.",
            )
            return redirect(f"{reverse('allocation:caseload')}?staff={member.pk}")
    return render(request, "allocation/reallocate.html", {"member": member, "form": form})


@require_http_methods(["GET", "POST"])
def transfer(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_allocate_case(request.user, offender):
        raise PermissionDenied("Only a service manager of the offender's office may transfer the case.")
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to transfer a sentence")
    form = TransferForm(request.POST or None, offender=offender, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = case_transfer_request(
                actor=request.user,
                offender=offender,
                sentence=data["sentence"],
                to_office=data["to_office"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{made.office.name} has a request to allocate {offender.full_name}; "
                "your office stays responsible until it is allocated.",
            )
            return redirect("allocation:history", offender_pk=offender.pk)
    return render(request, "allocation/transfer.html", {"offender": offender, "form": form})


@require_http_methods(["GET"])
def history(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the allocation history of {offender}")
    return render(
        request,
        "allocation/history.html",
        {
            "offender": offender,
            "allocations": allocation_history(offender=offender),
            "requests": AllocateRequest.objects.filter(offender=offender)
            .select_related("office", "from_office", "sentence", "allocated_to__user", "allocated_by")
            .order_by("-received_at"),
            "can_transfer": can_allocate_case(request.user, offender),
        },
    )


# --- Staff leave ---------------------------------------------------------------------------------------

LEAVE_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def leave(request):
    """Current and upcoming leave of the office's staff, with a form to record more and a button per
    row to end it. Rows outside the office are refused by the access module and the service."""
    office, office_form = _queue_office(
        request,
        refusal="Only a service manager records the leave of their office's officers.",
        may=_may_record_leave_in,
        prisons=False,
    )
    back = reverse("allocation:leave") + (f"?office={office.pk}" if office_form is not None else "")
    form = UnavailabilityForm(request.POST if "record" in request.POST else None, office=office)
    cancel_pk, cancel_form = None, None
    if request.method == "POST" and "record" in request.POST:
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = staff_unavailability_record(
                    actor=request.user,
                    staff=data["staff"],
                    kind=data["kind"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{made.get_kind_display()} of {made.staff} from {made.starts_on:%-d %b %Y} "
                    f"to {made.ends_on:%-d %b %Y} is recorded.",
                )
                return redirect(back)
    elif request.method == "POST" and "cancel" in request.POST:
        unavailability = access_unavailability_by_id(request.user, request.POST["cancel"])
        cancel_pk = unavailability.pk
        cancel_form = UnavailabilityCancelForm(request.POST, prefix=f"cancel-{cancel_pk}")
        if cancel_form.is_valid():
            try:
                kept = staff_unavailability_cancel(
                    actor=request.user,
                    unavailability=unavailability,
                    reason=cancel_form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(cancel_form, error)
            else:
                messages.success(
                    request,
                    f"The {unavailability.get_kind_display().lower()} of {unavailability.staff} "
                    + (f"now ends on {kept.ends_on:%-d %b %Y}." if kept else "is withdrawn."),
                )
                return redirect(back)
    rows = (
        StaffUnavailability.objects.filter(staff__office=office, ends_on__gte=timezone.localdate())
        .select_related("staff__user")
        .order_by("starts_on", "staff__user__last_name", "pk")
    )
    page_obj = Paginator(rows, LEAVE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [
        {
            "absence": absence,
            "current": absence.starts_on <= today,
            "form": cancel_form
            if absence.pk == cancel_pk
            else UnavailabilityCancelForm(prefix=f"cancel-{absence.pk}"),
        }
        for absence in page_obj.object_list
    ]
    return render(
        request,
        "allocation/leave.html",
        {
            "office": office,
            "office_form": office_form,
            "form": form,
            "page_obj": page_obj,
            "items": items,
            "action": back,
            # Shown at the top when the row it is about is not on this page (for example, already over).
            "cancel_form": cancel_form,
        },
        status=400 if request.method == "POST" else 200,
    )
