"""Browser-test fixtures; the shared Chromium session and helpers live in tests/browser_support.py."""

import pytest

from tests.browser_support import assert_accessible, log_in  # noqa: F401 (used by the tests here)


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-NZ")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
