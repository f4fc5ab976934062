import io

import pytest
from django.core.management import call_command

TINY = 40


@pytest.fixture
def seeded(db):
    """A tiny demo database (40 offenders); returns what seed_demo printed."""
    out = io.StringIO()
    call_command("seed_demo", "--offenders", str(TINY), "--no-progress", stdout=out)
    return out.getvalue()
