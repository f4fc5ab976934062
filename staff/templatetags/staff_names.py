"""How the portal names a member of staff: by their full name, never by their username (issue 14,
"staff names not usernames"). The username shows only where it is the point (the access list, a
sign-in's second factor, the header of the admin site)."""

from django import template

register = template.Library()


@register.filter
def staff_name(user) -> str:
    """A user's full name; their username only when no name is recorded; "" for no user.

    Takes a User or a StaffMember (whose user it names); a string is passed through."""
    if user is None or isinstance(user, str):  # already a name (a document's context), or none
        return user or ""
    user = getattr(user, "user", user)
    return user.get_full_name() or user.get_username()
