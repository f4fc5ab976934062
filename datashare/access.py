"""Who reads through a data share, what their share lets them see, and who manages the shares.

The browser rule (seed 004, issue 6): a user whose only role is the read-only data share never sees
the full record. offenders.access leaves the data share out of the roles that view records, so
every page and endpoint that reads a record through it refuses them; the offender search and the
record's front page show them instead the shared record (datashare/views.py), limited to the fields
of their share:
- the share linked to them (a ShareReader row), while it is in force; none at all when it is not;
- otherwise the core share of the catalogue (datashare/catalogue.py, CORE_FIELDS).
A user holding the data share with another role reads as that other role allows."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from datashare.catalogue import CORE_SCOPE, OFFENDERS, ShareScope
from datashare.models import Share, ShareCredential, ShareReader
from offenders.models import Offender
from staff.roles import Role, has_role, user_roles


def reads_through_share(user) -> bool:
    """A user whose only role is the data share."""
    roles = user_roles(user)
    return Role.DATA_SHARE in roles and roles <= {Role.DATA_SHARE}


def browser_scope_of(user) -> ShareScope | None:
    """What a data-share user sees in the browser; None when their share is not in force (they
    then see nothing). Cached on the user object for the request."""
    if not reads_through_share(user):
        return None
    if not hasattr(user, "_ioms_share_scope"):
        reader = ShareReader.objects.select_related("share").filter(user=user).first()
        if reader is None:
            scope = CORE_SCOPE
        elif reader.share.in_force_on(timezone.localdate()):
            scope = reader.share.scope
        else:
            scope = None
        user._ioms_share_scope = scope
    return user._ioms_share_scope


def can_search_shared_offenders(user) -> bool:
    scope = browser_scope_of(user)
    return scope is not None and scope.allows(OFFENDERS)


def access_shared_offender_by_id(user, offender_id) -> tuple[Offender, ShareScope]:
    """An offender for the shared record page: 403 unless the user reads through a share in force
    that carries offenders, 404 if unknown."""
    scope = browser_scope_of(user)
    if scope is None or not scope.allows(OFFENDERS):
        raise PermissionDenied("Your data share is not in force, or it carries no offender records.")
    try:
        offender = Offender.objects.select_related("home_office").get(pk=int(offender_id))
    except (Offender.DoesNotExist, TypeError, ValueError):
        raise Http404("No such offender.") from None
    if offender.restricted:
        # Never shared (issue 11; datashare.selectors): answered as unknown, and the refusal audited.
        audit_record(
            actor=user,
            action=AuditAction.DENIED,
            obj=offender,
            summary=f"Refused: restricted record {offender.prn} is not shared (data share)",
        )
        raise Http404("No such offender.")
    return offender, scope


# --- managing shares: system administrators -------------------------------------------------------


def can_manage_shares(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def _refuse_unless_manager(user) -> None:
    if not can_manage_shares(user):
        raise PermissionDenied("Only system administrators manage data shares.")


def access_share_by_id(user, share_id) -> Share:
    _refuse_unless_manager(user)
    try:
        return Share.objects.get(pk=int(share_id))
    except (Share.DoesNotExist, TypeError, ValueError):
        raise Http404("No such data share.") from None


def access_credential_by_id(user, credential_id) -> ShareCredential:
    _refuse_unless_manager(user)
    try:
        return ShareCredential.objects.select_related("share", "issued_by", "revoked_by").get(
            pk=int(credential_id)
        )
    except (ShareCredential.DoesNotExist, TypeError, ValueError):
        raise Http404("No such credential.") from None


def access_reader_by_id(user, reader_id) -> ShareReader:
    _refuse_unless_manager(user)
    try:
        return ShareReader.objects.select_related("share", "user").get(pk=int(reader_id))
    except (ShareReader.DoesNotExist, TypeError, ValueError):
        raise Http404("No such reader.") from None
