"""What the agencies app adds to an offender's record (records.sections gathers it): the
programmes tab, whether the viewer may refer the offender to a programme, and referrals made and
changed on the timeline."""

from agencies.access import can_refer
from agencies.models import Referral
from ioms.read_models import RecordTab, TimelineEntry, TimelineKind

TAB = RecordTab("programmes", "Programmes", "offenders:programmes")


def permissions(user, offender) -> dict[str, bool]:
    return {"refer": can_refer(user, offender)}


def timeline(offender, *, user, may) -> list[TimelineKind]:
    return [
        TimelineKind(
            Referral.objects.filter(offender=offender)
            .select_related("programme__agency")
            .order_by("-referred_on", "-id"),
            "referred_on",
            False,
            lambda referral: TimelineEntry(
                on=referral.referred_on,
                kind="Programme",
                title=f"Referred to {referral.programme} ({referral.programme.agency})",
            ),
        ),
        TimelineKind(
            Referral.objects.filter(offender=offender, status_changed_on__isnull=False)
            .select_related("programme")
            .order_by("-status_changed_on", "-id"),
            "status_changed_on",
            False,
            lambda referral: TimelineEntry(
                on=referral.status_changed_on,
                kind="Programme",
                title=f"{referral.programme}: {referral.get_status_display().lower()}",
                detail=referral.outcome_note,
            ),
        ),
    ]
