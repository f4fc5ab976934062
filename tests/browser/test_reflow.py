"""Reflow and the main menu in a real browser (issue 14, "Navigation" and "Reflow"): at 320 px wide
(as at 400 % zoom of a 1280 px screen) each role's main pages do not scroll sideways as a whole, a
wide table scrolls in its own box, the menu folds behind a Menu button worked by keyboard, focus is
black on yellow, and axe finds nothing on any page."""

import pytest
from django.urls import reverse

from allocation.models import AllocateRequest
from staff.models import OfficeKind
from staff.roles import Role
from tests.allocation.helpers import ensure_weights, record_sentence
from tests.browser_support import FOCUS_YELLOW, assert_accessible, log_in, wait_until
from tests.classification.factories import days_ago
from tests.classification.test_schedule import classify, serving
from tests.factories import OffenderFactory, OfficeFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
NARROW = {"width": 320, "height": 720}
WIDE = {"width": 1280, "height": 720}
# GOV.UK's focus text colour (on its yellow) as the browser reports it.
FOCUS_TEXT = "rgb(11, 12, 12)"


@pytest.fixture
def offices(db):
    ensure_weights()
    community = OfficeFactory(
        kind=OfficeKind.PROBATION, name="Wellington Community Corrections", code="WLG01"
    )
    prison = OfficeFactory(kind=OfficeKind.PRISON, name="Rimutaka Prison", code="RIM01")
    return community, prison


@pytest.fixture
def people(offices):
    """Staff of both offices, requests waiting in the community office's queue, and prisoners overdue
    a classification review at the prison: every wide table on the pages has rows."""
    community, prison = offices
    users = {
        Role.PROBATION_OFFICER: staff_user(Role.PROBATION_OFFICER, office=community, username="po"),
        Role.SERVICE_MANAGER: staff_user(Role.SERVICE_MANAGER, office=community, username="sm"),
        Role.PRISON_OFFICER: staff_user(Role.PRISON_OFFICER, office=prison, username="pr"),
        Role.RECOMMENDING_OFFICER: staff_user(Role.RECOMMENDING_OFFICER, office=prison, username="ro"),
        Role.ADMIN_SUPPORT: staff_user(Role.ADMIN_SUPPORT, office=community, username="as"),
        Role.DATA_SHARE: staff_user(Role.DATA_SHARE, office=community, username="ds"),
        Role.SYSTEM_ADMIN: staff_user(Role.SYSTEM_ADMIN, office=community, username="sa"),
    }
    offenders = []
    for family_name in ("Tamihana-Whakarongotai", "Featherstonehaugh"):
        offender = OffenderFactory(family_name=family_name, home_office=community)
        record_sentence(users[Role.SERVICE_MANAGER], offender)
        offenders.append(offender)
    assert AllocateRequest.objects.filter(office=community).count() == 2
    prisoners = []
    for _ in range(2):
        prisoner = serving(prison, years=3)
        classify(prisoner, effective_on=days_ago(200))
        prisoners.append(prisoner)
    return users, offenders, prisoners


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_pages(page, paths: dict[str, str], *, who: str) -> dict[str, str]:
    """Open each page at the current width; the pages that scroll sideways, with the width they need.
    Each page is also checked with axe."""
    too_wide = {}
    for name, path in paths.items():
        response = page.goto(path)
        assert response.status == 200, f"{who}: {name} answered {response.status}"
        page.wait_for_load_state("load")
        if not fits_the_screen(page):
            too_wide[name] = page.evaluate("document.documentElement.scrollWidth")
        assert_accessible(page, context=f"{who}'s {name} at {page.viewport_size['width']} px")
    return too_wide


def role_pages(role, offenders, prisoners, prison_id) -> dict[str, str]:
    record = reverse("offenders:detail", kwargs={"pk": offenders[0].pk})
    prisoner = reverse("offenders:detail", kwargs={"pk": prisoners[0].pk})
    return {
        Role.PROBATION_OFFICER: {
            "home page": "/",
            "muster list": reverse("muster:mine"),
            "offender record": record,
            "caseload": reverse("allocation:caseload"),
        },
        Role.SERVICE_MANAGER: {
            "home page": "/",
            "allocation queue": reverse("allocation:queue"),
            "muster list": reverse("muster:mine"),
            "offender record": record,
        },
        Role.PRISON_OFFICER: {
            "home page": "/",
            "classification due list": reverse("classification:due"),
            "classification reviews": reverse("classification:reviews"),
            "prisoner's record": prisoner,
        },
        Role.RECOMMENDING_OFFICER: {
            "home page": "/",
            "allocation queue": reverse("allocation:queue"),
            "classification due list": reverse("classification:due") + "?show=all",
        },
        Role.ADMIN_SUPPORT: {
            "home page": "/",
            "muster list": reverse("muster:mine"),
            "exceptions report": reverse("reconciliation:report"),
            "offender record": record,
        },
        Role.DATA_SHARE: {
            "home page": "/",
            "search": reverse("offenders:search") + "?q=Featherstonehaugh",
        },
        Role.SYSTEM_ADMIN: {
            "home page": "/",
            "muster list": reverse("muster:mine"),
            "allocation queue": reverse("allocation:queue"),
            "classification due list": f"{reverse('classification:due')}?prison={prison_id}&show=all",
            "scoring instrument": reverse("classification:instruments"),
        },
    }[role]


