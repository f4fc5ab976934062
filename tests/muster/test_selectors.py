"""The muster list selector: who is on an office's muster and what each row says; counts, filters,
sorting, pagination and a constant number of queries."""

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from muster.selectors import (
    MusterFilters,
    MusterFlag,
    MusterRow,
    MusterSort,
    muster_counts,
    muster_officers,
    muster_page,
    muster_rows,
)
from sentences.models import SentenceType
from tests.factories import SentenceFactory
from tests.muster.conftest import TODAY, crowd, days

pytestmark = pytest.mark.django_db


def rows(office, **filters) -> list[MusterRow]:
    return list(muster_rows(office, MusterFilters(**filters)))


def prns(office, **filters) -> list[str]:
    return [row.prn for row in rows(office, **filters)]


def test_the_muster_is_everyone_currently_under_sentence_at_the_office_once(office, muster):
    assert prns(office) == ["41000003", "41000002", "41000001"]  # Jones, Smith, Tamihana


def test_completed_sentences_and_other_offices_are_not_on_the_muster(office, other_office, muster):
    on_list = set(prns(office))
    assert muster.dan.prn not in on_list, "his only sentence here is completed"
    assert muster.eve.prn not in on_list, "her sentence is managed by the other office"
    assert muster.fay.prn not in on_list, "her sentence here is completed; the current one is elsewhere"
    assert set(prns(other_office)) == {muster.eve.prn, muster.fay.prn}


def test_a_row_combines_the_persons_current_sentences_here(office, muster):
    aroha = next(row for row in rows(office) if row.prn == muster.aroha.prn)
    assert aroha.name == "TAMIHANA, Aroha Mere"
    assert aroha.sentence_type_labels == ["Community work", "Supervision"]
    assert aroha.sentence_count == 2
    assert aroha.earliest_start == TODAY() - days(100), "the supervision started first"
    assert aroha.latest_end == TODAY() + days(400), "the community work ends last"
    assert not aroha.indeterminate
    assert aroha.officers == ["Mere Officer"]
    assert aroha.appeal_outstanding and not aroha.breach_outstanding
    assert aroha.status_flags == ["Appeal outstanding", "Offender warning (OWS)"], "gang is not a muster flag"


def test_an_indeterminate_sentence_has_no_end_and_current_officers_only(office, muster):
    carla = next(row for row in rows(office) if row.prn == muster.carla.prn)
    assert carla.indeterminate and carla.latest_end is None
    assert carla.officers == ["Hemi Officer"], "Mere's allocation ended"
    assert carla.breach_outstanding and not carla.appeal_outstanding
    assert carla.status_flags == ["Breach outstanding", "Child sex offender"]


def test_decided_breaches_ended_flags_and_co_workers_do_not_show(office, muster):
    ben = next(row for row in rows(office) if row.prn == muster.ben.prn)
    assert ben.officers == [], "a co-worker is not a supervising officer"
    assert ben.status_flags == []


def test_counts_by_sentence_type_count_people_and_sentences(office, muster):
    counts = muster_counts(office)
    assert [(count.label, count.people, count.sentences) for count in counts.by_type] == [
        ("Community work", 1, 1),
        ("Supervision", 1, 1),
        ("Home detention", 1, 1),
        ("Imprisonment", 1, 1),
    ]
    assert (counts.people, counts.sentences) == (3, 4)


def test_counts_count_a_person_once_per_type(office, muster):

    SentenceFactory(offender=muster.ben, sentence_type=SentenceType.HOME_DETENTION)
    home_detention = next(c for c in muster_counts(office).by_type if c.sentence_type == "home_detention")
    assert (home_detention.people, home_detention.sentences) == (1, 2)
    assert muster_counts(office).people == 3


def test_filter_by_sentence_type_keeps_all_of_the_persons_types(office, muster):
    assert prns(office, sentence_type=SentenceType.COMMUNITY_WORK) == [muster.aroha.prn]
    (aroha,) = rows(office, sentence_type=SentenceType.COMMUNITY_WORK)
    assert aroha.sentence_type_labels == ["Community work", "Supervision"]
    assert prns(office, sentence_type=SentenceType.PAROLE) == []


