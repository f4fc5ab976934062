import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from offenders.models import Address, Flag, FlagKind, Identifier, Offender
from offenders.selectors import SearchTerms, offender_search
from offenders.services import (
    address_add,
    alias_add,
    alias_remove,
    flag_end,
    flag_raise,
    identifier_add,
    offender_create,
    offender_update,
)
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def actor(admin_support):
    return admin_support


def new_offender(actor, office, **overrides) -> Offender:
    data = {
        "prn": "51234567",
        "family_name": "Tamihana",
        "given_names": "Wiremu James",
        "date_of_birth": datetime.date(1990, 4, 12),
        "gender": "M",
        "home_office": office,
    }
    data.update(overrides)
    return offender_create(actor=actor, **data)


def audit_rows_for(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("id"))


# --- creating a record -----------------------------------------------------------------------------


def test_creating_an_offender_writes_an_audit_row_with_the_new_values(actor, office):
    offender = new_offender(actor, office)

    [row] = audit_rows_for(offender)
    assert row.action == AuditAction.CREATE
    assert row.actor == actor
    assert row.offender_id == offender.pk
    assert row.changes["prn"] == [None, "51234567"]
    assert row.changes["family_name"] == [None, "Tamihana"]
    assert row.changes["date_of_birth"] == [None, "1990-04-12"]
    assert row.changes["home_office"] == [None, str(office)]


def test_a_new_offender_can_be_found_by_name_straight_away(actor, office):
    offender = new_offender(actor, office)

    hits = offender_search(SearchTerms(text="Tamihana, Wiremu"), viewer=None)

    assert [hit.offender for hit in hits] == [offender]


@pytest.mark.parametrize("prn", ["1234567", "1234567890", "1234567A", "", "12 345678"])
def test_a_prn_must_be_eight_or_nine_digits(actor, office, prn):
    with pytest.raises(ValidationError) as refused:
        new_offender(actor, office, prn=prn)

    assert "prn" in refused.value.message_dict
    assert not Offender.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("prn", ["12345678", "123456789"])
def test_eight_and_nine_digit_prns_are_accepted(actor, office, prn):
    assert new_offender(actor, office, prn=prn).prn == prn


def test_two_offenders_cannot_share_a_prn(actor, office):
    OffenderFactory(prn="51234567")

    with pytest.raises(ValidationError) as refused:
        new_offender(actor, office, prn="51234567", family_name="Smith")

    assert "prn" in refused.value.message_dict
    assert Offender.objects.filter(prn="51234567").count() == 1


def test_date_of_birth_cannot_be_in_the_future(actor, office):
    with pytest.raises(ValidationError) as refused:
        new_offender(actor, office, date_of_birth=today() + DAY)

    assert refused.value.message_dict["date_of_birth"] == ["Date of birth cannot be in the future."]
    assert not Offender.objects.exists()


def test_date_of_death_cannot_be_before_date_of_birth(actor, office):
    with pytest.raises(ValidationError) as refused:
        new_offender(
            actor, office, date_of_birth=datetime.date(1990, 4, 12), date_of_death=datetime.date(1990, 4, 11)
        )

    assert refused.value.message_dict["date_of_death"] == ["Date of death cannot be before date of birth."]


def test_unknown_fields_are_a_programming_error_not_silently_dropped(actor, office):
    with pytest.raises(TypeError):
        new_offender(actor, office, nickname="Bro")


# --- changing a record -----------------------------------------------------------------------------


def test_updating_an_offender_audits_the_before_and_after_values(actor, office):
    offender = new_offender(actor, office, phone="")

    changes = offender_update(actor=actor, offender=offender, phone="021 555 0101", ethnicity="Māori")

    assert changes == {"phone": ["", "021 555 0101"], "ethnicity": ["", "Māori"]}
    row = audit_rows_for(offender)[-1]
    assert row.action == AuditAction.UPDATE
    assert row.actor == actor
    assert row.offender_id == offender.pk
    assert row.changes == {"phone": ["", "021 555 0101"], "ethnicity": ["", "Māori"]}
    offender.refresh_from_db()
    assert offender.phone == "021 555 0101"


