"""Browser pages for allocating staff to an offender's case (seed 001: staff allocated, changed)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from allocation.access import access_allocation_by_id, can_allocate_case
from allocation.forms import AllocateForm, AllocationEndForm
from allocation.models import CaseAllocation
from allocation.services import case_allocate, case_allocation_end
from audit.services import audit_view
from ioms.forms import add_service_errors
from offenders.access import access_offender_by_id


@require_http_methods(["GET", "POST"])
def allocate(request, offender_pk):
    offender = access_offender_by_id(request.user, offender_pk)
    if not can_allocate_case(request.user, offender):
        raise PermissionDenied("Only a service manager of the offender's office may allocate the case.")
    if request.method == "GET":
        audit_view(actor=request.user, obj=offender, summary=f"Opened {offender} to allocate the case")
    form = AllocateForm(request.POST or None, offender=offender)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation = case_allocate(
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
    current = (
        CaseAllocation.objects.current()
        .filter(offender=offender)
        .select_related("staff__user", "staff__office", "sentence")
    )
    return render(
        request, "allocation/allocate.html", {"offender": offender, "form": form, "current": current}
    )


@require_http_methods(["GET", "POST"])
def allocation_end(request, pk):
    allocation = access_allocation_by_id(request.user, pk)
    offender = allocation.offender
    if allocation.ended_on is not None:
        messages.info(request, f"The allocation of {allocation.staff} already ended.")
        return redirect("offenders:detail", pk=offender.pk)
    form = AllocationEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_allocation_end(
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
