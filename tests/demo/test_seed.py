import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory

from agencies.models import Referral
from allocation.models import CaseAllocation, CaseRole
from audit.models import AuditEvent
from casenotes.models import Casenote
from demo.people import person_plan, prn_for
from demo.reference import build_reference
from demo.seed import Batch, OffenderGenerator, seed_demo
from documents.models import DocumentTemplate
from documents.services import document_context, render_template_body
from muster.models import MusterEntry
from offenders.models import Address, Flag, FlagKind, Identifier, Offender, OffenderAlias
from offenders.phonetics import fold
from sentences.models import (
    Charge,
    CompletionReason,
    Conviction,
    Sentence,
    SentenceStatus,
    SentenceType,
)
from staff.demo_logins import DEMO_LOGINS, DEMO_USERNAMES
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role, has_role
from tests.demo.conftest import TINY, generated_prns

pytestmark = pytest.mark.django_db


def test_tiny_seed_creates_the_offenders_and_reports_them(seeded):
    assert Offender.objects.filter(prn__in=generated_prns()).count() == TINY
    assert Offender.objects.count() > TINY, "and the people of the waiting work (demo/work.py)"
    assert "offenders" in seeded and f"{TINY:>12,}" in seeded
    assert "probation" in seeded and "ioms-demo-2026" in seeded


def test_every_sentence_type_is_present(seeded):
    present = set(Sentence.objects.values_list("sentence_type", flat=True))
    assert present == set(SentenceType.values)


def test_every_completion_reason_is_present(seeded):
    completed = Sentence.objects.filter(status=SentenceStatus.COMPLETED)
    assert set(completed.values_list("completion_reason", flat=True)) == set(CompletionReason.values)
    assert Sentence.objects.filter(status=SentenceStatus.ACTIVE).exists()
    assert Sentence.objects.filter(status=SentenceStatus.PENDING).exists()


def test_every_generated_row_passes_model_validation(seeded):
    """The generated rows; the waiting work's data problems are made on purpose (demo/work.py)."""
    prns = generated_prns()
    querysets = [
        Sentence.objects.select_related("court", "offender").filter(offender__prn__in=prns),
        Conviction.objects.filter(offender__prn__in=prns),
        Charge.objects.filter(offender__prn__in=prns),
        Offender.objects.filter(prn__in=prns),
        OffenderAlias.objects.filter(offender__prn__in=prns),
        Address.objects.filter(offender__prn__in=prns),
        Identifier.objects.filter(offender__prn__in=prns),
        Flag.objects.filter(offender__prn__in=prns),
        CaseAllocation.objects.select_related("sentence").filter(offender__prn__in=prns),
        Referral.objects.select_related("sentence").filter(offender__prn__in=prns),
        Casenote.objects.select_related("sentence").filter(offender__prn__in=prns),
    ]
    for queryset in querysets:
        for row in queryset:
            row.full_clean()


def test_sentence_dates_follow_the_rules_of_each_type(seeded):
    today = datetime.date.today()
    for sentence in Sentence.objects.filter(offender__prn__in=generated_prns()):
        assert sentence.start_date >= sentence.order_date
        if sentence.sentence_type == SentenceType.COMMUNITY_WORK:
            assert 40 <= sentence.hours <= 400
        if sentence.sentence_type == SentenceType.IMPRISONMENT and not sentence.indeterminate:
            assert sentence.statutory_release_date <= sentence.end_date
            if sentence.parole_eligibility_date:
                assert sentence.parole_eligibility_date <= sentence.statutory_release_date
        if sentence.status == SentenceStatus.COMPLETED:
            assert sentence.start_date <= sentence.completed_on <= today
        if sentence.status == SentenceStatus.PENDING:
            assert sentence.start_date > today
    life = Sentence.objects.get(indeterminate=True, offender__prn=prn_for(0))
    assert life.end_date is None and life.parole_eligibility_date


def test_convictions_come_from_the_catalogue_with_their_charges(seeded):
    generated = Conviction.objects.filter(offender__prn__in=generated_prns())
    conviction = generated.select_related("charge", "offence").first()
    assert conviction.charge.outcome == Charge.Outcome.CONVICTED
    assert conviction.charge.offence == conviction.offence
    assert not generated.filter(charge__isnull=True).exists()
    assert Charge.objects.filter(outstanding=True).exists()


def test_demo_logins_authenticate_with_their_role(seeded):
    for (role, username), (_, listed_username, password) in zip(
        DEMO_USERNAMES.items(), DEMO_LOGINS, strict=True
    ):
        assert listed_username == username
        # With a request, as the login page calls it: the lockout backend refuses a call without one.
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
        assert user is not None, username
        assert has_role(user, role)
        assert StaffMember.objects.filter(user=user).exists()


