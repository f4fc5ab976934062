"""Audit rows of signing in and out, failures, lockouts and their end.

A failed sign-in is made by someone unknown: the actor is recorded as UNKNOWN_ACTOR and the username
they typed goes in the row's detail (`changes["username_tried"]`), never as the actor's label, so a
search of the trail by actor never attributes a stranger's guess to the account's owner."""

from django.db.models import QuerySet, Sum

from audit.models import AuditAction
from audit.services import audit_record

UNKNOWN_ACTOR = "(unknown)"


def _username_tried(username: str) -> str:
    return (username or "").strip()[:150]


def login_record(*, user) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, summary=f"{user.get_username()} logged in")


def logout_record(*, user, summary: str = "") -> None:
    audit_record(
        actor=user,
        action=AuditAction.LOGOUT,
        obj=user,
        summary=summary or f"{user.get_username()} logged out",
    )


def signin_failed_record(*, username_tried: str, refused_while_locked: bool) -> None:
    tried = _username_tried(username_tried)
    reason = "refused while locked out" if refused_while_locked else "wrong username or password"
    audit_record(
        actor=UNKNOWN_ACTOR,
        action=AuditAction.LOGIN_FAILED,
        summary=f"Failed sign-in ({reason})",
        changes={"username_tried": tried or "(none)", "reason": reason},
    )


def lockout_record(*, username_tried: str, locks) -> None:
    """One row per lock set by this failure (the username's, the address's, or both)."""
    for lock in locks:
        what = f"the username {lock.value!r}" if lock.kind == "username" else f"the address {lock.value}"
        audit_record(
            actor=UNKNOWN_ACTOR,
            action=AuditAction.LOCKED_OUT,
            summary=f"Sign-in locked for {what} after {lock.failures} failures"[:300],
            changes={
                "username_tried": _username_tried(username_tried) or "(none)",
                "locked": lock.kind,
                "value": lock.value,
                "failures": lock.failures,
                "until": lock.until.isoformat(),
            },
        )


def lock_ended_record(*, expired: QuerySet, limits: dict[str, int], how: str, actor=None) -> None:
    """Before axes deletes `expired` failure rows: a row for each username or address they held
    locked. Two grouped queries, however many rows."""
    fields = {"username": "username", "address": "ip_address"}
    for kind, field in fields.items():
        locked = (
            expired.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"))
            .filter(failures__gte=limits[kind])
            .order_by(field)
        )
        for row in locked:
            value = row[field]
            what = f"the username {value!r}" if kind == "username" else f"the address {value}"
            audit_record(
                actor=actor,
                action=AuditAction.UNLOCKED,
                summary=f"Sign-in lock for {what} ended: {how}"[:300],
                changes={"locked": kind, "value": value, "how": how},
            )


def password_changed_record(*, user, actor) -> None:
    """`actor` is the signed-in user who made the change, or a command's name, or None."""
    by_themselves = getattr(actor, "pk", None) == user.pk
    if by_themselves:
        summary = f"{user.get_username()} changed their password"
    else:
        by = actor.get_username() if getattr(actor, "is_authenticated", False) else (actor or "system")
        summary = f"Password of {user.get_username()} set by {by}"
    audit_record(
        actor=actor,
        action=AuditAction.PASSWORD_CHANGED,
        obj=user,
        summary=summary[:300],
        # Never the password or its hash: only whether the account can still sign in with one.
        changes={"usable_password": user.has_usable_password()},
    )


def session_timed_out_record(*, user, idle_minutes: int) -> None:
    audit_record(
        actor=user,
        action=AuditAction.SESSION_TIMED_OUT,
        obj=user,
        summary=f"Session of {user.get_username()} timed out after {idle_minutes} minutes without activity",
    )