def test_an_update_that_changes_nothing_writes_no_audit_row(actor, office):
    offender = new_offender(actor, office)

    assert offender_update(actor=actor, offender=offender, family_name="Tamihana") == {}
    assert len(audit_rows_for(offender)) == 1


def test_a_bad_update_leaves_the_record_and_the_trail_unchanged(actor, office):
    offender = new_offender(actor, office)

    with pytest.raises(ValidationError):
        offender_update(
            actor=actor, offender=offender, family_name="Changed", date_of_birth=today() + DAY * 3
        )

    offender.refresh_from_db()
    assert offender.family_name == "Tamihana"
    assert offender.date_of_birth == datetime.date(1990, 4, 12)
    assert len(audit_rows_for(offender)) == 1


def test_renaming_an_offender_refreshes_the_search_keys(actor, office):
    offender = new_offender(actor, office, family_name="Smith", given_names="John")

    offender_update(actor=actor, offender=offender, family_name="Ngāta", given_names="Hēmi")

    offender.refresh_from_db()
    assert offender.family_name_folded == "ngata"
    assert offender.given_names_folded == "hemi"
    assert [hit.offender for hit in offender_search(SearchTerms(text="Ngata, Hemi"), viewer=None)] == [
        offender
    ]
    assert offender_search(SearchTerms(text="Smith, John"), viewer=None) == []


# --- aliases ---------------------------------------------------------------------------------------


def test_an_alias_is_searchable_and_removing_it_needs_a_reason(actor, office):
    offender = new_offender(actor, office)
    alias = alias_add(actor=actor, offender=offender, family_name="Brown", given_names="Billy")

    assert [hit.offender for hit in offender_search(SearchTerms(text="Brown"), viewer=None)] == [offender]
    with pytest.raises(ValidationError):
        alias_remove(actor=actor, alias=alias, reason="  ")
    assert offender.aliases.count() == 1

    alias_remove(actor=actor, alias=alias, reason="Entered on the wrong record")

    assert offender.aliases.count() == 0
    removal = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert removal.offender_id == offender.pk
    assert "Entered on the wrong record" in removal.summary


# --- addresses -------------------------------------------------------------------------------------


def test_a_new_current_address_ends_the_previous_one_of_the_same_kind_the_day_before(actor, office):
    offender = new_offender(actor, office)
    first = address_add(
        actor=actor,
        offender=offender,
        kind=Address.Kind.RESIDENTIAL,
        line1="12 Cuba Street",
        city="Wellington",
        started_on=datetime.date(2023, 1, 1),
    )
    postal = address_add(
        actor=actor,
        offender=offender,
        kind=Address.Kind.POSTAL,
        line1="PO Box 99",
        city="Wellington",
        started_on=datetime.date(2023, 1, 1),
    )

    second = address_add(
        actor=actor,
        offender=offender,
        kind=Address.Kind.RESIDENTIAL,
        line1="4 Queen Street",
        city="Auckland",
        started_on=datetime.date(2024, 6, 1),
    )

    first.refresh_from_db()
    postal.refresh_from_db()
    assert first.ended_on == datetime.date(2024, 5, 31)
    assert second.ended_on is None
    assert postal.ended_on is None, "a postal address is not replaced by a residential one"
    ended = audit_rows_for(first)[-1]
    assert ended.action == AuditAction.UPDATE
    assert ended.changes == {"ended_on": [None, "2024-05-31"]}
    assert ended.offender_id == offender.pk


def test_an_address_cannot_end_before_it_starts(actor, office):
    offender = new_offender(actor, office)

    with pytest.raises(ValidationError) as refused:
        address_add(
            actor=actor,
            offender=offender,
            line1="12 Cuba Street",
            city="Wellington",
            started_on=datetime.date(2024, 1, 1),
            ended_on=datetime.date(2023, 1, 1),
        )

    assert "ended_on" in refused.value.message_dict
    assert not Address.objects.exists()


# --- identifiers -----------------------------------------------------------------------------------


def test_an_identifier_value_belongs_to_one_record(actor, office):
    offender = new_offender(actor, office)
    other = OffenderFactory()
    identifier_add(actor=actor, offender=offender, kind=Identifier.Kind.PNC, value="ABC1234")

    with pytest.raises(ValidationError):
        identifier_add(actor=actor, offender=other, kind=Identifier.Kind.PNC, value=" ABC1234 ")

    assert list(Identifier.objects.values_list("offender_id", flat=True)) == [offender.pk]


