import pytest

from classification.prepopulate import prepopulate
from classification.selectors import active_instrument, instrument_spec, prisoner_records
from tests.classification.factories import today


@pytest.fixture
def prepopulated(db):
    """prepopulated(offender) -> {item code: PrepopulatedAnswer} as of today."""

    def run(offender, **kwargs):
        return prepopulate(prisoner_records([offender.pk])[offender.pk], today(), **kwargs)

    return run


@pytest.fixture
def option_of(prepopulated):
    def run(offender, code):
        return prepopulated(offender)[code].option

    return run


@pytest.fixture
def v1(db):
    return active_instrument()


@pytest.fixture
def v1_spec(v1):
    return instrument_spec(v1)


@pytest.fixture
def option_on(db):
    """option_on(offender, code, day) -> the option pre-population gives on `day`."""

    def run(offender, code, day):
        return prepopulate(prisoner_records([offender.pk])[offender.pk], day)[code].option

    return run