def test_filter_by_supervising_officer_and_unallocated(office, muster):
    assert prns(office, officer_id=muster.mere.pk) == [muster.aroha.prn], "not Carla: that allocation ended"
    assert prns(office, officer_id=muster.hemi.pk) == [muster.carla.prn]
    assert prns(office, unallocated_only=True) == [muster.ben.prn]


def test_filter_by_flags_finds_anyone_with_any_of_them(office, muster):
    assert prns(office, flags=frozenset({MusterFlag.APPEAL})) == [muster.aroha.prn]
    assert prns(office, flags=frozenset({MusterFlag.BREACH})) == [muster.carla.prn]
    assert prns(office, flags=frozenset({MusterFlag.CHILD_SEX_OFFENDER})) == [muster.carla.prn]
    assert prns(office, flags=frozenset({MusterFlag.OFFENDER_WARNING, MusterFlag.BREACH})) == [
        muster.carla.prn,
        muster.aroha.prn,
    ]
    assert prns(office, flags=frozenset({MusterFlag.SAFETY_CONCERN})) == [], "Ben's safety flag ended"


def test_filter_by_name_or_prn(office, muster):
    assert prns(office, text="tamihana") == [muster.aroha.prn]
    assert prns(office, text="Mere Tamih") == [muster.aroha.prn], "every word matches a name"
    assert prns(office, text="Smith Aroha") == []
    assert prns(office, text="4100000") == ["41000003", "41000002", "41000001"], "start of a PRN"
    assert prns(office, text="41000002") == [muster.ben.prn]
    assert prns(office, text="ith") == [], "a word matches the start of a name"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (MusterSort.NAME, ["41000003", "41000002", "41000001"]),
        (MusterSort.NAME_DESC, ["41000001", "41000002", "41000003"]),
        (MusterSort.PRN, ["41000001", "41000002", "41000003"]),
        (MusterSort.PRN_DESC, ["41000003", "41000002", "41000001"]),
        (MusterSort.START, ["41000003", "41000001", "41000002"]),
        (MusterSort.START_DESC, ["41000002", "41000001", "41000003"]),
        (MusterSort.END, ["41000002", "41000001", "41000003"]),  # indeterminate last
        (MusterSort.END_DESC, ["41000003", "41000001", "41000002"]),  # indeterminate first
    ],
)
def test_sorting(office, muster, sort, expected):
    assert prns(office, sort=sort) == expected


def test_the_officer_choices_are_those_supervising_someone_on_the_muster(office, muster):
    assert list(muster_officers(office)) == [muster.hemi, muster.mere]


def test_a_page_and_its_count_are_one_query_whatever_the_size_of_the_office(office):
    crowd(office, 5)
    with CaptureQueriesContext(connection) as small:
        page, page_rows = muster_page(office, MusterFilters(), 1, per_page=50)
    assert len(page_rows) == 5
    crowd(office, 60, prefix="More")
    with CaptureQueriesContext(connection) as large:
        page, page_rows = muster_page(office, MusterFilters(sort=MusterSort.END_DESC), 2, per_page=50)
    assert (page.paginator.count, page.number, len(page_rows)) == (65, 2, 15)
    assert len(small.captured_queries) == len(large.captured_queries) == 1


def test_a_page_past_the_end_is_the_last_page_and_a_bad_number_the_first(office):
    crowd(office, 7)
    page, page_rows = muster_page(office, MusterFilters(), 99, per_page=5)
    assert (page.number, page.paginator.num_pages, len(page_rows)) == (2, 2, 2)
    assert not page.has_next() and page.has_previous()
    page, page_rows = muster_page(office, MusterFilters(), "two", per_page=5)
    assert (page.number, [row.family_name for row in page_rows][0]) == (1, "Crowdaaa")
    page, page_rows = muster_page(office, MusterFilters(text="nobody"), 3, per_page=5)
    assert (page.number, page.paginator.count, page_rows) == (1, 0, [])


