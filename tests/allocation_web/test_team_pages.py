"""The offender management team in the browser (seed 004, issue 6): the record's Staff tab shows the
team by role with start dates and its history, each member's caseload shows their role, and the
pages that add, replace and end members — with the prison's senior officers limited to the prison
side of the team."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import CaseAllocation, CaseRole
from allocation.team import team_member_add
from staff.roles import Role
from tests.allocation.helpers import DAY, today
from tests.factories import OffenderFactory, UserFactory, staff_user
from tests.web_records.helpers import field_errors, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prison_sentence")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(manager, prison_manager, offender, aroha, hemi):
    return {
        "manager": team_member_add(
            actor=manager,
            offender=offender,
            staff=aroha,
            role=CaseRole.OFFENDER_MANAGER,
            started_on=today() - 40 * DAY,
            reason="Wrote the pre-sentence report",
        ),
        "supervisor": team_member_add(
            actor=prison_manager,
            offender=offender,
            staff=hemi,
            role=CaseRole.OFFENDER_SUPERVISOR,
            started_on=today() - 20 * DAY,
        ),
    }


def staff_tab(client, offender):
    return client.get(reverse("offenders:staff", kwargs={"pk": offender.pk}))


# --- The record's Staff tab --------------------------------------------------------------------------


def test_the_staff_tab_shows_the_team_by_role_with_start_dates_and_the_history(
    manager, offender, team, tui, prison_manager
):
    key_worker = team_member_add(
        actor=prison_manager,
        offender=offender,
        staff=tui,
        role=CaseRole.KEY_WORKER,
        started_on=today() - 9 * DAY,
    )
    key_worker_end = reverse("allocation:end", kwargs={"pk": key_worker.pk})
    client_for(prison_manager).post(
        key_worker_end, {"ended_on": today().isoformat(), "end_reason": "Moved unit"}
    )

    page = text(staff_tab(client_for(manager), offender))

    assert (
        f"Offender manager Aroha Officer Wellington Community Corrections {today() - 40 * DAY:%-d %b %Y} "
        "Replace Aroha Officer as offender manager End the membership of Aroha Officer as offender manager"
    ) in page
    assert (
        f"Offender supervisor (prison) Hemi Corrections Rimutaka Prison {today() - 20 * DAY:%-d %b %Y}"
        in page
    )
    assert "Team history" in page
    assert "Tui Unit Key worker Rimutaka Prison" in page and "Ended: Moved unit" in page


def test_an_unfilled_offender_manager_shows_as_none_named(manager, offender):
    page = text(staff_tab(client_for(manager), offender))

    assert "Offender manager None named" in page
    assert "Offender supervisor (prison) None named" in page


def test_the_team_is_read_only_to_those_who_may_not_change_it(offender, team, office, probation_officer):
    response = staff_tab(client_for(probation_officer), offender)

    assert "Aroha Officer" in text(response)
    assert "Add a team member" not in text(response)
    assert reverse("allocation:replace", kwargs={"pk": team["manager"].pk}) not in response.content.decode()


def test_the_prisons_senior_officer_may_change_only_the_prison_side(prison_manager, offender, team):
    html = staff_tab(client_for(prison_manager), offender).content.decode()

    assert reverse("allocation:replace", kwargs={"pk": team["supervisor"].pk}) in html
    assert reverse("allocation:replace", kwargs={"pk": team["manager"].pk}) not in html
    assert "Add a team member" in html


def test_the_staff_tab_runs_a_fixed_number_of_queries_whatever_the_size_of_the_team(
    manager, prison_manager, offender, prison, office
):
    client = client_for(manager)

    def grow(count):
        for _ in range(count):
            team_member_add(
                actor=manager,
                offender=offender,
                staff=staff_user(Role.PROBATION_OFFICER, office=office).staff,
                role=CaseRole.KEY_WORKER,
            )
            team_member_add(
                actor=prison_manager,
                offender=offender,
                staff=staff_user(Role.PRISON_OFFICER, office=prison).staff,
                role=CaseRole.CASE_ADMINISTRATOR,
            )

    grow(1)
    staff_tab(client, offender)  # warm the per-session caches
    with CaptureQueriesContext(connection) as few:
        staff_tab(client, offender)
    grow(12)
    with CaptureQueriesContext(connection) as many:
        response = staff_tab(client, offender)

    assert text(response).count("Key worker") >= 13
    assert len(many) == len(few)


# --- Adding, replacing and ending members ------------------------------------------------------------


def test_a_service_manager_names_the_offender_manager_on_the_add_page(manager, offender, aroha):
    response = client_for(manager).post(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        {
            "staff": aroha.pk,
            "role": CaseRole.OFFENDER_MANAGER,
            "started_on": today().isoformat(),
            "reason": "Assessed before sentence",
        },
        follow=True,
    )

    assert "Aroha Officer is allocated to Wiremu Ngata as offender manager." in text(response)
    assert CaseAllocation.objects.current().get(offender=offender).role == CaseRole.OFFENDER_MANAGER


def test_a_second_offender_manager_is_refused_on_the_form(manager, offender, team, ben):
    response = client_for(manager).post(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        {"staff": ben.pk, "role": CaseRole.OFFENDER_MANAGER, "started_on": today().isoformat()},
    )

    assert response.status_code == 200
    assert field_errors(response) == {
        "__all__": [
            f"Aroha Officer has been the offender manager since {today() - 40 * DAY:%-d %b %Y}; "
            "replace them rather than adding a second."
        ]
    }
    assert "replace them rather than adding a second" in text(response), "shown on the page"


def test_a_prison_officer_cannot_be_the_offender_manager(manager, offender, hemi):
    response = client_for(manager).post(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        {"staff": hemi.pk, "role": CaseRole.OFFENDER_MANAGER, "started_on": today().isoformat()},
    )

    assert list(field_errors(response)) == ["staff"]
    assert not CaseAllocation.objects.filter(offender=offender).exists()


def test_the_prisons_add_page_offers_only_prison_roles_and_its_own_staff(
    prison_manager, offender, aroha, tui
):
    response = client_for(prison_manager).get(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk})
    )

    form = response.context["form"]
    assert [value for value, _ in form.fields["role"].choices] == [
        CaseRole.OFFENDER_SUPERVISOR,
        CaseRole.KEY_WORKER,
        CaseRole.CASE_ADMINISTRATOR,
    ]
    assert tui in form.fields["staff"].queryset and aroha not in form.fields["staff"].queryset

    refused = client_for(prison_manager).post(
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        {"staff": tui.pk, "role": CaseRole.OFFENDER_MANAGER, "started_on": today().isoformat()},
    )
    assert "role" in field_errors(refused)


def test_replacing_the_offender_manager_on_its_page(manager, offender, team, ben):
    url = reverse("allocation:replace", kwargs={"pk": team["manager"].pk})
    client = client_for(manager)

    page = client.get(url)
    assert "Replace Aroha Officer as offender manager" in text(page)
    assert ben in page.context["form"].fields["staff"].queryset
    assert all(m.office.kind != "prison" for m in page.context["form"].fields["staff"].queryset)

    missing = client.post(url, {"staff": ben.pk, "on": today().isoformat(), "reason": ""})
    assert field_errors(missing) == {"reason": ["This field is required."]}

    done = client.post(
        url, {"staff": ben.pk, "on": today().isoformat(), "reason": "Aroha leaves"}, follow=True
    )

    assert "Ben Second replaces Aroha Officer as offender manager of Wiremu Ngata." in text(done)
    assert done.redirect_chain[-1][0] == reverse("offenders:staff", kwargs={"pk": offender.pk})
    team["manager"].refresh_from_db()
    assert team["manager"].end_reason == "Replaced by Ben Second: Aroha leaves"


def test_a_replacement_starting_before_the_member_started_is_refused_on_the_form(
    manager, offender, team, ben
):
    response = client_for(manager).post(
        reverse("allocation:replace", kwargs={"pk": team["manager"].pk}),
        {"staff": ben.pk, "on": (today() - 41 * DAY).isoformat(), "reason": "Backdated"},
    )

    assert field_errors(response) == {"on": ["An allocation cannot end before it started."]}


def test_the_replace_page_of_an_ended_membership_goes_back_to_the_team(manager, offender, team):
    CaseAllocation.objects.filter(pk=team["manager"].pk).update(ended_on=today(), end_reason="Closed")

    response = client_for(manager).get(reverse("allocation:replace", kwargs={"pk": team["manager"].pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:staff", kwargs={"pk": offender.pk})


@pytest.mark.parametrize("role", sorted(Role.values))
def test_the_team_pages_of_a_prisoner_for_each_role_at_the_prison(offender, team, prison, role):
    """Staff of the prison holding the offender: service managers and system administrators change
    the whole team, recommending and approving officers the prison side, everyone else nothing."""
    client = client_for(staff_user(role, office=prison))
    pages = {
        "add": reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        "replace the offender supervisor": reverse(
            "allocation:replace", kwargs={"pk": team["supervisor"].pk}
        ),
        "end the offender supervisor": reverse("allocation:end", kwargs={"pk": team["supervisor"].pk}),
        "replace the offender manager": reverse("allocation:replace", kwargs={"pk": team["manager"].pk}),
        "end the offender manager": reverse("allocation:end", kwargs={"pk": team["manager"].pk}),
    }
    whole_team = {Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN}
    prison_side = {Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER}

    outcomes = {name: client.get(url).status_code for name, url in pages.items()}

    expected = {
        name: 200 if role in whole_team or (role in prison_side and "offender manager" not in name) else 403
        for name in pages
    }
    assert outcomes == expected


def test_the_team_pages_refuse_a_user_without_a_role_and_send_a_visitor_to_log_in(offender, team):
    urls = [
        reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        reverse("allocation:replace", kwargs={"pk": team["supervisor"].pk}),
        reverse("allocation:end", kwargs={"pk": team["supervisor"].pk}),
    ]

    assert [client_for(UserFactory()).get(url).status_code for url in urls] == [403, 403, 403]
    assert all(Client().get(url)["Location"].startswith("/accounts/login/") for url in urls)


# --- Caseloads and the prison's queue ----------------------------------------------------------------


def test_the_caseload_shows_the_members_role_in_each_case(manager, offender, team, aroha, office):
    team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.SUPERVISING_OFFICER)
    other = OffenderFactory(family_name="Tane", home_office=office)
    team_member_add(actor=manager, offender=other, staff=aroha, role=CaseRole.KEY_WORKER)

    response = client_for(aroha.user).get(reverse("allocation:caseload"))

    rows = response.context["rows"]
    assert len(rows) == 2, "one row per offender"
    page = text(response)
    assert "Offender manager Supervising probation officer" in page
    assert "Key worker" in page


def test_a_prison_officer_sees_their_offender_supervision_on_their_caseload(offender, team, hemi):
    response = client_for(hemi.user).get(reverse("allocation:caseload"))

    assert "Offender supervisor (prison)" in text(response)
    assert "My caseload" in text(response)


def test_the_prisons_senior_officer_sees_its_officers_caseloads_but_not_the_communitys(
    prison_manager, offender, team, hemi, aroha
):
    client = client_for(prison_manager)

    assert client.get(reverse("allocation:caseload"), {"staff": hemi.pk}).status_code == 200
    assert client.get(reverse("allocation:caseload"), {"staff": aroha.pk}).status_code == 403


def test_the_caseload_runs_a_fixed_number_of_queries_at_two_sizes(manager, aroha, office):
    client = client_for(aroha.user)

    def grow(count):
        for _ in range(count):
            offender = OffenderFactory(home_office=office)
            team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.OFFENDER_MANAGER)
            team_member_add(actor=manager, offender=offender, staff=aroha, role=CaseRole.SUPERVISING_OFFICER)

    grow(1)
    client.get(reverse("allocation:caseload"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("allocation:caseload"))
    grow(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("allocation:caseload"))

    assert len(response.context["rows"]) == 16
    assert len(many) == len(few)


def test_the_prisons_senior_officer_works_the_prisons_queue(prison_manager, prison, offender):
    from allocation.models import AllocateRequest
    from tests.allocation.helpers import record_sentence

    record_sentence(prison_manager, offender, managing_office=prison, sentence_type="imprisonment")
    request = AllocateRequest.objects.get(office=prison)
    client = client_for(prison_manager)

    queue = client.get(reverse("allocation:queue"))
    detail = client.get(reverse("allocation:request", kwargs={"pk": request.pk}))

    assert "Prisoners waiting for an offender supervisor" in text(queue) and "Wiremu" in text(queue)
    assert "Choose the offender supervisor" in text(detail)
    assert client.get(reverse("allocation:leave")).status_code == 403, "leave stays with service managers"
