"""The main menu (portal/context_processors.py, templates/base.html): what each role sees, that every
link it shows opens for that role, the unread notification count, and the markup the Menu button
and the API docs page need (issue 14, "Navigation")."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allocation.models import Notification
from staff.models import OfficeKind
from staff.roles import Role
from tests.factories import OfficeFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<ul class="site-nav__list" id="site-nav-list">(.*?)</ul>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>(.*?)</a>', re.S)
TAG = re.compile(r"<[^>]+>")

# What each role's menu offers (before Notifications and Log out), staff of a community office or,
# for the prison roles, of a prison.
EXPECTED_MENUS = {
    Role.PROBATION_OFFICER: [
        "Home",
        "Search offenders",
        "Inbox",
        "My caseload",
        "My diary",
        "Muster list",
        "Agencies & programmes",
        "Staff",
    ],
    Role.SERVICE_MANAGER: [
        "Home",
        "Search offenders",
        "Inbox",
        "Allocation queue",
        "Muster list",
        "Exceptions",
        "Court messages",
        "Agencies & programmes",
        "Staff",
    ],
    Role.ADMIN_SUPPORT: [
        "Home",
        "Search offenders",
        "Inbox",
        "Muster list",
        "Exceptions",
        "Court messages",
        "Agencies & programmes",
        "Staff",
    ],
    Role.PRISON_OFFICER: [
        "Home",
        "Search offenders",
        "Inbox",
        "My caseload",
        "Classification",
        "Agencies & programmes",
        "Staff",
    ],
    Role.RECOMMENDING_OFFICER: [
        "Home",
        "Search offenders",
        "Inbox",
        "Allocation queue",
        "Classification",
        "Agencies & programmes",
        "Staff",
    ],
    Role.APPROVING_OFFICER: [
        "Home",
        "Search offenders",
        "Inbox",
        "Allocation queue",
        "Classification",
        "Agencies & programmes",
        "Staff",
    ],
    Role.DATA_SHARE: ["Home", "Search offenders", "Agencies & programmes", "API docs"],
    Role.SYSTEM_ADMIN: [
        "Home",
        "Search offenders",
        "Inbox",
        "Allocation queue",
        "Muster list",
        "Exceptions",
        "Classification",
        "Scoring instrument",
        "Court messages",
        "Agencies & programmes",
        "Staff",
        "API docs",
    ],
}
PRISON_ROLES = {Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER}


def menu_links(response) -> list[tuple[str, str]]:
    """(label, href) of each link in the main menu, as a reader hears it."""
    found = MENU.search(response.content.decode())
    assert found, "the page has the main menu"
    return [
        (" ".join(TAG.sub("", label).replace("&amp;", "&").split()), href)
        for href, label in LINK.findall(found.group(1))
    ]


def user_for(role):
    kind = OfficeKind.PRISON if role in PRISON_ROLES else OfficeKind.PROBATION
    return staff_user(role, office=OfficeFactory(kind=kind))


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_sees_the_menu_of_its_own_work(client, role):
    client.force_login(user_for(role))

    labels = [label for label, _ in menu_links(client.get("/"))]

    assert labels == [*EXPECTED_MENUS[role], "Notifications"]


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_menu_link_opens_for_the_role_that_sees_it(client, role):
    """The data share's "Staff" link answered 403 (issue 14): each link now comes from the rule of
    the page it opens."""
    client.force_login(user_for(role))

    # (the muster list redirects to the list of the user's own office)
    outcomes = {
        label: client.get(href, follow=True).status_code for label, href in menu_links(client.get("/"))
    }

    assert outcomes == dict.fromkeys(outcomes, 200)


def test_the_data_share_is_not_offered_the_staff_directory_it_may_not_open(client):
    client.force_login(user_for(Role.DATA_SHARE))

    assert "Staff" not in [label for label, _ in menu_links(client.get("/"))]
    assert client.get(reverse("staff:list")).status_code == 403


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.SYSTEM_ADMIN])
def test_managers_and_administrators_are_not_offered_an_empty_caseload_of_their_own(client, role):
    client.force_login(user_for(role))

    assert "My caseload" not in [label for label, _ in menu_links(client.get("/"))]


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.SYSTEM_ADMIN, Role.DATA_SHARE}))
def test_front_line_staff_are_not_offered_the_api_docs(client, role):
    client.force_login(user_for(role))

    assert "API docs" not in [label for label, _ in menu_links(client.get("/"))]


def test_a_system_administrator_with_a_staff_account_is_offered_the_admin_site(client):
    admin = user_for(Role.SYSTEM_ADMIN)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)

    links = dict(menu_links(client.get("/")))

    assert "Admin" in links
    assert client.get(links["Admin"]).status_code == 200


def test_a_system_administrator_without_an_admin_site_account_is_not_offered_it(client):
    client.force_login(user_for(Role.SYSTEM_ADMIN))

    assert "Admin" not in dict(menu_links(client.get("/")))


def test_an_administrator_with_no_office_is_not_offered_a_queue_that_refuses_them(client):
    admin = UserFactory(roles=[Role.SYSTEM_ADMIN])  # no staff record, so no office to start from
    client.force_login(admin)

    links = dict(menu_links(client.get("/")))

    assert "Allocation queue" not in links
    assert "Scoring instrument" in links


def test_a_user_with_no_role_is_offered_only_the_home_page(client):
    client.force_login(UserFactory())

    assert menu_links(client.get("/")) == [("Home", "/")]


def test_the_menu_marks_the_page_the_user_is_on(client):
    client.force_login(user_for(Role.SERVICE_MANAGER))

    html = client.get(reverse("muster:mine"), follow=True).content.decode()

    assert re.search(r'<a href="/muster/" aria-current="page">Muster list</a>', html)
    assert html.count('aria-current="page"') == 1 + html.count('<span aria-current="page">')


def test_the_menu_button_names_the_list_it_opens_and_starts_hidden_for_pages_without_the_script(client):
    client.force_login(user_for(Role.PROBATION_OFFICER))

    html = client.get("/").content.decode()

    button = re.search(r"<button[^>]*data-site-nav-toggle[^>]*>Menu</button>", html).group(0)
    assert 'aria-controls="site-nav-list"' in button and 'aria-expanded="false"' in button
    assert " hidden " in button, "without JavaScript there is no button: the whole menu shows"
    assert 'id="site-nav-list"' in html
    assert "/static/js/navigation.js" in html


# --- The unread count -----------------------------------------------------------------------------


def notify(user, *, read=False):
    return Notification.objects.create(
        recipient=user, subject="New case allocated", read_at=timezone.now() if read else None
    )


def test_the_menu_counts_the_users_unread_notifications(client):
    officer = user_for(Role.PROBATION_OFFICER)
    for _ in range(3):
        notify(officer)
    notify(officer, read=True)
    notify(user_for(Role.PROBATION_OFFICER))  # someone else's
    client.force_login(officer)

    links = dict(menu_links(client.get("/")))

    assert "Notifications 3 unread" in links
    html = client.get("/").content.decode()
    assert '<span class="site-nav__count">3<span class="visually-hidden"> unread</span></span>' in html


def test_with_nothing_unread_the_menu_shows_no_count(client):
    officer = user_for(Role.PROBATION_OFFICER)
    notify(officer, read=True)
    client.force_login(officer)

    assert "Notifications" in dict(menu_links(client.get("/")))
    assert "site-nav__count" not in client.get("/").content.decode()


def test_reading_a_notification_takes_it_off_the_count(client):
    officer = user_for(Role.PROBATION_OFFICER)
    first, _ = notify(officer), notify(officer)
    client.force_login(officer)

    response = client.post(reverse("allocation:notifications"), {"read": first.pk}, follow=True)

    assert "Notifications 1 unread" in dict(menu_links(response))


def _notification_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    return [query["sql"] for query in queries.captured_queries if "allocation_notification" in query["sql"]]


def test_the_count_is_one_query_however_many_notifications_there_are(client):
    officer = user_for(Role.PROBATION_OFFICER)
    client.force_login(officer)
    notify(officer)
    few = _notification_queries(client)
    for _ in range(30):
        notify(officer)

    many = _notification_queries(client)

    assert len(few) == len(many) == 1
    assert "COUNT(" in many[0].upper() and '"read_at" IS NULL' in many[0]


def test_the_count_is_answered_from_the_recipient_and_read_index():
    """allocation.models.Notification indexes (recipient, read_at) as notification_unread."""
    indexes = {index.name: index.fields for index in Notification._meta.indexes}

    assert indexes["notification_unread"] == ["recipient", "read_at"]


def test_a_download_that_draws_no_menu_does_not_count(client):
    office = OfficeFactory()
    officer = staff_user(Role.SERVICE_MANAGER, office=office)
    notify(officer)
    client.force_login(officer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("muster:export_csv", kwargs={"office_pk": office.pk}))
        b"".join(response.streaming_content) if response.streaming else response.content

    assert response.status_code == 200
    assert not [query for query in queries.captured_queries if "allocation_notification" in query["sql"]]


# --- The API docs page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.DATA_SHARE])
def test_the_api_docs_page_leads_back_to_the_portal(client, role):
    client.force_login(user_for(role))
    links = dict(menu_links(client.get("/")))

    html = client.get(links["API docs"]).content.decode()

    assert '<a class="api-docs-header__back" href="/">Back to the portal</a>' in html
    assert "<h1" in html and "<title>API docs — IOMS</title>" in html
