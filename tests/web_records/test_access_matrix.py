"""Every page of these apps, for every role at the offender's office: allowed (200) or refused (403).
A probation officer here is not allocated to the case; allocation is tested with each page."""

import pytest
from django.urls import reverse

from documents.services import document_create
from sentences.models import SentenceEventKind
from sentences.services import sentence_event_record
from staff.roles import Role
from tests.factories import (
    AgencyFactory,
    AllocationFactory,
    ChargeFactory,
    DocumentTemplateFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

PO, SM, AS, PR, RO, AO, DS, SA = (
    Role.PROBATION_OFFICER,
    Role.SERVICE_MANAGER,
    Role.ADMIN_SUPPORT,
    Role.PRISON_OFFICER,
    Role.RECOMMENDING_OFFICER,
    Role.APPROVING_OFFICER,
    Role.DATA_SHARE,
    Role.SYSTEM_ADMIN,
)
EVERYONE = {PO, SM, AS, PR, RO, AO, DS, SA}
RECORD_KEEPERS = {SM, AS, SA}  # may change the record of an offender of their office
# (url name, kwargs key -> object, roles allowed)
PAGES = [
    ("sentences:create", {"offender_pk": "offender"}, RECORD_KEEPERS),
    ("sentences:detail", {"pk": "sentence"}, EVERYONE - {DS}),  # the data share: docs/data-share.md
    ("sentences:edit", {"pk": "sentence"}, RECORD_KEEPERS),
    ("sentences:complete", {"pk": "sentence"}, RECORD_KEEPERS),
    ("sentences:event", {"pk": "sentence"}, RECORD_KEEPERS),
    ("sentences:event_decide", {"pk": "appeal"}, RECORD_KEEPERS),
    ("sentences:charge_create", {"offender_pk": "offender"}, RECORD_KEEPERS),
    ("sentences:charge_dispose", {"pk": "charge"}, RECORD_KEEPERS),
    ("documents:create", {"offender_pk": "offender"}, RECORD_KEEPERS),
    ("documents:detail", {"pk": "document"}, EVERYONE - {DS}),
    ("documents:revise", {"pk": "document"}, RECORD_KEEPERS),
    ("documents:finalise", {"pk": "document"}, RECORD_KEEPERS),
    ("documents:pdf", {"pk": "document"}, EVERYONE - {DS}),
    ("agencies:list", {}, EVERYONE),
    ("agencies:detail", {"pk": "agency"}, EVERYONE),
    ("agencies:create", {}, RECORD_KEEPERS),
    ("agencies:edit", {"pk": "agency"}, RECORD_KEEPERS),
    ("agencies:discontinue", {"pk": "agency"}, RECORD_KEEPERS),
    ("agencies:programme_create", {"agency_pk": "agency"}, RECORD_KEEPERS),
    ("agencies:programme_detail", {"pk": "programme"}, EVERYONE),
    ("agencies:programme_edit", {"pk": "programme"}, RECORD_KEEPERS),
    ("agencies:programme_discontinue", {"pk": "programme"}, RECORD_KEEPERS),
    ("agencies:refer", {"offender_pk": "offender"}, RECORD_KEEPERS),
    ("agencies:referral_status", {"pk": "referral"}, RECORD_KEEPERS),
    ("agencies:attendance", {"pk": "referral"}, EVERYONE - {DS}),
    ("staff:list", {}, EVERYONE - {DS}),
    ("staff:detail", {"pk": "member"}, EVERYONE - {DS}),
    ("staff:relocate", {"pk": "member"}, {SM, SA}),
    ("allocation:allocate", {"offender_pk": "offender"}, {SM, SA}),
    ("allocation:end", {"pk": "allocation"}, {SM, SA}),
]


@pytest.fixture
def objects(offender, office):
    sentence = SentenceFactory(offender=offender)
    author = staff_user(Role.ADMIN_SUPPORT, office=office)
    agency = AgencyFactory()
    programme = ProgrammeFactory(agency=agency)
    member = staff_user(Role.PROBATION_OFFICER, office=office).staff
    appeal = sentence_event_record(
        actor=author,
        sentence=sentence,
        kind=SentenceEventKind.APPEAL_CONVICTION,
        occurred_on=sentence.start_date,
        detail="Appeal lodged",
    )
    return {
        "offender": offender,
        "sentence": sentence,
        "appeal": appeal,
        "charge": ChargeFactory(offender=offender),
        "document": document_create(actor=author, offender=offender, template=DocumentTemplateFactory()),
        "agency": agency,
        "programme": programme,
        "referral": ReferralFactory(offender=offender, programme=programme),
        "member": member,
        "allocation": AllocationFactory(offender=offender, staff=member),
    }


def _url(name, kwargs, objects):
    return reverse(name, kwargs={key: objects[value].pk for key, value in kwargs.items()})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(as_user, role_user, objects, role):
    client = as_user(role_user(role))
    outcomes = {name: client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PAGES}
    expected = {name: 200 if role in allowed else 403 for name, _, allowed in PAGES}
    assert outcomes == expected


def test_a_user_without_a_role_is_refused_every_page(as_user, objects):
    client = as_user(UserFactory())
    assert {client.get(_url(name, kwargs, objects)).status_code for name, kwargs, _ in PAGES} == {403}


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(client, objects):
    for name, kwargs, _ in PAGES:
        response = client.get(_url(name, kwargs, objects))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name


def test_the_supervising_officer_may_keep_the_record_but_not_allocate(as_user, probation_officer, objects):
    AllocationFactory(offender=objects["offender"], staff=probation_officer.staff)
    client = as_user(probation_officer)
    for name in ("sentences:edit", "sentences:complete", "sentences:event", "documents:revise"):
        key = "sentence" if name.startswith("sentences") else "document"
        assert client.get(reverse(name, kwargs={"pk": objects[key].pk})).status_code == 200, name
    offender_pk = {"offender_pk": objects["offender"].pk}
    assert client.get(reverse("agencies:refer", kwargs=offender_pk)).status_code == 200
    assert client.get(reverse("documents:create", kwargs=offender_pk)).status_code == 200
    # Entering sentences and charges by hand is for administrative support and managers.
    assert client.get(reverse("sentences:create", kwargs=offender_pk)).status_code == 403
    assert client.get(reverse("allocation:allocate", kwargs=offender_pk)).status_code == 403
