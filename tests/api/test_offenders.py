import datetime

import pytest

from allocation.models import CaseAllocation
from audit.models import AuditAction, AuditEvent
from offenders.models import Address, Flag, FlagKind, Identifier, Offender
from offenders.services import flag_raise
from staff.access import staff_of
from tests.api.conftest import count_queries
from tests.factories import AliasFactory, AllocationFactory, OffenderFactory

TODAY = datetime.date.today
URL = "/api/v1/offenders/"


def test_list_shows_offenders_with_office_and_active_flags(api, probation_officer, offender):
    flag_raise(actor=probation_officer, offender=offender, kind=FlagKind.GANG, reason="Patched member")
    ended = flag_raise(
        actor=probation_officer, offender=offender, kind=FlagKind.AT_RISK, reason="Old concern"
    )
    Flag.objects.filter(pk=ended.pk).update(ended_on=TODAY(), ended_reason="Resolved")

    response = api(probation_officer).get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["prn"] == "12345678"
    assert row["family_name"] == "Tamihana"
    assert row["home_office_name"] == "Wellington Community Corrections"
    assert [flag["kind"] for flag in row["active_flags"]] == ["gang"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"prn": "12345678"}, ["Tamihana"]),
        ({"family_name": "tami"}, ["Tamihana"]),
        ({"family_name": "Brown"}, ["Brown"]),
        ({"date_of_birth": "1980-02-03"}, ["Brown"]),
        ({"flag": "cso"}, ["Brown"]),
    ],
)
def test_list_filters(api, probation_officer, offender, params, expected):
    brown = OffenderFactory(family_name="Brown", date_of_birth=datetime.date(1980, 2, 3))
    flag_raise(
        actor=probation_officer, offender=brown, kind=FlagKind.CHILD_SEX_OFFENDER, reason="Conviction 2019"
    )

    response = api(probation_officer).get(URL, params)

    assert [row["family_name"] for row in response.json()["results"]] == expected


def test_list_filters_by_home_office(api, probation_officer, offender, other_office):
    OffenderFactory(family_name="Elsewhere", home_office=other_office)

    response = api(probation_officer).get(URL, {"home_office": other_office.pk})

    assert [row["family_name"] for row in response.json()["results"]] == ["Elsewhere"]


def test_list_is_paginated(api, probation_officer, office):
    OffenderFactory.create_batch(5, home_office=office)

    client = api(probation_officer)
    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    last = client.get(second["next"]).json()

    assert "count" not in first and first["previous"] is None
    assert [len(page["results"]) for page in (first, second, last)] == [2, 2, 1]
    assert "cursor=" in first["next"] and "page_size=2" in first["next"]
    assert last["next"] is None


def test_a_filtered_list_is_audited_as_a_search_with_its_parameters(api, probation_officer, offender):
    api(probation_officer).get(URL, {"family_name": "Tami", "page_size": 10})

    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.actor == probation_officer
    assert event.query == "family_name=Tami"
    assert event.channel == "api"


def test_offender_list_runs_the_same_number_of_queries_for_5_and_50_rows(api, probation_officer, office):
    client = api(probation_officer)
    for offender in OffenderFactory.create_batch(5, home_office=office):
        flag_raise(actor=probation_officer, offender=offender, kind=FlagKind.GANG, reason="Gang")
    few = count_queries(lambda: client.get(URL))
    for offender in OffenderFactory.create_batch(45, home_office=office):
        flag_raise(actor=probation_officer, offender=offender, kind=FlagKind.GANG, reason="Gang")

    many = count_queries(lambda: client.get(URL))

    assert len(client.get(URL).json()["results"]) == 50
    assert few == many


def test_retrieve_shows_the_whole_record_and_is_audited(api, prison_officer, offender):
    AliasFactory(offender=offender, family_name="Thomas", given_names="Bill")

    response = api(prison_officer).get(f"{URL}{offender.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["given_names"] == "Wiremu"
    assert [alias["family_name"] for alias in body["aliases"]] == ["Thomas"]
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.offender_id, event.channel) == (prison_officer, offender.pk, "api")


def test_retrieve_of_an_unknown_offender_is_404(api, probation_officer):
    assert api(probation_officer).get(f"{URL}999999/").status_code == 404


def test_a_user_with_no_role_sees_no_offenders(api, no_role_user, offender):
    client = api(no_role_user)

    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{offender.pk}/").status_code == 403


# --- search -------------------------------------------------------------------------------------


