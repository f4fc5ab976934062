"""Two receivers. The password audit: the one place a password change is noticed, whichever way it is made.

A password can be changed by the portal's own page, by an administrator in the admin's
change-password form, by `manage.py changepassword`, or by any code that calls set_password() and
saves. Wrapping the views would miss the last two and any view added later; Django sends no signal
for a password change. Comparing the stored hash before each save of a user catches them all (only
a raw queryset .update(), which nothing in the portal does to passwords, goes around it), so this is
a model signal, against the usual rule, with the audit row in the save's transaction."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from signin import idle, second_factor, services
from signin.acting import acting_user


@receiver(pre_save, sender=get_user_model(), dispatch_uid="signin_password_changed")
def audit_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    if _rehashed_at_sign_in(instance, stored):
        return
    services.password_changed_record(user=instance, actor=acting_user())


def _rehashed_at_sign_in(instance, stored: str) -> bool:
    """Django stores a new hash of the *same* password when someone signs in and the stored hash
    is outdated (another algorithm, fewer iterations): no set_password() call (so `_password` is
    unset) and the old hash is one the preferred hasher would replace."""
    if instance._password is not None or not instance.has_usable_password():
        return False
    try:
        old_hasher = identify_hasher(stored)
    except ValueError:
        return False
    preferred = get_hasher()
    return old_hasher.algorithm != preferred.algorithm or preferred.must_update(stored)


@receiver(user_logged_in, dispatch_uid="signin_session_started")
def start_the_session(sender, request, user, **kwargs):
    """Every way of signing in (the login page, a test's force_login) starts the idle clock and
    notes whether a code will be asked for, so neither costs a query or a write per request."""
    request.session[idle.LAST_ACTIVITY] = time.time()
    request.session[second_factor.HAS_DEVICE] = second_factor.has_confirmed_device(user)