def test_other_staff_cannot_log_in(seeded):
    others = StaffMember.objects.exclude(user__username__in=DEMO_USERNAMES.values()).select_related("user")
    assert others.count() > 100
    assert not any(member.user.has_usable_password() for member in others)


def test_offices_have_real_places_and_probation_staff(seeded):
    kinds = dict(Office.objects.values_list("kind").annotate(count=Count("id")))
    assert kinds[OfficeKind.PROBATION] >= 20
    assert kinds[OfficeKind.PRISON] >= 10
    assert kinds[OfficeKind.COURT] >= 20
    assert kinds[OfficeKind.SERVICE_CENTRE] >= 3
    wellington = Office.objects.get(code="CC-WLG")
    assert wellington.name == "Wellington Community Corrections"
    officers = StaffMember.objects.filter(office=wellington, user__groups__name=Role.PROBATION_OFFICER)
    assert 5 <= officers.count() <= 15
    assert StaffMember.objects.filter(office=wellington, user__groups__name=Role.SERVICE_MANAGER).count() == 1


def test_open_allocations_are_to_officers_of_the_managing_office(seeded):
    # The offender management team (issue 6) holds the whole case: test_offender_management_seed.py.
    allocations = (
        CaseAllocation.objects.current()
        .filter(role__in=[CaseRole.SUPERVISING_OFFICER, CaseRole.CO_WORKER])
        .select_related("staff", "sentence", "staff__user")
    )
    assert allocations.exists()
    for allocation in allocations:
        assert allocation.staff.office_id == allocation.sentence.managing_office_id
        assert allocation.staff.user.groups.filter(name=Role.PROBATION_OFFICER).exists()
    demo_officer = CaseAllocation.objects.current().filter(
        staff__user__username="probation", role=CaseRole.SUPERVISING_OFFICER
    )
    assert demo_officer.count() >= 8


def test_search_keys_are_computed_as_the_services_would(seeded):
    for offender in Offender.objects.all():
        assert offender.family_name_folded == fold(offender.family_name)
        assert offender.given_names_folded == fold(offender.given_names)
        assert offender.name_words and offender.name_codes  # the database's search keys
    for alias in OffenderAlias.objects.all():
        assert alias.family_name_folded == fold(alias.family_name)
        assert alias.name_words and alias.name_codes


def test_records_have_casenotes_addresses_identifiers_and_referrals(seeded):
    assert Casenote.objects.count() >= 8 * TINY
    assert Casenote.objects.filter(sensitive=True).exists()
    assert set(Casenote.objects.values_list("note_type", flat=True)) >= {"contact", "action", "system"}
    assert not Offender.objects.filter(prn__in=generated_prns(), addresses__isnull=True).exists()
    assert Address.objects.filter(ended_on__isnull=False).exists()
    assert Identifier.objects.filter(kind=Identifier.Kind.PNC).count() > TINY // 2
    assert Referral.objects.exists()
    assert Flag.objects.filter(kind=FlagKind.CHILD_SEX_OFFENDER).exists()


def test_bulk_demo_data_writes_no_audit_rows(seeded):
    """Only the demo allocation queue, the demo classification reviews, the demo sentence plans,
    reports, conditions, appointments and enforcement are made through the services (and so audited):
    the bulk data is not."""
    from allocation.models import AllocateRequest

    assert AllocateRequest.objects.exists(), "the demo manager has a queue to work"
    generated = Offender.objects.filter(prn__in=generated_prns()).values("pk")
    assert set(
        AuditEvent.objects.filter(offender_id__in=generated).values_list("object_type", flat=True)
    ) <= {
        "allocation.AllocateRequest",
        "classification.Review",
        "classification.SecurityClassification",
        "plans.SentencePlan",
        "plans.Objective",
        "classification.SentencePlanActivity",
        "agencies.Referral",
        "casenotes.Casenote",
        "documents.Report",
        "conditions.Condition",
        "conditions.CommunityWorkRecord",
        "appointments.Appointment",
        "appointments.AppointmentSeries",
        "compliance.EnforcementAction",
    }


def test_document_templates_render_for_a_seeded_record(seeded):
    offender = Offender.objects.get(prn=prn_for(1))
    sentence = offender.sentences.get(sentence_type=SentenceType.IMPRISONMENT)
    # Report templates (report_kind set) are made by the demo reports and render a report's context.
    templates = DocumentTemplate.objects.filter(report_kind="")
    codes = set(templates.values_list("code", flat=True))
    assert codes == {"pre-sentence-report", "parole-progress-report", "breach-information-sheet"}
    for template in templates:
        html = render_template_body(template, document_context(offender=offender, sentence=sentence))
        assert offender.prn in html
        assert offender.family_name in html or offender.full_name in html
    parole_report = DocumentTemplate.objects.get(code="parole-progress-report")
    html = render_template_body(parole_report, document_context(offender=offender, sentence=sentence))
    assert f"{sentence.parole_eligibility_date.day} " in html
    assert "Aggravated robbery" in html


