"""Need-to-know (issue 11): a restricted record opens only for the staff on its access list, or for
someone who broke the glass with a reason (for a limited time, reported to its owners); everyone
else learns only that a restricted record with that PRN exists. Pages, API, search, muster and its
exports, the data share: all honour it, and every step is audited."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from allocation.models import Notification
from audit.models import AuditAction, AuditEvent
from datashare.services import share_credential_issue
from offenders.models import (
    BreakGlassGrant,
    Offender,
    OffenderRestriction,
    RestrictedAccess,
    RestrictionChange,
)
from offenders.services import (
    offender_break_glass,
    offender_restrict,
    offender_restriction_lift,
    restricted_access_grant,
    restricted_access_revoke,
)
from staff.roles import Role
from tests.datashare.conftest import bearer, make_share
from tests.factories import CasenoteFactory, OffenderFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db

SECRET_NAME = "Kahurangi"


@pytest.fixture
def keeper(office):
    """The service manager who restricts the record (first on its access list)."""
    return staff_user(Role.SERVICE_MANAGER, office=office, username="keeper", email="keeper@example.org")


@pytest.fixture
def outsider(office):
    """A probation officer at the same office, not on the list."""
    return staff_user(Role.PROBATION_OFFICER, office=office, username="outsider")


@pytest.fixture
def person(office):
    offender = OffenderFactory(
        prn="41999999", family_name=SECRET_NAME, given_names="Anaru", home_office=office
    )
    SentenceFactory(offender=offender, managing_office=office)
    CasenoteFactory(offender=offender, author=staff_user(Role.ADMIN_SUPPORT, office=office))
    return offender


@pytest.fixture
def restricted(person, keeper):
    offender_restrict(actor=keeper, offender=person, reason="A member of staff under sentence")
    person.refresh_from_db()
    return person


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _denials(user, offender) -> int:
    return AuditEvent.objects.filter(actor=user, offender_id=offender.pk, action=AuditAction.DENIED).count()


def _csv(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(content)))


# --- restricting, the access list, lifting --------------------------------------------------------


def test_a_service_manager_restricts_a_record_and_is_the_first_name_on_its_list(restricted, keeper):
    assert restricted.restricted is True
    [change] = OffenderRestriction.objects.filter(offender=restricted)
    assert (change.change, change.reason, change.actor) == (
        RestrictionChange.RESTRICTED,
        "A member of staff under sentence",
        keeper,
    )
    assert list(
        RestrictedAccess.objects.filter(offender=restricted).values_list("user__username", flat=True)
    ) == ["keeper"]
    event = AuditEvent.objects.get(offender_id=restricted.pk, action=AuditAction.UPDATE, actor=keeper)
    assert event.changes["restricted"] == [False, True]
    assert SECRET_NAME not in event.summary  # the trail names a restricted record by its PRN


def test_a_record_cannot_be_restricted_without_a_reason_or_by_a_probation_officer(person, keeper, outsider):
    with pytest.raises(ValidationError) as error:
        offender_restrict(actor=keeper, offender=person, reason="   ")
    assert error.value.message_dict == {"reason": ["Say why the record is restricted."]}
    with pytest.raises(PermissionDenied):
        offender_restrict(actor=outsider, offender=person, reason="Curious")
    person.refresh_from_db()
    assert person.restricted is False
    assert not OffenderRestriction.objects.exists()


def test_the_restrict_page_asks_for_a_reason_and_refuses_other_roles(client, person, keeper, outsider):
    client.force_login(keeper)
    page = client.post(reverse("offenders:restrict", args=[person.pk]), {"reason": ""})
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode()
    assert "Say why the record is restricted." in page.content.decode()
    assert not Offender.objects.get(pk=person.pk).restricted

    response = client.post(reverse("offenders:restrict", args=[person.pk]), {"reason": "High-profile person"})
    assert response.status_code == 302
    assert Offender.objects.get(pk=person.pk).restricted

    client.force_login(outsider)
    assert client.get(reverse("offenders:access_list", args=[person.pk])).status_code == 403


def test_a_probation_officer_is_refused_the_restrict_page_and_the_refusal_is_audited(
    client, person, outsider
):
    client.force_login(outsider)
    assert client.post(reverse("offenders:restrict", args=[person.pk]), {"reason": "x"}).status_code == 403
    assert not Offender.objects.get(pk=person.pk).restricted
    assert _denials(outsider, person) == 1


def test_the_keeper_adds_and_removes_names_but_never_the_last(restricted, keeper, outsider, office):
    colleague = staff_user(Role.ADMIN_SUPPORT, office=office, username="colleague")
    access = restricted_access_grant(actor=keeper, offender=restricted, user=colleague)
    with pytest.raises(ValidationError):
        restricted_access_grant(actor=keeper, offender=restricted, user=colleague)
    with pytest.raises(PermissionDenied):
        restricted_access_grant(actor=colleague, offender=restricted, user=outsider)  # not a manager
    restricted_access_revoke(actor=keeper, access=access, reason="Moved to another case")
    own = RestrictedAccess.objects.get(offender=restricted, user=keeper)
    with pytest.raises(ValidationError, match="at least one name"):
        restricted_access_revoke(actor=keeper, access=own, reason="Leaving")
    assert list(
        RestrictedAccess.objects.filter(offender=restricted, removed_at__isnull=True).values_list(
            "user__username", flat=True
        )
    ) == ["keeper"]
    summaries = list(AuditEvent.objects.filter(offender_id=restricted.pk).values_list("summary", flat=True))
    assert any("Added colleague to the access list" in summary for summary in summaries)
    assert any("Took colleague off the access list of record 41999999: Moved" in s for s in summaries)


def test_a_name_added_on_the_access_list_page_opens_the_record(client, restricted, keeper, outsider):
    client.force_login(outsider)
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 403
    client.force_login(keeper)
    response = client.post(reverse("offenders:access_list", args=[restricted.pk]), {"username": "outsider"})
    assert response.status_code == 302
    page = client.post(reverse("offenders:access_list", args=[restricted.pk]), {"username": "nobody"})
    assert "No member of staff has that username." in page.content.decode()
    client.force_login(outsider)
    response = client.get(reverse("offenders:detail", args=[restricted.pk]))
    assert response.status_code == 200
    assert SECRET_NAME.upper() in response.content.decode()
    assert "Restricted record" in response.content.decode()  # the banner


def test_lifting_the_restriction_opens_the_record_to_everyone_again(client, restricted, keeper, outsider):
    with pytest.raises(ValidationError):
        offender_restriction_lift(actor=keeper, offender=restricted, reason="")
    offender_restriction_lift(actor=keeper, offender=restricted, reason="Sentence ended; no longer staff")
    restricted.refresh_from_db()
    assert restricted.restricted is False
    assert not RestrictedAccess.objects.filter(offender=restricted, removed_at__isnull=True).exists()
    client.force_login(outsider)
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        offender_id=restricted.pk, summary__startswith="Lifted the restriction of record 41999999"
    ).exists()


# --- refused to someone not on the list -----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["offenders:detail", "offenders:sentences", "offenders:casenotes", "offenders:timeline"]
)
def test_the_record_pages_refuse_someone_not_on_the_list_with_the_masked_page(
    client, restricted, outsider, name
):
    client.force_login(outsider)
    response = client.get(reverse(name, args=[restricted.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Restricted record" in page and "41999999" in page
    assert reverse("offenders:break_glass", args=[restricted.pk]) in page
    assert SECRET_NAME not in page and "Anaru" not in page
    assert _denials(outsider, restricted) == 1


def test_even_a_system_administrator_not_on_the_list_is_refused(client, restricted, system_admin):
    client.force_login(system_admin)
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 403
    assert _denials(system_admin, restricted) == 1


def test_the_api_detail_refuses_and_the_api_lists_leave_the_record_out(restricted, outsider, keeper):
    api = _api(outsider)
    response = api.get(f"/api/v1/offenders/{restricted.pk}/")
    assert response.status_code == 403
    assert SECRET_NAME not in response.content.decode()
    assert _denials(outsider, restricted) == 1
    for path in ("/api/v1/offenders/", "/api/v1/sentences/", "/api/v1/casenotes/"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert SECRET_NAME not in response.content.decode(), path
        assert "41999999" not in response.content.decode(), path
    assert api.get(f"/api/v1/sentences/?offender={restricted.pk}").json()["results"] == []
    # On the list: everything as before.
    api = _api(keeper)
    assert api.get(f"/api/v1/offenders/{restricted.pk}/").status_code == 200
    assert [row["prn"] for row in api.get("/api/v1/offenders/").json()["results"]] == ["41999999"]
    assert len(api.get(f"/api/v1/sentences/?offender={restricted.pk}").json()["results"]) == 1
    assert len(api.get(f"/api/v1/casenotes/?offender={restricted.pk}").json()["results"]) == 1


def test_search_shows_a_masked_row_with_the_prn_and_a_way_to_break_the_glass(
    client, restricted, outsider, keeper
):
    client.force_login(outsider)
    for query in (SECRET_NAME, "41999999", "4199"):
        response = client.get(reverse("offenders:search"), {"q": query})
        assert response.status_code == 200, query
        page = response.content.decode()
        assert "Restricted record" in page and "41999999" in page, query
        assert reverse("offenders:break_glass", args=[restricted.pk]) in page, query
        assert SECRET_NAME not in page.replace(f'value="{SECRET_NAME}"', ""), query  # only the typed query
        assert "Anaru" not in page, query
    api = _api(outsider).get("/api/v1/offenders/search/", {"q": SECRET_NAME}).json()
    assert api["results"] == [
        {
            "offender": None,
            "score": api["results"][0]["score"],
            "matched_on": "restricted record",
            "aliases": [],
            "prn": "41999999",
            "restricted": True,
            "restricted_record_id": restricted.pk,
        }
    ]
    client.force_login(keeper)
    page = client.get(reverse("offenders:search"), {"q": SECRET_NAME}).content.decode()
    assert f"{SECRET_NAME.upper()}, Anaru" in page


def test_the_muster_and_its_exports_leave_the_record_out_for_those_not_on_the_list(
    client, restricted, office, outsider, keeper
):
    client.force_login(outsider)
    page = client.get(reverse("muster:office", args=[office.pk])).content.decode()
    assert "41999999" not in page and SECRET_NAME not in page
    assert _csv(client.get(reverse("muster:export_csv", args=[office.pk]))) == []
    xlsx = client.get(reverse("muster:export_xlsx", args=[office.pk]))
    assert xlsx.status_code == 200
    assert b"41999999" not in b"".join(xlsx.streaming_content)
    assert "41999999" not in client.get(reverse("muster:print", args=[office.pk])).content.decode()
    client.force_login(keeper)
    assert [row["PRN"] for row in _csv(client.get(reverse("muster:export_csv", args=[office.pk])))] == [
        "41999999"
    ]


def test_the_home_page_caseload_leaves_the_record_out(client, restricted, outsider):
    from tests.factories import AllocationFactory

    AllocationFactory(offender=restricted, staff=outsider.staff)
    client.force_login(outsider)
    page = client.get(reverse("home")).content.decode()
    assert SECRET_NAME.upper() not in page and SECRET_NAME not in page


def test_a_restricted_record_is_never_shared(restricted, office, person):
    share = make_share()
    _, token = share_credential_issue(actor=None, share=share, label="CRM")
    partner = bearer(token)
    for path in ("/api/v1/share/offenders/", "/api/v1/share/sentences/", "/api/v1/share/team/"):
        response = partner.get(path)
        assert response.status_code in {200, 404}, path
        assert "41999999" not in response.content.decode(), path
    assert partner.get("/api/v1/share/offenders/41999999/").status_code == 404


def test_the_data_share_in_the_browser_neither_finds_nor_opens_a_restricted_record(
    client, restricted, data_share
):
    client.force_login(data_share)
    page = client.get(reverse("offenders:search"), {"q": "41999999"}).content.decode()
    assert "41999999" not in page.replace('value="41999999"', "")
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 404
    assert _denials(data_share, restricted) == 1
    assert client.get(reverse("offenders:break_glass", args=[restricted.pk])).status_code == 403


# --- breaking the glass ---------------------------------------------------------------------------


def test_the_glass_is_not_broken_without_a_reason(client, restricted, outsider):
    client.force_login(outsider)
    page = client.get(reverse("offenders:break_glass", args=[restricted.pk])).content.decode()
    assert "This is reported." in page and SECRET_NAME not in page
    response = client.post(reverse("offenders:break_glass", args=[restricted.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert "Say why you need to open this restricted record." in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.exists()
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 403


def test_breaking_the_glass_opens_the_record_until_it_expires_and_tells_the_owners(
    client, restricted, outsider, keeper, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("offenders:break_glass", args=[restricted.pk]),
            {"reason": "Urgent risk assessment tonight"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:detail", args=[restricted.pk])
    grant = BreakGlassGrant.objects.get(offender=restricted, user=outsider)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=4)
    page = client.get(reverse("offenders:detail", args=[restricted.pk]))
    assert page.status_code == 200
    assert "You opened it by breaking the glass" in page.content.decode()
    assert _api(outsider).get(f"/api/v1/offenders/{restricted.pk}/").status_code == 200

    [notice] = Notification.objects.filter(recipient=keeper)
    assert notice.subject == "Break-glass access to restricted record 41999999"
    assert "Urgent risk assessment tonight" in notice.body
    assert [mail.to for mail in mailoutbox] == [["keeper@example.org"]]
    assert AuditEvent.objects.filter(
        actor=outsider,
        offender_id=restricted.pk,
        action=AuditAction.CREATE,
        summary="Broke the glass on restricted record 41999999: Urgent risk assessment tonight",
    ).exists()

    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - datetime.timedelta(hours=5),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert client.get(reverse("offenders:detail", args=[restricted.pk])).status_code == 403
    assert _api(outsider).get("/api/v1/offenders/").json()["results"] == []


def test_the_break_glass_report_lists_each_event_for_managers_and_administrators(
    client, restricted, outsider, keeper, system_admin
):
    offender_break_glass(actor=outsider, offender=restricted, reason="Court tomorrow morning")
    for reader in (keeper, system_admin):
        client.force_login(reader)
        page = client.get(reverse("offenders:break_glass_report")).content.decode()
        assert "41999999" in page and "outsider" in page and "Court tomorrow morning" in page
        assert SECRET_NAME not in page
        [row] = _csv(client.get(reverse("offenders:break_glass_report_csv")))
        assert (row["PRN"], row["Username"], row["Reason"]) == (
            "41999999",
            "outsider",
            "Court tomorrow morning",
        )
    client.force_login(outsider)
    assert client.get(reverse("offenders:break_glass_report")).status_code == 403
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.DENIED, summary__contains="break-glass"
    ).exists()
    assert AuditEvent.objects.filter(actor=keeper, action=AuditAction.EXPORT).exists()


def test_someone_on_the_list_has_no_glass_to_break(restricted, keeper):
    with pytest.raises(PermissionDenied):
        offender_break_glass(actor=keeper, offender=restricted, reason="Just because")


def test_lists_stay_a_constant_number_of_queries_with_restricted_records(
    django_assert_max_num_queries, office, keeper
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = _api(keeper)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/offenders/").status_code == 200
        return len(queries)

    for _ in range(3):
        offender_restrict(actor=keeper, offender=OffenderFactory(home_office=office), reason="High profile")
    few = cost()
    for _ in range(10):
        offender_restrict(actor=keeper, offender=OffenderFactory(home_office=office), reason="High profile")
    assert cost() == few


def test_the_muster_page_of_a_reader_still_reads_only_its_rows_from_the_index(office, keeper, outsider):
    """Leaving out restricted records is an anti-join on the partial index of restricted records:
    an unfiltered page still reads only its rows from the entries' index, with no subquery per
    person (as tests/muster/test_selectors.py requires of the page without a reader)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from muster.selectors import MusterFilters, muster_page
    from tests.muster.conftest import crowd

    people = crowd(office, 12)
    offender_restrict(actor=keeper, offender=people[0], reason="High-profile person")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE muster_musterentry")
        cursor.execute("ANALYZE offenders_offender")
    with CaptureQueriesContext(connection) as page:
        _, rows = muster_page(office, MusterFilters(), 1, per_page=5, viewer=outsider)
    assert people[0].prn not in [row.prn for row in rows] and len(rows) == 5
    (statement,) = page.captured_queries
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # A dozen rows are cheaper to sort than to read in order (PostgreSQL 18 may read them by
        # offender): what is asked is whether the statement can be served in order by the index.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement['sql']}")
        plan = cursor.fetchone()[0][0]["Plan"]
    assert "SubPlan" not in str(plan)

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    (limit,) = [node for node in nodes(plan) if node["Node Type"] == "Limit"]
    (read,) = [node for node in nodes(limit) if node.get("Relation Name") == "muster_musterentry"]
    assert read["Index Name"] == "muster_entry_name"
    assert read["Actual Rows"] <= 7, "the page's 5 rows, the one left out and the one that ends it"


