"""Who is acting in this request, for audit rows written where no request is at hand (the password
check in signin/signals.py). Set by ActingUserMiddleware; outside a request, nobody."""

import sys
from contextvars import ContextVar

_acting_user: ContextVar = ContextVar("signin_acting_user", default=None)


def acting_user():
    """The signed-in user of the current request, or a label for the command being run."""
    user = _acting_user.get()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    if sys.argv and sys.argv[0].endswith("manage.py") and len(sys.argv) > 1:
        return f"manage.py {sys.argv[1]}"
    return None


class ActingUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _acting_user.set(request.user)
        try:
            return self.get_response(request)
        finally:
            _acting_user.reset(token)
