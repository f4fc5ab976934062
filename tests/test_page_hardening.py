"""Every page of the access matrix runs under the Content-Security-Policy with nothing inline to
refuse, and answers 405 to a method it does not handle (issue 11). The records apps' pages are
checked in tests/web_records/test_page_hardening.py with the same helpers."""

import re
from pathlib import Path

import pytest

from staff.roles import Role
from tests import test_access_matrix as matrix
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

PAGES, _url = matrix.PAGES, matrix._url
objects = matrix.objects  # the matrix's fixture: the same records

INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "a <style> block": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "an inline event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
}


def inline_code_in(html: str) -> list[str]:
    return [
        f"{what}: {match.group(0)[:120]}"
        for what, pattern in INLINE.items()
        for match in pattern.finditer(html)
    ]


def role_allowed(allowed) -> str:
    """A role the page is for: the system administrator where allowed (sees the most), else another."""
    return Role.SYSTEM_ADMIN if Role.SYSTEM_ADMIN in allowed else sorted(allowed)[0]


def assert_page_runs_under_the_policy(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy, url
    if response["Content-Type"].startswith("text/html"):
        assert inline_code_in(response.content.decode()) == [], url


def assert_page_refuses_methods_it_does_not_handle(client, url: str) -> None:
    for method in ("delete", "put", "patch"):
        assert getattr(client, method)(url).status_code == 405, f"{method.upper()} {url}"


def test_the_inline_code_check_finds_what_the_policy_would_block():
    html = (
        '<script>alert(1)</script><script src="/static/js/ioms.js" defer></script>'
        '<p style="color:red" onclick="go()">x</p><style>p{}</style><a href="javascript:go()">y</a>'
    )
    found = inline_code_in(html)
    assert [entry.split(":")[0] for entry in found] == [
        "an inline <script>",
        "a <style> block",
        "a style attribute",
        "an inline event handler",
        "a javascript",
    ]


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[name for name, *_ in PAGES])
def test_each_page_has_no_inline_script_or_style_and_sends_the_policy(
    client, office, objects, name, kwargs, allowed
):
    client.force_login(staff_user(role_allowed(allowed), office=office))
    assert_page_runs_under_the_policy(client, _url(name, kwargs, objects))


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[name for name, *_ in PAGES])
def test_each_page_answers_405_to_delete_and_put(client, office, objects, name, kwargs, allowed):
    if name.startswith("api-"):
        pytest.skip("the API's own methods are in tests/api/test_access_matrix.py")
    client.force_login(staff_user(role_allowed(allowed), office=office))
    assert_page_refuses_methods_it_does_not_handle(client, _url(name, kwargs, objects))


def test_a_refused_user_gets_405_too_the_method_is_checked_before_the_record(client, office, objects):
    """The method is checked first (Django's require_http_methods wraps the view), so a DELETE is
    405 for everyone and never reaches an access gate or writes a refusal."""
    from audit.models import AuditAction, AuditEvent

    client.force_login(staff_user(Role.DATA_SHARE, office=office))
    url = _url("offenders:edit", {"pk": "offender"}, objects)
    assert client.get(url).status_code == 403
    assert client.delete(url).status_code == 405
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == 1, "only the refused GET"


def test_no_template_served_to_a_browser_holds_inline_code():
    """Every template, including pages tabled in the other apps' matrices: the policy would block
    inline code wherever it is. WeasyPrint's PDF templates never reach a browser and keep their <style>."""
    from django.conf import settings

    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    templates = [
        template
        for root in roots
        for template in root.rglob("*.html")
        if "pdf" not in template.relative_to(root).as_posix()
    ]
    assert len(templates) > 100
    found = {
        str(template.relative_to(settings.BASE_DIR)): problems
        for template in templates
        if (problems := inline_code_in(template.read_text()))
    }
    assert found == {}


def test_the_home_page_answers_405_to_post_put_and_delete(client, office):
    client.force_login(staff_user(Role.SERVICE_MANAGER, office=office))
    assert client.get("/").status_code == 200
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET"
