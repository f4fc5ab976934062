"""Dates are read and written day first, as in New Zealand (ioms/formats/en_NZ): Django has no en_NZ
locale, and its plain "en" formats read "06/12/2026" as 12 June."""

import datetime

import pytest
from django import forms
from django.template import Context, Template

pytestmark = pytest.mark.django_db


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("typed", ["06/12/2026", "6/12/2026", "2026-12-06", "06-12-2026", "6 Dec 2026"])
def test_a_date_typed_day_first_is_read_day_first(typed):
    form = DateForm({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 6)


def test_a_month_first_date_is_not_read_as_one():
    assert not DateForm({"day": "12/31/2026"}).is_valid()


def test_a_date_printed_without_a_format_is_written_day_first():
    assert Template("{{ day|date }}").render(Context({"day": datetime.date(2026, 12, 6)})) == "6 Dec 2026"
