"""Each API list costs the same whatever its length and whatever the size of its table (issue 10):
the same number of queries for 3 rows and 30, no COUNT of the table, and keyset pages that walk
every row once, in the list's order, forwards and backwards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.services import audit_view
from documents.services import document_create
from offenders.models import FlagKind
from offenders.services import flag_raise
from staff.roles import Role
from tests.factories import (
    AllocationFactory,
    CasenoteFactory,
    ChargeFactory,
    ConvictionFactory,
    DocumentTemplateFactory,
    OffenderFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
    TeamFactory,
    staff_user,
)


def make_document(actor):
    return document_create(
        actor=actor, offender=OffenderFactory(), template=DocumentTemplateFactory(code="t")
    )


def make_flagged_offender(actor):
    return flag_raise(actor=actor, offender=OffenderFactory(), kind=FlagKind.GANG, reason="Gang")


MAKERS = {
    "offenders": make_flagged_offender,
    "sentences": lambda actor: ConvictionFactory(),
    "charges": lambda actor: ChargeFactory(),
    "casenotes": lambda actor: CasenoteFactory(author=actor),
    "documents": make_document,
    "programmes": lambda actor: ProgrammeFactory(),
    "referrals": lambda actor: ReferralFactory(),
    "allocations": lambda actor: AllocationFactory(),
    "staff": lambda actor: staff_user(Role.PROBATION_OFFICER),
    "teams": lambda actor: TeamFactory(),
    "audit-events": lambda actor: audit_view(actor=actor, obj=SentenceFactory()),
}


def make(resource: str, actor, how_many: int) -> None:
    for _ in range(how_many):
        MAKERS[resource](actor)


def get_capturing(client, url: str) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json(), [query["sql"] for query in queries.captured_queries]


def walk(client, url: str, link: str = "next") -> tuple[list[list[int]], list[str]]:
    """Every page from `url` on, following `link`: the ids of each page and every query run."""
    pages, statements = [], []
    while url:
        body, sql = get_capturing(client, url)
        pages.append([row["id"] for row in body["results"]])
        statements += sql
        url = body[link]
    return pages, statements


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_a_list_runs_the_same_queries_for_3_rows_and_30(api, system_admin, resource):
    client = api(system_admin)
    url = f"/api/v1/{resource}/"
    make(resource, system_admin, 3)
    _, few = get_capturing(client, url)
    make(resource, system_admin, 27)

    body, many = get_capturing(client, url)

    assert len(body["results"]) >= 30
    assert len(few) == len(many)


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_paging_walks_every_row_once_in_order_and_never_counts(api, system_admin, resource):
    client = api(system_admin)
    make(resource, system_admin, 12)
    everything = client.get(f"/api/v1/{resource}/?page_size=500").json()
    in_order = [row["id"] for row in everything["results"]]

    pages, statements = walk(client, f"/api/v1/{resource}/?page_size=5")

    assert [len(page) for page in pages[:-1]] == [5] * (len(pages) - 1)
    assert [row for page in pages for row in page] == in_order
    assert everything["next"] is None and everything["previous"] is None and "count" not in everything
    assert not [sql for sql in statements if "COUNT(" in sql.upper() or " OFFSET " in sql.upper()]


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_previous_links_walk_back_over_the_same_pages(api, system_admin, resource):
    client = api(system_admin)
    make(resource, system_admin, 12)
    forwards, _ = walk(client, f"/api/v1/{resource}/?page_size=5")
    last_page = client.get(f"/api/v1/{resource}/?page_size=5").json()
    while last_page["next"]:
        last_page = client.get(last_page["next"]).json()

    backwards, _ = walk(client, last_page["previous"], link="previous")

    assert backwards == forwards[-2::-1]
