from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from staff.roles import Role, has_role


def access_user_for_second_factor_reset(actor, user_pk: int):
    """Only a system administrator resets someone's second factor, and not their own: resetting
    one's own would let a stolen password and session remove the factor that guards it."""
    if not has_role(actor, Role.SYSTEM_ADMIN):
        raise PermissionDenied("Only a system administrator may reset a second factor.")
    target = get_object_or_404(get_user_model(), pk=user_pk)
    if target.pk == actor.pk:
        raise PermissionDenied("Ask another system administrator to reset your own second factor.")
    return target
