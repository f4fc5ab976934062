"""The report pages in headless Chromium, by keyboard and without axe-core violations: an officer
assembles a report choosing casenotes on two pages, submits it; a manager approves it; the officer
issues it to the Parole Board."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from documents.models import IssueRecord, Report, ReportStatus
from staff.roles import Role
from tests.browser_support import assert_accessible, fill_date
from tests.documents.helpers import moment, today
from tests.factories import CasenoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """A transactional test empties every table after it runs, the role groups of migration 0002 too."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def page(request, live_server):
    context = request.getfixturevalue("chromium_browser").new_context(
        base_url=live_server.url, locale="en-NZ"
    )
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


@pytest.fixture
def log_in(client, live_server):
    def login(page, user):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.clear_cookies()
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return login


def test_a_report_is_assembled_approved_and_issued_in_the_browser(
    page, log_in, offender, imprisonment, author, manager
):
    notes = [
        CasenoteFactory(offender=offender, author=author, contact_on=moment(n + 1), summary=f"Visit {n:02d}")
        for n in range(22)
    ]
    log_in(page, author)
    page.goto(reverse("documents:report_assemble", kwargs={"offender_pk": offender.pk}))
    assert_accessible(page, context="the assembly page")

    page.get_by_label("Parole progress report").check()
    page.get_by_label("Sentence (optional)").select_option(str(imprisonment.pk))
    fill_date(page, "Due (hearing date)", today() + datetime.timedelta(days=14))
    page.get_by_label("Quote “Visit 01”", exact=False).check()
    page.get_by_role("button", name="Next page of casenotes").press("Enter")
    page.get_by_text("1 chosen").wait_for()
    page.get_by_label("Quote “Visit 21”", exact=False).check()
    page.get_by_role("button", name="Assemble the report").last.press("Enter")
    page.get_by_role("heading", name="Parole progress report — Aroha Ngata").wait_for()

    report = Report.objects.get()
    assert set(report.extracts.values_list("pk", flat=True)) == {notes[1].pk, notes[21].pk}
    assert_accessible(page, context="the report page")
    page.get_by_role("link", name="Submit for approval").press("Enter")
    page.get_by_role("button", name="Submit version 1").press("Enter")
    page.get_by_text("Submitted version 1").wait_for()

    log_in(page, manager)
    page.goto(reverse("documents:report_decide", kwargs={"pk": report.pk}))
    assert_accessible(page, context="the approval page")
    page.get_by_label("Approve this version for issue").check()
    page.get_by_role("button", name="Record the decision").press("Enter")
    page.get_by_text("Approved version 1").wait_for()

    log_in(page, author)
    page.goto(reverse("documents:report_issue", kwargs={"pk": report.pk}))
    assert_accessible(page, context="the issue page")
    page.get_by_label("E-mail").check()
    page.get_by_role("button", name="Issue version 1").press("Enter")
    page.get_by_text("to New Zealand Parole Board.").wait_for()

    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED
    assert IssueRecord.objects.get().recipient == "New Zealand Parole Board"
