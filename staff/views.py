"""Relocation (seed 001: the staff member relocates to a new team or location). The directory and a
member's page show caseloads, which are allocation's: they are read models in portal/views.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ioms.forms import add_service_errors, posted
from staff.access import access_staff_member_by_id, can_manage_staff_in
from staff.forms import RelocateForm
from staff.services import staff_relocate


@require_http_methods(["GET", "POST"])
def staff_relocate_view(request, pk):
    member = access_staff_member_by_id(request.user, pk)
    if not can_manage_staff_in(request.user, member.office):
        raise PermissionDenied("Only a manager of the staff member's office may relocate them.")
    form = RelocateForm(posted(request), member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_relocate(
                actor=request.user,
                member=member,
                office=data["office"],
                team=data["team"],
                on=data["on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{member} moves to {data['office']} on {data['on']:%-d %b %Y}.")
            return redirect("staff:detail", pk=member.pk)
    return render(request, "staff/relocate.html", {"member": member, "form": form})
