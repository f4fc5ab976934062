"""Moving between prison and community keeps the team's history and prompts the handover (issue 6):
the receiving side's allocate request, the sending side keeping responsibility until it is
accepted. Seed 004: the offender manager keeps the case throughout."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from allocation.handover import community_handover
from allocation.models import (
    AllocateRequest,
    AllocateRequestKind,
    AllocateRequestStatus,
    AllocationTrigger,
    CaseAllocation,
    CaseRole,
    Notification,
)
from allocation.requests import allocate_request_allocate, allocate_requests_for_upcoming_releases
from allocation.selectors import officer_options
from allocation.team import offender_recall, team_member_add
from audit.models import AuditAction, AuditEvent
from casenotes.models import CasenoteType
from sentences.models import CompletionReason, SentenceStatus, SentenceType
from sentences.services import sentences_commence_due
from staff.roles import Role
from tests.allocation.helpers import DAY, finish_checklist, record_sentence, today
from tests.factories import SentenceFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("weights")]


@pytest.fixture
def team(manager, prison_manager, offender, prison_sentence, aroha, hemi):
    """In prison at Rimutaka: Hemi the offender supervisor, Aroha the offender manager."""
    return {
        "supervisor": team_member_add(
            actor=prison_manager,
            offender=offender,
            staff=hemi,
            role=CaseRole.OFFENDER_SUPERVISOR,
            started_on=today() - 300 * DAY,
        ),
        "manager": team_member_add(
            actor=manager,
            offender=offender,
            staff=aroha,
            role=CaseRole.OFFENDER_MANAGER,
            started_on=today() - 400 * DAY,
        ),
    }


def release_on_parole(actor, offender, *, start=None):
    return record_sentence(actor, offender, SentenceType.PAROLE, start=start or today())


def current_roles(offender) -> dict[str, str]:
    return {
        row.role: str(row.staff)
        for row in CaseAllocation.objects.current().filter(offender=offender).select_related("staff__user")
    }


def notes(offender) -> list[str]:
    return list(
        offender.casenotes.filter(note_type=CasenoteType.ALLOCATION)
        .order_by("id")
        .values_list("text", flat=True)
    )


# --- Release: the community's request, the prison keeping responsibility until it is accepted --------


def test_on_release_the_offender_supervisor_stays_until_the_community_allocates(
    manager, offender, team, aroha, hemi
):
    release_on_parole(manager, offender)

    request = AllocateRequest.objects.get(offender=offender, kind=AllocateRequestKind.SENTENCE)
    assert request.office.name == "Wellington Community Corrections"
    assert request.trigger == AllocationTrigger.RELEASE
    assert current_roles(offender)[CaseRole.OFFENDER_SUPERVISOR] == "Hemi Corrections", "still responsible"
    assert request.continuity_staff == aroha, "seed 004: the offender manager throughout"
    top = officer_options(request)[0]
    assert (top.staff, top.reasons[0]) == (
        aroha,
        "The offender manager of this offender: one officer throughout (seed 004).",
    )

    finish_checklist(manager, request)
    allocate_request_allocate(actor=manager, request=request, staff=aroha)

    supervisor = team["supervisor"]
    supervisor.refresh_from_db()
    assert (supervisor.ended_on, supervisor.end_reason) == (
        today(),
        "Handed over to Wellington Community Corrections",
    )
    assert current_roles(offender) == {
        CaseRole.OFFENDER_MANAGER: "Aroha Officer",
        CaseRole.SUPERVISING_OFFICER: "Aroha Officer",
    }
    assert notes(offender)[-1] == (
        "Hemi Corrections no longer offender supervisor (prison). "
        "Reason: Handed over to Wellington Community Corrections"
    )
    assert AuditEvent.objects.filter(
        object_type="allocation.CaseAllocation",
        object_id=str(supervisor.pk),
        action=AuditAction.UPDATE,
        actor=manager,
    ).exists()
    assert Notification.objects.filter(
        recipient=hemi.user, subject__startswith="Case handed over: Wiremu Ngata"
    ).exists()


def test_a_pre_allocated_release_hands_over_when_the_release_is_recorded(
    manager, offender, team, prison_sentence, ben
):
    prison_sentence.statutory_release_date = today() + 10 * DAY
    prison_sentence.save(update_fields=["statutory_release_date"])
    allocate_requests_for_upcoming_releases()
    pre_release = AllocateRequest.objects.get(kind=AllocateRequestKind.PRE_RELEASE)
    finish_checklist(manager, pre_release)
    allocate_request_allocate(
        actor=manager, request=pre_release, staff=ben, override_reason="Knows the family"
    )

    assert CaseRole.OFFENDER_SUPERVISOR in current_roles(offender), "still in prison: no handover yet"

    release_on_parole(manager, offender)

    assert CaseRole.OFFENDER_SUPERVISOR not in current_roles(offender)
    team["supervisor"].refresh_from_db()
    assert team["supervisor"].end_reason == "Handed over to Wellington Community Corrections"


def test_a_release_on_a_later_date_hands_over_when_it_commences(manager, offender, team, ben):
    release = release_on_parole(manager, offender, start=today() + 7 * DAY)
    request = AllocateRequest.objects.get(sentence=release)
    assert request.pre_allocation
    finish_checklist(manager, request)
    allocate_request_allocate(actor=manager, request=request, staff=ben, override_reason="Lives nearby")

    assert CaseRole.OFFENDER_SUPERVISOR in current_roles(offender), "not released yet"

    # The release date arrives (moved here to today so the daily task commences it).
    type(release).objects.filter(pk=release.pk).update(start_date=today(), order_date=today())
    assert sentences_commence_due() == 1

    assert CaseRole.OFFENDER_SUPERVISOR not in current_roles(offender)


def test_an_unrelated_community_allocation_does_not_hand_over(manager, offender, team, ben):
    record_sentence(manager, offender, SentenceType.COMMUNITY_WORK)  # still in prison
    request = AllocateRequest.objects.get(offender=offender)
    finish_checklist(manager, request)
    allocate_request_allocate(actor=manager, request=request, staff=ben, override_reason="Workload")

    assert community_handover(actor=manager, offender=offender) == []
    assert CaseRole.OFFENDER_SUPERVISOR in current_roles(offender)


# --- A new prison sentence and a recall: the prison's request, the offender manager staying ----------


def test_a_new_prison_sentence_asks_the_prison_for_an_offender_supervisor(manager, offender, prison, aroha):
    team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_MANAGER)

    sentence = record_sentence(manager, offender, SentenceType.IMPRISONMENT, managing_office=prison)

    request = AllocateRequest.objects.get(offender=offender)
    assert (request.office, request.sentence, request.kind, request.status) == (
        prison,
        sentence,
        AllocateRequestKind.SENTENCE,
        AllocateRequestStatus.OPEN,
    )
    assert request.continuity_note == (
        "Offender manager: Aroha Officer (Wellington Community Corrections), who stays on the team."
    )
    assert current_roles(offender) == {CaseRole.OFFENDER_MANAGER: "Aroha Officer"}


def test_the_prison_allocates_a_prison_officer_as_offender_supervisor(
    manager, prison_manager, offender, prison, aroha, hemi, tui
):
    record_sentence(manager, offender, SentenceType.IMPRISONMENT, managing_office=prison)
    request = AllocateRequest.objects.get(offender=offender)

    assert {option.staff for option in officer_options(request)} == {hemi, tui}
    with pytest.raises(PermissionDenied):
        allocate_request_allocate(actor=manager, request=request, staff=hemi)
    finish_checklist(prison_manager, request)
    suggested = officer_options(request)[0].staff
    allocate_request_allocate(actor=prison_manager, request=request, staff=suggested)

    [member] = CaseAllocation.objects.current().filter(offender=offender)
    assert (member.role, member.staff, member.sentence) == (CaseRole.OFFENDER_SUPERVISOR, suggested, None)


def test_a_move_between_prisons_hands_the_offender_supervisor_over(
    manager, offender, team, other_prison, prison_sentence
):
    arohata_manager = staff_user(Role.RECOMMENDING_OFFICER, office=other_prison)
    mere = staff_user(Role.PRISON_OFFICER, office=other_prison, first_name="Mere", last_name="Arohata").staff
    record_sentence(manager, offender, SentenceType.IMPRISONMENT, managing_office=other_prison)
    request = AllocateRequest.objects.get(office=other_prison)

    assert current_roles(offender)[CaseRole.OFFENDER_SUPERVISOR] == "Hemi Corrections", "until accepted"
    finish_checklist(arohata_manager, request)
    allocate_request_allocate(actor=arohata_manager, request=request, staff=mere)

    team["supervisor"].refresh_from_db()
    assert team["supervisor"].end_reason == "Handed over to Arohata Prison"
    assert current_roles(offender)[CaseRole.OFFENDER_SUPERVISOR] == "Mere Arohata"


def test_a_second_prison_sentence_at_the_same_prison_needs_no_new_request(manager, offender, team, prison):
    assert record_sentence(manager, offender, SentenceType.IMPRISONMENT, managing_office=prison)

    assert not AllocateRequest.objects.filter(offender=offender).exists()


def test_release_then_recall_keeps_the_team_history_and_the_offender_manager(
    manager, prison_manager, offender, team, prison, aroha, hemi, tui
):
    parole = release_on_parole(manager, offender)
    community = AllocateRequest.objects.get(sentence=parole)
    finish_checklist(manager, community)
    allocate_request_allocate(actor=manager, request=community, staff=aroha)

    recall = offender_recall(
        actor=manager, release=parole, prison=prison, recalled_on=today(), reason="Breached curfew"
    )

    parole.refresh_from_db()
    assert (parole.status, parole.completion_reason, parole.completed_on) == (
        SentenceStatus.COMPLETED,
        CompletionReason.TERMINATED,
        today(),
    )
    assert (recall.office, recall.kind, recall.trigger, recall.from_office.name) == (
        prison,
        AllocateRequestKind.RECALL,
        AllocationTrigger.RECALL,
        "Wellington Community Corrections",
    )
    assert recall.continuity_staff == hemi
    assert current_roles(offender) == {
        CaseRole.OFFENDER_MANAGER: "Aroha Officer",
        CaseRole.SUPERVISING_OFFICER: "Aroha Officer",
    }, "the community stays on the team until a person decides otherwise"
    assert notes(offender)[-1] == (
        f"Recalled to Rimutaka Prison on {today():%-d %b %Y}. "
        "Rimutaka Prison is asked to allocate an offender supervisor. "
        "Staying on the team: Aroha Officer (offender manager); "
        "Aroha Officer (supervising probation officer)."
    )
    assert Notification.objects.filter(recipient=prison_manager, request=recall).exists()

    finish_checklist(prison_manager, recall)
    assert officer_options(recall)[0].staff == hemi, "continuity: the same offender supervisor"
    allocate_request_allocate(actor=prison_manager, request=recall, staff=hemi)

    history = [
        (row.staff.user.first_name, row.role, row.ended_on is None)
        for row in CaseAllocation.objects.filter(offender=offender).order_by("id")
    ]
    assert history == [
        ("Hemi", CaseRole.OFFENDER_SUPERVISOR, False),  # handed over on release
        ("Aroha", CaseRole.OFFENDER_MANAGER, True),
        ("Aroha", CaseRole.SUPERVISING_OFFICER, True),
        ("Hemi", CaseRole.OFFENDER_SUPERVISOR, True),  # again after the recall
    ]
    assert (
        CaseAllocation.objects.filter(offender=offender).order_by("id").last().trigger
        == AllocationTrigger.RECALL
    )


def test_a_recall_to_another_prison_moves_the_prison_sentence_there_with_one_request(
    manager, offender, team, other_prison, prison_sentence
):
    parole = release_on_parole(manager, offender)

    offender_recall(actor=manager, release=parole, prison=other_prison, recalled_on=today(), reason="Recall")

    prison_sentence.refresh_from_db()
    assert prison_sentence.managing_office == other_prison
    assert list(AllocateRequest.objects.filter(office=other_prison).values_list("kind", flat=True)) == [
        AllocateRequestKind.RECALL
    ]


def test_a_recall_cancels_the_communitys_open_request_for_the_release(manager, offender, team, prison):
    parole = release_on_parole(manager, offender)

    offender_recall(actor=manager, release=parole, prison=prison, recalled_on=today(), reason="Recall")

    community = AllocateRequest.objects.get(sentence=parole, kind=AllocateRequestKind.SENTENCE)
    assert (community.status, community.cancel_reason) == (
        AllocateRequestStatus.CANCELLED,
        "Recalled to Rimutaka Prison",
    )


def test_a_recall_is_refused_when_it_makes_no_sense(manager, offender, team, prison, office, prison_sentence):
    parole = release_on_parole(manager, offender)
    community_work = SentenceFactory(offender=offender)

    cases = {
        "not a release": {"release": community_work, "prison": prison, "recalled_on": today()},
        "not a prison": {"release": parole, "prison": office, "recalled_on": today()},
        "in the future": {"release": parole, "prison": prison, "recalled_on": today() + DAY},
        "before release": {"release": parole, "prison": prison, "recalled_on": today() - DAY},
    }
    for case, kwargs in cases.items():
        with pytest.raises(ValidationError):
            offender_recall(actor=manager, reason="Recall", **kwargs)
            pytest.fail(case)
    with pytest.raises(ValidationError) as no_reason:
        offender_recall(actor=manager, release=parole, prison=prison, recalled_on=today(), reason="")
    assert no_reason.value.message_dict == {
        "reason": ["Say why the offender is recalled (the recall order)."]
    }

    prison_sentence.status = SentenceStatus.COMPLETED
    prison_sentence.completion_reason = CompletionReason.NORMAL
    prison_sentence.completed_on = today()
    prison_sentence.save(update_fields=["status", "completion_reason", "completed_on"])
    with pytest.raises(ValidationError) as nothing_to_return_to:
        offender_recall(actor=manager, release=parole, prison=prison, recalled_on=today(), reason="Recall")
    assert "no current prison sentence" in nothing_to_return_to.value.messages[0]
    assert not AllocateRequest.objects.filter(kind=AllocateRequestKind.RECALL).exists()


@pytest.mark.parametrize("role", [Role.PROBATION_OFFICER, Role.PRISON_OFFICER, Role.DATA_SHARE])
def test_only_managers_record_a_recall(manager, offender, team, prison, office, role):
    parole = release_on_parole(manager, offender)

    with pytest.raises(PermissionDenied):
        offender_recall(
            actor=staff_user(role, office=office),
            release=parole,
            prison=prison,
            recalled_on=today(),
            reason="x",
        )

    parole.refresh_from_db()
    assert parole.status == SentenceStatus.ACTIVE
