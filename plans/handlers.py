"""Sentence plans' reactions to other apps' domain events (subscribed in ioms/subscribers.py)."""

from agencies.models import Referral, ReferralStatus
from events.domain import ReferralAttendanceRecorded, ReferralStatusChanged
from plans.services import activity_follow_referral


def _referral(referral_id: int) -> Referral:
    return Referral.objects.select_related("programme__agency", "offender").get(pk=referral_id)


def follow_referral(event: ReferralStatusChanged, *, actor) -> None:
    """The plan activities that follow a referral move on with it, in its transaction."""
    activity_follow_referral(actor=actor, referral=_referral(event.referral_id))


def follow_attendance(event: ReferralAttendanceRecorded, *, actor) -> None:
    """A session attended: an activity planned after the referral was already attending catches up."""
    if not event.attended:
        return
    referral = _referral(event.referral_id)
    if referral.status == ReferralStatus.ATTENDING:
        activity_follow_referral(actor=actor, referral=referral)