def test_the_inbox_keeps_the_work_on_a_restricted_record_but_masks_the_name(restricted, outsider, keeper):
    from inbox.selectors import InboxRow, masked_for, person_of
    from ioms.read_models import WorkItem, offender_fields

    item = WorkItem(
        key="exception:1",
        kind="exception",
        title="Reconcile: no matching offender",
        url="/exceptions/1/",
        assignee_ids=frozenset({outsider.pk, keeper.pk}),
        due_on=None,
        days_overdue=None,
        detail=f"About {SECRET_NAME}",
        **offender_fields(restricted),
    )
    [masked] = masked_for(person_of(outsider), [InboxRow(item, "Exceptions")])
    assert (masked.item.offender_name, masked.item.detail, masked.item.offender_prn) == (
        "Restricted record",
        "",
        "41999999",
    )
    assert masked.item.title == item.title  # the work is still there to be done
    [shown] = masked_for(person_of(keeper), [InboxRow(item, "Exceptions")])
    assert shown.item.offender_name == f"{SECRET_NAME.upper()}, Anaru"


def test_the_allocation_queue_shows_the_request_only_to_a_manager_on_the_list(
    client, restricted, keeper, office
):
    from allocation.models import AllocateRequest
    from allocation.requests import allocate_request_for_sentence

    allocate_request_for_sentence(actor=keeper, sentence=restricted.sentences.get())
    request = AllocateRequest.objects.get(offender=restricted)
    other_manager = staff_user(Role.SERVICE_MANAGER, office=office, username="other_manager")
    client.force_login(other_manager)
    page = client.get(reverse("allocation:queue")).content.decode()
    assert "41999999" not in page and SECRET_NAME.upper() not in page
    assert client.get(reverse("allocation:request", args=[request.pk])).status_code == 403
    client.force_login(keeper)
    assert "41999999" in client.get(reverse("allocation:queue")).content.decode()


