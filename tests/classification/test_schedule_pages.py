"""The classification reviews due page and its CSV export (issue 5, Scheduling): who may open
them, what they show, the prison a system administrator chooses, the audit rows and a constant
number of queries."""

import csv
import io
import uuid

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from classification.models import ReviewStatus
from classification.schedule import schedule_refresh
from offenders.models import Offender
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, today
from tests.classification.test_schedule import classify
from tests.classification.test_schedule import serving as serving_any_name
from tests.classification.test_workflow import initiated
from tests.factories import OfficeFactory, UserFactory, staff_user


def serving(prison, **kwargs):
    """A prisoner (test_schedule.serving) with a family name no other text on a page contains:
    the tests assert who is and who is not listed, and Faker's names repeat or nest ("Lee" in
    "Keeley")."""
    offender = serving_any_name(prison, **kwargs)
    Offender.objects.filter(pk=offender.pk).update(family_name=f"Whanau{uuid.uuid4().hex[:12]}")
    offender.refresh_from_db()
    return offender


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
EVERYONE = frozenset(Role.values)
DUE_LIST_READERS = frozenset({PR, RO, AO, SA})

# (url name, {kwarg: object key}, roles allowed), every user working at the prison.
SCHEDULE_PAGES = [
    ("classification:due", {}, DUE_LIST_READERS),
    ("classification:due_export", {}, DUE_LIST_READERS),
]


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Rimutaka Prison", code="RIM01")


@pytest.fixture
def other_prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Arohata Prison", code="ARO01")


@pytest.fixture
def overdue(prison):
    offender = serving(prison, years=1)
    classify(offender, effective_on=days_ago(100))
    return offender


@pytest.fixture
def officer(prison):
    return staff_user(PR, prison)


