"""Reads of programmes for an agency's view: places taken and free, the waiting list, referrals
and attendance rates, in a fixed number of queries whatever the number of programmes, referrals
or sessions."""

from django.db.models import Count, Q, QuerySet

from agencies.models import PLACE_STATUSES, Programme, Referral, ReferralStatus
from offenders.models import visible_offenders_q


def _rate(attended: int, sessions: int, excused: int) -> int | None:
    """Sessions attended, as a percentage of the sessions the offender was expected at (an excused
    absence is not expected)."""
    expected = sessions - excused
    return round(100 * attended / expected) if expected > 0 else None


def programmes_with_places(programmes: QuerySet[Programme]) -> list[Programme]:
    rows = list(
        programmes.select_related("agency", "office").annotate(
            places_taken=Count("referrals", filter=Q(referrals__status__in=PLACE_STATUSES), distinct=True),
            waiting=Count("referrals", filter=Q(referrals__status=ReferralStatus.WAITING), distinct=True),
            awaiting_decision=Count(
                "referrals", filter=Q(referrals__status=ReferralStatus.REFERRED), distinct=True
            ),
            completed=Count("referrals", filter=Q(referrals__status=ReferralStatus.COMPLETED), distinct=True),
            not_completed=Count(
                "referrals", filter=Q(referrals__status=ReferralStatus.NOT_COMPLETED), distinct=True
            ),
            referral_count=Count("referrals", distinct=True),
            sessions=Count("referrals__attendances"),
            attended_sessions=Count(
                "referrals__attendances", filter=Q(referrals__attendances__attended=True)
            ),
            excused_sessions=Count("referrals__attendances", filter=Q(referrals__attendances__excused=True)),
        )
    )
    for programme in rows:
        programme.places_free = (
            max(programme.capacity - programme.places_taken, 0) if programme.capacity is not None else None
        )
        programme.attendance_rate = _rate(
            programme.attended_sessions, programme.sessions, programme.excused_sessions
        )
    return rows


def referrals_with_attendance(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related("offender", "sentence").annotate(
        sessions=Count("attendances"),
        attended_sessions=Count("attendances", filter=Q(attendances__attended=True)),
        excused_sessions=Count("attendances", filter=Q(attendances__excused=True)),
    )


def with_rates(referrals) -> list[Referral]:
    rows = list(referrals)
    for referral in rows:
        referral.attendance_rate = _rate(
            referral.attended_sessions, referral.sessions, referral.excused_sessions
        )
    return rows


def waiting_list(programme: Programme, *, viewer) -> list[Referral]:
    """The waiting list in the order places are offered: longest waiting first."""
    rows = with_rates(
        referrals_with_attendance(
            programme.referrals.filter(status=ReferralStatus.WAITING).filter(
                visible_offenders_q(viewer, "offender")  # need-to-know
            )
        ).order_by("waitlisted_on", "id")
    )
    for position, referral in enumerate(rows, start=1):
        referral.position = position
    return rows
