"""The demo's offices and their staff at each size (demo/places.py, demo/reference.py): about 500
offices at national size, a few big-city ones and many small ones, and officers enough for
caseloads of 30 to 60."""

from demo.places import COURTS, PRISONS, PROBATION_OFFICES, SERVICE_CENTRES, probation_offices
from demo.reference import SUPERVISED_SHARE, office_weight, probation_officers_per_office
from demo.seed import SIZES

NATIONAL = SIZES["national"]


def _supervised(offices, total_offenders):
    """The people each office's officers supervise, as the generator shares them out."""
    total_weight = sum(office_weight(office) for office in offices)
    return {
        office.code: total_offenders * office_weight(office) / total_weight * SUPERVISED_SHARE
        for office in offices
    }


def test_small_and_medium_demos_keep_the_main_offices_only():
    assert probation_offices(SIZES["small"]) == PROBATION_OFFICES
    assert probation_offices(SIZES["medium"]) == PROBATION_OFFICES


def test_a_national_demo_has_about_500_offices_with_distinct_codes_and_names():
    offices = probation_offices(NATIONAL)
    total = len(offices) + len(PRISONS) + len(COURTS) + len(SERVICE_CENTRES)
    assert 480 <= total <= 520
    assert len({office.code for office in offices}) == len(offices)
    assert len({office.city for office in offices}) == len(offices)
    assert all(len(office.code) <= 12 for office in offices)
    assert all(
        len(postcode) == 4 and postcode.isdigit() for office in offices for _, postcode in office.suburbs
    )


def test_office_sizes_are_skewed_a_few_big_city_offices_and_many_small_ones():
    supervised = sorted(_supervised(probation_offices(NATIONAL), NATIONAL).values())
    median = supervised[len(supervised) // 2]
    assert supervised[-1] > 10 * median
    assert supervised[0] > median / 4
    # Supervised people are about nine tenths of an office's muster (the rest are yet to start).
    assert 50 <= median / 0.9 <= 200
    assert 1_000 <= supervised[-1] / 0.9 <= 2_500


def test_officers_have_caseloads_of_30_to_60_at_national_size():
    offices = probation_offices(NATIONAL)
    supervised = _supervised(offices, NATIONAL)
    total_weight = sum(office_weight(office) for office in offices)
    main = {office.code for office in PROBATION_OFFICES}
    for office in offices:
        officers = probation_officers_per_office(
            NATIONAL, office_weight(office), total_weight, least=5 if office.code in main else 1
        )
        caseload = supervised[office.code] / officers
        # An office too small for two officers has one, with a smaller caseload.
        assert 30 <= caseload <= 60 or (officers == 1 and caseload < 30), (office.code, caseload)
