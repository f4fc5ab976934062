"""The portal's roles. Each is a Django group of the same name (created in migration 0002);
a user may hold several. Object-level rules live in each app's access.py."""

from django.db import models


class Role(models.TextChoices):
    PROBATION_OFFICER = "probation_officer", "Probation officer"
    SERVICE_MANAGER = "service_manager", "Service manager"
    ADMIN_SUPPORT = "admin_support", "Administrative support"
    PRISON_OFFICER = "prison_officer", "Prison officer"
    RECOMMENDING_OFFICER = "recommending_officer", "Recommending officer"
    APPROVING_OFFICER = "approving_officer", "Approving officer"
    DATA_SHARE = "data_share", "Read-only data share"
    SYSTEM_ADMIN = "system_admin", "System administrator"


# Roles whose work spans the country rather than one office.
NATIONAL_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.DATA_SHARE})
# Roles that may change offender records at all (object-level rules narrow this further).
RECORD_EDITING_ROLES = frozenset(
    {Role.PROBATION_OFFICER, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.SYSTEM_ADMIN}
)


def user_roles(user) -> frozenset[str]:
    """The user's roles, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_ioms_roles", None)
    if cached is None:
        valid = set(Role.values)
        cached = frozenset(name for name in user.groups.values_list("name", flat=True) if name in valid)
        if user.is_superuser:
            cached = cached | {Role.SYSTEM_ADMIN}
        user._ioms_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
