"""Who did something: a signed-in person, or the portal itself (a Celery task, a court message,
a management command), named by a string such as "system" or "court interface"."""

from django.contrib.auth.models import AbstractBaseUser


def actor_user(actor) -> AbstractBaseUser | None:
    """The user to store in an `actor` foreign key: the person, or None when the portal acted."""
    return actor if getattr(actor, "is_authenticated", False) else None
