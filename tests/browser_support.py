"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright through the real pages.
Nothing is downloaded: Playwright is pointed at the system browser, with its network chatter off.

The helpers every browser test shares: a page per test, signing in (with the mouse or the keyboard
alone), axe, the check of a whole page at 1280 px and at 320 px (check_page), and the keyboard:
tab_to a control (every stop on the way shows its focus, the focus is never trapped), choose an
option or a radio with the arrow keys, type a date, follow a link or a button with Enter."""

import datetime
import os
import shutil

import pytest

CHROMIUM = os.environ.get("IOMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in
# its own thread, and the test's own ORM calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; .ci/run installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser context (no cookies) on the live server, in New Zealand English."""
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    browser_page = context.new_page()
    browser_page.set_default_timeout(15_000)
    yield browser_page
    context.close()


def log_in(page, username: str, password: str) -> None:
    """Sign in through the login page, and through the one-time code step when the user is asked
    for one (a system administrator sets up an app first: its key is read off the page)."""
    from tests.signin_support import code_for_secret, code_for_user

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/second-factor/set-up/" in page.url:
        page.get_by_label("Code from the app").fill(code_for_secret(page.locator("#otp-secret").inner_text()))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept my recovery codes: continue").click()
        page.wait_for_load_state("networkidle")
    elif "/accounts/second-factor/" in page.url:
        page.get_by_label("Code", exact=True).fill(code_for_user(username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("networkidle")


def assert_accessible(page, *, context: str) -> None:
    """Run axe-core (shipped inside axe-playwright-python, no network) and fail on serious or
    critical violations, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    # A click that navigates returns once the new page is committed, not loaded: axe must see
    # the whole new page, not a half-parsed one (or the old one).
    page.wait_for_load_state()
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in {"moderate", "serious", "critical"}
    ]
    details = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:5])
        for violation in serious
    )
    assert not serious, f"Accessibility violations on {context}:\n{details}"


def wait_until(page, expression: str, *, seconds: float = 5) -> None:
    """Until the JavaScript `expression` is true in the page, for at most `seconds`, else fail.
    page.wait_for_function would evaluate the string inside the page, which the portal's CSP
    refuses (no 'unsafe-eval'); page.evaluate goes through the debugging protocol instead."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def fill_date(page, legend: str, day: datetime.date, *, exact: bool = False) -> None:
    """Type `day` into the day, month and year boxes of the date whose legend is `legend` (the
    GOV.UK date input of ioms.forms), as a person would: 6, 12, 2026."""
    group = page.get_by_role("group", name=legend, exact=exact)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


# --- a whole page at both widths ---------------------------------------------------------------------

# A 1280 px screen, and the same at 400 % zoom (or a phone): WCAG 1.4.10 reflow.
WIDTHS = ({"width": 1280, "height": 800}, {"width": 320, "height": 720})

# A table box that scrolls sideways is made focusable by static/js/navigation.js, 150 ms after the
# window is resized (it waits for the resizing to stop).
TABLES_SETTLED = """[...document.querySelectorAll('.table-wrap')]
  .every(box => box.scrollWidth <= box.clientWidth + 1 || box.hasAttribute('tabindex'))"""

# The menu folds behind its Menu button up to 40rem wide (static/js/navigation.js).
MENU_MATCHES_WIDTH = """(() => {
  const toggle = document.querySelector(".site-nav__toggle");
  return !toggle || toggle.hidden === !window.matchMedia("(max-width: 40rem)").matches;
})()"""


def wait_for_the_tables(page, *, seconds: float = 2) -> None:
    """Until each table box that scrolls can take the focus, for at most `seconds` (then axe says
    which does not)."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(TABLES_SETTLED):
            return
        page.wait_for_timeout(50)


def check_page(page, where: str) -> None:
    """The page as it is now, at 1280 px and at 320 px: it has one h1, axe finds no violation, and
    the page does not scroll sideways as a whole (a wide table scrolls in its own box). The journey's
    own width is put back after, and the menu has folded or unfolded to match it."""
    journey_width = page.viewport_size
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).count() == 1, f"{where}: not one h1"
    for size in WIDTHS:
        page.set_viewport_size(size)
        wait_for_the_tables(page)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{where} scrolls sideways at {size['width']} px ({scroll} px wide)"
        assert_accessible(page, context=f"{where} at {size['width']} px")
    page.set_viewport_size(journey_width)
    # The menu folds and unfolds on the media query's change event, which the browser sends with its
    # next frame, not with the resize: wait until the menu matches the width before going on.
    wait_until(page, MENU_MATCHES_WIDTH)


# --- the keyboard ------------------------------------------------------------------------------------

# GOV.UK's focus colour as the browser reports it.
FOCUS_YELLOW = "rgb(255, 221, 0)"

# Why the focused element does not show it (the GOV.UK yellow ring or highlight), or "".
FOCUS_PROBLEM = """(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return "focus went nowhere";
  const name = el.tagName.toLowerCase() + " "
    + (el.textContent || el.name || el.id || "").trim().slice(0, 60);
  // Chromium's own calendar button inside a date or time field, with Chromium's own focus ring.
  if (["date", "datetime-local", "time"].includes(el.type) && !el.matches(":focus")) return "";
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return "an invisible element has the focus: " + name;
  const style = getComputedStyle(el);
  const yellow = "YELLOW";
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
                && style.outlineColor === yellow)
    || style.backgroundColor === yellow || style.boxShadow.includes(yellow);
  return ring ? "" : "no visible focus on " + name;
})()""".replace("YELLOW", FOCUS_YELLOW)

# Whether the focus is on the element it was on at the last look (kept on the window: the page's
# own scripts never see it, and page.evaluate is not refused by the CSP as eval would be).
FOCUS_STAYED = """(() => {
  const stayed = document.activeElement === window.__focusAtLastLook;
  window.__focusAtLastLook = document.activeElement;
  return stayed;
})()"""

# Chromium moves the focus through a date or time field's own parts (day, month, year; hours,
# minutes) with Tab, the field itself keeping the focus.
FIELD_WITH_PARTS = "['date', 'time', 'datetime-local', 'month', 'week'].includes(document.activeElement.type)"


def focused(page, expression: str):
    """`expression` evaluated on the focused element, `el`."""
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def tab_to(page, target, *, what: str | None = None, limit: int = 250) -> None:
    """Press Tab until the focus is on `target`: a Playwright locator, or a JavaScript predicate on
    the focused element `el`. An element that already has the focus (a field the page focuses)
    counts. Every element the focus passes shows it (the GOV.UK yellow), and the focus moves on each
    press: a trap, a control without a visible focus or a page without a way forward fails here.
    Past the page's last element the focus leaves the page once, then starts again from the top."""
    if isinstance(target, str):
        what = what or f"an element where {target}"
        predicate = (
            "(() => { const el = document.activeElement;"
            f" return !!el && el !== document.body && ({target}); }})()"
        )

        def arrived() -> bool:
            return page.evaluate(predicate)
    else:
        what = what or str(target)
        handle = target.element_handle()

        def arrived() -> bool:
            return page.evaluate("(target) => document.activeElement === target", handle)

    page.evaluate(FOCUS_STAYED)
    left_the_page = 0
    for _ in range(limit):
        if arrived():
            problem = page.evaluate(FOCUS_PROBLEM)
            assert not problem, f"at {what}: {problem}"
            return
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_PROBLEM)
        if problem == "focus went nowhere":
            left_the_page += 1
            assert left_the_page < 2, f"tabbing to {what}: went round the page and never found it"
            continue
        assert not problem, f"tabbing to {what}: {problem}"
        if page.evaluate(FOCUS_STAYED) and not page.evaluate(FIELD_WITH_PARTS):
            trapped = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
            raise AssertionError(f"tabbing to {what}: the focus is trapped on {trapped}")
    raise AssertionError(f"Tab never reached {what}")