def test_the_other_api_lists_of_offender_data_leave_the_record_out(restricted, outsider, keeper):
    from tests.factories import AllocationFactory, ChargeFactory, ReferralFactory

    ChargeFactory(offender=restricted)
    ReferralFactory(offender=restricted)
    AllocationFactory(offender=restricted, staff=outsider.staff)
    paths = ("/api/v1/charges/", "/api/v1/referrals/", "/api/v1/allocations/")
    for user, expected in ((outsider, 0), (keeper, 1)):
        api = _api(user)
        for path in paths:
            response = api.get(path, {"offender": restricted.pk})
            assert response.status_code == 200, path
            assert len(response.json()["results"]) == expected, (user.username, path)


def test_the_exceptions_report_and_its_export_leave_the_record_out(client, restricted, keeper, office):
    from reconciliation.detection import exception_raise
    from reconciliation.models import ReasonCode

    exception, _ = exception_raise(
        reason_code=ReasonCode.MISSING_KEY_DATES, detail="No SRD.", sentence=restricted.sentences.get()
    )
    other_manager = staff_user(Role.SERVICE_MANAGER, office=office, username="other_manager")
    client.force_login(other_manager)
    assert "41999999" not in client.get(reverse("reconciliation:report")).content.decode()
    assert "41999999" not in b"".join(client.get(reverse("reconciliation:export")).streaming_content).decode()
    assert client.get(reverse("reconciliation:detail", args=[exception.pk])).status_code == 403
    client.force_login(keeper)
    assert "41999999" in client.get(reverse("reconciliation:report")).content.decode()
    assert client.get(reverse("reconciliation:detail", args=[exception.pk])).status_code == 200