def test_search_finds_a_misspelt_name_and_is_audited(api, probation_officer, offender):
    OffenderFactory(family_name="Brown", given_names="Wiremu")

    response = api(probation_officer).get(f"{URL}search/", {"q": "Wiremu Tamihanna"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["offender"]["prn"] == "12345678"
    assert body["results"][0]["matched_on"] == "name"
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.query == "q=Wiremu Tamihanna"


def test_search_by_date_of_birth_and_name(api, probation_officer, offender):
    OffenderFactory(family_name="Tamihana", given_names="Hemi", date_of_birth=datetime.date(1990, 1, 1))

    response = api(probation_officer).get(
        f"{URL}search/", {"q": "Tamihana", "date_of_birth": offender.date_of_birth.isoformat()}
    )

    assert [hit["offender"]["given_names"] for hit in response.json()["results"]] == ["Wiremu"]


def test_search_without_terms_is_a_400_naming_q(api, probation_officer):
    response = api(probation_officer).get(f"{URL}search/")

    assert response.status_code == 400
    assert "q" in response.json()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_search_with_a_bad_date_is_a_400_naming_the_date(api, probation_officer):
    response = api(probation_officer).get(f"{URL}search/", {"q": "Smith", "date_of_birth": "31/31/1980"})

    assert response.status_code == 400
    assert "date_of_birth" in response.json()


# --- create and update --------------------------------------------------------------------------


def new_offender(office, **overrides):
    return {
        "prn": "87654321",
        "family_name": "Ngata",
        "given_names": "Aroha",
        "date_of_birth": "1992-05-17",
        "gender": "F",
        "home_office": office.pk,
        **overrides,
    }


def test_admin_support_creates_an_offender_through_the_service(api, admin_support, office):
    response = api(admin_support).post(URL, new_offender(office), format="json")

    assert response.status_code == 201
    offender = Offender.objects.get(prn="87654321")
    assert response.json()["id"] == offender.pk
    # The search keys are kept in step: the new record is found by a sound-alike.
    assert offender.name_codes and offender.family_name_folded
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="offenders.Offender")
    assert event.actor == admin_support
    assert event.changes["family_name"] == [None, "Ngata"]


def test_create_with_a_future_date_of_birth_is_a_400_naming_the_field(api, admin_support, office):
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()

    response = api(admin_support).post(URL, new_offender(office, date_of_birth=future), format="json")

    assert response.status_code == 400
    assert response.json()["date_of_birth"] == ["Date of birth cannot be in the future."]
    assert not Offender.objects.exists()


def test_create_with_a_malformed_prn_is_a_400_naming_the_field(api, admin_support, office):
    response = api(admin_support).post(URL, new_offender(office, prn="12AB"), format="json")

    assert response.status_code == 400
    assert "prn" in response.json()


def test_a_probation_officer_may_not_create_offenders(api, probation_officer, office):
    response = api(probation_officer).post(URL, new_offender(office), format="json")

    assert response.status_code == 403
    assert not Offender.objects.exists()


def test_patch_changes_details_through_offender_update(api, service_manager, offender):
    response = api(service_manager).patch(
        f"{URL}{offender.pk}/", {"family_name": "Tamihana-Smith", "phone": "021 555 0101"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["family_name"] == "Tamihana-Smith"
    offender.refresh_from_db()
    assert offender.phone == "021 555 0101"
    # offender_update refreshes the folded search key.
    assert offender.family_name_folded == "tamihana-smith"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["family_name"] == ["Tamihana", "Tamihana-Smith"]


def test_patch_with_bad_input_changes_nothing(api, service_manager, offender):
    response = api(service_manager).patch(
        f"{URL}{offender.pk}/", {"family_name": "Changed", "date_of_death": "1900-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert "date_of_death" in response.json()
    offender.refresh_from_db()
    assert offender.family_name == "Tamihana"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_unallocated_probation_officer_may_not_patch(api, probation_officer, offender):
    response = api(probation_officer).patch(f"{URL}{offender.pk}/", {"phone": "1"}, format="json")

    assert response.status_code == 403


def test_the_allocated_probation_officer_may_patch(api, probation_officer, offender):
    AllocationFactory(offender=offender, staff=staff_of(probation_officer))
    assert CaseAllocation.objects.count() == 1

    response = api(probation_officer).patch(f"{URL}{offender.pk}/", {"phone": "04 555 0000"}, format="json")

    assert response.status_code == 200
    assert response.json()["phone"] == "04 555 0000"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_records_are_never_replaced_or_deleted(api, system_admin, offender, method):
    response = getattr(api(system_admin), method)(f"{URL}{offender.pk}/", new_offender(offender.home_office))

    assert response.status_code == 405
    assert Offender.objects.filter(pk=offender.pk, family_name="Tamihana").exists()


# --- aliases, addresses, identifiers, flags ------------------------------------------------------


def test_add_and_list_aliases(api, service_manager, offender):
    client = api(service_manager)

    created = client.post(f"{URL}{offender.pk}/aliases/", {"family_name": "Thomas"}, format="json")
    listed = client.get(f"{URL}{offender.pk}/aliases/")

    assert created.status_code == 201
    assert [alias["family_name"] for alias in listed.json()["results"]] == ["Thomas"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="offenders.OffenderAlias"
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, offender=offender).exists()


def test_a_new_current_address_ends_the_previous_one(api, service_manager, offender):
    client = api(service_manager)
    first = {"line1": "1 Queen St", "city": "Wellington", "started_on": "2023-01-01"}
    second = {"line1": "2 King St", "city": "Wellington", "started_on": "2024-01-01", "postcode": "6011"}

    assert client.post(f"{URL}{offender.pk}/addresses/", first, format="json").status_code == 201
    assert client.post(f"{URL}{offender.pk}/addresses/", second, format="json").status_code == 201

    rows = client.get(f"{URL}{offender.pk}/addresses/").json()["results"]
    assert [(row["line1"], row["current"]) for row in rows] == [("2 King St", True), ("1 Queen St", False)]
    assert Address.objects.get(line1="1 Queen St").ended_on == datetime.date(2023, 12, 31)


def test_an_address_with_a_bad_postcode_is_a_400_naming_it(api, service_manager, offender):
    bad = {"line1": "1 Queen St", "city": "Wellington", "started_on": "2023-01-01", "postcode": "60"}

    response = api(service_manager).post(f"{URL}{offender.pk}/addresses/", bad, format="json")

    assert response.status_code == 400
    assert "postcode" in response.json()
    assert not Address.objects.exists()


def test_add_an_identifier_and_refuse_a_duplicate(api, service_manager, offender):
    client = api(service_manager)
    body = {"kind": "pnc", "value": "ABC123"}

    assert client.post(f"{URL}{offender.pk}/identifiers/", body, format="json").status_code == 201
    duplicate = client.post(f"{URL}{offender.pk}/identifiers/", body, format="json")

    assert duplicate.status_code == 400
    assert Identifier.objects.count() == 1


def test_raise_and_end_a_flag(api, service_manager, offender):
    client = api(service_manager)

    raised = client.post(
        f"{URL}{offender.pk}/flags/", {"kind": "safety", "reason": "Threatened staff"}, format="json"
    )
    flag_id = raised.json()["id"]
    ended = client.post(
        f"{URL}{offender.pk}/flags/{flag_id}/end/", {"reason": "Reviewed: no longer a concern"}, format="json"
    )

    assert raised.status_code == 201
    assert ended.status_code == 200
    assert ended.json()["active"] is False
    assert Flag.objects.get(pk=flag_id).ended_reason == "Reviewed: no longer a concern"
    listed = client.get(f"{URL}{offender.pk}/flags/").json()["results"]
    assert [(flag["kind"], flag["active"]) for flag in listed] == [("safety", False)]


def test_a_second_active_flag_of_the_same_kind_is_refused(api, service_manager, offender):
    client = api(service_manager)
    body = {"kind": "safety", "reason": "Threatened staff"}
    client.post(f"{URL}{offender.pk}/flags/", body, format="json")

    response = client.post(f"{URL}{offender.pk}/flags/", body, format="json")

    assert response.status_code == 400
    assert Flag.objects.count() == 1


def test_ending_a_flag_of_another_offender_is_404(api, service_manager, offender):
    other = OffenderFactory(home_office=offender.home_office)
    flag = flag_raise(actor=service_manager, offender=other, kind=FlagKind.GANG, reason="Gang")

    response = api(service_manager).post(
        f"{URL}{offender.pk}/flags/{flag.pk}/end/", {"reason": "Wrong record"}, format="json"
    )

    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.active


def test_sub_resources_need_the_right_to_edit_the_record(api, probation_officer, offender):
    response = api(probation_officer).post(
        f"{URL}{offender.pk}/aliases/", {"family_name": "X"}, format="json"
    )

    assert response.status_code == 403


def test_a_manager_transferring_the_record_away_still_gets_the_changed_record(
    api, service_manager, offender, other_office
):
    response = api(service_manager).patch(
        f"{URL}{offender.pk}/", {"home_office": other_office.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["home_office_name"] == "Auckland Central Community Corrections"
