"""The report's pages: who may open them, what they show, the filters and search (resolved ones
too), a constant number of queries, the CSV export and the weekly trend."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from reconciliation.charts import trend_chart
from reconciliation.detection import exception_raise
from reconciliation.models import DataException, ExceptionStatus, ExceptionStep, ReasonCode
from reconciliation.selectors import exception_trend
from reconciliation.services import exception_assign, exception_resolve, exception_start
from staff.roles import Role
from tests.content_support import VisibleText
from tests.factories import OffenderFactory, SentenceFactory, UserFactory, staff_user

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
RECONCILERS = frozenset({SM, AS, SA})


@pytest.fixture
def exception(make_exception):
    return make_exception()


# --- Access --------------------------------------------------------------------------------------

GET_PAGES = [
    ("reconciliation:report", False),
    ("reconciliation:export", False),
    ("reconciliation:detail", True),
]
POST_STEPS = [
    ("reconciliation:start", {}),
    ("reconciliation:assign", {"assign-assignee": ""}),
    ("reconciliation:resolve", {"resolve-resolution_reason": "", "resolve-change_made": ""}),
    ("reconciliation:request_correction", {}),
    ("reconciliation:reopen", {"reopen-reason": ""}),
]


def _url(name, exception, with_pk):
    return reverse(name, kwargs={"pk": exception.pk}) if with_pk else reverse(name)


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_allowed_or_refused_each_page(as_user, office, exception, role):
    client = as_user(staff_user(role, office=office))
    expected = 200 if role in RECONCILERS else 403
    for name, with_pk in GET_PAGES:
        assert client.get(_url(name, exception, with_pk)).status_code == expected, name
    for name, data in POST_STEPS:
        status = client.post(reverse(name, kwargs={"pk": exception.pk}), data).status_code
        # A reconciler's empty or not-yet-allowed step comes back as the page (200) or a redirect.
        assert status in ({200, 302} if role in RECONCILERS else {403}), (name, status)
    # Of these, only starting work (whose note is optional) goes through.
    after = ExceptionStatus.IN_PROGRESS if role in RECONCILERS else ExceptionStatus.OPEN
    assert DataException.objects.get(pk=exception.pk).status == after


def test_a_user_without_a_role_is_refused(as_user, exception):
    client = as_user(UserFactory())
    assert client.get(reverse("reconciliation:report")).status_code == 403
    assert client.get(reverse("reconciliation:detail", kwargs={"pk": exception.pk})).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, exception):
    for name, with_pk in GET_PAGES:
        response = client.get(_url(name, exception, with_pk))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_office_staff_see_only_their_own_office(as_user, exception, other_office, office):
    for role in (SM, AS):
        client = as_user(staff_user(role, office=other_office))
        assert client.get(reverse("reconciliation:detail", kwargs={"pk": exception.pk})).status_code == 403
        assert client.get(reverse("reconciliation:report"), {"office": office.pk}).status_code == 403
        response = client.get(reverse("reconciliation:report"))
        assert response.status_code == 200
        assert f"Exception {exception.pk}" not in response.content.decode()
        resolve = reverse("reconciliation:resolve", kwargs={"pk": exception.pk})
        assert client.post(resolve, {"resolve-resolution_reason": "x" * 20}).status_code == 403


def test_a_system_administrator_chooses_any_office(as_user, system_admin, exception, other_office):
    client = as_user(staff_user(SA, office=other_office))
    page = client.get(reverse("reconciliation:report")).content.decode()
    assert f"Exception {exception.pk}" not in page, "their own office first"
    page = client.get(reverse("reconciliation:report"), {"office": exception.office_id}).content.decode()
    assert f"Exception {exception.pk}" in page


def test_a_system_administrator_without_an_office_is_asked_to_choose(as_user, exception):
    admin = UserFactory(roles=[SA])
    page = as_user(admin).get(reverse("reconciliation:report")).content.decode()
    assert "Choose an office to see its exceptions" in page
    assert f"Exception {exception.pk}" not in page


def test_exceptions_placed_in_no_office_are_for_system_administrators(as_user, system_admin, admin_support):
    unplaced, _ = exception_raise(
        reason_code=ReasonCode.NO_MANAGING_OFFICE,
        detail="Nobody supervises this",
        sentence=SentenceFactory(offender=OffenderFactory(home_office=None), managing_office=None),
    )
    page = as_user(system_admin).get(reverse("reconciliation:report"), {"office": "none"}).content.decode()
    assert "Nobody supervises this" in page
    detail = reverse("reconciliation:detail", kwargs={"pk": unplaced.pk})
    assert as_user(admin_support).get(detail).status_code == 403


# --- The report ----------------------------------------------------------------------------------


def test_the_report_lists_the_offices_open_exceptions_with_what_a_person_needs(
    as_user, admin_support, make_exception, other_office
):
    offender = OffenderFactory(
        family_name="Ngata", given_names="Aroha", prn="48765432", home_office=admin_support.staff.office
    )
    mine = make_exception(offender=offender, detail="Imprisonment (determinate) has no SRD.")
    exception_assign(actor=admin_support, exception=mine, assignee=admin_support)
    theirs = make_exception(at=other_office, detail="Elsewhere")

    response = as_user(admin_support).get(reverse("reconciliation:report"))

    page = response.content.decode()
    assert f"Exception {mine.pk}" in page
    assert "NGATA, Aroha" in page and "48765432" in page
    assert "Imprisonment (determinate) has no SRD." in page
    assert "Key dates missing for the sentence type" in page
    assert admin_support.get_full_name() in page
    assert f"Exception {theirs.pk}" not in page
    assert AuditEvent.objects.filter(actor=admin_support, action=AuditAction.SEARCH).exists()


def test_filters_by_status_reason_assignee_and_age(as_user, admin_support, service_manager, make_exception):
    old = make_exception(reason_code=ReasonCode.DECEASED_ACTIVE, detail="Old one")
    DataException.objects.filter(pk=old.pk).update(opened_at=timezone.now() - datetime.timedelta(days=40))
    mine = make_exception(detail="Mine")
    exception_start(actor=admin_support, exception=mine)
    theirs = make_exception(detail="Theirs")
    exception_assign(actor=service_manager, exception=theirs, assignee=service_manager)
    done = make_exception(detail="Done one")
    exception_resolve(
        actor=admin_support,
        exception=done,
        resolution_reason="Checked the order",
        change_made="Added the SRD",
    )
    client = as_user(admin_support)

    def shown(**params):
        page = client.get(reverse("reconciliation:report"), params).content.decode()
        return {text for text in ("Old one", "Mine", "Theirs", "Done one") if text in page}

    assert shown() == {"Old one", "Mine", "Theirs"}, "resolved ones are not listed by default"
    assert shown(status="any") == {"Old one", "Mine", "Theirs", "Done one"}
    assert shown(status="resolved") == {"Done one"}
    assert shown(status="in_progress") == {"Mine"}
    assert shown(reason="deceased_active") == {"Old one"}
    assert shown(assignee="me") == {"Mine"}
    assert shown(assignee=str(service_manager.pk)) == {"Theirs"}
    assert shown(assignee="none") == {"Old one"}
    assert shown(age="30") == {"Old one"}


def test_sorting_by_age(as_user, admin_support, make_exception):
    older = make_exception(detail="The older one")
    DataException.objects.filter(pk=older.pk).update(opened_at=timezone.now() - datetime.timedelta(days=9))
    make_exception(detail="The newer one")
    client = as_user(admin_support)
    page = client.get(reverse("reconciliation:report")).content.decode()
    assert page.index("The older one") < page.index("The newer one")
    page = client.get(reverse("reconciliation:report"), {"sort": "newest"}).content.decode()
    assert page.index("The newer one") < page.index("The older one")


def test_search_finds_resolved_exceptions_by_prn_name_number_or_words(as_user, admin_support, make_exception):
    offender = OffenderFactory(
        family_name="Tamihana", given_names="Wiremu", prn="41234567", home_office=admin_support.staff.office
    )
    done = make_exception(offender=offender, detail="Community work without hours")
    exception_resolve(
        actor=admin_support,
        exception=done,
        resolution_reason="Checked against the court order",
        change_made="Entered 120 hours per the order",
    )
    make_exception(detail="Something else")
    client = as_user(admin_support)
    for query in ("41234567", "Tamihana", "Wiremu Tamihana", str(done.pk), "120 hours", "without hours"):
        page = client.get(reverse("reconciliation:report"), {"q": query, "status": "any"}).content.decode()
        assert f"Exception {done.pk}" in page, query
        assert "Something else" not in page, query


def test_the_report_is_paginated(as_user, admin_support, make_exception):
    for _ in range(30):
        make_exception()
    client = as_user(admin_support)
    first = client.get(reverse("reconciliation:report")).content.decode()
    assert first.count('href="/exceptions/') >= 25
    assert "Page 1 of 2" in first
    second = client.get(reverse("reconciliation:report"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def _many(make_exception, office, count):
    staff = [staff_user(AS, office=office) for _ in range(3)]
    for index in range(count):
        exception = make_exception()
        exception_assign(actor=staff[0], exception=exception, assignee=staff[index % 3])
        if index % 4 == 0:
            exception_resolve(
                actor=staff[0],
                exception=exception,
                resolution_reason="Checked order",
                change_made="Fixed the date",
            )


def test_the_report_costs_the_same_queries_however_many_exceptions(
    as_user, admin_support, make_exception, office
):
    client = as_user(admin_support)
    _many(make_exception, office, 4)
    client.get(reverse("reconciliation:report"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reconciliation:report"), {"status": "any"})
    _many(make_exception, office, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reconciliation:report"), {"status": "any"})
    assert response.status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries), [
        q["sql"][:120] for q in many.captured_queries
    ]
    assert len(many.captured_queries) <= 14


# --- An exception --------------------------------------------------------------------------------


def test_the_exception_page_links_the_record_and_shows_its_history(as_user, admin_support, exception):
    page = as_user(admin_support).get(reverse("reconciliation:detail", kwargs={"pk": exception.pk}))
    text = page.content.decode()
    assert reverse("offenders:detail", args=[exception.offender_id]) in text
    assert reverse("sentences:detail", args=[exception.sentence_id]) in text
    assert "Imprisonment has no SRD." in text
    assert "Raised" in text
    for heading in ("Resolve", "Start work", "Assign", "Ask the courts to correct their data"):
        assert heading in text
    assert "Reopen the exception" not in text
    assert AuditEvent.objects.filter(
        actor=admin_support, action=AuditAction.VIEW, object_id=str(exception.pk), offender=exception.offender
    ).exists()


def test_the_exception_page_names_its_reason_in_words_and_its_code_only_as_a_hint(
    as_user, admin_support, make_exception
):
    """Issue 14: "Reason code: modification_check" showed the code where the reason belongs."""
    exception = make_exception(reason_code=ReasonCode.MODIFICATION_CHECK, detail="Changed by one person.")
    page = as_user(admin_support).get(reverse("reconciliation:detail", kwargs={"pk": exception.pk}))
    visible = VisibleText()
    visible.feed(page.content.decode())

    assert f"Reason {ReasonCode.MODIFICATION_CHECK.label}" in visible.text
    assert "modification_check" not in visible.text
    assert "modification_check" in page.content.decode()  # in the hint, for those who search for it


def test_the_exception_page_links_the_court_message_when_there_is_one(as_user, system_admin):
    from courts.models import CourtMessage

    message = CourtMessage.objects.create(raw_body='{"type": "sentence.imposed"}', message_id="CMS-1")
    exception, _ = exception_raise(
        reason_code=ReasonCode.UNMATCHED_MESSAGE, detail="Names nobody we know", court_message=message
    )
    text = (
        as_user(system_admin)
        .get(reverse("reconciliation:detail", kwargs={"pk": exception.pk}))
        .content.decode()
    )
    assert "Court message" in text
    try:
        url = reverse("courts:message_detail", kwargs={"pk": message.pk})
    except NoReverseMatch:  # the courts app's page; until it exists the message number is shown
        assert f"Message {message.pk}" in text
    else:
        assert url in text
    assert "Not matched to an offender" in text


def test_a_read_only_viewer_sees_no_forms(as_user, office, exception):
    # A service manager of another office is refused outright; a system administrator may act.
    text = (
        as_user(staff_user(SA, office=office))
        .get(reverse("reconciliation:detail", kwargs={"pk": exception.pk}))
        .content.decode()
    )
    assert "Resolve the exception" in text


def test_resolving_from_the_page_records_the_reason_and_change(as_user, admin_support, exception):
    client = as_user(admin_support)
    url = reverse("reconciliation:resolve", kwargs={"pk": exception.pk})

    response = client.post(url, {"resolve-resolution_reason": "Checked", "resolve-change_made": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Say what you changed on the record" in text
    assert DataException.objects.get(pk=exception.pk).status == ExceptionStatus.OPEN

    response = client.post(
        url,
        {
            "resolve-resolution_reason": "Checked against the court order of 3 May",
            "resolve-change_made": "Entered the SRD of 5 June 2027 from the order",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Resolved the exception." in text
    assert "Entered the SRD of 5 June 2027 from the order" in text
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    assert "Reopen the exception" in text


def test_each_step_from_the_page(as_user, admin_support, service_manager, exception):
    client = as_user(admin_support)

    def post(name, data):
        return client.post(reverse(f"reconciliation:{name}", kwargs={"pk": exception.pk}), data, follow=True)

    post("assign", {"assign-assignee": service_manager.pk, "assign-comment": "Over to you"})
    exception.refresh_from_db()
    assert exception.assignee == service_manager
    post("start", {"start-comment": "Pulling the file"})
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.IN_PROGRESS
    response = post(
        "request_correction",
        {
            "correction-fields_wrong": ["end_date"],
            "correction-what_is_wrong": "CMS sent 3 May 2027",
            "correction-should_be": "5 June 2027 per the order",
        },
    )
    assert "Asked the courts to correct their data" in response.content.decode()
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.CORRECTION_REQUESTED
    post("start", {"start-comment": "Correction arrived"})
    post(
        "resolve",
        {"resolve-resolution_reason": "Courts corrected it", "resolve-change_made": "No change needed by us"},
    )
    response = post("reopen", {"reopen-reason": "The licence says otherwise"})
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.OPEN
    steps = list(exception.transitions.values_list("step", flat=True))
    assert steps == [
        ExceptionStep.RAISED,
        ExceptionStep.ASSIGNED,
        ExceptionStep.STARTED,
        ExceptionStep.CORRECTION_REQUESTED,
        ExceptionStep.STARTED,
        ExceptionStep.RESOLVED,
        ExceptionStep.REOPENED,
    ]
    text = response.content.decode()
    assert "The licence says otherwise" in text and "Over to you" in text


def test_a_step_the_status_does_not_allow_is_explained(as_user, admin_support, exception):
    client = as_user(admin_support)
    response = client.post(
        reverse("reconciliation:reopen", kwargs={"pk": exception.pk}), {"reopen-reason": "Why"}, follow=True
    )
    assert "it cannot be reopened now" in response.content.decode()
    assert DataException.objects.get(pk=exception.pk).transitions.count() == 1


def test_the_page_shows_earlier_occurrences(as_user, admin_support, exception):
    exception_resolve(
        actor=admin_support,
        exception=exception,
        resolution_reason="Checked order",
        change_made="Added the SRD",
    )
    again, _ = exception_raise(
        reason_code=exception.reason_code, detail="Back again", sentence=exception.sentence
    )
    text = (
        as_user(admin_support).get(reverse("reconciliation:detail", kwargs={"pk": again.pk})).content.decode()
    )
    assert f"came back after exception {exception.pk} was resolved" in text
    assert reverse("reconciliation:detail", kwargs={"pk": exception.pk}) in text
    assert "Added the SRD" in text


# --- Export --------------------------------------------------------------------------------------


def test_the_csv_export_streams_the_filtered_report(as_user, admin_support, make_exception):
    offender = OffenderFactory(
        family_name="Ngata", given_names="Aroha", prn="48765432", home_office=admin_support.staff.office
    )
    shown = make_exception(offender=offender, detail='=HYPERLINK("http://evil")')
    done = make_exception(detail="Resolved one")
    exception_resolve(
        actor=admin_support, exception=done, resolution_reason="Checked order", change_made="Fixed it now"
    )

    response = as_user(admin_support).get(reverse("reconciliation:export"))

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Exception", "Reason code", "Reason", "Status"]
    assert [row[0] for row in body] == [str(shown.pk)], "resolved ones are left out, as on the page"
    record = dict(zip(header, body[0], strict=True))
    assert record["PRN"] == "48765432"
    assert record["Offender"] == "NGATA, Aroha"
    assert record["Status"] == "Open"
    assert record["Detail"].startswith("'="), "cells are never formulas"
    assert AuditEvent.objects.filter(actor=admin_support, action=AuditAction.EXPORT).exists()

    response = as_user(admin_support).get(reverse("reconciliation:export"), {"status": "resolved"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Change made"] == "Fixed it now"
    assert record["Resolved by"] == admin_support.get_full_name()


# --- Trend ---------------------------------------------------------------------------------------


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def test_the_trend_counts_opened_and_resolved_by_week(make_exception, admin_support, office, other_office):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    plan = [  # (weeks ago opened, weeks ago resolved or None)
        (0, None),
        (0, 0),
        (2, 1),
        (2, None),
        (11, 2),
        (12, 0),  # opened before the window: counts as resolved this week only
    ]
    for opened_ago, resolved_ago in plan:
        exception = make_exception()
        DataException.objects.filter(pk=exception.pk).update(
            opened_at=_at(monday - datetime.timedelta(weeks=opened_ago))
        )
        if resolved_ago is not None:
            exception.refresh_from_db()
            exception_resolve(
                actor=admin_support,
                exception=exception,
                resolution_reason="Checked order",
                change_made="Fixed the date",
            )
            DataException.objects.filter(pk=exception.pk).update(
                resolved_at=_at(monday - datetime.timedelta(weeks=resolved_ago))
            )
    make_exception(at=other_office)  # another office's

    weeks = exception_trend(office.pk, today=today)

    assert len(weeks) == 12
    assert weeks[-1].starts_on == monday and weeks[0].starts_on == monday - datetime.timedelta(weeks=11)
    by_age = {(monday - week.starts_on).days // 7: (week.opened, week.resolved) for week in weeks}
    assert by_age[0] == (2, 2)
    assert by_age[1] == (0, 1)
    assert by_age[2] == (2, 1)
    assert by_age[11] == (1, 0)
    assert sum(week.opened for week in weeks) == 5
    assert sum(week.resolved for week in weeks) == 4


def test_the_trend_chart_is_drawn_on_the_server_with_a_text_alternative(
    as_user, admin_support, make_exception
):
    make_exception()
    make_exception()
    text = as_user(admin_support).get(reverse("reconciliation:report")).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text
    assert 'role="img"' in text and 'aria-labelledby="trend-title trend-desc"' in text
    assert "2 opened and 0 resolved" in text
    assert 'data-series="opened" data-value="2"' in text
    assert '<table class="table table--compact" id="trend-table">' in text
    assert "<script" not in text.split("</head>")[1], "no JavaScript draws the chart"


def test_the_chart_scales_bars_to_the_busiest_week():
    from reconciliation.selectors import TrendWeek

    monday = datetime.date(2026, 11, 16)
    weeks = [TrendWeek(monday - datetime.timedelta(weeks=n), opened=n, resolved=0) for n in range(12)][::-1]
    chart = trend_chart(weeks)
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.value == 11
    assert tallest.y >= 16, "inside the plot"
    assert [tick.label for tick in chart.ticks][-1] in {"12", "15"}
    assert all(bar.height == 0 for bar in chart.bars if bar.value == 0)
    assert "Most opened in one week: 11" in chart.description


def test_a_superscript_digit_in_the_search_is_text_not_a_crash(as_user, office, role_user):
    client = as_user(role_user(Role.ADMIN_SUPPORT))
    assert client.get(reverse("reconciliation:report"), {"q": "²"}).status_code == 200
    assert client.get(reverse("reconciliation:export"), {"q": "²"}).status_code in {200, 400}
