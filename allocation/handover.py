"""The handover between prison and community (issue 6): the prison side stays responsible until
the community has accepted a released offender's case."""

import datetime

from django.db.models import Q
from django.utils import timezone

from allocation.models import AllocateRequest, AllocateRequestKind, AllocateRequestStatus, CaseAllocation
from allocation.notifications import notification_send
from allocation.services import COMMUNITY_OFFICE_KINDS, case_allocation_end
from sentences.models import Sentence, SentenceStatus, SentenceType
from staff.models import OfficeKind

# Parole and release on conditions: the offender is released, and the prison side hands over.
RELEASE_TYPES = frozenset({SentenceType.PAROLE, SentenceType.RELEASE_ON_CONDITIONS})


def _accepting_request(release: Sentence) -> AllocateRequest | None:
    """The community's acceptance of a released offender: the allocated request for the release
    sentence, or an allocated pre-release request whose officer still holds the case (the same
    rule by which a pre-release request covers the release sentence)."""
    return (
        AllocateRequest.objects.filter(
            offender_id=release.offender_id,
            status=AllocateRequestStatus.ALLOCATED,
            office__kind__in=COMMUNITY_OFFICE_KINDS,
        )
        .filter(
            Q(sentence=release) | Q(kind=AllocateRequestKind.PRE_RELEASE, allocation__ended_on__isnull=True)
        )
        .select_related("office")
        .order_by("-allocated_at", "-id")
        .first()
    )


def community_handover(*, actor, offender, on: datetime.date | None = None) -> list[CaseAllocation]:
    """Issue 6: after release the prison side stays responsible until the community has accepted
    the case; from then its memberships (the offender supervisor, and any prison key worker or
    case administrator) end, each with "handed over to <office>" and a casenote. Called when a
    community request is allocated, a release sentence is recorded and a release sentence
    commences, so whichever comes last hands over. Returns the memberships it ended."""
    on = on or timezone.localdate()
    prison_side = list(
        CaseAllocation.objects.current()
        .filter(offender=offender, staff__office__kind=OfficeKind.PRISON)
        .select_related("offender", "staff__user", "staff__office")
        .order_by("id")
    )
    if not prison_side:
        return []
    release = (
        Sentence.objects.filter(
            offender=offender,
            sentence_type__in=RELEASE_TYPES,
            status=SentenceStatus.ACTIVE,
            start_date__lte=on,
        )
        .order_by("-start_date", "-id")
        .first()
    )
    if release is None:
        return []
    accepted = _accepting_request(release)
    if accepted is None:
        return []
    reason = f"Handed over to {accepted.office.name}"
    for membership in prison_side:
        case_allocation_end(
            actor=actor, allocation=membership, ended_on=max(on, membership.started_on), reason=reason
        )
        notification_send(
            staff=membership.staff,
            request=accepted,
            subject=f"Case handed over: {offender.full_name} ({offender.prn})",
            body=f"{offender.full_name} was released on {release.start_date:%-d %b %Y} and "
            f"{accepted.office.name} has accepted the case; you are no longer "
            f"{membership.get_role_display().lower()}.",
            link=f"/offenders/{offender.pk}/staff/",
        )
    return prison_side
