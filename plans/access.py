"""Who may read and write sentence plans (issue 6). Views obtain plans, objectives and activities
only through the access_* functions here.

Reading: whoever may see the offender's record, never the read-only data share. Writing (the plan,
its objectives, activities and their outcomes): the probation officers on the offender's case (the
offender manager, supervising officers: seed 000 "supervising probation officers ... maintain all
IOMS information regarding the offender"), the service managers of the offender's offices, system
administrators, and, for a plan of a prison sentence, the prison officers of the prison managing it.
Programme places, attendance and outcomes are recorded on the referral (agencies.access)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from classification.models import SentencePlanActivity
from offenders.access import (
    can_view_offender,
    is_allocated_to,
    offender_office_ids,
    refuse_unless_need_to_know,
)
from sentences.models import Sentence, SentenceType
from staff.access import is_read_only_user, office_id_of
from staff.roles import Role, has_role


def can_view_plans(user, offender) -> bool:
    return can_view_offender(user, offender) and not is_read_only_user(user)


def writes_offender_plans(user, offender) -> bool:
    """May write every plan of the offender: the probation officers on the case, the service
    managers of the offender's offices, system administrators."""
    if not can_view_plans(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender):
        return True
    return has_role(user, Role.PROBATION_OFFICER) and is_allocated_to(user, offender)


def writes_prison_plan(user, sentence: Sentence) -> bool:
    """A prison plan: the officers of the prison managing the sentence."""
    return (
        sentence.sentence_type == SentenceType.IMPRISONMENT
        and has_role(user, Role.PRISON_OFFICER)
        and sentence.managing_office_id is not None
        and office_id_of(user) == sentence.managing_office_id
        and not is_read_only_user(user)
    )


def can_write_plan_for(user, sentence: Sentence) -> bool:
    return writes_offender_plans(user, sentence.offender) or writes_prison_plan(user, sentence)


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def _gate(user, sentence: Sentence, *, for_edit: bool, what: str) -> None:
    refuse_unless_need_to_know(user, sentence.offender)
    if not can_view_plans(user, sentence.offender):
        raise PermissionDenied(f"You may not see this {what}.")
    if for_edit and not can_write_plan_for(user, sentence):
        raise PermissionDenied(f"You may not change this {what}.")


def access_sentence_for_plan_by_id(user, sentence_id) -> Sentence:
    """The sentence a new plan is written for: 404 if unknown, 403 unless the user may write it."""
    try:
        sentence = Sentence.objects.select_related("offender", "managing_office").get(pk=_as_int(sentence_id))
    except Sentence.DoesNotExist:
        raise Http404("No such sentence.") from None
    _gate(user, sentence, for_edit=True, what="sentence's plan")
    return sentence


def access_plan_by_id(user, plan_id, *, for_edit: bool = False):
    from plans.models import SentencePlan

    try:
        plan = SentencePlan.objects.select_related(
            "offender", "sentence__managing_office", "sentence__offender", "written_by", "agreed_by"
        ).get(pk=_as_int(plan_id))
    except SentencePlan.DoesNotExist:
        raise Http404("No such sentence plan.") from None
    _gate(user, plan.sentence, for_edit=for_edit, what="sentence plan")
    return plan


def access_objective_by_id(user, objective_id, *, for_edit: bool = False):
    from plans.models import Objective

    try:
        objective = Objective.objects.select_related(
            "plan__offender", "plan__sentence__managing_office", "plan__sentence__offender"
        ).get(pk=_as_int(objective_id))
    except Objective.DoesNotExist:
        raise Http404("No such objective.") from None
    _gate(user, objective.plan.sentence, for_edit=for_edit, what="objective")
    return objective


def access_activity_by_id(user, activity_id, *, for_edit: bool = False):
    """An activity of a sentence plan (activities recorded without a plan are the classification's
    prison records, not reached from here)."""
    try:
        activity = SentencePlanActivity.objects.select_related(
            "offender",
            "plan__sentence__managing_office",
            "plan__sentence__offender",
            "objective",
            "programme__agency",
            "referral",
        ).get(pk=_as_int(activity_id), plan__isnull=False)
    except SentencePlanActivity.DoesNotExist:
        raise Http404("No such activity.") from None
    _gate(user, activity.plan.sentence, for_edit=for_edit, what="activity")
    return activity