def js_text(text: str) -> str:
    """`text` inside a JavaScript string in single quotes."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def text_is(text: str) -> str:
    """A tab_to predicate: the focused element's text (spaces folded) is `text`."""
    return f"el.textContent.replace(/\\s+/g, ' ').trim() === '{js_text(text)}'"


def tab_to_link(page, text: str) -> None:
    tab_to(
        page, f"el.tagName === 'A' && el.textContent.includes('{js_text(text)}')", what=f"the link {text!r}"
    )


def tab_to_button(page, text: str) -> None:
    tab_to(
        page,
        f"el.tagName === 'BUTTON' && el.textContent.includes('{js_text(text)}')",
        what=f"the button {text!r}",
    )


def tab_to_field(page, label: str) -> None:
    """The form field whose label is exactly `label` (a required field's label may add a mark)."""
    tab_to(
        page,
        "el.labels && [...el.labels].some(label => "
        f"label.textContent.trim().replace(/\\s*\\(optional\\)$/, '') === '{js_text(label)}')",
        what=f"the field {label!r}",
    )


def follow(page, key: str = "Enter") -> None:
    """Press a key on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def press(page, target) -> None:
    """Tab to a link or a button (as tab_to) and press Enter on it, to the page it leads to."""
    tab_to(page, target)
    follow(page)


def choose(page, select, value: str) -> None:
    """Tab to a <select> (a locator) and move through its options with the arrow keys to `value`."""
    tab_to(page, select)
    for _ in range(200):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} never reached with the arrow keys")


def choose_radio(page, radio) -> None:
    """Tab into the radio group (the focus lands on its first or checked button), then move with
    the arrow keys until `radio` (a locator) is checked."""
    name = radio.get_attribute("name")
    tab_to(page, f"el.name === '{js_text(name)}'", what=f"the {name} radio buttons")
    for _ in range(20):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{radio} never checked with the arrow keys")


def type_date(page, legend: str, day: datetime.date) -> None:
    """Type a date as a keyboard user does: Tab to the Day box of the date called `legend`, type the
    day, Tab, the month, Tab, the year (GOV.UK date input: no browser date picker to fight)."""
    group = page.get_by_role("group", name=legend)
    tab_to(page, group.get_by_label("Day", exact=True))
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))
    typed = [group.get_by_label(part, exact=True).input_value() for part in ("Day", "Month", "Year")]
    assert typed == [str(day.day), str(day.month), str(day.year)], typed


def keyboard_log_in(page, username: str, password: str) -> None:
    """Sign in with the keyboard alone: Tab to each field, type, Enter."""
    page.goto("/accounts/login/")
    page.get_by_role("heading", level=1).wait_for()
    tab_to_field(page, "Username")
    page.keyboard.type(username)
    tab_to_field(page, "Password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.wait_for_load_state("load")
