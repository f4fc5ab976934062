import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from casenotes.models import Casenote
from conditions import services
from conditions.models import (
    CommunityWorkRecord,
    Condition,
    ConditionKind,
    ConditionStatus,
    ConditionTransition,
    ConditionVersion,
    WorkSource,
)
from conditions.selectors import offender_conditions_by_sentence, remaining_hours, with_hours
from tests.conditions.conftest import DAY, today
from tests.factories import SentenceFactory

pytestmark = pytest.mark.django_db


def test_officer_adds_a_curfew_with_its_hours(officer, sentence):
    condition = services.condition_create(
        actor=officer,
        sentence=sentence,
        kind=ConditionKind.CURFEW,
        curfew_from=datetime.time(19),
        curfew_until=datetime.time(7),
        address="12 Rata Street, Newtown",
    )
    assert condition.status == ConditionStatus.ACTIVE
    assert condition.start_on == sentence.start_date
    assert condition.summary == "Curfew at 12 Rata Street, Newtown, 7pm to 7am"
    assert list(
        ConditionTransition.objects.filter(condition=condition).values_list("to_status", flat=True)
    ) == ["active"]
    audit = AuditEvent.objects.get(object_type="conditions.Condition", object_id=str(condition.pk))
    assert audit.action == "create" and audit.offender_id == sentence.offender_id
    assert Casenote.objects.filter(offender=sentence.offender, summary__startswith="Condition added").exists()


@pytest.mark.parametrize(
    ("kind", "details", "field", "message"),
    [
        (ConditionKind.RESIDE, {}, "address", "Give the address."),
        (
            ConditionKind.CURFEW,
            {"curfew_from": datetime.time(19)},
            "curfew_until",
            "Give the time the curfew",
        ),
        (ConditionKind.NON_ASSOCIATION, {}, "associates", "Name the people"),
        (ConditionKind.ASSESSMENT, {"substance": "tobacco"}, "substance", "not a valid choice"),
        (ConditionKind.REPORT, {"hours_ordered": 40}, "hours_ordered", "Leave 'hours ordered' blank"),
        (ConditionKind.OTHER, {}, "details", "Give the wording"),
    ],
)
def test_each_kind_needs_its_own_details_and_no_others(officer, sentence, kind, details, field, message):
    with pytest.raises(ValidationError) as error:
        services.condition_create(actor=officer, sentence=sentence, kind=kind, **details)
    assert message in " ".join(error.value.message_dict[field])
    assert not Condition.objects.exists()


def test_a_condition_stays_within_its_sentence(officer, sentence):
    with pytest.raises(ValidationError) as error:
        services.condition_create(
            actor=officer,
            sentence=sentence,
            kind=ConditionKind.REPORT,
            start_on=sentence.start_date - DAY,
            end_on=sentence.end_date + DAY,
        )
    assert "cannot start before its sentence" in error.value.message_dict["start_on"][0]
    assert "cannot end after its sentence" in error.value.message_dict["end_on"][0]


def test_community_work_hours_belong_to_a_community_work_sentence(officer, sentence, work_sentence):
    with pytest.raises(ValidationError) as error:
        services.condition_create(
            actor=officer, sentence=sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=40
        )
    assert "community work only" in error.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as error:
        services.condition_create(
            actor=officer, sentence=work_sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=101
        )
    assert "orders 100 hours" in error.value.message_dict["hours_ordered"][0]


def test_a_prison_sentence_has_no_conditions(system_admin, offender):
    prison = SentenceFactory(
        offender=offender, sentence_type="imprisonment", statutory_release_date=today() + 100 * DAY
    )
    with pytest.raises(PermissionDenied):
        services.condition_create(actor=system_admin, sentence=prison, kind=ConditionKind.REPORT)


