"""What the allocation app adds to an offender's record (records.sections gathers it): the staff
tab, whether the viewer may allocate staff to the case, and allocations started and ended on the
timeline."""

from allocation.access import can_allocate_case
from allocation.models import CaseAllocation
from ioms.read_models import RecordTab, TimelineEntry, TimelineKind

TAB = RecordTab("staff", "Staff", "offenders:staff")


def permissions(user, offender) -> dict[str, bool]:
    return {"allocate": can_allocate_case(user, offender)}


def timeline(offender, *, user, may) -> list[TimelineKind]:
    return [
        TimelineKind(
            CaseAllocation.objects.filter(offender=offender)
            .select_related("staff__user")
            .order_by("-started_on", "-id"),
            "started_on",
            False,
            lambda allocation: TimelineEntry(
                on=allocation.started_on,
                kind="Staff",
                title=f"Allocated {allocation.staff} as {allocation.get_role_display().lower()}",
                detail=allocation.reason,
            ),
        ),
        TimelineKind(
            CaseAllocation.objects.filter(offender=offender, ended_on__isnull=False)
            .select_related("staff__user")
            .order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda allocation: TimelineEntry(
                on=allocation.ended_on,
                kind="Staff",
                title=f"Allocation of {allocation.staff} ended",
                detail=allocation.end_reason,
            ),
        ),
    ]
