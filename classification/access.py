"""Who may take each step of a Review Security Classification (seed 003, sections C, D, E).

Every step is taken by an officer of the prison managing the prisoner's imprisonment sentence;
the four-eyes rule (one person holds at most one of initiate, recommend and approve on a review)
is checked here too, so services and (later) views share one gate."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from classification.models import Review
from offenders.access import has_need_to_know, offender_office_ids, refuse_unless_need_to_know
from offenders.models import Offender
from sentences.models import Sentence, SentenceType
from staff.access import office_id_of
from staff.roles import Role, has_role


def prison_office_ids(offender: Offender) -> set[int]:
    """The prisons managing the offender's current imprisonment sentences (a subset of
    offenders.access.offender_office_ids). Cached on the instance."""
    cached = getattr(offender, "_ioms_prison_office_ids", None)
    if cached is None:
        cached = set(
            Sentence.objects.current()
            .filter(offender=offender, sentence_type=SentenceType.IMPRISONMENT, managing_office__isnull=False)
            .values_list("managing_office_id", flat=True)
        )
        offender._ioms_prison_office_ids = cached
    return cached


def works_at_prison_of(user, offender: Offender) -> bool:
    office_id = office_id_of(user)
    return office_id is not None and office_id in prison_office_ids(offender)


def can_initiate_review(user, offender: Offender) -> bool:
    return has_role(user, Role.PRISON_OFFICER) and works_at_prison_of(user, offender)


def can_edit_review(user, review: Review) -> bool:
    """Correct answers, set the override and submit: the initiating officer only (C.4)."""
    return review.initiated_by_id == user.pk and can_initiate_review(user, review.offender)


def can_recommend_review(user, review: Review) -> bool:
    """Seed 003, D.1; never the initiating officer."""
    return (
        has_role(user, Role.RECOMMENDING_OFFICER)
        and works_at_prison_of(user, review.offender)
        and user.pk != review.initiated_by_id
    )


def can_approve_review(user, review: Review) -> bool:
    """Seed 003, D.2; never the initiating or the recommending officer."""
    return (
        has_role(user, Role.APPROVING_OFFICER)
        and works_at_prison_of(user, review.offender)
        and user.pk not in (review.initiated_by_id, review.recommended_by_id)
    )


def can_advise_review(user, review: Review) -> bool:
    """Seed 003, E: an officer of the prison advises the prisoner."""
    return has_role(
        user, Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER
    ) and works_at_prison_of(user, review.offender)


def can_cancel_review(user, review: Review) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return review.initiated_by_id == user.pk or (
        has_role(user, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)
        and works_at_prison_of(user, review.offender)
    )


# Who may read a prisoner's classification, its reviews and their outputs: staff of one of the
# offender's offices (the prison managing the sentence, the home office) in these roles, and system
# administrators anywhere. Never the read-only data share: the form carries police information
# levels and incident history.
CLASSIFICATION_VIEWING_ROLES = frozenset(
    {
        Role.PRISON_OFFICER,
        Role.RECOMMENDING_OFFICER,
        Role.APPROVING_OFFICER,
        Role.SERVICE_MANAGER,
        Role.ADMIN_SUPPORT,
        Role.PROBATION_OFFICER,
    }
)


def can_view_classification(user, offender: Offender) -> bool:
    if not has_need_to_know(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if not has_role(user, *CLASSIFICATION_VIEWING_ROLES):
        return False
    office_id = office_id_of(user)
    return office_id is not None and office_id in offender_office_ids(offender)


def can_manage_instruments(user) -> bool:
    """Draft, dry-run and activate instrument versions: system administrators."""
    return has_role(user, Role.SYSTEM_ADMIN)


def access_review_by_id(user, review_id) -> Review:
    """The single gate for a review: 404 when there is none, 403 unless the user may read the
    prisoner's classification. Steps are checked again by the services."""
    try:
        review = Review.objects.select_related(
            "offender",
            "instrument",
            "initiated_by",
            "recommended_by",
            "approved_by",
            "advised_by",
            "classification",
        ).get(pk=int(review_id))
    except (Review.DoesNotExist, TypeError, ValueError):
        raise Http404("No such review.") from None
    refuse_unless_need_to_know(user, review.offender)
    if not can_view_classification(user, review.offender):
        raise PermissionDenied("You may not see this prisoner's classification.")
    return review


def prime_prison_offices(offenders) -> None:
    """Load the prisons of many offenders in one query, so the checks above cost nothing more
    per row of a list."""
    offenders = [offender for offender in offenders if not hasattr(offender, "_ioms_prison_office_ids")]
    if not offenders:
        return
    by_id: dict[int, set[int]] = {offender.pk: set() for offender in offenders}
    rows = (
        Sentence.objects.current()
        .filter(
            offender_id__in=list(by_id),
            sentence_type=SentenceType.IMPRISONMENT,
            managing_office__isnull=False,
        )
        .values_list("offender_id", "managing_office_id")
    )
    for offender_id, office_id in rows:
        by_id[offender_id].add(office_id)
    for offender in offenders:
        offender._ioms_prison_office_ids = by_id[offender.pk]
