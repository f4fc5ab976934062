"""Who may read and write casenotes. Sensitive notes need their own permission."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casenotes.models import Casenote
from offenders.access import (
    can_edit_offender,
    can_search_offenders,
    can_view_offender,
    offender_office_ids,
    refuse_unless_need_to_know,
)
from staff.access import office_id_of
from staff.roles import Role, has_role, user_roles


def can_read_sensitive(user) -> bool:
    return user.has_perm("casenotes.view_sensitive_casenote")


def can_read_casenotes(user, offender) -> bool:
    # The read-only data share carries core case information only, not casenotes (seed 004).
    return can_view_offender(user, offender) and not _only_data_share(user)


def _only_data_share(user) -> bool:
    return user_roles(user) <= {Role.DATA_SHARE}


def can_add_casenote(user, offender) -> bool:
    """Anyone who works the case records contact: the record's editors, and prison staff for
    prisoners in their care."""
    if can_edit_offender(user, offender):
        return True
    if has_role(user, Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER):
        return office_id_of(user) in offender_office_ids(offender)
    return False


def can_amend_casenote(user, note: Casenote) -> bool:
    """The author corrects their own note; a service manager of the record's office or an
    administrator may correct any."""
    if note.note_type == "system":
        return has_role(user, Role.SYSTEM_ADMIN)
    if note.author_id == user.pk and can_add_casenote(user, note.offender):
        return True
    return has_role(user, Role.SYSTEM_ADMIN) or (
        has_role(user, Role.SERVICE_MANAGER) and can_edit_offender(user, note.offender)
    )


def access_casenote_by_id(user, casenote_id) -> Casenote:
    try:
        note = Casenote.objects.select_related("offender", "author", "sentence").get(pk=int(casenote_id))
    except (Casenote.DoesNotExist, TypeError, ValueError):
        raise Http404("No such casenote.") from None
    refuse_unless_need_to_know(user, note.offender)
    if not can_read_casenotes(user, note.offender):
        raise PermissionDenied("You may not read this offender's casenotes.")
    if note.sensitive and not can_read_sensitive(user):
        # Not even its existence is shown.
        raise Http404("No such casenote.")
    return note


def casenote_amend_checker(user, offender):
    """`can_amend_casenote` for many notes of one offender (a page of the casenote list): the
    offender-level parts are decided once, so the check costs no query per note. Keep in step
    with `can_amend_casenote`."""
    is_admin = has_role(user, Role.SYSTEM_ADMIN)
    may_add = can_add_casenote(user, offender)
    manages = has_role(user, Role.SERVICE_MANAGER) and can_edit_offender(user, offender)

    def check(note: Casenote) -> bool:
        if note.note_type == "system":
            return is_admin
        if note.author_id == user.pk and may_add:
            return True
        return is_admin or manages

    return check


def can_list_casenotes(user) -> bool:
    """Casenote lists across records (the API): `can_read_casenotes` decided for the user, since
    reading a record is not narrowed per offender. Keep in step with `can_read_casenotes`."""
    return can_search_offenders(user) and not _only_data_share(user)