def test_hours_worked_and_remaining(officer, work_sentence):
    condition = services.condition_create(
        actor=officer, sentence=work_sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=100
    )
    services.community_work_hours_record(actor=officer, condition=condition, on=today() - 2 * DAY, hours=8)
    services.community_work_hours_record(
        actor=officer, condition=condition, on=today() - DAY, hours="6.5", source=WorkSource.WORK_PARTY
    )
    [listed] = with_hours(Condition.objects.filter(pk=condition.pk))
    assert listed.worked == Decimal("14.5")
    assert remaining_hours(listed) == Decimal("85.5")
    record = CommunityWorkRecord.objects.get(worked_on=today() - DAY)
    assert record.recorded_by == officer and record.source == WorkSource.WORK_PARTY
    assert AuditEvent.objects.filter(object_type="conditions.CommunityWorkRecord").count() == 2


def test_hours_cannot_pass_the_order_repeat_a_day_or_be_in_the_future(officer, work_sentence):
    condition = services.condition_create(
        actor=officer, sentence=work_sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=10
    )
    services.community_work_hours_record(actor=officer, condition=condition, on=today() - DAY, hours=8)
    with pytest.raises(ValidationError, match="Only 2 hours of the order remain"):
        services.community_work_hours_record(actor=officer, condition=condition, on=today(), hours=3)
    with pytest.raises(ValidationError, match="already recorded"):
        services.community_work_hours_record(actor=officer, condition=condition, on=today() - DAY, hours=1)
    with pytest.raises(ValidationError, match="not come yet"):
        services.community_work_hours_record(actor=officer, condition=condition, on=today() + DAY, hours=1)
    assert CommunityWorkRecord.objects.count() == 1


def test_varying_keeps_the_version_it_replaces_with_the_reason(officer, sentence):
    condition = services.condition_create(
        actor=officer, sentence=sentence, kind=ConditionKind.RESIDE, address="12 Rata Street"
    )
    services.condition_vary(
        actor=officer, condition=condition, reason="Moved with approval", address="4 Kauri Road"
    )
    services.condition_vary(
        actor=officer, condition=condition, reason="Typo", address="4 Kauri Road, Lower Hutt"
    )
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.VARIED and condition.version == 3
    assert condition.address == "4 Kauri Road, Lower Hutt"
    versions = list(ConditionVersion.objects.filter(condition=condition).values_list("version", "reason"))
    assert versions == [(1, "Moved with approval"), (2, "Typo")]
    assert ConditionVersion.objects.get(version=1).values["address"] == "12 Rata Street"
    audit = (
        AuditEvent.objects.filter(object_type="conditions.Condition", action="update").order_by("id").last()
    )
    assert audit.changes["address"] == ["4 Kauri Road", "4 Kauri Road, Lower Hutt"]


def test_varying_needs_a_reason_and_a_change(officer, sentence):
    condition = services.condition_create(
        actor=officer, sentence=sentence, kind=ConditionKind.RESIDE, address="12 Rata Street"
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.condition_vary(actor=officer, condition=condition, reason=" ", address="1 Other Street")
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.condition_vary(actor=officer, condition=condition, reason="Check", address="12 Rata Street")
    with pytest.raises(ValidationError):
        services.condition_vary(actor=officer, condition=condition, reason="Wrong", address="")
    condition.refresh_from_db()
    assert condition.version == 1 and condition.address == "12 Rata Street"


def test_an_ended_condition_no_longer_changes(officer, sentence):
    condition = services.condition_create(actor=officer, sentence=sentence, kind=ConditionKind.REPORT)
    services.condition_end(
        actor=officer, condition=condition, ended_on=today(), reason="Discharged by the court"
    )
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.ENDED and condition.ended_on == today()
    with pytest.raises(ValidationError, match="ended: it can no longer change"):
        services.condition_vary(actor=officer, condition=condition, reason="x", details="Weekly")
    sections = offender_conditions_by_sentence(sentence.offender)
    assert [c.pk for c in sections[0].finished] == [condition.pk]


def test_a_probation_officer_not_on_the_case_may_not_add_one(probation_officer, sentence):
    with pytest.raises(PermissionDenied):
        services.condition_create(actor=probation_officer, sentence=sentence, kind=ConditionKind.REPORT)
    assert not Condition.objects.exists()


def test_admin_support_of_the_managing_office_may_add_one(admin_support, sentence):
    condition = services.condition_create(actor=admin_support, sentence=sentence, kind=ConditionKind.REPORT)
    assert condition.created_by == admin_support
