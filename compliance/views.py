"""Browser pages of compliance: the record's "Compliance" tab (the person's compliance summary and
their enforcement actions), an enforcement action's page with its history, a page for each next
step of the workflow (decide, issue the warning, approve or return a breach, lay it, withdraw), the
confirmation after each step, and the warning letter as PDF. Actions come only through
compliance.access; every page is audited; every change goes through compliance.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_GET, require_http_methods

from appointments.services import local
from audit.models import AuditAction
from audit.refusals import Refused
from audit.services import audit_record, audit_view
from compliance import services
from compliance.access import access_action_by_id, can_view_compliance
from compliance.forms import ApproveForm, DecideForm, IssueForm, LayForm, WithdrawForm
from compliance.letter import LETTER_STATUSES, warning_letter_pdf
from compliance.models import OPEN_STATUSES, EnforcementAction, EnforcementStatus, Recommendation
from compliance.selectors import compliance_summary
from ioms.forms import add_service_errors, posted
from offenders.access import access_offender_by_id
from offenders.views import record_context
from staff.templatetags.staff_names import staff_name

S = EnforcementStatus


def _record(request, offender, **context) -> dict:
    full = record_context(request, offender, tab="compliance")
    full.update(context)
    return full


def rules_in_words(rules) -> str:
    """ "A formal warning after 1 unacceptable failure to attend; enforcement action after 2 within
    12 months"."""

    def failures(count: int) -> str:
        return f"{count} unacceptable failure{'s' if count != 1 else ''} to attend"

    return (
        f"A formal warning after {failures(rules.warning_after)}; enforcement action (a breach) after "
        f"{rules.enforcement_after} within {rules.window_months} months."
    )


# --- The record's tab ---------------------------------------------------------------------------


