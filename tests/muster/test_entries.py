"""The muster list's read model (muster.models.MusterEntry) follows every change of a sentence or a
name, whoever writes it: the services, a plain UPDATE, a bulk statement, or a load made with the
triggers off and rebuilt afterwards."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from muster.models import MusterEntry
from muster.selectors import MusterFilters, muster_rows
from muster.services import muster_entries_deferred, muster_entries_rebuild
from offenders.models import Offender
from offenders.services import offender_update
from sentences.models import CompletionReason, Sentence, SentenceStatus, SentenceType
from sentences.services import sentence_complete, sentence_create, sentence_update
from tests.factories import CourtFactory, OffenceFactory, OffenderFactory, SentenceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ENTRY_FIELDS = [field.attname for field in MusterEntry._meta.concrete_fields]


def today() -> datetime.date:
    return timezone.localdate()


def entry(office, offender) -> MusterEntry | None:
    return MusterEntry.objects.filter(office=office, offender=offender).first()


def all_entries() -> set[tuple]:
    return {
        tuple(tuple(value) if isinstance(value, list) else value for value in values)
        for values in MusterEntry.objects.values_list(*ENTRY_FIELDS)
    }


def record(
    actor, offender, office, *, sentence_type=SentenceType.SUPERVISION, start=None, **data
) -> Sentence:
    start = start or today() - 30 * DAY
    data = {"end_date": start + 365 * DAY, **data}
    return sentence_create(
        actor=actor,
        offender=offender,
        convictions=[{"offence": OffenceFactory(), "convicted_on": min(start, today())}],
        sentence_type=sentence_type,
        court=CourtFactory(),
        order_date=min(start, today()),
        start_date=start,
        managing_office=office,
        **data,
    )


@pytest.fixture
def actor(admin_support):
    return admin_support


@pytest.fixture
def aroha(office):
    return OffenderFactory(prn="41000001", family_name="Tāmihana", given_names="Aroha", home_office=office)


def test_a_recorded_sentence_puts_the_person_on_the_muster_with_its_keys(actor, office, aroha):
    assert entry(office, aroha) is None
    record(actor, aroha, office, start=today() - 10 * DAY)
    found = entry(office, aroha)
    assert (found.prn, found.family_name_folded, found.given_names_folded) == (
        "41000001",
        "tamihana",
        "aroha",
    )
    assert (found.earliest_start, found.latest_end, found.indeterminate) == (
        today() - 10 * DAY,
        today() + 355 * DAY,
        False,
    )
    assert (found.sentence_types, found.sentence_count) == ([SentenceType.SUPERVISION], 1)


def test_each_further_sentence_changes_the_persons_one_entry(actor, office, aroha):
    record(actor, aroha, office, start=today() - 10 * DAY)
    record(
        actor,
        aroha,
        office,
        sentence_type=SentenceType.COMMUNITY_WORK,
        start=today() + 5 * DAY,
        hours=100,
        end_date=today() + 400 * DAY,
    )
    found = entry(office, aroha)
    assert found.sentence_types == [SentenceType.COMMUNITY_WORK, SentenceType.SUPERVISION]
    assert (found.sentence_count, found.earliest_start) == (2, today() - 10 * DAY)
    assert found.latest_end == today() + 400 * DAY, "a sentence not yet started counts"
    SentenceFactory(
        offender=aroha, sentence_type=SentenceType.IMPRISONMENT, indeterminate=True, end_date=None
    )
    found = entry(office, aroha)
    assert (found.indeterminate, found.latest_end, found.sentence_count) == (True, None, 3)
    assert MusterEntry.objects.filter(offender=aroha).count() == 1


def test_completing_sentences_takes_the_person_off_when_none_is_current(actor, office, aroha):
    first = record(actor, aroha, office, start=today() - 100 * DAY)
    second = record(actor, aroha, office, sentence_type=SentenceType.HOME_DETENTION, start=today() - 10 * DAY)
    sentence_complete(
        actor=actor,
        sentence=first,
        reason=CompletionReason.DISCHARGED_EARLY,
        completed_on=today(),
        detail="Court.",
    )
    found = entry(office, aroha)
    assert (found.sentence_types, found.earliest_start) == ([SentenceType.HOME_DETENTION], today() - 10 * DAY)
    sentence_complete(
        actor=actor, sentence=second, reason=CompletionReason.QUASHED, completed_on=today(), detail="Appeal."
    )
    assert entry(office, aroha) is None
    assert list(muster_rows(office)) == []


def test_a_transfer_moves_the_person_to_the_other_offices_muster(actor, office, other_office, aroha):
    sentence = record(actor, aroha, office)
    sentence_update(actor=actor, sentence=sentence, managing_office=other_office, reason="Moved to Auckland.")
    assert entry(office, aroha) is None
    assert entry(other_office, aroha).sentence_count == 1
    assert [row.prn for row in muster_rows(other_office)] == [aroha.prn]


def test_a_change_of_dates_or_type_reaches_the_entry(actor, office, aroha):
    sentence = record(actor, aroha, office, start=today() - 10 * DAY)
    sentence_update(
        actor=actor, sentence=sentence, end_date=today() + 30 * DAY, reason="Varied by the court."
    )
    assert entry(office, aroha).latest_end == today() + 30 * DAY
    Sentence.objects.filter(pk=sentence.pk).update(sentence_type=SentenceType.INTENSIVE_SUPERVISION)
    assert entry(office, aroha).sentence_types == [SentenceType.INTENSIVE_SUPERVISION]


def test_a_change_of_name_reaches_the_entries_and_the_order_of_the_list(actor, office, other_office, aroha):
    record(actor, aroha, office)
    record(actor, aroha, other_office)
    ben = OffenderFactory(family_name="Smith", given_names="Ben", home_office=office)
    SentenceFactory(offender=ben)
    assert [row.family_name for row in muster_rows(office)] == ["Smith", "Tāmihana"]
    offender_update(actor=actor, offender=aroha, family_name="Aperahama", given_names="Aroha Mere")
    assert {
        (found.family_name_folded, found.given_names_folded)
        for found in MusterEntry.objects.filter(offender=aroha)
    } == {("aperahama", "aroha mere")}
    assert [row.family_name for row in muster_rows(office)] == ["Aperahama", "Smith"]


def test_a_corrected_prn_reaches_the_entries(office, aroha):
    SentenceFactory(offender=aroha)
    Offender.objects.filter(pk=aroha.pk).update(prn="41000099")
    assert entry(office, aroha).prn == "41000099"
    assert [row.prn for row in muster_rows(office, MusterFilters(text="41000099"))] == ["41000099"]


def test_a_deleted_sentence_leaves_the_muster(office, aroha):
    sentence = SentenceFactory(offender=aroha)
    sentence.delete()
    assert entry(office, aroha) is None


def test_a_sentence_with_no_managing_office_is_on_no_muster(aroha):
    SentenceFactory(offender=aroha, managing_office=None)
    assert not MusterEntry.objects.filter(offender=aroha).exists()


def test_statements_about_many_people_at_once_keep_the_entries_right(office, other_office):
    """More people than a statement locks one by one (muster_lock_people: 1,000): the whole table is
    locked instead, with the same result."""
    people = Offender.objects.bulk_create(
        Offender(
            prn=f"{42000000 + number}",
            family_name=f"Many{number}",
            given_names="Person",
            family_name_folded=f"many{number}",
            given_names_folded="person",
            date_of_birth=datetime.date(1990, 1, 1),
            home_office=office,
        )
        for number in range(1001)
    )
    court = CourtFactory()
    Sentence.objects.bulk_create(
        Sentence(
            offender=person,
            sentence_type=SentenceType.SUPERVISION,
            court=court,
            order_date=today() - 30 * DAY,
            start_date=today() - 30 * DAY,
            end_date=today() + 300 * DAY,
            managing_office=office,
            status=SentenceStatus.ACTIVE,
        )
        for person in people
    )
    assert MusterEntry.objects.filter(office=office).count() == 1001
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode FROM pg_locks"
            " WHERE pid = pg_backend_pid() AND relation = 'muster_musterentry'::regclass"
        )
        assert ("ShareRowExclusiveLock",) in cursor.fetchall(), "one lock for the whole statement"
    Sentence.objects.filter(offender__in=people[:200]).update(managing_office=other_office)
    assert (
        MusterEntry.objects.filter(office=office).count(),
        MusterEntry.objects.filter(office=other_office).count(),
    ) == (801, 200)
    Sentence.objects.filter(offender__in=people[100:]).update(
        status=SentenceStatus.COMPLETED, completion_reason=CompletionReason.NORMAL, completed_on=today()
    )
    assert set(MusterEntry.objects.values_list("offender_id", flat=True)) == {
        person.pk for person in people[:100]
    }
    before = all_entries()
    muster_entries_rebuild()
    assert all_entries() == before


def test_a_load_with_the_triggers_deferred_is_rebuilt_at_the_end(office, aroha):
    """As demo.seed loads the national data: no entries while the triggers are off, all of them after."""
    kept = SentenceFactory(offender=OffenderFactory(home_office=office))
    with muster_entries_deferred():
        SentenceFactory(offender=aroha)
        Sentence.objects.filter(pk=kept.pk).update(status=SentenceStatus.PENDING, start_date=today() + DAY)
        assert entry(office, aroha) is None, "the triggers are off"
    assert entry(office, aroha).prn == aroha.prn
    assert entry(office, kept.offender).earliest_start == today() + DAY
    SentenceFactory(offender=OffenderFactory(home_office=office))
    assert MusterEntry.objects.filter(office=office).count() == 3, "the triggers are on again"


def test_the_rebuild_repairs_entries_and_agrees_with_the_triggers(office, muster):
    kept = all_entries()
    assert len(kept) == 5  # Aroha, Ben and Carla here; Eve and Fay at the other office
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM muster_musterentry WHERE offender_id = %s", [muster.aroha.pk])
        cursor.execute(
            "UPDATE muster_musterentry SET sentence_count = 9 WHERE offender_id = %s", [muster.ben.pk]
        )
        cursor.execute(
            "INSERT INTO muster_musterentry (office_id, offender_id, prn, family_name_folded,"
            " given_names_folded, earliest_start, latest_end, indeterminate, sentence_types, sentence_count)"
            " SELECT office_id, %s, prn, family_name_folded, given_names_folded, earliest_start, latest_end,"
            " indeterminate, sentence_types, sentence_count FROM muster_musterentry WHERE offender_id = %s",
            [muster.dan.pk, muster.carla.pk],
        )
    muster_entries_rebuild()
    assert all_entries() == kept


@pytest.mark.django_db(transaction=True)
def test_two_transactions_changing_one_persons_sentences_at_once_leave_the_right_entry(office):
    """Each completes one of the person's two sentences, at the same time. Without the lock each
    would recompute the entry while the other's change is invisible to it, and the entry would
    keep a completed sentence; with it, the later one waits for the first to commit and sees its
    change."""
    person = OffenderFactory(family_name="Waititi", home_office=office)
    first, second = SentenceFactory(offender=person), SentenceFactory(offender=person)
    first_changed = threading.Event()
    errors = []

    def complete(sentence, *, then=None):
        try:
            with transaction.atomic():
                Sentence.objects.filter(pk=sentence.pk).update(
                    status=SentenceStatus.COMPLETED,
                    completion_reason=CompletionReason.NORMAL,
                    completed_on=today(),
                )
                if then:
                    then()
        except Exception as error:  # reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    def hold_until_the_other_waits():
        first_changed.set()
        with connection.cursor() as cursor:
            for _ in range(200):
                # Waiting for this transaction: not any lock of the cluster, where other test
                # processes (pytest-xdist workers) have their own databases.
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    " AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
                )
                if cursor.fetchone()[0]:
                    return
                threading.Event().wait(0.02)
        errors.append(AssertionError("the other transaction never waited"))

    holder = threading.Thread(target=complete, args=(first,), kwargs={"then": hold_until_the_other_waits})
    holder.start()
    first_changed.wait(10)
    waiter = threading.Thread(target=complete, args=(second,))
    waiter.start()
    holder.join(20)
    waiter.join(20)
    assert errors == []
    assert not MusterEntry.objects.filter(offender=person).exists()
