import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client

from audit.append_only import APPEND_ONLY_TABLES
from staff.roles import Role
from tests.browser_support import chromium_browser  # noqa: F401 (one Chromium for every browser test)
from tests.factories import OfficeFactory, staff_user


@pytest.fixture(autouse=True, scope="session")
def flush_lifts_the_truncate_refusal():
    """A transactional test ends with Django's flush: one TRUNCATE of every table, which the
    append-only tables refuse (audit migration 0004). For the test database only, the flush lifts
    that one trigger inside its own transaction: DISABLE, TRUNCATE, ENABLE, so no other session ever
    sees it off. Only the tables' owner may ALTER them (the tests run as the owner); the portal never
    does, and `manage.py flush` outside the tests is refused."""
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        guarded = [entry.table for entry in APPEND_ONLY_TABLES if entry.table in tables]
        if not statements or not guarded:
            return statements
        return [
            *(f"ALTER TABLE {table} DISABLE TRIGGER ioms_refuse_truncate;" for table in guarded),
            *statements,
            *(f"ALTER TABLE {table} ENABLE TRIGGER ioms_refuse_truncate;" for table in guarded),
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production; tests hash hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(monkeypatch):
    """client.force_login(user) stands for a completed sign-in. For a user who would be asked for a
    one-time code (a role in IOMS_OTP_REQUIRED_ROLES, or a device of their own) it also marks the
    session as having given one, with a confirmed device made for the test, so the tests of every
    other page need not sign in with codes. Tests of the second factor itself use
    client.force_login_password_only(user): the password given, the code not yet."""
    from tests.signin_support import mark_second_factor_given, would_be_asked_for_a_code

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        if would_be_asked_for_a_code(user):
            mark_second_factor_given(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "force_login_password_only", password_only, raising=False)


@pytest.fixture
def office(db):
    return OfficeFactory(code="WLG01", name="Wellington Community Corrections")


@pytest.fixture
def other_office(db):
    return OfficeFactory(code="AKL01", name="Auckland Central Community Corrections")


@pytest.fixture
def role_user(db, office):
    """role_user(Role.SERVICE_MANAGER) -> a user with that role at `office`."""

    def make(role: str, at=None, **kwargs):
        return staff_user(role, office=at or office, **kwargs)

    return make


@pytest.fixture
def probation_officer(role_user):
    return role_user(Role.PROBATION_OFFICER, username="po")


@pytest.fixture
def service_manager(role_user):
    return role_user(Role.SERVICE_MANAGER, username="sm")


@pytest.fixture
def admin_support(role_user):
    return role_user(Role.ADMIN_SUPPORT, username="admin_support")


@pytest.fixture
def system_admin(role_user):
    return role_user(Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def data_share(role_user):
    return role_user(Role.DATA_SHARE, username="datashare")


@pytest.fixture(autouse=True)
def role_groups(django_db_setup, django_db_blocker):
    """The role groups come from a data migration; a transactional (browser) test flushes every
    table afterwards, so make sure they exist for whichever test runs next."""
    with django_db_blocker.unblock():
        if Group.objects.filter(name__in=Role.values).count() == len(Role.values):
            return
        sensitive = Permission.objects.get(codename="view_sensitive_casenote")
        for role in Role.values:
            group, _ = Group.objects.get_or_create(name=role)
            if role in (Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN):
                group.permissions.add(sensitive)


@pytest.fixture(autouse=True)
def classification_instrument(django_db_setup, django_db_blocker):
    """Version 1 of the classification instrument comes from a data migration too: put it back
    after a transactional test's flush, as the migration left it."""
    from classification.default_instrument import load_instrument
    from classification.models import Instrument, InstrumentItem, InstrumentOption

    with django_db_blocker.unblock():
        if Instrument.objects.exists():
            return
        load_instrument(
            Instrument,
            InstrumentItem,
            InstrumentOption,
            version=1,
            effective_from=datetime.date(2026, 1, 1),
            status="active",
        )
