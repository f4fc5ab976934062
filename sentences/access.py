"""Who may see and change sentences, convictions and charges."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from offenders.access import can_edit_offender, can_view_offender, refuse_unless_need_to_know
from sentences.models import Charge, CustodyStatus, Sentence, SentenceType
from staff.access import office_id_of
from staff.roles import Role, has_role


def current_managing_office_ids(offender) -> set[int]:
    """The access fact sentences provides to offenders.access (sentences.apps): the offices
    managing the offender's current sentences, which with its home office are the offices
    responsible for the record (offenders.access.offender_office_ids)."""
    return set(
        Sentence.objects.current()
        .filter(offender=offender, managing_office__isnull=False)
        .values_list("managing_office_id", flat=True)
    )


def can_edit_sentence(user, sentence: Sentence) -> bool:
    if can_edit_offender(user, sentence.offender):
        return True
    # Administrative support maintain the sentences their office manages (seed 000).
    return (
        has_role(user, Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER)
        and sentence.managing_office_id is not None
        and sentence.managing_office_id == office_id_of(user)
    )


def can_record_sentence(user, offender) -> bool:
    """Entering a new sentence by hand (the court interface delivers most of them)."""
    return has_role(user, Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN) and can_edit_offender(
        user, offender
    )


def access_sentence_by_id(user, sentence_id, *, for_edit: bool = False) -> Sentence:
    try:
        sentence = Sentence.objects.select_related("offender", "court", "managing_office").get(
            pk=int(sentence_id)
        )
    except (Sentence.DoesNotExist, TypeError, ValueError):
        raise Http404("No such sentence.") from None
    refuse_unless_need_to_know(user, sentence.offender)
    if not can_view_offender(user, sentence.offender):
        raise PermissionDenied("You may not see this sentence.")
    if for_edit and not can_edit_sentence(user, sentence):
        raise PermissionDenied("You may not change this sentence.")
    return sentence


def access_charge_by_id(user, charge_id, *, for_edit: bool = False) -> Charge:
    """A charge: 404 if unknown, 403 unless the user may see the offender's record or, for_edit,
    may enter court outcomes on it (as for recording a sentence by hand)."""
    try:
        charge = Charge.objects.select_related("offender", "offence", "court").get(pk=int(charge_id))
    except (Charge.DoesNotExist, TypeError, ValueError):
        raise Http404("No such charge.") from None
    refuse_unless_need_to_know(user, charge.offender)
    if not can_view_offender(user, charge.offender):
        raise PermissionDenied("You may not see this charge.")
    if for_edit and not can_record_sentence(user, charge.offender):
        raise PermissionDenied("You may not change this charge.")
    return charge


# Custody movements (sentences.custody): recorded by prison staff of a prison managing one of the
# person's current sentences of imprisonment, or holding them now, and by system administrators.
PRISON_STAFF_ROLES = (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)


def custody_prison_ids(offender) -> set[int]:
    """The prisons responsible for the person's custody: those managing a current (pending or
    active) sentence of imprisonment, and the one holding them now. Two key look-ups."""
    prisons = set(
        Sentence.objects.current()
        .filter(offender=offender, sentence_type=SentenceType.IMPRISONMENT, managing_office__kind="prison")
        .values_list("managing_office_id", flat=True)
    )
    held = CustodyStatus.objects.in_custody().filter(offender=offender).values_list("prison_id", flat=True)
    return prisons | set(held)


def can_record_custody(user, offender) -> bool:
    if not can_view_offender(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    office_id = office_id_of(user)
    return (
        has_role(user, *PRISON_STAFF_ROLES)
        and office_id is not None
        and office_id in custody_prison_ids(offender)
    )
