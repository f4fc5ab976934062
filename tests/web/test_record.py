"""The offender record: each tab shows its data, audits the view, and is refused to the wrong role."""

import datetime

import pytest
from django.utils import timezone

from allocation.models import CaseRole
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from casenotes.models import Casenote
from documents.models import Document
from offenders.models import Address, Flag, FlagKind, Identifier
from sentences.models import SentenceEvent, SentenceType
from staff.roles import Role
from tests.factories import (
    AliasFactory,
    AllocationFactory,
    CasenoteFactory,
    ConvictionFactory,
    DocumentTemplateFactory,
    OffenceFactory,
    OffenderFactory,
    ReferralFactory,
    SentenceFactory,
    StaffMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def offender(office):
    offender = OffenderFactory(
        prn="12345678",
        family_name="Tamihana",
        given_names="Wiremu James",
        preferred_name="Wiri",
        date_of_birth=datetime.date(1990, 4, 2),
        home_office=office,
        phone="021 555 0101",
    )
    AliasFactory(offender=offender, family_name="Thompson", given_names="Billy")
    Address.objects.create(
        offender=offender,
        line1="1 Old Road",
        city="Porirua",
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2023, 5, 31),
    )
    Address.objects.create(
        offender=offender, line1="22 Kent Terrace", city="Wellington", started_on=datetime.date(2023, 6, 1)
    )
    Identifier.objects.create(offender=offender, kind=Identifier.Kind.PNC, value="PNC-778899")
    Flag.objects.create(
        offender=offender, kind=FlagKind.SAFETY_CONCERN, reason="Threatened staff with a knife"
    )
    Flag.objects.create(
        offender=offender,
        kind=FlagKind.GANG,
        reason="Old affiliation",
        raised_on=datetime.date(2019, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
        ended_reason="Left the gang",
    )
    return offender


def _view_summaries(offender):
    return list(
        AuditEvent.objects.filter(offender=offender, action=AuditAction.VIEW).values_list(
            "summary", flat=True
        )
    )


def test_details_show_the_whole_record_and_warnings_first(client, probation_officer, offender):
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/").content.decode()
    assert "TAMIHANA, Wiremu James" in page
    assert "known as Wiri" in page
    assert "12345678" in page and "2 Apr 1990" in page
    assert "THOMPSON, Billy" in page
    assert "22 Kent Terrace, Wellington" in page and "1 Old Road, Porirua" in page
    assert "PNC-778899" in page
    assert "021 555 0101" in page
    warnings = page.index('class="warnings"')
    assert warnings < page.index('class="tabs"')
    assert "Threatened staff with a knife" in page[warnings : page.index('class="tabs"')]
    # The ended flag is in the flags table, not among the warnings.
    assert "Left the gang" in page and "Left the gang" not in page[warnings : page.index('class="tabs"')]
    assert _view_summaries(offender) == [f"Viewed {offender}"]


def test_change_links_only_for_those_who_may_change_the_record(client, probation_officer, offender):
    client.force_login(probation_officer)
    assert f"/offenders/{offender.pk}/edit/" not in client.get(f"/offenders/{offender.pk}/").content.decode()
    AllocationFactory(offender=offender, staff=probation_officer.staff)
    assert f"/offenders/{offender.pk}/edit/" in client.get(f"/offenders/{offender.pk}/").content.decode()


def test_sentences_tab_shows_sentences_with_their_convictions(client, probation_officer, offender):
    sentence = SentenceFactory(offender=offender, sentence_type=SentenceType.INTENSIVE_SUPERVISION)
    ConvictionFactory(
        sentence=sentence, offence=OffenceFactory(code="CA188", description="Wounding with intent")
    )
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/sentences/").content.decode()
    assert "Intensive supervision" in page
    assert "Wounding with intent" in page and "CA188" in page
    assert "<caption>Sentences, current first (1)</caption>" in page
    assert _view_summaries(offender) == [f"Viewed the sentences of {offender}"]


def test_staff_tab_lists_current_and_past_allocations(client, probation_officer, offender, office):
    current = StaffMemberFactory(office=office, user=UserFactory(first_name="Hemi", last_name="Walker"))
    past = StaffMemberFactory(office=office, user=UserFactory(first_name="Sue", last_name="Past"))
    AllocationFactory(offender=offender, staff=current, role=CaseRole.SUPERVISING_OFFICER)
    AllocationFactory(
        offender=offender,
        staff=past,
        started_on=TODAY - datetime.timedelta(days=400),
        ended_on=TODAY - datetime.timedelta(days=100),
        end_reason="Moved to Auckland",
    )
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/staff/").content.decode()
    assert page.index("Hemi Walker") < page.index("Sue Past")
    assert "Moved to Auckland" in page
    assert _view_summaries(offender) == [f"Viewed the staff allocated to {offender}"]


def test_programmes_tab_lists_referrals(client, probation_officer, offender):
    ReferralFactory(
        offender=offender,
        programme__name="Drug Treatment Programme",
        programme__agency__name="Ara Poutama Trust",
    )
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/programmes/").content.decode()
    assert "Drug Treatment Programme" in page and "Ara Poutama Trust" in page
    assert _view_summaries(offender) == [f"Viewed the programmes of {offender}"]


def test_documents_tab_lists_documents(client, probation_officer, offender):
    Document.objects.create(
        offender=offender,
        template=DocumentTemplateFactory(),
        title="Pre-sentence report for Tamihana",
        created_by=probation_officer,
    )
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/documents/").content.decode()
    assert "Pre-sentence report for Tamihana" in page
    assert _view_summaries(offender) == [f"Viewed the documents of {offender}"]


@pytest.mark.parametrize("tab", ["casenotes", "documents"])
def test_data_share_is_refused_casenotes_and_documents_and_the_refusal_is_audited(
    client, data_share, offender, tab
):
    client.force_login(data_share)
    response = client.get(f"/offenders/{offender.pk}/{tab}/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(offender=offender, action=AuditAction.DENIED, actor=data_share).exists()
    assert not AuditEvent.objects.filter(offender=offender, action=AuditAction.VIEW).exists()
    # ... and the tabs are not offered.
    page = client.get(f"/offenders/{offender.pk}/").content.decode()
    assert f"/offenders/{offender.pk}/casenotes/" not in page
    assert f"/offenders/{offender.pk}/documents/" not in page


@pytest.mark.parametrize(
    "tab", ["", "sentences/", "casenotes/", "staff/", "programmes/", "timeline/", "documents/"]
)
def test_a_user_with_no_role_sees_no_record(client, offender, tab):
    client.force_login(UserFactory())
    assert client.get(f"/offenders/{offender.pk}/{tab}").status_code == 403
    assert not AuditEvent.objects.filter(offender=offender, action=AuditAction.VIEW).exists()


@pytest.mark.parametrize(
    "tab", ["", "sentences/", "casenotes/", "staff/", "programmes/", "timeline/", "documents/"]
)
def test_unknown_offender_is_not_found_on_every_tab(client, probation_officer, tab):
    client.force_login(probation_officer)
    assert client.get(f"/offenders/424242/{tab}").status_code == 404


# --- Timeline ------------------------------------------------------------------------------------


def test_timeline_merges_every_kind_in_date_order(client, service_manager, offender):
    sentence = SentenceFactory(offender=offender, order_date=TODAY - datetime.timedelta(days=30))
    SentenceEvent.objects.create(
        sentence=sentence, kind="order_received", occurred_on=TODAY - datetime.timedelta(days=30)
    )
    CasenoteFactory(
        offender=offender, summary="Reported on time", contact_on=timezone.now() - datetime.timedelta(days=2)
    )
    CasenoteFactory(
        offender=offender,
        summary="Disclosed abuse",
        sensitive=True,
        contact_on=timezone.now() - datetime.timedelta(days=1),
    )
    ReferralFactory(
        offender=offender, programme__name="Anger management", referred_on=TODAY - datetime.timedelta(days=10)
    )
    client.force_login(service_manager)  # holds the sensitive permission through the role
    page = client.get(f"/offenders/{offender.pk}/timeline/").content.decode()
    order = [
        page.index("Disclosed abuse"),
        page.index("Reported on time"),
        page.index("Referred to Anger management"),
        page.index("Court order received"),
        page.index("Residential address from this date"),  # 1 June 2023
        page.index("Residential address ended"),  # 31 May 2023
        page.index("Flag ended: Gang affiliation"),  # 2021
    ]
    assert order == sorted(order)
    assert _view_summaries(offender) == [f"Viewed the timeline of {offender}"]


def test_timeline_hides_sensitive_notes_without_the_permission(client, probation_officer, offender):
    CasenoteFactory(offender=offender, summary="Disclosed abuse", sensitive=True)
    CasenoteFactory(offender=offender, summary="Reported on time")
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/timeline/").content.decode()
    assert "Reported on time" in page
    assert "Disclosed abuse" not in page


def test_the_data_share_is_refused_the_timeline(client, data_share, offender):
    """It sees the shared record only (docs/data-share.md; tests/datashare/test_browser_role.py)."""
    CasenoteFactory(offender=offender, summary="Reported on time")
    client.force_login(data_share)
    response = client.get(f"/offenders/{offender.pk}/timeline/")
    assert response.status_code == 403
    assert "Reported on time" not in response.content.decode()


def test_timeline_is_bounded_and_continues_on_an_older_page(client, probation_officer, offender):
    now = timezone.now()
    for day in range(30):
        CasenoteFactory(
            offender=offender, summary=f"Visit day {day}", contact_on=now - datetime.timedelta(days=day)
        )
    client.force_login(probation_officer)
    page = client.get(f"/offenders/{offender.pk}/timeline/").content.decode()
    assert "Visit day 0<" in page and "Visit day 23<" in page
    assert "Visit day 29<" not in page
    # The old address (2020) is older than the casenotes shown: it waits for the older page.
    assert "1 Old Road" not in page
    assert "Older entries" in page
    older = (TODAY - datetime.timedelta(days=23)).isoformat()
    page = client.get(f"/offenders/{offender.pk}/timeline/?before={older}").content.decode()
    assert "Visit day 29<" in page and "1 Old Road" in page
    assert "Visit day 0<" not in page


# --- History -------------------------------------------------------------------------------------


def test_history_shows_the_audit_trail_to_a_manager_of_the_office(
    client, service_manager, offender, probation_officer
):
    audit_record(
        actor=probation_officer,
        action=AuditAction.UPDATE,
        obj=offender,
        summary="Changed phone",
        changes={"phone": ["021 1", "021 2"]},
    )
    client.force_login(service_manager)
    page = client.get(f"/audit/offenders/{offender.pk}/").content.decode()
    assert "Changed phone" in page
    assert "021 1 → 021 2" in page
    # The staff member's name; the username the trail recorded only as hint text (issue 14).
    name = probation_officer.get_full_name()
    assert name and f'>{name}<br><span class="hint">po</span></th>' in page
    assert f"Viewed the history of {offender}" in _view_summaries(offender)


def test_history_is_refused_to_a_probation_officer(client, probation_officer, offender):
    client.force_login(probation_officer)
    assert client.get(f"/audit/offenders/{offender.pk}/").status_code == 403
    assert f"/audit/offenders/{offender.pk}/" not in client.get(f"/offenders/{offender.pk}/").content.decode()


def test_history_is_refused_to_a_manager_of_another_office(client, role_user, other_office, offender):
    client.force_login(role_user(Role.SERVICE_MANAGER, at=other_office))
    assert client.get(f"/audit/offenders/{offender.pk}/").status_code == 403


def test_history_withholds_what_a_sensitive_note_says(client, role_user, office, offender, system_admin):
    from casenotes.services import casenote_create

    casenote_create(
        actor=system_admin, offender=offender, summary="Disclosed abuse", text="...", sensitive=True
    )
    manager = role_user(Role.SERVICE_MANAGER)
    manager.groups.first().permissions.clear()  # this office's managers lack the sensitive permission here
    client.force_login(manager)
    page = client.get(f"/audit/offenders/{offender.pk}/").content.decode()
    assert "sensitive note: details withheld" in page
    assert "Disclosed abuse" not in page
    assert Casenote.objects.filter(offender=offender).count() == 1
