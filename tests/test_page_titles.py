"""Issue 14 (WCAG 2.4.2): the title of any page whose form came back with errors starts "Error: ".
base.html asks records' error_prefix tag, which looks for a submitted form or formset with errors in
the page's context, so every form page gets the prefix without saying so itself. And each page has a
title and an h1 of its own: a sentence plan and its forms are not titled as the Plans tab."""

import re

import pytest
from django import forms
from django.forms import formset_factory
from django.template import Context, Template
from django.urls import reverse

from plans.services import plan_create
from staff.roles import Role
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, staff_user

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


def _title_and_h1s(html: str) -> tuple[str, list[str]]:
    title = " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())
    h1s = [
        " ".join(re.sub(r"<[^>]+>", "", h1).split()) for h1 in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    ]
    return title, h1s


def test_a_sentence_plan_and_each_of_its_forms_have_a_title_and_an_h1_of_their_own(client, office):
    offender = OffenderFactory(family_name="Ngata", given_names="Aroha", home_office=office)
    officer = staff_user(Role.PROBATION_OFFICER, office=office, username="supervisor")
    AllocationFactory(offender=offender, staff=officer.staff)
    plan = plan_create(actor=officer, sentence=SentenceFactory(offender=offender))
    client.force_login(officer)
    paths = [reverse("plans:offender", kwargs={"offender_pk": offender.pk})] + [
        reverse(name, kwargs={"pk": plan.pk})
        for name in ("plans:detail", "plans:agree", "plans:close", "plans:category", "plans:objective_add")
    ]

    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = _title_and_h1s(response.content.decode())

    titles = [title for title, _ in pages.values()]
    assert len(set(titles)) == len(titles), titles
    for path, (title, h1s) in pages.items():
        assert title.endswith(" – NGATA, Aroha – IOMS"), (path, title)
        assert len(h1s) == 1, (path, h1s)
        assert title.startswith(h1s[0]), (path, title, h1s)
    h1s = [h1s[0] for _, h1s in pages.values()]
    assert len(set(h1s)) == len(h1s), h1s
    assert pages[paths[1]][1] == [
        f"Sentence plan: {plan.sentence.get_sentence_type_display().lower()} from "
        f"{plan.sentence.start_date:%-d %b %Y}"
    ]
