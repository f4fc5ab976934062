from django.core.exceptions import PermissionDenied
from django.http import Http404

from documents.models import Document
from offenders.access import can_edit_offender, can_view_offender
from staff.roles import Role, user_roles


def can_read_documents(user, offender) -> bool:
    return can_view_offender(user, offender) and not user_roles(user) <= {Role.DATA_SHARE}


def can_write_documents(user, offender) -> bool:
    return can_edit_offender(user, offender)


def access_document_by_id(user, document_id, *, for_edit: bool = False) -> Document:
    try:
        document = Document.objects.select_related("offender", "sentence", "template").get(
            pk=int(document_id)
        )
    except (Document.DoesNotExist, TypeError, ValueError):
        raise Http404("No such document.") from None
    if not can_read_documents(user, document.offender):
        raise PermissionDenied("You may not read this offender's documents.")
    if for_edit and not can_write_documents(user, document.offender):
        raise PermissionDenied("You may not change this offender's documents.")
    return document


def can_list_documents(user) -> bool:
    """Document lists across records (the API): `can_read_documents` decided for the user, since
    reading a record is not narrowed per offender. Keep in step with `can_read_documents`."""
    from offenders.access import can_search_offenders

    return can_search_offenders(user) and not user_roles(user) <= {Role.DATA_SHARE}
