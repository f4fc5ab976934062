"""What the offenders app adds to an offender's record (records.sections gathers it): the details
and history tabs, what the viewer may do to the record itself, and the flags and addresses on the
timeline."""

from ioms.read_models import RecordTab, TimelineEntry, TimelineKind
from offenders.access import (
    can_edit_offender,
    can_manage_restriction,
    can_restrict_offender,
    can_view_history,
)
from offenders.models import Address, Flag

DETAILS_TAB = RecordTab("details", "Details", "offenders:detail")
# The audit trail of the record (audit.views), offered to those offenders.access lets read it.
HISTORY_TAB = RecordTab("history", "History", "audit:offender_history", shown_if="view_history")


def permissions(user, offender) -> dict[str, bool]:
    return {
        "edit": can_edit_offender(user, offender),
        "view_history": can_view_history(user, offender),
        "restrict": can_restrict_offender(user, offender),
        "manage_restriction": can_manage_restriction(user, offender),
    }


def timeline(offender, *, user, may) -> list[TimelineKind]:
    return [
        TimelineKind(
            Flag.objects.filter(offender=offender).order_by("-raised_on", "-id"),
            "raised_on",
            False,
            lambda flag: TimelineEntry(
                on=flag.raised_on, kind="Flag", title=f"Flag raised: {flag}", detail=flag.reason
            ),
        ),
        TimelineKind(
            Flag.objects.filter(offender=offender, ended_on__isnull=False).order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda flag: TimelineEntry(
                on=flag.ended_on, kind="Flag", title=f"Flag ended: {flag}", detail=flag.ended_reason
            ),
        ),
        TimelineKind(
            Address.objects.filter(offender=offender).order_by("-started_on", "-id"),
            "started_on",
            False,
            lambda address: TimelineEntry(
                on=address.started_on,
                kind="Address",
                title=f"{address.get_kind_display()} address from this date",
                detail=str(address),
            ),
        ),
        TimelineKind(
            Address.objects.filter(offender=offender, ended_on__isnull=False).order_by("-ended_on", "-id"),
            "ended_on",
            False,
            lambda address: TimelineEntry(
                on=address.ended_on,
                kind="Address",
                title=f"{address.get_kind_display()} address ended",
                detail=str(address),
            ),
        ),
    ]