@require_GET
def offender_compliance(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_view_compliance(request.user, offender):
        raise Refused("You may not see this offender's compliance.", obj=offender)
    audit_view(actor=request.user, obj=offender, summary=f"Viewed the compliance of {offender}")
    summary = compliance_summary(offender, timezone.localdate())
    others = [action for action in _all_actions(offender) if not action.is_open]
    return render(
        request,
        "compliance/offender.html",
        _record(
            request,
            offender,
            summary=summary,
            rules_words=rules_in_words(summary.rules) if summary.rules else "",
            failures=[(local(a.starts_at), a) for a in summary.failures],
            actions=summary.open_actions + others,
        ),
    )


def _all_actions(offender) -> list[EnforcementAction]:
    return list(
        EnforcementAction.objects.filter(offender=offender)
        .select_related("appointment", "officer__user")
        .order_by("-failed_on", "-id")
    )


# --- An enforcement action ----------------------------------------------------------------------


def _next_steps(user, action: EnforcementAction) -> list[dict]:
    """The steps the viewer may take now, the main one first."""
    steps = []
    may_act = services.may_act_on(user, action)
    if action.status == S.CONSIDERED and may_act:
        steps.append({"name": "compliance:decide", "label": "Decide what to do"})
    if action.status == S.WARNING_PREPARED and may_act:
        steps.append({"name": "compliance:issue", "label": "Record the warning as given"})
    if action.status == S.BREACH_PREPARED and services.may_approve(user, action):
        steps.append({"name": "compliance:approve", "label": "Approve or return the breach"})
    if action.status == S.APPROVED and may_act:
        steps.append({"name": "compliance:lay", "label": "Lay the breach with the court"})
    if action.status in OPEN_STATUSES and may_act:
        steps.append({"name": "compliance:withdraw", "label": "Withdraw"})
    for step in steps:
        step["url"] = reverse(step["name"], args=[action.pk])
    return steps


def _action_title(action: EnforcementAction) -> str:
    return f"Enforcement for the failure to attend on {action.failed_on:%-d %b %Y}"


@require_GET
def action_detail(request, pk):
    action = access_action_by_id(request.user, pk)
    audit_view(actor=request.user, obj=action, summary=f"Viewed the enforcement action {action.pk}")
    waiting_for_another = (
        action.status == S.BREACH_PREPARED
        and request.user.pk == action.prepared_by_id
        and not services.may_approve(request.user, action)
    )
    return render(
        request,
        "compliance/detail.html",
        _record(
            request,
            action.offender,
            action=action,
            heading=_action_title(action),
            failed_at=local(action.appointment.starts_at),
            recommendation=Recommendation(action.recommendation).label,
            steps=_next_steps(request.user, action),
            waiting_for_another=waiting_for_another,
            letter=action.status in LETTER_STATUSES and services.may_act_on(request.user, action),
            transitions=action.transitions.select_related("actor").order_by("at", "id"),
        ),
    )


def _step_page(request, action, *, form, title: str, submit: str, intro: str = "", template="form"):
    return render(
        request,
        f"compliance/{template}.html",
        _record(
            request,
            action.offender,
            action=action,
            form=form,
            title=title,
            submit=submit,
            intro=intro,
            action_title=_action_title(action),
            back=reverse("compliance:detail", args=[action.pk]),
        ),
    )


def _only_when(request, action, *statuses) -> HttpResponse | None:
    """A step asked for at the wrong stage (a second tab, someone else got there first)."""
    if action.status in statuses:
        return None
    messages.info(
        request, f"This enforcement action is {action.get_status_display().lower()}: that step is done."
    )
    return redirect("compliance:detail", pk=action.pk)


def _done(action) -> HttpResponse:
    return redirect("compliance:done", pk=action.pk)


def _step(
    request,
    pk,
    *,
    statuses,
    form_class,
    run,
    title: str,
    submit: str,
    intro,
    error_fields=None,
    for_approval: bool = False,
) -> HttpResponse:
    """One step of the enforcement workflow on a page of its own: the action as the viewer may
    step it, only at the stages the step starts from, its form bound to the post, `run(action,
    cleaned_data)` calling the step's service (which owns the change), the service's refusals put
    back on the form, and the confirmation after. `intro`: text, or the action's text."""
    access = {"for_approval": True} if for_approval else {"for_edit": True}
    action = access_action_by_id(request.user, pk, **access)
    if wrong := _only_when(request, action, *statuses):
        return wrong
    form = form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            run(action, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, error_fields)
        else:
            return _done(action)
    return _step_page(
        request,
        action,
        form=form,
        title=title,
        submit=submit,
        intro=intro(action) if callable(intro) else intro,
    )


def _decide_intro(action) -> str:
    count = action.failures_in_window
    label = Recommendation(action.recommendation).label.lower()
    return (
        f"{count} unacceptable failure{'s' if count != 1 else ''} "
        f"to attend within {action.rules.window_months} months. The rules recommend: {label}."
    )


@require_http_methods(["GET", "POST"])
def action_decide(request, pk):
    return _step(
        request,
        pk,
        statuses=(S.CONSIDERED,),
        form_class=DecideForm,
        run=lambda action, data: services.enforcement_decide(actor=request.user, action=action, **data),
        title="Decide what to do about the failure to attend",
        submit="Record the decision",
        intro=_decide_intro,
    )


@require_http_methods(["GET", "POST"])
def warning_issue(request, pk):
    return _step(
        request,
        pk,
        statuses=(S.WARNING_PREPARED,),
        form_class=IssueForm,
        run=lambda action, data: services.warning_issue(
            actor=request.user, action=action, issued_on=data["issued_on"]
        ),
        title="Record the formal warning as given",
        submit="Record the warning",
        intro="Give the person the warning letter, then record the day they were given it.",
    )


def _approve_or_return(user, action, data) -> None:
    if data["outcome"] == "approve":
        services.breach_approve(actor=user, action=action, note=data["note"])
    else:
        services.breach_return(actor=user, action=action, reason=data["note"])


@require_http_methods(["GET", "POST"])
def breach_approve(request, pk):
    return _step(
        request,
        pk,
        statuses=(S.BREACH_PREPARED,),
        form_class=ApproveForm,
        run=lambda action, data: _approve_or_return(request.user, action, data),
        title="Approve or return the breach",
        submit="Record your decision",
        intro=lambda action: (
            f"Prepared by {staff_name(action.prepared_by) or 'another officer'}. {action.decision_note}"
        ).strip(),
        error_fields={"reason": "note"},
        for_approval=True,
    )


@require_http_methods(["GET", "POST"])
def breach_lay(request, pk):
    return _step(
        request,
        pk,
        statuses=(S.APPROVED,),
        form_class=LayForm,
        run=lambda action, data: services.breach_lay(
            actor=request.user, action=action, laid_on=data["laid_on"], detail=data["detail"]
        ),
        title="Lay the breach with the court",
        submit="Record the breach as laid",
        intro="The breach is recorded on the sentence as charged with breach, until the court decides it.",
        error_fields={"occurred_on": "laid_on"},
    )


@require_http_methods(["GET", "POST"])
def action_withdraw(request, pk):
    return _step(
        request,
        pk,
        statuses=tuple(OPEN_STATUSES),
        form_class=WithdrawForm,
        run=lambda action, data: services.enforcement_withdraw(
            actor=request.user, action=action, reason=data["reason"]
        ),
        title="Withdraw the enforcement action",
        submit="Withdraw it",
        intro="For example, when evidence of an acceptable reason for the failure arrives late.",
    )


# What the confirmation says after each step, by the status it led to.
DONE = {
    S.WARNING_PREPARED: (
        "Formal warning decided",
        "Give the person the warning letter, then record it as given.",
    ),
    S.BREACH_PREPARED: ("Breach prepared", "Another service manager of the office approves or returns it."),
    S.NO_ACTION: ("No further action", "The failure stays on the record and still counts."),
    S.WARNING_ISSUED: ("Formal warning recorded", "The warning counts towards the rules for its window."),
    S.APPROVED: ("Breach approved", "The officer lays it with the court."),
    S.CONSIDERED: ("Breach returned", "The officer considers the failure again."),
    S.BREACH_LAID: ("Breach laid with the court", "The sentence shows it until the court decides it."),
    S.WITHDRAWN: ("Enforcement action withdrawn", "Nothing more is due on it."),
}


@require_GET
def action_done(request, pk):
    action = access_action_by_id(request.user, pk)
    title, next_step = DONE[action.status]
    if action.status == S.CONSIDERED and not action.transitions.exclude(from_status="").exists():
        title, next_step = "Enforcement being considered", "The officer decides what to do."
    audit_view(actor=request.user, obj=action, summary=f"Viewed the enforcement action {action.pk}")
    due = f" Due by {action.due_on:%-d %b %Y}." if action.due_on else ""
    return render(
        request,
        "compliance/done.html",
        _record(
            request,
            action.offender,
            action=action,
            heading=title,
            action_title=_action_title(action),
            next_step=next_step + due,
        ),
    )


@require_GET
def warning_letter(request, pk):
    action = access_action_by_id(request.user, pk, for_edit=True)
    if action.status not in LETTER_STATUSES:
        audit_view(
            actor=request.user, obj=action, summary=f"Asked for the warning letter of action {action.pk}"
        )
        return render(
            request,
            "compliance/letter_not_ready.html",
            _record(request, action.offender, action=action, action_title=_action_title(action)),
            status=409,
        )
    pdf = warning_letter_pdf(action)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=action,
        summary=f"Downloaded the formal warning letter of enforcement action {action.pk} for PRN "
        f"{action.offender.prn}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = get_valid_filename(f"{action.offender.prn}-formal-warning-{action.pk}.pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
