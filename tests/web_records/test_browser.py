"""The record pages in headless Chromium: the sentence form's progressive enhancement works, and
the pages have no moderate, serious or critical axe-core violations."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from documents.services import document_create
from staff.roles import Role
from tests.browser_support import assert_accessible, fill_date
from tests.factories import (
    AgencyFactory,
    AllocationFactory,
    ChargeFactory,
    ConvictionFactory,
    DocumentTemplateFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """A transactional test empties every table after it runs, the role groups of migration 0002 too."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def manager(role_groups, role_user):
    return role_user(Role.SERVICE_MANAGER, username="manager")


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
    """log_in(page, user): the browser carries a session of `user` (the login page is tested elsewhere)."""

    def login(page, user):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return login


def test_the_sentence_form_shows_only_the_fields_of_the_chosen_type(
    page, log_in, manager, offender, court, burglary
):
    ChargeFactory(offender=offender, offence=burglary)
    log_in(page, manager)
    page.goto(reverse("sentences:create", kwargs={"offender_pk": offender.pk}))

    hours = page.get_by_label("Hours (community work)")
    ped = page.get_by_role("group", name="Parole eligibility date (PED)")
    page.get_by_label("Sentence type").select_option("community_work")
    assert hours.is_visible() and not ped.is_visible()
    page.get_by_label("Sentence type").select_option("imprisonment")
    assert ped.is_visible() and not hours.is_visible()

    page.get_by_role("button", name="Add another conviction").click()
    assert page.locator("input[name='convictions-2-offence_code']").is_visible()
    assert page.locator("input[name='convictions-TOTAL_FORMS']").input_value() == "3"
    assert_accessible(page, context="the sentence form")


def test_a_sentence_recorded_through_the_browser_shows_its_errors_then_saves(
    page, log_in, manager, offender, court, burglary
):
    log_in(page, manager)
    page.goto(reverse("sentences:create", kwargs={"offender_pk": offender.pk}))
    page.get_by_label("Sentence type").select_option("community_work")
    page.get_by_label("Court", exact=True).select_option(str(court.pk))
    fill_date(page, "Order date", datetime.date(2026, 1, 5))
    fill_date(page, "Commencement date (SCD)", datetime.date(2026, 1, 5))
    fill_date(page, "Expiry date (SED)", datetime.date(2026, 12, 31))
    page.locator("input[name='convictions-0-offence_code']").fill("BURG01")
    page.locator("input[name='convictions-0-convicted_on_day']").fill("5")
    page.locator("input[name='convictions-0-convicted_on_month']").fill("1")
    page.locator("input[name='convictions-0-convicted_on_year']").fill("2026")
    page.get_by_role("button", name="Record sentence").click()

    assert page.get_by_text("Community work needs its number of hours (40 to 400).").first.is_visible()
    assert_accessible(page, context="the sentence form with errors")

    page.get_by_label("Hours (community work)").fill("120")
    page.get_by_role("button", name="Record sentence").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Community work").is_visible()
    assert "BURG01" in page.content()


def test_the_record_pages_are_accessible(page, log_in, manager, offender, office):
    sentence = SentenceFactory(offender=offender)
    ConvictionFactory(sentence=sentence)
    document = document_create(actor=manager, offender=offender, template=DocumentTemplateFactory())
    programme = ProgrammeFactory(agency=AgencyFactory())
    referral = ReferralFactory(offender=offender, programme=programme)
    allocation = AllocationFactory(offender=offender, staff=manager.staff)
    log_in(page, manager)

    urls = {
        "sentence": reverse("sentences:detail", kwargs={"pk": sentence.pk}),
        "sentence completion": reverse("sentences:complete", kwargs={"pk": sentence.pk}),
        "sentence event": reverse("sentences:event", kwargs={"pk": sentence.pk}),
        "charges": reverse("sentences:charge_create", kwargs={"offender_pk": offender.pk}),
        "document": reverse("documents:detail", kwargs={"pk": document.pk}),
        "document edit": reverse("documents:revise", kwargs={"pk": document.pk}),
        "new document": reverse("documents:create", kwargs={"offender_pk": offender.pk}),
        "agencies": reverse("agencies:list"),
        "agency": reverse("agencies:detail", kwargs={"pk": programme.agency_id}),
        "programme": reverse("agencies:programme_detail", kwargs={"pk": programme.pk}),
        "new programme": reverse("agencies:programme_create", kwargs={"agency_pk": programme.agency_id}),
        "referral": reverse("agencies:attendance", kwargs={"pk": referral.pk}),
        "referral status": reverse("agencies:referral_status", kwargs={"pk": referral.pk}),
        "refer": reverse("agencies:refer", kwargs={"offender_pk": offender.pk}),
        "staff": reverse("staff:list"),
        "staff member": reverse("staff:detail", kwargs={"pk": manager.staff.pk}),
        "relocate": reverse("staff:relocate", kwargs={"pk": manager.staff.pk}),
        "allocate": reverse("allocation:allocate", kwargs={"offender_pk": offender.pk}),
        "end allocation": reverse("allocation:end", kwargs={"pk": allocation.pk}),
    }
    for name, url in urls.items():
        response = page.goto(url)
        assert response.status == 200, name
        assert_accessible(page, context=name)