def rows_of(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(client, prison, overdue, role):
    client.force_login(staff_user(role, prison))
    outcomes = {name: client.get(reverse(name)).status_code for name, _, _ in SCHEDULE_PAGES}
    assert outcomes == {name: 200 if role in allowed else 403 for name, _, allowed in SCHEDULE_PAGES}


def test_a_user_without_a_role_is_refused(client, prison):
    client.force_login(UserFactory())
    for name, _, _ in SCHEDULE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_a_prison_officer_without_an_office_is_refused(client):
    client.force_login(UserFactory(roles=[PR]))
    for name, _, _ in SCHEDULE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    for name, _, _ in SCHEDULE_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize("role", sorted(DUE_LIST_READERS - {SA}))
def test_prison_staff_cannot_see_another_prisons_list(client, prison, other_prison, role):
    client.force_login(staff_user(role, prison))
    for name, _, _ in SCHEDULE_PAGES:
        assert client.get(reverse(name), {"prison": other_prison.pk}).status_code == 403, name
        assert client.get(reverse(name), {"prison": prison.pk}).status_code == 200, name


def test_a_system_administrator_chooses_the_prison(client, prison, other_prison, overdue):
    elsewhere = serving(other_prison, years=1)
    classify(elsewhere, effective_on=days_ago(120))
    client.force_login(staff_user(SA, OfficeFactory(name="National Office")))

    unchosen = client.get(reverse("classification:due"))
    chosen = client.get(reverse("classification:due"), {"prison": other_prison.pk})
    export_unchosen = client.get(reverse("classification:due_export"))
    export = client.get(reverse("classification:due_export"), {"prison": other_prison.pk})

    page = unchosen.content.decode()
    assert unchosen.status_code == 200
    assert "Choose a prison to see the classification reviews due there." in page
    assert f'<option value="{prison.pk}">Rimutaka Prison</option>' in page
    assert overdue.family_name.upper() not in page
    assert chosen.status_code == 200
    assert elsewhere.family_name.upper() in chosen.content.decode()
    assert overdue.family_name.upper() not in chosen.content.decode()
    assert export_unchosen.status_code == 302 and export_unchosen["Location"] == reverse("classification:due")
    assert [row["PRN"] for row in rows_of(export)] == [elsewhere.prn]
    assert client.get(reverse("classification:due"), {"prison": "nonsense"}).status_code == 403


def test_a_system_administrator_at_a_prison_starts_with_it(client, prison, overdue):
    client.force_login(staff_user(SA, prison))

    page = client.get(reverse("classification:due")).content.decode()

    assert overdue.family_name.upper() in page


# --- what the page shows ----------------------------------------------------------------------


def test_the_page_shows_overdue_first_with_the_reason_classification_and_open_review(
    client, prison, overdue, officer
):
    soon = serving(prison, years=1)
    classify(soon, effective_on=days_ago(80))
    later = serving(prison, years=1)
    classify(later)
    review = initiated(overdue, {"initiator": staff_user(PR, prison)})
    due_on = days_ago(100) + relativedelta(months=3)
    client.force_login(officer)

    page = client.get(reverse("classification:due")).content.decode()

    assert page.index(overdue.family_name.upper()) < page.index(soon.family_name.upper())
    assert later.family_name.upper() not in page  # due in more than 30 days
    days = (today() - due_on).days
    assert f"{days} day{'s' if days != 1 else ''} overdue" in page
    assert "3 months after the initial classification of" in page
    assert "internal <strong>B</strong>, external <strong>B</strong>" in page
    assert reverse("classification:prisoner", kwargs={"offender_id": overdue.pk}) in page
    assert reverse("classification:review", kwargs={"pk": review.pk}) in page
    assert ReviewStatus.INITIATED.label in page

    everything = client.get(reverse("classification:due"), {"show": "all"}).content.decode()
    assert later.family_name.upper() in everything
    overdue_only = client.get(reverse("classification:due"), {"show": "overdue"}).content.decode()
    assert soon.family_name.upper() not in overdue_only and overdue.family_name.upper() in overdue_only


def test_prisoners_with_no_initial_classification_are_listed_apart(client, prison, overdue, officer):
    unclassified = serving(prison, years=1)
    schedule_refresh()
    client.force_login(officer)

    page = client.get(reverse("classification:due")).content.decode()
    listed = client.get(reverse("classification:due"), {"show": "unclassified"}).content.decode()

    assert "No initial classification</dt><dd>1</dd>" in page
    assert unclassified.family_name.upper() not in page
    assert unclassified.family_name.upper() in listed and overdue.family_name.upper() not in listed


def test_the_listing_is_audited_under_each_prisoner_shown(client, prison, overdue, officer):
    client.force_login(officer)

    client.get(reverse("classification:due"))

    row = AuditEvent.objects.get(action=AuditAction.VIEW, offender=overdue)
    assert row.actor == officer
    assert row.summary.startswith("Listed on the reviews due at Rimutaka Prison")


def _people(prison, count):
    for number in range(count):
        offender = serving(prison, years=1 + number % 3)
        classify(offender, effective_on=days_ago(200 + number))  # overdue, whatever the term
        if number % 2:
            initiated(offender, {"initiator": staff_user(PR, prison)})


def test_the_page_takes_the_same_number_of_queries_whatever_the_number_of_rows(client, prison, officer):
    client.force_login(officer)
    _people(prison, 2)
    client.get(reverse("classification:due"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("classification:due")).status_code == 200
    _people(prison, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("classification:due"))

    assert response.context["page_obj"].paginator.count == 32
    assert len(response.context["rows"]) == 25
    assert len(few.captured_queries) == len(many.captured_queries)

    with CaptureQueriesContext(connection) as export_few:
        rows_of(client.get(reverse("classification:due_export"), {"show": "overdue"}))
    _people(prison, 10)
    with CaptureQueriesContext(connection) as export_many:
        assert len(rows_of(client.get(reverse("classification:due_export"), {"show": "overdue"}))) == 42
    assert len(export_few.captured_queries) == len(export_many.captured_queries)


# --- the CSV ------------------------------------------------------------------------------------


def test_the_csv_lists_the_rows_formula_safe_and_is_audited_as_an_export(client, prison, overdue, officer):
    overdue.family_name = "=HYPERLINK(1)"
    overdue.save(update_fields=["family_name"])
    client.force_login(officer)

    response = client.get(reverse("classification:due_export"), {"show": "all"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="classification-reviews-due-RIM01-{today().isoformat()}.csv"'
        in (response["Content-Disposition"])
    )
    [row] = rows_of(response)
    due_on = days_ago(100) + relativedelta(months=3)
    assert row == {
        "PRN": overdue.prn,
        "Family name": "'=HYPERLINK(1)",
        "Given names": overdue.given_names,
        "Due on": due_on.isoformat(),
        "Days overdue": str((today() - due_on).days),
        "Basis": "Regular review",
        "Reason": row["Reason"],
        "Internal category": "B",
        "External category": "B",
        "Classified on": days_ago(100).isoformat(),
        "Open review": "",
    }
    assert row["Reason"].startswith("3 months after the initial classification of")
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == officer
    assert (
        export.summary == "Exported the classification reviews due at Rimutaka Prison (all scheduled reviews)"
    )
    assert export.query == f"prison={prison.pk}&show=all"
