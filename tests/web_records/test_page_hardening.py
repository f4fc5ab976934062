"""The records apps' pages under the Content-Security-Policy and answering 405 to methods they do not
handle (the checks: tests/test_page_hardening.py)."""

import pytest

from tests.test_page_hardening import (
    assert_page_refuses_methods_it_does_not_handle,
    assert_page_runs_under_the_policy,
    role_allowed,
)
from tests.web_records import test_access_matrix as matrix

pytestmark = pytest.mark.django_db

PAGES, _url = matrix.PAGES, matrix._url
objects = matrix.objects  # the matrix's fixture: the same records


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[name for name, *_ in PAGES])
def test_each_page_has_no_inline_script_or_style_and_sends_the_policy(
    as_user, role_user, objects, name, kwargs, allowed
):
    client = as_user(role_user(role_allowed(allowed)))
    assert_page_runs_under_the_policy(client, _url(name, kwargs, objects))


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[name for name, *_ in PAGES])
def test_each_page_answers_405_to_delete_and_put(as_user, role_user, objects, name, kwargs, allowed):
    client = as_user(role_user(role_allowed(allowed)))
    assert_page_refuses_methods_it_does_not_handle(client, _url(name, kwargs, objects))
