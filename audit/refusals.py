"""Every refusal is audited, in one place (issue 11).

A view, an access gate or a service refuses by raising `PermissionDenied` (or `Refused`, which also
names the record refused, so the refusal is filed under that offender's history). The refusal is
noted on the request where it is turned into a response: `AuditContextMiddleware.process_exception`
for pages, `ioms.api_errors.exception_handler` for the API, `csrf_failure` for a failed CSRF check,
and `note_refusal` directly where something other than a 403 is a refusal (a data-share write, 405).
When the response leaves, the middleware writes one DENIED row for it: after the view's own
transaction has ended, in a transaction of its own, so the row survives the request's rollback.

Only a signed-in person or a machine credential (the court, a data-share partner) is audited. An
anonymous request is sent to the login page, or answered 401/403 by the API, and leaves no row: a
visitor without credentials must not be able to grow the audit trail at will (Django's own
`django.request` and `django.security.csrf` loggers still record those)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from audit.models import AuditAction
from audit.services import audit_record

FORBIDDEN = 403
_NOTE = "_ioms_refusal"


class Refused(PermissionDenied):
    """A refusal of one record: its audit row is filed under the record's offender. `audited`: a
    service already wrote the refusal's row (it refuses callers other than requests too), so the
    request writes none of its own."""

    def __init__(self, message: str, *, obj: models.Model | None = None, audited: bool = False) -> None:
        super().__init__(message)
        self.obj = obj
        self.audited = audited


@dataclass(frozen=True)
class Refusal:
    reason: str
    obj: models.Model | None = None
    actor: object | None = None  # the API's user (a machine credential), when not request.user


def note_refusal(request, reason: str, *, obj: models.Model | None = None, actor=None) -> None:
    """Record why `request` is being refused; the first refusal noted is the one audited."""
    if getattr(request, _NOTE, None) is None:
        setattr(request, _NOTE, Refusal(reason=reason or "Permission denied", obj=obj, actor=actor))


# Noted for a refusal whose row a service has already written.
ALREADY_AUDITED = Refusal(reason="")


def note_exception(request, exc: BaseException, *, actor=None) -> None:
    if getattr(exc, "audited", False):
        if getattr(request, _NOTE, None) is None:
            setattr(request, _NOTE, ALREADY_AUDITED)
        return
    note_refusal(request, str(exc), obj=getattr(exc, "obj", None), actor=actor)


def _auditable(actor, refusal: Refusal | None) -> bool:
    if getattr(actor, "is_authenticated", False):
        return True
    # A machine credential's user is not a person (is_authenticated is False), but it was let in.
    return refusal is not None and refusal.actor is not None


def audit_refusal(request, response) -> None:
    """One DENIED row for a refused request (a 403, or any response a refusal was noted for)."""
    refusal: Refusal | None = getattr(request, _NOTE, None)
    if refusal is ALREADY_AUDITED or (refusal is None and response.status_code != FORBIDDEN):
        return
    actor = getattr(refusal, "actor", None) or getattr(request, "user", None)
    if not _auditable(actor, refusal):
        return
    reason = refusal.reason if refusal is not None else f"answered {response.status_code}"
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=refusal.obj if refusal is not None else None,
            summary=f"Refused {request.method} {request.path}: {reason}",
        )
