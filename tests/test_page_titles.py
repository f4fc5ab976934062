"""Issue 14 (WCAG 2.4.2): the title of any page whose form came back with errors starts "Error: ".
base.html asks records' error_prefix tag, which looks for a submitted form or formset with errors in
the page's context, so every form page gets the prefix without saying so itself."""

import pytest
from django import forms
from django.forms import formset_factory
from django.template import Context, Template

from staff.roles import Role

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def _prefix(**context) -> str:
    return Template("{% load page_structure %}{% error_prefix %}").render(Context(context))


def test_a_form_not_yet_submitted_or_submitted_well_gives_no_prefix():
    assert _prefix(form=NameForm()) == ""
    assert _prefix(form=NameForm({"name": "Aroha"})) == ""
    assert _prefix() == ""


def test_a_form_submitted_with_errors_gives_the_prefix_whatever_its_name():
    assert _prefix(form=NameForm({})) == "Error: "
    assert _prefix(correction_form=NameForm({})) == "Error: "


def test_forms_in_a_list_or_dict_and_formsets_are_looked_into():
    assert _prefix(forms=[NameForm(), NameForm({})]) == "Error: "
    assert _prefix(step_forms={"one": NameForm({})}) == "Error: "
    NameFormSet = formset_factory(NameForm)
    management = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
    assert _prefix(formset=NameFormSet({**management, "form-0-name": ""})) == ""  # an empty extra form
    assert _prefix(formset=NameFormSet({**management, "form-0-name": "x", "form-MIN_NUM_FORMS": "0"})) == ""
    assert _prefix(formset=NameFormSet({"form-TOTAL_FORMS": "x"})) == "Error: "  # a broken management form


def test_the_page_title_of_a_refused_form_starts_with_error(client, role_user):
    client.force_login(role_user(Role.ADMIN_SUPPORT, username="support"))
    page = client.post("/offenders/new/", {}).content.decode()
    assert "<title>Error: New offender record – IOMS</title>" in page
    page = client.get("/offenders/new/").content.decode()
    assert "<title>New offender record – IOMS</title>" in page
