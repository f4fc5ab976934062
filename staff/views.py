"""Browser pages for the staff directory, a staff member's placements and caseload, and relocation
(seed 001: the staff member relocates to a new team or location)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from allocation.models import CaseAllocation, open_caseload
from audit.services import audit_listed
from ioms.forms import add_service_errors
from offenders.models import visible_offenders_q
from staff.access import access_staff_member_by_id, can_manage_staff_in, can_view_staff_directory
from staff.forms import RelocateForm, StaffFilterForm
from staff.models import StaffMember
from staff.roles import Role
from staff.services import staff_relocate

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


@require_http_methods(["GET", "POST"])
def staff_relocate_view(request, pk):
    member = access_staff_member_by_id(request.user, pk)
    if not can_manage_staff_in(request.user, member.office):
        raise PermissionDenied("Only a manager of the staff member's office may relocate them.")
    form = RelocateForm(request.POST or None, member=member)
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
            messages.success(request, f"{member} moves to {data['office']} on {data['on']:%d %b %Y}.")
            return redirect("staff:detail", pk=member.pk)
    return render(request, "staff/relocate.html", {"member": member, "form": form})
