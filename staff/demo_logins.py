"""The demonstration logins, one for each role. `manage.py seed_demo` creates these users; the
login page and `make run` list them. They exist only in demo databases: never seed a real one.

DEMO_LOGINS is a list of (role label, username, password).
"""

from staff.roles import Role

DEMO_PASSWORD = "ioms-demo-2026"

# The demo username for each role, in the order the login page lists them.
DEMO_USERNAMES: dict[str, str] = {
    Role.PROBATION_OFFICER: "probation",
    Role.SERVICE_MANAGER: "manager",
    Role.ADMIN_SUPPORT: "admin.support",
    Role.PRISON_OFFICER: "prison",
    Role.RECOMMENDING_OFFICER: "recommending",
    Role.APPROVING_OFFICER: "approving",
    Role.DATA_SHARE: "datashare",
    Role.SYSTEM_ADMIN: "sysadmin",
}

DEMO_LOGINS: list[tuple[str, str, str]] = [
    (Role(role).label, username, DEMO_PASSWORD) for role, username in DEMO_USERNAMES.items()
]


# The demo system administrator signs in with a one-time code as well (the second factor is required
# for the role, in the demo as in production). This is its authenticator key, published like the
# password: add it to any authenticator app (README, "Roles and demo logins"). Demo databases only.
DEMO_TOTP_SECRET = "IOMSDEMOIOMSDEMOIOMSDEMOIOMSDEMO"


def demo_username(role: str) -> str:
    return DEMO_USERNAMES[Role(role)]
