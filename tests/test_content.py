"""The content check (issue 14, "Content design"): the pages each demo role reaches read as plain
words, not as the specification or the database.

Issue 14: "staff names not usernames, plain words instead of specification codes (the seed section can
appear in help text for those who want it), consistent date formats, correct plurals; a content check in
the tests that fails on "seed " or raw codes in rendered pages."

Each role signs in to the tiny demo database and follows the links of its pages from the home page, one
page per kind (URL name), three links deep: its main pages (search, an offender record and its tabs,
muster, the allocation queue and a request, exceptions, court messages, the due list, a review, plans,
reports, the data share, inbox, notifications). The visible text of each page, with hint text taken out
(an element whose class names a hint: the seed section may be cited there), must not contain:
- "seed 002" and the like, or a specification code such as "C.4" or "D.1";
- a raw code (a snake_case value such as "modification_check");
- "(optional) (optional)", or a wrong plural ("1 cases", "1 results", "unavailabilitys");
- a day of the month with a leading zero ("06 Dec 2026" where the portal writes "6 Dec 2026");
- a staff member's username where their name belongs ("by manager").
"""

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve

from offenders.models import Offender
from staff.demo_logins import DEMO_USERNAMES
from staff.roles import Role
from staff.templatetags.staff_names import staff_name
from tests.content_support import VisibleText, problems_in
from tests.demo.conftest import seeded  # noqa: F401 (the module's demo database)
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

DEPTH = 3
PAGES_PER_ROLE = 90
# Downloads, forms that only confirm a change, and pages that end the session are not read.
SKIP_URL_NAMES = {"logout", "signin:session", "api-schema", "api-docs", "password_change"}
SKIP_URL_PARTS = ("/admin/", "/export", ".csv", ".xlsx", ".pdf", "/print", "/download", "/api/")
# Every role reaches at least these (URL names), so the check cannot pass by reading nothing.
MAIN_PAGES = {
    Role.PROBATION_OFFICER: {
        "home",
        "offenders:search",
        "offenders:detail",
        "offenders:casenotes",
        "offenders:sentences",
        "offenders:staff",
        "offenders:timeline",
        "muster:office",
        "inbox:mine",
        "allocation:notifications",
        "plans:offender",
        "documents:reports",
        "compliance:offender",
        "compliance:detail",
        "compliance:decide",
    },
    Role.SERVICE_MANAGER: {
        "home",
        "offenders:detail",
        "allocation:queue",
        "allocation:request",
        "staff:list",
        "compliance:detail",
        "compliance:approve",
    },
    Role.ADMIN_SUPPORT: {"home", "offenders:detail", "reconciliation:report", "courts:message_list"},
    Role.PRISON_OFFICER: {"home", "offenders:detail", "classification:due", "classification:review"},
    # The review and its check-your-answers page name each question as the paper form numbers it:
    # the number is secondary (hint) text beside the question, so these pages are read in full.
    Role.RECOMMENDING_OFFICER: {
        "home",
        "classification:reviews",
        "classification:review",
        "classification:review_check",
    },
    Role.APPROVING_OFFICER: {"home", "classification:reviews", "classification:review"},
    Role.DATA_SHARE: {"home", "offenders:search", "offenders:detail"},
    Role.SYSTEM_ADMIN: {
        "home",
        "offenders:detail",
        "datashare:shares",
        "staff:list",
        "classification:instrument",  # the instrument's questions, numbered as the paper form
    },
}


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def read_pages(client, *starts: str) -> dict[str, tuple[str, str, list[str]]]:
    """The pages reached from `starts` by following links, one page per URL name, DEPTH links deep:
    {url name: (path, visible text, the labels of its primary buttons)}."""
    read: dict[str, tuple[str, str, list[str]]] = {}
    queue = deque((start, 0) for start in starts)
    seen_paths = set(starts)
    while queue and len(read) < PAGES_PER_ROLE:
        path, depth = queue.popleft()
        name = url_name(urlsplit(path).path)
        if name is None or name in read or name in SKIP_URL_NAMES:
            continue
        response = client.get(path, follow=True)  # "My muster list" redirects to the office's
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        path = response.request["PATH_INFO"]
        name = url_name(path)
        if name in SKIP_URL_NAMES:
            continue
        if name is None or name in read:
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        read[name] = (path, parser.text, parser.primary_actions)
        if depth >= DEPTH:
            continue
        for href in parser.links:
            link = urldefrag(href).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if any(part in parts.path for part in SKIP_URL_PARTS) or parts.path.startswith("/static/"):
                continue
            if link not in seen_paths:
                seen_paths.add(link)
                queue.append((link, depth + 1))
    return read