@pytest.mark.parametrize(
    "role",
    [
        Role.PROBATION_OFFICER,
        Role.SERVICE_MANAGER,
        Role.ADMIN_SUPPORT,
        Role.PRISON_OFFICER,
        Role.RECOMMENDING_OFFICER,
        Role.DATA_SHARE,
        Role.SYSTEM_ADMIN,
    ],
)
def test_each_roles_main_pages_fit_a_320_px_screen_without_sideways_scrolling(page, offices, people, role):
    users, offenders, prisoners = people
    page.set_viewport_size(NARROW)
    log_in(page, users[role].username, PASSWORD)

    pages = role_pages(role, offenders, prisoners, prison_id=offices[1].pk)
    too_wide = check_pages(page, pages, who=Role(role).label)

    assert too_wide == {}


def test_a_wide_table_scrolls_in_its_own_named_box_that_the_keyboard_can_reach(page, people):
    users, _, _ = people
    page.set_viewport_size(NARROW)
    log_in(page, "sm", PASSWORD)

    page.goto(reverse("allocation:queue"))

    box = page.locator(".table-wrap", has=page.locator("#queue"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth"), "the queue is wider than 320 px"
    assert fits_the_screen(page)
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    assert "scrolls sideways" in box.get_attribute("aria-label")
    box.focus()
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('#queue').parentElement.scrollLeft > 0")


def test_the_menu_folds_behind_a_menu_button_worked_by_keyboard(page, people):
    page.set_viewport_size(NARROW)
    log_in(page, "sm", PASSWORD)
    page.goto("/")
    button = page.get_by_role("button", name="Menu")
    menu = page.locator("#site-nav-list")

    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible(), "at 320 px the menu starts folded"

    # Tab from the top of the page: the skip link, the service name, then the Menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-nav-list"
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
    assert fits_the_screen(page)

    page.keyboard.press("Tab")
    home = page.get_by_role("link", name="Home", exact=True).first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Home"
    # The focus style of the GOV.UK Design System: black text on yellow (not white on yellow).
    assert home.evaluate("el => getComputedStyle(el).backgroundColor") == FOCUS_YELLOW
    assert home.evaluate("el => getComputedStyle(el).color") == FOCUS_TEXT

    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-nav-list"

    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
    assert_accessible(page, context="the home page at 320 px with the menu open")
    page.keyboard.press("Space")
    assert not menu.is_visible()

    # Wider than 640 px the whole menu shows and the button goes.
    page.set_viewport_size(WIDE)
    wait_until(page, "!document.querySelector('#site-nav-list').hidden")
    assert menu.is_visible() and not button.is_visible()


def test_a_focused_menu_link_is_black_on_yellow_at_full_width(page, people):
    page.set_viewport_size(WIDE)
    log_in(page, "po", PASSWORD)
    page.goto(reverse("muster:mine"))

    muster = page.locator("#site-nav-list").get_by_role("link", name="Muster list")
    muster.focus()

    assert muster.get_attribute("aria-current") == "page"
    assert muster.evaluate("el => getComputedStyle(el).backgroundColor") == FOCUS_YELLOW
    assert muster.evaluate("el => getComputedStyle(el).color") == FOCUS_TEXT
    assert muster.evaluate("el => getComputedStyle(el).borderBottomColor") == FOCUS_TEXT


def test_without_the_script_the_whole_menu_shows_at_320_px(chromium_browser, live_server, people):
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="en-NZ", java_script_enabled=False, viewport=NARROW
    )
    try:
        page = context.new_page()
        log_in(page, "po", PASSWORD)
        page.goto("/")
        assert page.locator("#site-nav-list").is_visible()
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.locator("#site-nav-list").get_by_role("link", name="Muster list").is_visible()
        assert fits_the_screen(page)
    finally:
        context.close()