@pytest.mark.parametrize(
    "filters",
    [
        MusterFilters(),
        MusterFilters(sort=MusterSort.END_DESC, text="crowd 4"),
        MusterFilters(sentence_type=SentenceType.SUPERVISION, officer_id=1),
        MusterFilters(unallocated_only=True, flags=frozenset(MusterFlag.values)),
    ],
)
def test_no_filter_makes_a_subquery_per_person(office, filters):
    """The planner runs an OR of EXISTS, or a correlated subquery, once per person ("SubPlan"): on
    a large office that plan was the slow one, and its cost set off just-in-time compilation."""
    crowd(office, 3)
    with CaptureQueriesContext(connection) as page:
        muster_page(office, filters, 1, per_page=50)
    (statement,) = page.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statement['sql']}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "SubPlan" not in plan, plan


def test_a_page_keeps_the_sort_order(office, muster):
    page, page_rows = muster_page(office, MusterFilters(sort=MusterSort.START), 1, per_page=2)
    assert [row.prn for row in page_rows] == ["41000003", "41000001"]
    page, page_rows = muster_page(office, MusterFilters(sort=MusterSort.START), 2, per_page=2)
    assert [row.prn for row in page_rows] == ["41000002"]
    assert page_rows[0].sentence_type_labels == ["Home detention"]


def _plan_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


SORT_INDEXES = {
    MusterSort.NAME: "muster_entry_name",
    MusterSort.NAME_DESC: "muster_entry_name",
    MusterSort.PRN: "muster_entry_prn",
    MusterSort.PRN_DESC: "muster_entry_prn",
    MusterSort.START: "muster_entry_start",
    MusterSort.START_DESC: "muster_entry_start_desc",
    MusterSort.END: "muster_entry_end",
    MusterSort.END_DESC: "muster_entry_end_desc",
}


def test_an_unfiltered_page_reads_only_its_rows_from_the_index_of_its_sort(office):
    """Whatever the office's size, a page of the unfiltered list is the first rows of the entries'
    index for its order (no sort of the office's people, nothing aggregated per person), and the
    other tables are looked up once for each row shown. A test office is so small that reading all
    of it would be cheapest, so sequential and bitmap scans (which read every matching row, then
    sort) are priced out: the planner then shows the plan it picks for a large office (as on national
    data, where it picks it unaided; PostgreSQL 18 would take a bitmap scan of 12 rows otherwise)."""
    crowd(office, 12)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE muster_musterentry")
    assert set(SORT_INDEXES) == set(MusterSort.values)
    for sort, index in SORT_INDEXES.items():
        with CaptureQueriesContext(connection) as page:
            muster_page(office, MusterFilters(sort=sort), 1, per_page=5)
        (statement,) = page.captured_queries
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")  # nor reading by another index, then sorting
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement['sql']}")
            plan = cursor.fetchone()[0][0]["Plan"]
        nodes = list(_plan_nodes(plan))
        assert "SubPlan" not in str(plan), sort
        assert not [node for node in nodes if node["Node Type"] in ("Seq Scan", "Hash")], sort
        (limit,) = [node for node in nodes if node["Node Type"] == "Limit"]
        (read,) = [node for node in _plan_nodes(limit) if node.get("Relation Name") == "muster_musterentry"]
        assert read["Node Type"] in ("Index Scan", "Index Only Scan"), sort
        assert read["Index Name"] == index, sort
        assert read["Actual Rows"] <= 6, "the page's 5 rows (and the one that ends it), not the office's 12"
        assert not [node for node in _plan_nodes(limit) if "Sort" in node["Node Type"]], sort
        # Everything else is read once for each of the 5 rows shown, or once (the office's count).
        assert max(node["Actual Loops"] for node in nodes) <= 5, sort