@pytest.mark.parametrize("role", list(DEMO_USERNAMES))
def test_the_pages_of_each_role_read_as_plain_words(client, seeded, role):  # noqa: F811
    users = get_user_model().objects.exclude(first_name="")
    usernames = set(users.values_list("username", flat=True))
    client.force_login(users.get(username=DEMO_USERNAMES[role]))

    # The home page and its links, and a search for a seeded offender (the data share's way in).
    pages = read_pages(client, "/", f"/offenders/?q={Offender.objects.order_by('pk')[0].family_name}")

    assert MAIN_PAGES[role] <= set(pages), f"not reached: {sorted(MAIN_PAGES[role] - set(pages))}"
    report = [
        f"{name} ({path}): {problem}"
        for name, (path, text, _) in sorted(pages.items())
        for problem in problems_in(text, usernames)
    ]
    assert not report, f"{len(report)} problem(s) on the pages of the {Role(role).label}:\n" + "\n".join(
        report
    )


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Allocation checklist (seed 002)", "a seed section outside hint text"),
        ("Initiating officer (C.4)", "a specification code"),
        ("Recommended (D.1) 6 Dec 2026", "a specification code"),
        ("Reason code: modification_check", "a raw code"),
        ("Why this allocation (optional) (optional)", "a doubled (optional)"),
        ("Has 1 cases at the office", "a wrong plural"),
        ("1 results", "a wrong plural"),
        ("Staff unavailabilitys", "a wrong plural"),
        ("Saved on 06 Dec 2026", "a day with a leading zero"),
        ("Saved on Dec. 6, 2026", "a date written the American way"),
        ("Allocated by manager on 6 Dec 2026", "a username for a name"),
    ],
)
def test_the_check_finds_each_kind_of_problem(text, problem):
    assert [found.split(":")[0] for found in problems_in(text, {"manager"})] == [problem]


@pytest.mark.parametrize(
    "text",
    [
        "1 case, 2 cases, 1 class, 1 status, 1 address",
        "Version 1.2 of the instrument; PRN 40000012; 6 Dec 2026, 14:05",
        "Allocated by Aroha Ngata to the Wellington team",
        "Read /api/v1/share/ with a credential; write to ioms@example.org",
    ],
)
def test_the_check_passes_plain_words(text):
    assert problems_in(text, {"manager"}) == []


def test_hint_text_may_cite_the_seed():
    parser = VisibleText()
    parser.feed(
        '<p>Checklist</p><p class="field__hint">As seed 002 says <a href="/x/">here</a>.</p><p>Done</p>'
    )
    assert parser.text == "Checklist Done"
    assert parser.links == ["/x/"]


def test_staff_are_named_by_their_full_name_and_by_their_username_only_when_they_have_none():
    named = staff_user(Role.PROBATION_OFFICER, username="aroha.n", first_name="Aroha", last_name="Ngata")
    unnamed = UserFactory(username="newstarter", first_name="", last_name="")

    assert staff_name(named) == "Aroha Ngata"
    assert staff_name(named.staff) == "Aroha Ngata"
    assert staff_name(unnamed) == "newstarter"
    assert staff_name(None) == ""
    assert staff_name("Aroha Ngata") == "Aroha Ngata"  # a document's context names people already


@pytest.mark.parametrize("role", list(DEMO_USERNAMES))
def test_the_pages_of_each_role_offer_at_most_one_primary_action(client, seeded, role):  # noqa: F811
    """GOV.UK: one primary button per page, the page's main action; the others are secondary (or a
    warning). Read over the same pages as the content check."""
    client.force_login(get_user_model().objects.get(username=DEMO_USERNAMES[role]))
    pages = read_pages(client, "/", f"/offenders/?q={Offender.objects.order_by('pk')[0].family_name}")

    assert MAIN_PAGES[role] <= set(pages), f"not reached: {sorted(MAIN_PAGES[role] - set(pages))}"
    crowded = [
        f"{name} ({path}): {len(primary)} primary buttons: {primary}"
        for name, (path, _, primary) in sorted(pages.items())
        if len(primary) > 1
    ]
    assert not crowded, "\n".join(crowded)


def test_the_primary_actions_of_a_page_are_its_buttons_without_a_secondary_or_warning_style():
    parser = VisibleText()
    parser.feed(
        '<a class="button" href="/a/">Save</a><button class="button button--secondary">Add</button>'
        '<button class="button button--danger">Cancel the review</button><input class="button" '
        'type="submit" value="Search"><dialog><button class="button">Stay signed in</button></dialog>'
    )
    assert parser.primary_actions == ["Save", "Search"]
