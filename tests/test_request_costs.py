"""No page or API list counts a table that grows with the country.

Every page of the access matrix and every API list is requested as each role, and each SQL statement
that counts is checked: a count over one of the big tables must be narrowed by a WHERE clause (an
office, an offender, a person's own work), never taken over the whole table. Cost per row is the
bench's business (`make bench`); this test catches the shape that no index can make cheap."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ioms.api_urls import router
from staff.roles import Role
from tests.factories import staff_user
from tests.test_access_matrix import PAGES, _url, objects  # noqa: F401 (objects is a fixture)

pytestmark = pytest.mark.django_db

# Tables that grow with the number of people under sentence (or faster).
BIG_TABLES = frozenset(
    {
        "offenders_offender",
        "offenders_offenderalias",
        "offenders_address",
        "offenders_flag",
        "sentences_sentence",
        "sentences_sentenceevent",
        "sentences_charge",
        "sentences_conviction",
        "casenotes_casenote",
        "documents_document",
        "audit_auditevent",
        "allocation_caseallocation",
        "allocation_allocaterequest",
        "courts_courtmessage",
        "reconciliation_dataexception",
    }
)
# Quoted (the ORM) or not (hand-written SQL: the search, the muster list, row estimates).
WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def unbounded_counts(statements: list[str]) -> list[str]:
    found = []
    for sql in statements:
        if "COUNT(" not in sql.upper():
            continue
        tables = set(TABLE.findall(sql)) & BIG_TABLES
        if tables and not WHERE.search(sql):
            found.append(sql[:300])
    return found


def test_the_check_recognises_a_whole_table_count_and_allows_a_narrowed_one():
    assert unbounded_counts(['SELECT COUNT(*) AS "__count" FROM "casenotes_casenote"'])
    assert not unbounded_counts(
        ['SELECT COUNT(*) FROM "casenotes_casenote" WHERE "casenotes_casenote"."offender_id" = 1']
    )
    assert not unbounded_counts(['SELECT COUNT(*) FROM "staff_office"'])
    assert unbounded_counts(["SELECT count(*) FROM sentences_sentence sentence"])
    assert not unbounded_counts(["SELECT count(*) FROM sentences_sentence\nWHERE status = 'active'"])


@pytest.mark.parametrize("role", sorted(Role.values))
def test_no_page_counts_a_whole_big_table(client, office, objects, role):  # noqa: F811
    client.force_login(staff_user(role, office=office))
    with CaptureQueriesContext(connection) as queries:
        statuses = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PAGES}
    # The pages were answered, not refused before any query (as the access matrix has it).
    assert statuses == {name: 200 if role in allowed else 403 for name, _, allowed in PAGES}
    assert unbounded_counts([query["sql"] for query in queries.captured_queries]) == []


@pytest.mark.parametrize("role", sorted(Role.values))
def test_no_api_list_counts_a_whole_big_table(client, office, objects, role):  # noqa: F811
    client.force_login(staff_user(role, office=office))
    with CaptureQueriesContext(connection) as queries:
        # Every list endpoint (a viewset of per-record routes only, e.g. a prisoner's prison
        # records under /classification/prisoners/<id>/, has no list to ask for).
        answered = [
            client.get(f"/api/v1/{prefix}/").status_code
            for prefix, viewset, _ in router.registry
            if hasattr(viewset, "list")
        ]
    assert set(answered) <= {200, 403}
    if role != Role.DATA_SHARE:  # the data share reads its shared record only, never the lists
        assert answered.count(200) >= len(answered) // 2, answered
    assert unbounded_counts([query["sql"] for query in queries.captured_queries]) == []
