"""Keyset pages (ioms/pagination.py): each page starts where the last one ended, found through an
index in the list's order; ties, empty dates, filters and the client's own order all page
correctly, and a cursor is good only for the order it was made in (issue 10)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import audit_view
from documents.services import document_create
from offenders.models import FlagKind
from offenders.services import flag_end, flag_raise
from tests.api.test_list_queries import walk
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    ChargeFactory,
    DocumentTemplateFactory,
    OffenderFactory,
    ReferralFactory,
    SentenceFactory,
)

CASENOTES = "/api/v1/casenotes/"
SENTENCES = "/api/v1/sentences/"


def ids(pages: list[list[int]]) -> list[int]:
    return [row for page in pages for row in page]


def test_notes_written_at_the_same_moment_are_each_listed_once(api, system_admin):
    moment = timezone.now()
    notes = CasenoteFactory.create_batch(12, contact_on=moment)

    pages, _ = walk(api(system_admin), f"{CASENOTES}?page_size=5")

    assert [len(page) for page in pages] == [5, 5, 2]
    assert ids(pages) == sorted((note.pk for note in notes), reverse=True)


def test_a_next_page_starts_at_the_cursor_and_reads_one_row_more_than_it_shows(api, system_admin):
    CasenoteFactory.create_batch(4)
    client = api(system_admin)
    next_link = client.get(f"{CASENOTES}?page_size=2").json()["next"]

    with CaptureQueriesContext(connection) as queries:
        client.get(next_link)

    page_query = next(q["sql"] for q in queries.captured_queries if 'FROM "casenotes_casenote"' in q["sql"])
    assert '("casenotes_casenote"."contact_on", "casenotes_casenote"."id") <' in page_query
    assert page_query.endswith("LIMIT 3") and "OFFSET" not in page_query


def test_the_offender_list_is_in_name_order_with_namesakes_in_id_order(api, system_admin, office):
    people = [
        OffenderFactory(family_name=family, given_names=given, home_office=office)
        for family, given in [("Smith", "John"), ("Jones", "Ana"), ("Smith", "Anna")] * 3
    ]

    pages, _ = walk(api(system_admin), "/api/v1/offenders/?page_size=2")

    expected = sorted(people, key=lambda person: (person.family_name, person.given_names, person.pk))
    assert ids(pages) == [person.pk for person in expected]


@pytest.mark.parametrize("ordering", ["end_date", "-end_date"])
def test_an_order_on_a_date_that_may_be_empty_pages_through_the_empty_ones_too(api, system_admin, ordering):
    start = datetime.date(2025, 1, 6)
    sentences = [
        *SentenceFactory.create_batch(
            3, start_date=start, order_date=start, end_date=None, indeterminate=True
        ),
        *SentenceFactory.create_batch(
            3, start_date=start, order_date=start, end_date=datetime.date(2026, 1, 6)
        ),
        *[
            SentenceFactory(start_date=start, order_date=start, end_date=datetime.date(2027, 1, d))
            for d in (1, 2)
        ],
    ]
    client = api(system_admin)

    forwards, _ = walk(client, f"{SENTENCES}?ordering={ordering}&page_size=3")
    backwards, _ = walk(
        client, _last_page(client, f"{SENTENCES}?ordering={ordering}&page_size=3"), "previous"
    )

    # PostgreSQL puts empty dates last going up and first going down; the id breaks ties.
    descending = ordering.startswith("-")
    dated = sorted((s for s in sentences if s.end_date), key=lambda s: (s.end_date, s.pk), reverse=descending)
    undated = sorted((s.pk for s in sentences if not s.end_date), reverse=descending)
    expected = [*undated, *[s.pk for s in dated]] if descending else [*[s.pk for s in dated], *undated]
    assert ids(forwards) == expected
    assert backwards == forwards[-2::-1]


def _last_page(client, url: str) -> str:
    body = client.get(url).json()
    while body["next"]:
        body = client.get(body["next"]).json()
    return body["previous"]


def test_the_next_link_keeps_the_filters(api, system_admin, office):
    offender = OffenderFactory(home_office=office)
    mine = CasenoteFactory.create_batch(5, offender=offender)
    CasenoteFactory.create_batch(5)

    pages, _ = walk(api(system_admin), f"{CASENOTES}?offender={offender.pk}&page_size=2")

    assert sorted(ids(pages)) == sorted(note.pk for note in mine)


def test_a_cursor_is_refused_in_another_order_or_when_altered(api, system_admin):
    CasenoteFactory.create_batch(3)
    client = api(system_admin)
    next_link = client.get(f"{CASENOTES}?page_size=1").json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]

    assert client.get(f"{CASENOTES}?page_size=1&ordering=created_at&cursor={cursor}").status_code == 404
    assert client.get(f"{CASENOTES}?page_size=1&cursor={cursor[:-3]}x").status_code == 404
    assert client.get(f"{CASENOTES}?cursor=not-a-cursor").status_code == 404
    assert client.get(next_link).status_code == 200


def test_paging_parameters_are_not_recorded_as_search_terms(api, system_admin):
    CasenoteFactory.create_batch(2)
    client = api(system_admin)
    next_link = client.get(f"{CASENOTES}?note_type=contact&page_size=1").json()["next"]

    client.get(next_link)

    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("at", "id")
    assert [event.query for event in searches] == ["note_type=contact", "note_type=contact"]


def _document(actor):
    return document_create(
        actor=actor, offender=OffenderFactory(), template=DocumentTemplateFactory(code="t")
    )


# Each large list's default order and the index that serves it (the models' Meta.indexes).
LIST_INDEXES = {
    "offenders": ("offenders_offender", "offender_name_order", lambda actor: OffenderFactory()),
    "casenotes": ("casenotes_casenote", "casenote_time", lambda actor: CasenoteFactory()),
    "sentences": ("sentences_sentence", "sentence_start", lambda actor: SentenceFactory()),
    "charges": ("sentences_charge", "charge_recent", lambda actor: ChargeFactory()),
    "allocations": ("allocation_caseallocation", "allocation_started", lambda actor: AllocationFactory()),
    "referrals": ("agencies_referral", "referral_recent", lambda actor: ReferralFactory()),
    "documents": ("documents_document", "document_recent", _document),
    "audit-events": (
        "audit_auditevent",
        "audit_at",
        lambda actor: audit_view(actor=actor, obj=OffenderFactory()),
    ),
}


@pytest.mark.parametrize("resource", sorted(LIST_INDEXES))
def test_each_large_list_reads_its_pages_from_an_index_in_its_order_without_sorting(
    api, system_admin, resource
):
    table, index, make = LIST_INDEXES[resource]
    for _ in range(4):
        make(system_admin)
    client = api(system_admin)
    next_link = client.get(f"/api/v1/{resource}/?page_size=2").json()["next"]
    with CaptureQueriesContext(connection) as queries:
        client.get(next_link)
    page_query = next(
        q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]
    )

    with connection.cursor() as cursor:
        # A test's tables hold a handful of rows, which the planner would rather read whole.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # ... or read a few rows by another index and sort them (PostgreSQL 18 does, for the
        # allocations joined to their offenders). Priced out too: what is asked is whether the
        # statement can be served in order by the index, as it must be at national size.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page_query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"using {index}" in plan, plan
    assert "Sort" not in plan, plan


def test_a_records_own_list_pages_through_current_and_ended_flags(api, system_admin, office):
    offender = OffenderFactory(home_office=office)
    flags = [
        flag_raise(actor=system_admin, offender=offender, kind=kind, reason="Noted")
        for kind in (FlagKind.GANG, FlagKind.AT_RISK, FlagKind.ESCAPE, FlagKind.SAFETY_CONCERN)
    ]
    for flag in flags[:2]:
        flag_end(actor=system_admin, flag=flag, reason="No longer")
    client = api(system_admin)
    url = f"/api/v1/offenders/{offender.pk}/flags/"
    whole = [row["id"] for row in client.get(url).json()["results"]]

    pages, _ = walk(client, f"{url}?page_size=1")

    assert len(whole) == 4 and ids(pages) == whole


def test_a_mixed_order_chosen_by_the_client_pages_correctly(api, system_admin, office):
    for family in ("Smith", "Jones"):
        for given in ("Ana", "Bob", "Cy"):
            OffenderFactory(family_name=family, given_names=given, home_office=office)
    client = api(system_admin)
    url = "/api/v1/offenders/?ordering=-family_name,given_names"
    whole = client.get(url).json()["results"]

    pages, _ = walk(client, f"{url}&page_size=4")

    assert [(row["family_name"], row["given_names"]) for row in whole][:3] == [
        ("Smith", "Ana"),
        ("Smith", "Bob"),
        ("Smith", "Cy"),
    ]
    assert ids(pages) == [row["id"] for row in whole]