def test_the_muster_entries_are_built_from_the_load_and_kept_current_afterwards(seeded):
    """The load runs with the muster triggers off and rebuilds the entries once (demo/seed.py)."""
    current = Sentence.objects.current().filter(managing_office__isnull=False)
    pairs = set(current.values_list("managing_office_id", "offender_id"))
    assert pairs
    assert set(MusterEntry.objects.values_list("office_id", "offender_id")) == pairs
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE 'muster_%' ORDER BY 1")
        assert {enabled for _, enabled in cursor.fetchall()} == {"O"}, "every trigger is on again"
    sentence = current.first()
    Sentence.objects.filter(offender=sentence.offender, managing_office=sentence.managing_office).update(
        status=SentenceStatus.COMPLETED,
        completion_reason=CompletionReason.NORMAL,
        completed_on=sentence.start_date,
    )
    assert not MusterEntry.objects.filter(
        office=sentence.managing_office, offender=sentence.offender
    ).exists()


def test_refuses_to_seed_a_database_with_offenders(seeded):
    err = io.StringIO()
    stored = Offender.objects.count()
    call_command("seed_demo", "--offenders", "5", "--no-progress", stdout=io.StringIO(), stderr=err)
    assert f"already holds {stored} offenders; not adding demo data" in err.getvalue()
    assert Offender.objects.count() == stored


def test_no_logins_leaves_the_logins_to_the_banner_of_make_run(seeded):
    """`make run` prints the demo logins once, in its banner; seed_demo, run by it, lists none."""
    out = io.StringIO()
    call_command("seed_demo", "--offenders", "3", "--force", "--no-progress", "--no-logins", stdout=out)
    assert "Seeding 3 offenders" in out.getvalue()
    assert "Demo logins" not in out.getvalue() and "ioms-demo-2026" not in out.getvalue()


def test_force_adds_further_offenders_and_reuses_the_reference_data(seeded):
    offices, staff = Office.objects.count(), StaffMember.objects.count()
    stored = Offender.objects.count()
    call_command("seed_demo", "--offenders", "10", "--force", "--no-progress", stdout=io.StringIO())
    assert Offender.objects.count() == stored + 10
    assert Office.objects.count() == offices
    assert StaffMember.objects.count() == staff
    # Numbered on from the people stored (the waiting work's included): no PRN is reused.
    assert Offender.objects.filter(prn=prn_for(stored + 9)).exists()


def test_rejects_size_and_offenders_together(db):
    with pytest.raises(CommandError, match="not both"):
        call_command("seed_demo", "--size", "small", "--offenders", "5", stdout=io.StringIO())


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not():
    today = datetime.date(2026, 3, 1)
    first = [person_plan(2026, index, today) for index in range(50)]
    again = [person_plan(2026, index, today) for index in range(50)]
    other = [person_plan(7, index, today) for index in range(50)]
    assert first == again
    assert [plan.family_name for plan in first] != [plan.family_name for plan in other]
    assert len({plan.prn for plan in first}) == 50


def _sentence_key(sentence):
    return (
        sentence.sentence_type,
        sentence.order_date,
        sentence.start_date,
        sentence.end_date,
        sentence.status,
        sentence.completion_reason,
        sentence.completed_on,
        sentence.hours,
        sentence.court_id,
    )


def test_regenerating_from_the_seed_reproduces_the_stored_records(db):
    today = datetime.date(2026, 3, 1)
    seed_demo(offenders=25, seed=99, today=today)
    reference = build_reference(seed=99, total_offenders=25, today=today)
    assert not reference.created, "a second build finds the reference data instead of adding to it"
    generator = OffenderGenerator(reference, seed=99, today=today)
    batch = Batch()
    for index in range(25):
        generator.build(index, batch)
    stored = {offender.prn: offender for offender in Offender.objects.prefetch_related("sentences")}
    for planned in batch.offenders:
        offender = stored[planned.prn]
        assert (planned.family_name, planned.given_names, planned.date_of_birth, planned.home_office_id) == (
            offender.family_name,
            offender.given_names,
            offender.date_of_birth,
            offender.home_office_id,
        )
        expected = sorted(_sentence_key(s) for s in batch.sentences if s.offender_id == planned.id)
        assert expected == sorted(_sentence_key(s) for s in offender.sentences.all())
    # Besides the bulk casenotes, the demo sentence plans' casenotes, written (and audited) by the services.
    audited = AuditEvent.objects.filter(object_type="casenotes.Casenote")
    by_services = audited.values_list("object_id", flat=True)
    assert len(batch.casenotes) == Casenote.objects.exclude(pk__in=[int(pk) for pk in by_services]).count()
