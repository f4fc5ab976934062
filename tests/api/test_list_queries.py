"""Each list costs the same number of queries whatever its length (no per-row queries)."""

import pytest

from audit.services import audit_view
from documents.services import document_create
from offenders.models import FlagKind
from offenders.services import flag_raise
from staff.roles import Role
from tests.api.conftest import count_queries
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


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_list_queries_do_not_grow_with_rows(api, system_admin, resource):
    client = api(system_admin)
    url = f"/api/v1/{resource}/"
    for _ in range(2):
        MAKERS[resource](system_admin)
    few = count_queries(lambda: client.get(url))
    for _ in range(6):
        MAKERS[resource](system_admin)

    many = count_queries(lambda: client.get(url))

    assert client.get(url).json()["count"] >= 8
    assert few == many