def test_the_same_value_may_be_used_by_different_kinds_of_identifier(actor, office):
    offender = new_offender(actor, office)
    identifier_add(actor=actor, offender=offender, kind=Identifier.Kind.PNC, value="ABC1234")

    identifier_add(actor=actor, offender=offender, kind=Identifier.Kind.CMS, value="ABC1234")

    assert offender.identifiers.count() == 2


# --- flags -----------------------------------------------------------------------------------------


def test_raising_a_flag_records_who_raised_it(actor, office):
    offender = new_offender(actor, office)

    flag = flag_raise(actor=actor, offender=offender, kind=FlagKind.GANG, reason="Patched member")

    assert flag.active
    assert flag.raised_by == actor
    assert flag.raised_on == today()
    assert audit_rows_for(flag)[0].offender_id == offender.pk


def test_an_offender_has_one_active_flag_of_each_kind(actor, office):
    offender = new_offender(actor, office)
    flag_raise(actor=actor, offender=offender, kind=FlagKind.OFFENDER_WARNING, reason="Threatened staff")

    with pytest.raises(ValidationError):
        flag_raise(actor=actor, offender=offender, kind=FlagKind.OFFENDER_WARNING, reason="Again")
    flag_raise(actor=actor, offender=offender, kind=FlagKind.AT_RISK, reason="Self-harm history")

    assert sorted(offender.flags.values_list("kind", flat=True)) == [
        FlagKind.AT_RISK,
        FlagKind.OFFENDER_WARNING,
    ]


def test_ending_a_flag_needs_a_reason_and_is_audited(actor, office):
    offender = new_offender(actor, office)
    flag = flag_raise(actor=actor, offender=offender, kind=FlagKind.SAFETY_CONCERN, reason="Dog at home")

    with pytest.raises(ValidationError) as refused:
        flag_end(actor=actor, flag=flag, reason="   ")
    assert "ended_reason" in refused.value.message_dict
    flag.refresh_from_db()
    assert flag.active

    flag_end(actor=actor, flag=flag, reason="Reviewed: no longer a risk")

    flag.refresh_from_db()
    assert flag.ended_on == today()
    assert flag.ended_reason == "Reviewed: no longer a risk"
    row = audit_rows_for(flag)[-1]
    assert row.action == AuditAction.UPDATE
    assert row.changes["ended_reason"] == ["", "Reviewed: no longer a risk"]


def test_a_flag_cannot_be_ended_twice(actor, office):
    offender = new_offender(actor, office)
    flag = flag_raise(actor=actor, offender=offender, kind=FlagKind.SAFETY_CONCERN, reason="Dog at home")
    stale_copy = Flag.objects.get(pk=flag.pk)
    flag_end(actor=actor, flag=flag, reason="Reviewed")

    with pytest.raises(ValidationError, match="already ended"):
        flag_end(actor=actor, flag=flag, reason="Reviewed again")
    with pytest.raises(ValidationError, match="Someone else ended this flag"):
        flag_end(actor=actor, flag=stale_copy, reason="Reviewed at the same time")

    flag.refresh_from_db()
    assert flag.ended_reason == "Reviewed"


def test_a_flag_cannot_end_before_it_was_raised(actor, office):
    offender = new_offender(actor, office)
    flag = flag_raise(actor=actor, offender=offender, kind=FlagKind.GANG, reason="Patched member")

    with pytest.raises(ValidationError):
        flag_end(actor=actor, flag=flag, reason="Left the gang", ended_on=flag.raised_on - DAY)


def test_after_a_flag_ends_the_same_kind_can_be_raised_again(actor, office):
    offender = new_offender(actor, office)
    flag = flag_raise(actor=actor, offender=offender, kind=FlagKind.GANG, reason="Patched member")
    flag_end(actor=actor, flag=flag, reason="Left the gang")

    again = flag_raise(actor=actor, offender=offender, kind=FlagKind.GANG, reason="Rejoined")

    assert again.active
    assert offender.flags.count() == 2
