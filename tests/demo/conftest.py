import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.conftest import restore_classification_instrument, restore_role_groups, restore_rules

TINY = 40
HERE = Path(__file__).parent


def generated_prns(count: int = TINY) -> list[str]:
    """The PRNs of the offenders the generator wrote (demo/seed.py); the others are the people of
    the waiting work, made through the services (demo/work.py)."""
    from demo.people import prn_for

    return [prn_for(index) for index in range(count)]


# The modules whose seed transaction is open now (at most one: pytest finishes a module's fixtures
# before the next module's tests).
seed_open_in: set[str] = set()


def pytest_collection_modifyitems(items):
    """In each module here, the tests that do not use `seeded` run first (otherwise in file order),
    so none runs inside the seed's transaction.

    Not an xdist_group per module (which would keep a module's tests on one worker): with pytest 9.2,
    pytest-xdist 3.8 cannot rename the tests into their groups, and a worker that is sent a module's
    tests in two batches seeds it twice, which is slower but as correct."""
    modules: dict[Path, int] = {}
    for item in items:
        modules.setdefault(item.path, len(modules))
    items.sort(
        key=lambda item: (modules[item.path], item.path.parent == HERE and "seeded" in item.fixturenames)
    )


@pytest.fixture(scope="module")
def seeded(request, django_db_setup, django_db_blocker):
    """A tiny demo database (40 offenders); returns what seed_demo printed.

    Seeded once for the module (seed_demo takes seconds, and 40 tests used to run it each), in a
    transaction kept open until the module's last test. Each test runs in a savepoint of it
    (pytest-django's `db`) that is rolled back afterwards, so a test that changes the seeded data,
    or seeds again, leaves the next test the data exactly as seeded."""
    with django_db_blocker.unblock():
        restore_role_groups()
        restore_classification_instrument()
        restore_rules()
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        try:
            out = io.StringIO()
            # As the tests' own hashing (tests/conftest.py fast_password_hashing).
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("seed_demo", "--offenders", str(TINY), "--no-progress", stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            raise
    seed_open_in.add(request.module.__name__)
    yield out.getvalue()
    seed_open_in.discard(request.module.__name__)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def nothing_else_inside_the_seed(request):
    """Only non-transactional tests that use `seeded` may run while its transaction is open: any
    other would see the seeded rows, and a transactional one would commit nothing."""
    if not seed_open_in:
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    if "seeded" not in request.fixturenames or transactional:
        pytest.fail(f"{request.node.nodeid} would run inside the transaction of `seeded`")
