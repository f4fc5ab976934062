"""The nightly checks: each rule raises its problem once, not again while it is open, as a linked
recurrence after it was resolved, marks what it no longer finds, and costs the same few queries
whether it finds ten problems or a hundred."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from reconciliation.detection import exception_raise, exceptions_scan
from reconciliation.models import DataException, ExceptionStatus, ExceptionStep, ReasonCode
from reconciliation.services import exception_resolve
from reconciliation.tasks import scan_for_exceptions
from sentences.calculation import calculate, terms_of
from sentences.models import Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_update
from tests.factories import OffenderFactory, SentenceFactory
from tests.reconciliation.conftest import changed_by_person, court_delivered

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def _offender(office, **kwargs):
    return OffenderFactory(home_office=office, **kwargs)


def end_before_start(office, user=None):
    start = TODAY() - 10 * DAY
    return SentenceFactory(
        offender=_offender(office), order_date=start, start_date=start, end_date=start - 30 * DAY
    )


def dates_out_of_order(office, user=None):
    start = TODAY() - 10 * DAY
    return SentenceFactory(
        offender=_offender(office),
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + 300 * DAY,
        statutory_release_date=start + 320 * DAY,
    )


def missing_key_dates(office, user=None):
    return SentenceFactory(
        offender=_offender(office), sentence_type=SentenceType.IMPRISONMENT, statutory_release_date=None
    )


def deceased_active(office, user=None):
    return SentenceFactory(offender=_offender(office, date_of_death=TODAY() - 5 * DAY))


def no_managing_office(office, user=None):
    return SentenceFactory(offender=_offender(office), managing_office=None)


def modified_after_court(office, user):
    sentence = SentenceFactory(offender=_offender(office))
    court_delivered(sentence, at=timezone.now() - 3 * DAY)
    changed_by_person(sentence, user, detail="Expiry date corrected by hand")
    return sentence


def key_dates_differ(office, user=None):
    """A short-term sentence of 300 days is released half-way, on day 150; recorded a day later."""
    start = TODAY() - 10 * DAY
    return SentenceFactory(
        offender=_offender(office),
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + 300 * DAY,
        statutory_release_date=start + 151 * DAY,
    )


MAKERS = {
    ReasonCode.END_BEFORE_START: end_before_start,
    ReasonCode.DATES_OUT_OF_ORDER: dates_out_of_order,
    ReasonCode.MISSING_KEY_DATES: missing_key_dates,
    ReasonCode.DECEASED_ACTIVE: deceased_active,
    ReasonCode.NO_MANAGING_OFFICE: no_managing_office,
    ReasonCode.MODIFICATION_CHECK: modified_after_court,
    ReasonCode.KEY_DATES_DIFFER: key_dates_differ,
}


@pytest.fixture
def bad(office, admin_support, without_date_order_constraint):
    """bad(reason_code) -> a sentence at `office` that shows exactly that problem."""
    return lambda reason_code, at=None: MAKERS[reason_code](at or office, admin_support)


@pytest.mark.parametrize("reason_code", list(MAKERS))
def test_each_rule_raises_its_problem_once(bad, office, reason_code):
    sentence = bad(reason_code)
    SentenceFactory(offender=_offender(office))  # a sound sentence beside it

    first = exceptions_scan()
    second = exceptions_scan()

    exceptions = DataException.objects.filter(sentence=sentence)
    assert [exception.reason_code for exception in exceptions] == [reason_code]
    exception = exceptions.get()
    assert exception.status == ExceptionStatus.OPEN
    assert exception.office == office
    assert exception.offender == sentence.offender
    assert exception.detail
    assert first.by_reason[reason_code].raised == 1
    assert second.raised == 0, "an open problem is not raised again"
    assert DataException.objects.count() == 1, "the sound sentence raises nothing"
    assert exception.transitions.get().step == ExceptionStep.RAISED
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="reconciliation.DataException", object_id=str(exception.pk)
    ).exists()


@pytest.mark.parametrize(
    "reason_code",
    [code for code in MAKERS if code != ReasonCode.MODIFICATION_CHECK],
)
def test_a_problem_found_again_after_it_was_resolved_is_a_linked_recurrence(bad, admin_support, reason_code):
    sentence = bad(reason_code)
    exceptions_scan()
    first = DataException.objects.get(sentence=sentence)
    exception_resolve(
        actor=admin_support,
        exception=first,
        resolution_reason="Checked against the court order",
        change_made="Asked the office to update the file",
    )

    result = exceptions_scan()

    again = DataException.objects.exclude(pk=first.pk).get(sentence=sentence)
    assert again.recurrence_of == first
    assert again.status == ExceptionStatus.OPEN
    assert again.fingerprint == first.fingerprint
    assert result.by_reason[reason_code].recurrences == 1
    first.refresh_from_db()
    assert first.status == ExceptionStatus.RESOLVED, "the earlier occurrence stays resolved"


def test_each_rule_says_what_is_wrong_in_words(bad):
    texts = {}
    for reason_code in MAKERS:
        bad(reason_code)
    exceptions_scan()
    for exception in DataException.objects.all():
        texts[exception.reason_code] = exception.detail
    assert "before it starts" in texts[ReasonCode.END_BEFORE_START]
    assert "statutory release date" in texts[ReasonCode.DATES_OUT_OF_ORDER]
    assert "after the expiry date" in texts[ReasonCode.DATES_OUT_OF_ORDER]
    assert "no statutory release date (SRD)" in texts[ReasonCode.MISSING_KEY_DATES]
    assert "died on" in texts[ReasonCode.DECEASED_ACTIVE]
    assert "no managing office" in texts[ReasonCode.NO_MANAGING_OFFICE]
    assert "Expiry date corrected by hand" in texts[ReasonCode.MODIFICATION_CHECK]
    assert "admin_support" in texts[ReasonCode.MODIFICATION_CHECK]
    assert texts[ReasonCode.KEY_DATES_DIFFER].startswith("Statutory release date: recorded ")
    assert ", calculated " in texts[ReasonCode.KEY_DATES_DIFFER]


def test_missing_key_dates_covers_each_sentence_type_rule(office):
    offender = _offender(office)
    no_hours = SentenceFactory(offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, hours=None)
    with_hours = SentenceFactory(offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, hours=100)
    no_end = SentenceFactory(offender=offender, end_date=None)
    indeterminate = SentenceFactory(
        offender=offender, sentence_type=SentenceType.IMPRISONMENT, end_date=None, indeterminate=True
    )
    start = TODAY() - 10 * DAY
    long_term_without_ped = SentenceFactory(
        offender=offender,
        sentence_type=SentenceType.IMPRISONMENT,
        order_date=start,
        start_date=start,
        end_date=start + 1500 * DAY,
        statutory_release_date=start + 1500 * DAY,
    )

    exceptions_scan()

    found = {
        exception.sentence_id: exception.detail
        for exception in DataException.objects.filter(reason_code=ReasonCode.MISSING_KEY_DATES)
    }
    assert set(found) == {no_hours.pk, no_end.pk, long_term_without_ped.pk}
    assert "hours of community work" in found[no_hours.pk]
    assert "expiry date (SED)" in found[no_end.pk]
    assert "parole eligibility date" in found[long_term_without_ped.pk]
    assert with_hours.pk not in found and indeterminate.pk not in found


def test_completed_sentences_of_a_deceased_offender_are_not_a_problem(office):
    offender = _offender(office, date_of_death=TODAY() - 5 * DAY)
    SentenceFactory(
        offender=offender,
        status=SentenceStatus.COMPLETED,
        completion_reason="terminated",
        completed_on=TODAY() - 5 * DAY,
    )
    exceptions_scan()
    assert not DataException.objects.exists()


def test_an_open_exception_the_checks_no_longer_find_stays_open_and_says_so(bad, as_user, admin_support):
    sentence = bad(ReasonCode.MISSING_KEY_DATES)
    exceptions_scan()
    exception = DataException.objects.get()
    # The SRD the calculation gives (a short-term sentence: half-way), so no other rule finds it.
    srd = calculate(terms_of([sentence])).statutory_release_date
    Sentence.objects.filter(pk=sentence.pk).update(statutory_release_date=srd)

    result = exceptions_scan()

    exception.refresh_from_db()
    assert result.no_longer_detected == 1
    assert exception.status == ExceptionStatus.OPEN, "a person resolves it, not the checks"
    assert exception.no_longer_detected_at is not None
    page = as_user(admin_support).get(f"/exceptions/{exception.pk}/").content.decode()
    assert "no longer find this problem" in page
    report = as_user(admin_support).get("/exceptions/").content.decode()
    assert "No longer detected" in report

    Sentence.objects.filter(pk=sentence.pk).update(statutory_release_date=None)
    exceptions_scan()
    exception.refresh_from_db()
    assert exception.no_longer_detected_at is None, "found again: the mark goes"
    assert DataException.objects.count() == 1


def test_a_change_by_a_person_after_the_court_delivered_the_sentence_is_checked(office, admin_support):
    sentence = SentenceFactory(offender=_offender(office))
    sentence_update(actor=admin_support, sentence=sentence, reason="Before the court sent it", hours=None)
    court_delivered(sentence)
    exceptions_scan()
    assert not DataException.objects.exists(), "changes before the court's delivery are not checked"

    sentence_update(
        actor=admin_support,
        sentence=sentence,
        reason="Corrected end date per file",
        end_date=sentence.end_date + 10 * DAY,
    )
    exceptions_scan()

    exception = DataException.objects.get()
    assert exception.reason_code == ReasonCode.MODIFICATION_CHECK
    assert "Corrected end date per file" in exception.detail


def test_a_system_commencement_after_the_court_delivered_is_not_a_modification(office):
    sentence = SentenceFactory(
        offender=_offender(office), status=SentenceStatus.PENDING, start_date=TODAY(), order_date=TODAY()
    )
    court_delivered(sentence)
    from sentences.services import sentences_commence_due

    assert sentences_commence_due() == 1
    exceptions_scan()
    assert not DataException.objects.filter(reason_code=ReasonCode.MODIFICATION_CHECK).exists()


def test_a_checked_modification_is_not_raised_again_but_a_later_change_recurs(
    office, admin_support, service_manager
):
    sentence = modified_after_court(office, admin_support)
    exceptions_scan()
    first = DataException.objects.get()
    exception_resolve(
        actor=service_manager,  # four eyes: not the author of the change
        exception=first,
        resolution_reason="Matches the court order of last week",
        change_made="No change: the record matches the order",
    )
    exceptions_scan()
    assert DataException.objects.count() == 1, "the changes before the resolution count as checked"

    changed_by_person(sentence, admin_support, detail="Hours changed by hand")
    exceptions_scan()

    again = DataException.objects.exclude(pk=first.pk).get()
    assert again.recurrence_of == first
    assert "Hours changed by hand" in again.detail


def test_a_scan_of_one_office_leaves_other_offices_alone(bad, office, other_office):
    here = bad(ReasonCode.NO_MANAGING_OFFICE)
    there = bad(ReasonCode.NO_MANAGING_OFFICE, at=other_office)

    exceptions_scan(office=office)

    assert list(DataException.objects.values_list("sentence_id", flat=True)) == [here.pk]
    exceptions_scan(office=other_office)
    assert set(DataException.objects.values_list("sentence_id", flat=True)) == {here.pk, there.pk}
    assert DataException.objects.get(sentence=there).office == other_office


def test_a_sentence_with_no_managing_office_belongs_to_the_offenders_home_office(bad, office):
    bad(ReasonCode.NO_MANAGING_OFFICE)
    exceptions_scan()
    assert DataException.objects.get().office == office


def _make_many(office, user, count):
    for make in MAKERS.values():
        for _ in range(count):
            make(office, user)


def test_the_scan_costs_the_same_queries_for_ten_or_a_hundred_problems(
    office, admin_support, without_date_order_constraint
):
    _make_many(office, admin_support, 10)
    with CaptureQueriesContext(connection) as ten:
        first = exceptions_scan()
    _make_many(office, admin_support, 100)
    with CaptureQueriesContext(connection) as hundred:
        second = exceptions_scan()

    assert first.raised == 10 * len(MAKERS)
    assert second.raised == 100 * len(MAKERS)
    assert len(ten.captured_queries) == len(hundred.captured_queries)
    statements = [query["sql"] for query in hundred.captured_queries if "SAVEPOINT" not in query["sql"]]
    # Per rule: lock, find, open ones, earlier ones, insert exceptions, transitions, audit rows, and
    # the two marks; plus the details of the modifications, the key dates' calculation (the current
    # prison sentences, read once) and their details (read again for the new problems only), and
    # the scan's own audit row.
    assert len(statements) <= 9 * len(MAKERS) + 4, "\n".join(sql[:150] for sql in statements)
    assert DataException.objects.count() == 110 * len(MAKERS)


def test_the_nightly_task_runs_the_scan(bad):
    bad(ReasonCode.DECEASED_ACTIVE)
    assert scan_for_exceptions.apply().get() == {"raised": 1, "no_longer_detected": 0}
    assert DataException.objects.filter(reason_code=ReasonCode.DECEASED_ACTIVE).count() == 1
    assert AuditEvent.objects.filter(summary__startswith="Exceptions checks").exists()


def test_a_problem_raised_by_someone_else_during_the_scan_is_not_raised_twice(bad):
    from reconciliation.detection import RULES, _raise_many

    rule = next(rule for rule in RULES if rule.reason_code == ReasonCode.DECEASED_ACTIVE)
    taken, free = bad(ReasonCode.DECEASED_ACTIVE), bad(ReasonCode.DECEASED_ACTIVE)
    rows = list(
        rule.sentences()
        .annotate(exception_office_id=F("managing_office_id"))
        .order_by("pk")
        .values("pk", "offender_id", "exception_office_id", *rule.fields)
    )
    # Raised between the scan's read of the open exceptions and its insert.
    exception_raise(reason_code=ReasonCode.DECEASED_ACTIVE, detail="Raised by hand", sentence=taken)

    created = _raise_many(rule, rows)

    assert [exception.sentence_id for exception in created] == [free.pk]
    assert DataException.objects.filter(sentence=taken).get().detail == "Raised by hand"
    assert DataException.objects.filter(sentence=free).count() == 1
