from django.conf import settings
from django.core.checks import Error, register

from staff.roles import Role


@register()
def otp_required_roles_exist(app_configs, **kwargs) -> list[Error]:
    """A misspelt role in IOMS_OTP_REQUIRED_ROLES would silently drop the second factor for it."""
    unknown = sorted(set(settings.IOMS_OTP_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"IOMS_OTP_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}.",
            hint=f"Use role names from staff/roles.py: {', '.join(Role.values)}.",
            id="signin.E001",
        )
    ]
