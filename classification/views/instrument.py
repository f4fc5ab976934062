"""The administrators' pages for the scoring instrument (issue 5, "The scoring instrument is
versioned data"): the versions, one version with its items, options, points and thresholds (a
draft's can be changed), a new draft, the dry run against every current prisoner (a Celery task:
classification/tasks_instrument.py) with its CSV, and the activation.

For system administrators only (classification.access.can_manage_instruments). Every change goes
through classification.services, which audits it; every page read is audited here.

One draft at a time: a new draft is refused while another exists, so there is never a question
of which draft was dry-run or which is to be activated.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditAction
from audit.services import audit_listed, audit_record, audit_view
from classification import services
from classification.access import can_manage_instruments
from classification.forms_instrument import ActivateForm, DraftForm, PointsForm, option_field_name
from classification.models import Instrument, InstrumentSection, InstrumentStatus
from classification.scoring import CARRY_OVERS
from classification.selectors import active_instrument, instrument_with_items
from classification.tasks_instrument import (
    DryRunState,
    dry_run_fingerprint,
    dry_run_start,
    dry_run_state,
)
from ioms.csv_export import Echo, safe_cell
from ioms.forms import add_service_errors

PER_PAGE = 50


def _require_manager(user) -> None:
    if not can_manage_instruments(user):
        raise PermissionDenied("The scoring instrument is managed by system administrators.")


def _instrument(user, pk) -> Instrument:
    """The gate for these pages: 403 unless a system administrator, then 404 if there is none."""
    _require_manager(user)
    try:
        return Instrument.objects.get(pk=int(pk))
    except (Instrument.DoesNotExist, TypeError, ValueError):
        raise Http404("No such instrument version.") from None


# --- the versions -------------------------------------------------------------------------------


def _render_list(request, draft_form: DraftForm | None = None, *, status: int = 200):
    versions = list(Instrument.objects.annotate(reviews_scored=Count("reviews")).order_by("-version"))
    draft = next((version for version in versions if version.status == InstrumentStatus.DRAFT), None)
    active = next((version for version in versions if version.status == InstrumentStatus.ACTIVE), None)
    return render(
        request,
        "classification/instrument/list.html",
        {
            "versions": versions,
            "draft": draft,
            "active": active,
            "draft_form": draft_form or DraftForm(initial={"effective_from": timezone.localdate()}),
        },
        status=status,
    )


@require_GET
def instrument_list(request):
    _require_manager(request.user)
    audit_record(actor=request.user, action=AuditAction.VIEW, summary="Viewed the instrument versions")
    return _render_list(request)


@require_POST
def instrument_draft(request):
    _require_manager(request.user)
    form = DraftForm(request.POST)
    if form.is_valid():
        source = active_instrument()
        if source is None:
            form.add_error(None, "No version is active: there is nothing to draft from.")
        else:
            try:
                draft = services.instrument_draft_create(
                    actor=request.user, source=source, effective_from=form.cleaned_data["effective_from"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Drafted version {draft.version} from version {source.version}. "
                    "Change its points and thresholds, then dry-run it.",
                )
                return redirect("classification:instrument", pk=draft.pk)
    return _render_list(request, form)


# --- one version --------------------------------------------------------------------------------


def _sections(instrument: Instrument, form: PointsForm | None) -> list[dict]:
    """Items in order, grouped by section, each option with its points field (drafts only)."""
    fields = form.option_fields() if form is not None else {}
    sections = {
        code: {"code": code, "label": label, "items": []} for code, label in InstrumentSection.choices
    }
    for item in instrument.items.all():
        sections[item.section]["items"].append(
            {
                "item": item,
                "options": [(option, fields.get(option.pk)) for option in item.options.all()],
                "carried_from": CARRY_OVERS.get(item.code, ()),
            }
        )
    return list(sections.values())


def _render_instrument(request, instrument: Instrument, form: PointsForm | None = None, *, status=200):
    is_draft = instrument.status == InstrumentStatus.DRAFT
    if is_draft and form is None:
        form = PointsForm(instrument=instrument)
    return render(
        request,
        "classification/instrument/detail.html",
        {
            "instrument": instrument,
            "is_draft": is_draft,
            "form": form if is_draft else None,
            "sections": _sections(instrument, form if is_draft else None),
            "reviews_scored": instrument.reviews.count(),
            "problems": services.instrument_problems(instrument) if is_draft else [],
        },
        status=status,
    )


def _save_points(request, instrument: Instrument, form: PointsForm) -> bool:
    """Every changed point and the thresholds in one transaction: one bad value changes nothing."""
    try:
        with transaction.atomic():
            for option, points in form.changed_points():
                try:
                    services.instrument_option_set_points(actor=request.user, option=option, points=points)
                except ValidationError as error:
                    if hasattr(error, "error_dict") and "points" in error.error_dict:
                        raise ValidationError(
                            {option_field_name(option.pk): error.error_dict["points"]}
                        ) from error
                    raise
            if form.thresholds_changed(instrument):
                services.instrument_thresholds_set(
                    actor=request.user,
                    instrument=instrument,
                    internal_b_from=form.cleaned_data["internal_b_from"],
                    external_b_from=form.cleaned_data["external_b_from"],
                )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@require_http_methods(["GET", "POST"])
def instrument_detail(request, pk):
    instrument = _instrument(request.user, pk)
    instrument = instrument_with_items(instrument.pk)
    if request.method == "GET":
        audit_view(
            actor=request.user, obj=instrument, summary=f"Viewed instrument version {instrument.version}"
        )
        return _render_instrument(request, instrument)
    if instrument.status != InstrumentStatus.DRAFT:
        messages.error(
            request,
            f"Version {instrument.version} is {instrument.get_status_display().lower()}: "
            "only a draft can change. Draft a new version to change the points.",
        )
        return redirect("classification:instrument", pk=instrument.pk)
    form = PointsForm(request.POST, instrument=instrument)
    if form.is_valid():
        changed = len(form.changed_points()) + (1 if form.thresholds_changed(instrument) else 0)
        if _save_points(request, instrument, form):
            if changed:
                messages.success(request, f"Saved {changed} change{'s' if changed != 1 else ''}.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("classification:instrument", pk=instrument.pk)
    return _render_instrument(request, instrument, form)


# --- the dry run ----------------------------------------------------------------------------------


def _dry_run_context(draft: Instrument) -> dict:
    """The draft's latest dry run, and whether it still describes the draft's points."""
    active = active_instrument()
    state = dry_run_state(draft)
    current = bool(
        state is not None and active is not None and state.fingerprint == dry_run_fingerprint(draft, active)
    )
    return {"instrument": draft, "active": active, "state": state, "current": current}


def _finished(context: dict) -> DryRunState | None:
    """The dry run's result when it is done and describes the draft's points as they are."""
    state = context["state"]
    if state is not None and state.state == "done" and context["current"]:
        return state
    return None


@require_http_methods(["GET", "POST"])
def instrument_dry_run(request, pk):
    draft = _instrument(request.user, pk)
    if request.method == "POST":
        active = active_instrument()
        if draft.status != InstrumentStatus.DRAFT:
            messages.error(request, f"Version {draft.version} is not a draft: only a draft is dry-run.")
        elif active is None:
            messages.error(request, "No version is active to compare the draft with.")
        else:
            dry_run_start(draft=draft, active=active)
            messages.info(request, "The dry run has started. This page shows its progress.")
        return redirect("classification:instrument_dry_run", pk=draft.pk)

    context = _dry_run_context(draft)
    finished = _finished(context)
    # The page's own script asks again every few seconds while the task runs; those polls show
    # no one's record, so only the administrator's visits and the result are audited.
    if finished is not None or "X-IOMS-Poll" not in request.headers:
        audit_view(
            actor=request.user, obj=draft, summary=f"Viewed the dry run of instrument version {draft.version}"
        )
    if finished is not None:
        page = Paginator(finished.report.changes, PER_PAGE).get_page(request.GET.get("page"))
        audit_listed(
            actor=request.user,
            offender_ids=[change.offender_id for change in page.object_list],
            summary=f"Listed in the dry run of instrument version {draft.version}",
        )
        context.update({"finished": finished, "page_obj": page, "changes": page.object_list})
    return render(request, "classification/instrument/dry_run.html", context)


@require_GET
def instrument_dry_run_export(request, pk):
    draft = _instrument(request.user, pk)
    finished = _finished(_dry_run_context(draft))
    if finished is None:
        messages.error(request, "Run the dry run of the draft as it is now before exporting it.")
        return redirect("classification:instrument_dry_run", pk=draft.pk)
    changes = finished.report.changes
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=draft,
        summary=f"Exported the dry run of instrument version {draft.version} ({len(changes)} prisoners)",
    )
    audit_listed(
        actor=request.user,
        offender_ids=[change.offender_id for change in changes],
        summary=f"Exported in the dry run of instrument version {draft.version}",
    )
    header = [
        "PRN",
        "Name",
        f"Internal (version {finished.report.active_version})",
        f"External (version {finished.report.active_version})",
        f"Internal (version {draft.version})",
        f"External (version {draft.version})",
    ]
    rows = (
        [change.prn, change.name, *change.active_categories, *change.draft_categories] for change in changes
    )
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="instrument-v{draft.version}-dry-run-{stamp}.csv"'
    )
    return response


# --- activation ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def instrument_activate(request, pk):
    draft = _instrument(request.user, pk)
    if draft.status != InstrumentStatus.DRAFT:
        messages.error(request, f"Version {draft.version} is not a draft: only a draft can be activated.")
        return redirect("classification:instrument", pk=draft.pk)
    context = _dry_run_context(draft)
    finished = _finished(context)
    form = ActivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if finished is None:
            messages.error(request, "Dry-run the draft as it is now before activating it.")
            return redirect("classification:instrument_dry_run", pk=draft.pk)
        if form.is_valid():
            try:
                services.instrument_activate(actor=request.user, instrument=draft)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Version {draft.version} is active: every review started from now is scored with it. "
                    "Reviews already started keep the version that scored them.",
                )
                return redirect("classification:instrument", pk=draft.pk)
    else:
        audit_view(
            actor=request.user,
            obj=draft,
            summary=f"Viewed the activation of instrument version {draft.version}",
        )
    context.update({"finished": finished, "form": form, "problems": services.instrument_problems(draft)})
    return render(request, "classification/instrument/activate.html", context)
