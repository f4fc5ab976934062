import datetime
import fcntl
import os
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client

from audit.append_only import APPEND_ONLY_TABLES
from staff.roles import Role
from tests.browser_support import chromium_browser  # noqa: F401 (one Chromium for every browser test)
from tests.factories import OfficeFactory, staff_user


def redis_url_for_database(url: str, database: int) -> str:
    """`url` pointed at Redis database number `database`, in each spelling the settings accept:
    redis-py's redis://host/N and unix:///path?db=N, Celery's redis+socket:///path?virtual_host=N."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    path = parts.path
    if parts.scheme in ("redis", "rediss"):
        query.pop("db", None)
        path = f"/{database}"
    elif parts.scheme in ("unix", "redis+socket"):
        query["db" if parts.scheme == "unix" else "virtual_host"] = str(database)
    else:
        raise pytest.UsageError(f"cannot give each pytest-xdist worker a Redis database of its own: {url}")
    # Written out: urlunsplit drops the // of a scheme it does not know (unix:///path -> unix:/path).
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{urlencode(query)}" if query else "")


def worker_redis_databases(base_url: str, workers: int) -> list[int]:
    """One Redis database per xdist worker: IOMS_TEST_REDIS_DBS ("11,8") if given, else REDIS_URL's
    database and the ones after it (a Redis server has 16 unless configured otherwise)."""
    listed = os.environ.get("IOMS_TEST_REDIS_DBS", "")
    if listed:
        databases = [int(number) for number in listed.split(",")]
        if len(set(databases)) < workers:
            raise pytest.UsageError(
                f"IOMS_TEST_REDIS_DBS={listed} names fewer Redis databases than the {workers} workers"
            )
        return databases[:workers]
    parts = urlsplit(base_url)
    query = dict(parse_qsl(parts.query))
    first = int(query.get("db") or query.get("virtual_host") or parts.path.strip("/") or 0)
    if first + workers > 16:
        raise pytest.UsageError(
            f"{workers} workers from Redis database {first} go beyond database 15: "
            "name the databases in IOMS_TEST_REDIS_DBS"
        )
    return [first + index for index in range(workers)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Under pytest-xdist each worker has a test database of its own (pytest-django's test_<name>_gwN)
    and, set here before the worker imports the settings, a Redis database of its own: the rate
    counters, the lockout cache and the Celery queue (which a test purges, another reads, and a real
    worker consumes) are keyed by ids that every worker's database hands out alike."""
    from django.conf import settings

    base_url = os.environ.get("REDIS_URL") or settings.REDIS_URL
    for spec, database in zip(specs, worker_redis_databases(base_url, len(specs)), strict=True):
        spec.env["REDIS_URL"] = redis_url_for_database(base_url, database)
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            if os.environ.get(name):
                spec.env[name] = redis_url_for_database(os.environ[name], database)


TEMPLATE_MARK = "ioms-test-template-database"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory, django_db_blocker
):
    """Under pytest-xdist, the migrations run once: the first worker to need a database migrates a
    template (test_<name>_template), and every worker's test_<name>_gwN is created as a copy of it
    (CREATE DATABASE ... TEMPLATE, a file copy) instead of running the migrations again, which took
    each worker a minute or two. The controller drops the template at the end of the session
    (pytest_sessionfinish below). With --reuse-db the workers' databases are kept as usual."""
    from django.db import connection

    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker is None or (request.config.getvalue("reuse_db") and not request.config.getvalue("create_db")):
        return
    test_settings = connection.settings_dict["TEST"]
    template = test_settings["NAME"].removesuffix(f"_{worker}") + "_template"
    shared = tmp_path_factory.getbasetemp().parent  # the controller's, one per session
    with open(shared / f"{TEMPLATE_MARK}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mark = shared / TEMPLATE_MARK
        if not mark.exists():
            worker_name = connection.settings_dict["NAME"], test_settings["NAME"]
            test_settings["NAME"] = template
            try:
                with django_db_blocker.unblock():
                    connection.creation.create_test_db(verbosity=0, autoclobber=True)
                    connection.close()
            finally:
                connection.settings_dict["NAME"], test_settings["NAME"] = worker_name
            mark.write_text(template)
    test_settings["TEMPLATE"] = template


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """The controller of a pytest-xdist run drops the template database, once its workers have
    finished (and dropped their own databases)."""
    if not session.config.pluginmanager.has_plugin("dsession"):  # not the controller of workers
        return
    mark = session.config._tmp_path_factory.getbasetemp() / TEMPLATE_MARK
    if not mark.exists():
        return
    from django.db import DatabaseError, connection
    from pytest_django.plugin import blocking_manager_key

    with session.config.stash[blocking_manager_key].unblock():
        try:
            connection.creation._destroy_test_db(mark.read_text(), verbosity=0)
        except DatabaseError as error:  # as pytest-django's own teardown: a warning, not a failure
            warnings.warn(f"Could not drop the template test database: {error}", stacklevel=1)
    mark.unlink()


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
def court_rate_limiter_forgets_outages():
    """courts.throttling remembers, per process, a Redis that did not answer, and asks it again only
    5 s later. A test that points the rate counter at a dead port must not decide what the next test
    in the same process sees (a pytest-xdist worker may run the two within those seconds)."""
    from courts import throttling

    throttling._skip_until.clear()


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


def restore_role_groups() -> None:
    """The role groups come from a data migration; a transactional (browser) test flushes every
    table afterwards: put them back as the migration left them."""
    if Group.objects.filter(name__in=Role.values).count() == len(Role.values):
        return
    sensitive = Permission.objects.get(codename="view_sensitive_casenote")
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        if role in (Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN):
            group.permissions.add(sensitive)


def restore_classification_instrument() -> None:
    """Version 1 of the classification instrument comes from a data migration too: put it back
    after a transactional test's flush, as the migration left it."""
    from classification.default_instrument import load_instrument
    from classification.models import Instrument, InstrumentItem, InstrumentOption

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


def restore_compliance_rules() -> None:
    """The first version of the compliance rules comes from a data migration too (compliance
    migration 0002): put it back after a transactional test's flush, as the migration left it.
    Without it no failure to attend is considered for enforcement."""
    from importlib import import_module

    from django.apps import apps

    from compliance.models import ComplianceRuleSet

    if ComplianceRuleSet.objects.exists():
        return
    # The migration's own function (its module name starts with a digit: no import statement).
    import_module("compliance.migrations.0002_default_rules").add(apps, None)


@pytest.fixture(autouse=True)
def role_groups(django_db_setup, django_db_blocker):
    """The role groups exist for whichever test runs next, after a transactional test's flush."""
    with django_db_blocker.unblock():
        restore_role_groups()


@pytest.fixture(autouse=True)
def classification_instrument(django_db_setup, django_db_blocker):
    """The classification instrument exists for whichever test runs next, after a flush."""
    with django_db_blocker.unblock():
        restore_classification_instrument()


@pytest.fixture(autouse=True)
def compliance_rules(django_db_setup, django_db_blocker):
    """The compliance rules exist for whichever test runs next, after a flush."""
    with django_db_blocker.unblock():
        restore_compliance_rules()
