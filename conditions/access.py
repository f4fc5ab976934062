"""Who may see and change a sentence's conditions (issue 15). Views and the API obtain conditions
only through the access_* functions here.

Reading: whoever may see the offender's record. Changing (adding, varying, ending, recording
community work hours): the probation officers on the offender's case, the service managers of the
offender's offices, administrative support of the office managing the sentence (seed 000: they
maintain records after the court interface delivers them), and system administrators."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.refusals import Refused
from conditions.models import Condition
from offenders.access import (
    can_view_offender,
    has_need_to_know,
    is_allocated_to,
    offender_office_ids,
    refuse_unless_need_to_know,
)
from sentences.models import Sentence, SentenceType
from staff.access import office_id_of
from staff.roles import Role, has_role


def can_view_conditions(user, offender) -> bool:
    return can_view_offender(user, offender)


def can_change_offender_conditions(user, offender) -> bool:
    """May change the conditions of every sentence of the offender."""
    if not has_need_to_know(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender):
        return True
    return has_role(user, Role.PROBATION_OFFICER) and is_allocated_to(user, offender)


def can_change_conditions(user, sentence: Sentence) -> bool:
    if sentence.sentence_type == SentenceType.IMPRISONMENT:
        return False
    if can_change_offender_conditions(user, sentence.offender):
        return True
    return (
        has_role(user, Role.ADMIN_SUPPORT)
        and sentence.managing_office_id is not None
        and sentence.managing_office_id == office_id_of(user)
        and has_need_to_know(user, sentence.offender)
    )


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def _gate(user, sentence: Sentence, *, for_edit: bool) -> None:
    refuse_unless_need_to_know(user, sentence.offender)
    if not can_view_conditions(user, sentence.offender):
        raise Refused("You may not see this offender's conditions.", obj=sentence.offender)
    if for_edit and not can_change_conditions(user, sentence):
        raise Refused("You may not change the conditions of this sentence.", obj=sentence.offender)


def access_sentence_for_conditions_by_id(user, sentence_id, *, for_edit: bool = False) -> Sentence:
    try:
        sentence = Sentence.objects.select_related("offender", "managing_office").get(pk=_as_int(sentence_id))
    except Sentence.DoesNotExist:
        raise Http404("No such sentence.") from None
    _gate(user, sentence, for_edit=for_edit)
    return sentence


def access_condition_by_id(user, condition_id, *, for_edit: bool = False) -> Condition:
    try:
        condition = Condition.objects.select_related(
            "offender", "sentence__offender", "sentence__managing_office"
        ).get(pk=_as_int(condition_id))
    except Condition.DoesNotExist:
        raise Http404("No such condition.") from None
    _gate(user, condition.sentence, for_edit=for_edit)
    return condition


def refuse_unless_may_change(user, sentence: Sentence) -> None:
    """The services' own check, for callers other than the pages (the API): the same rule."""
    if not can_change_conditions(user, sentence):
        raise PermissionDenied("You may not change the conditions of this sentence.")
