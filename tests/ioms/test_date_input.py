"""The day/month/year date (GOV.UK "Date input", ioms.forms): what it reads, the messages it gives,
how it shows itself again after an error, and that every date on every browser form uses it."""

import datetime
import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.http import QueryDict

from ioms.forms import DateField, DateInput, DateParts, date_from_parts

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class BirthForm(forms.Form):
    date_of_birth = DateField(label="Date of birth")
    left_on = DateField(label="Left on", required=False)


def _posted(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data[name] = value
    return data


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attributes = dict(attrs)
            self.inputs[attributes["name"]] = attributes


def _inputs(html: str) -> dict[str, dict[str, str | None]]:
    """The <input>s of `html` by name, each as its attributes."""
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def _birth(day="", month="", year="") -> BirthForm:
    return BirthForm(_posted(date_of_birth_day=day, date_of_birth_month=month, date_of_birth_year=year))


# --- Reading the three boxes ---------------------------------------------------------------------


def test_three_boxes_make_a_date():
    form = _birth("27", "3", "2007")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2007, 3, 27)


def test_spaces_around_the_numbers_and_leading_zeros_are_ignored():
    form = _birth(" 06 ", "12 ", " 2026")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("27", "", "2007", "Date of birth must include a month"),
        ("", "3", "2007", "Date of birth must include a day"),
        ("27", "3", "", "Date of birth must include a year"),
        ("", "", "2007", "Date of birth must include a day and month"),
        ("27", "", "", "Date of birth must include a month and year"),
        ("31", "2", "2026", "Date of birth must be a real date"),
        ("1", "13", "2026", "Date of birth must be a real date"),
        ("x", "3", "2007", "Date of birth must be a real date"),
        ("27", "3", "07", "Year must include 4 numbers"),
        ("27", "3", "20071", "Year must include 4 numbers"),
    ],
)
def test_a_date_that_is_not_whole_or_not_real_says_what_is_wrong(day, month, year, message):
    form = _birth(day, month, year)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_a_two_digit_year_is_refused_not_guessed():
    assert isinstance(date_from_parts("27", "3", "26"), DateParts)


def test_nothing_typed_in_a_required_date_asks_for_it_and_an_optional_one_is_empty():
    form = _birth()
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Enter date of birth"]
    assert "left_on" not in form.errors
    assert _birth("1", "2", "1990").is_valid()

    class Move(forms.Form):
        on = DateField(label="Moves on")

    assert Move(_posted(on_day="", on_month="", on_year="")).errors["on"] == ["Enter the date"]


def test_a_form_keeps_its_own_message_for_a_missing_date():
    class AddressForm(forms.Form):
        started_on = DateField(label="Lived here from", error_messages={"required": "Enter the date."})

    form = AddressForm(_posted(started_on_day="", started_on_month="", started_on_year=""))
    assert form.errors["started_on"] == ["Enter the date."]


def test_a_single_iso_date_under_the_fields_own_name_still_works():
    form = BirthForm(_posted(date_of_birth="2026-12-06"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2026, 12, 6)
    assert BirthForm(_posted(date_of_birth="2026-02-31")).errors["date_of_birth"] == ["Enter a valid date."]


def test_a_plain_django_date_field_refuses_an_unfinished_date_rather_than_misreading_it():
    # A form written elsewhere with forms.DateField(widget=DateInput): the typed text never parses.
    class Plain(forms.Form):
        on = forms.DateField(widget=DateInput)

    assert Plain(_posted(on_day="3", on_month="4", on_year="26")).errors["on"] == ["Enter a valid date."]
    assert Plain(_posted(on_day="3", on_month="4", on_year="2026")).is_valid()


def test_a_date_left_out_of_a_post_counts_as_omitted_for_model_forms():
    widget = DateInput()
    assert widget.value_omitted_from_data({}, {}, "on")
    assert not widget.value_omitted_from_data({"on_year": ""}, {}, "on")
    assert not widget.value_omitted_from_data({"on": "2026-01-01"}, {}, "on")


# --- Showing it ----------------------------------------------------------------------------------


def test_the_boxes_are_labelled_numeric_and_sized_for_what_they_hold():
    html = BirthForm(initial={"date_of_birth": datetime.date(2007, 3, 27)})["date_of_birth"].as_widget()
    inputs = _inputs(html)
    assert list(inputs) == ["date_of_birth_day", "date_of_birth_month", "date_of_birth_year"]
    for part, label, width, value in (
        ("day", "Day", 2, "27"),
        ("month", "Month", 2, "3"),
        ("year", "Year", 4, "2007"),
    ):
        assert f'<label class="date-input__label" for="id_date_of_birth_{part}">{label}</label>' in html
        assert inputs[f"date_of_birth_{part}"] == {
            "class": f"date-input__input date-input__input--width-{width}",
            "id": f"id_date_of_birth_{part}",
            "name": f"date_of_birth_{part}",
            "type": "text",
            "inputmode": "numeric",
            "value": value,
            "required": None,
        }


def test_autocomplete_names_each_part_when_asked():
    inputs = _inputs(DateInput(autocomplete="bday").render("born", datetime.date(2000, 1, 2)))
    assert [attributes["autocomplete"] for attributes in inputs.values()] == [
        "bday-day",
        "bday-month",
        "bday-year",
    ]


def _marked(html: str) -> list[str]:
    return [name for name, attributes in _inputs(html).items() if attributes.get("aria-invalid") == "true"]


def test_after_an_error_the_typed_parts_come_back_and_only_the_wrong_part_is_marked():
    inputs = _inputs(_birth("27", "", "2007")["date_of_birth"].as_widget())
    assert [attributes["value"] for attributes in inputs.values()] == ["27", "", "2007"]
    assert _marked(_birth("27", "", "2007")["date_of_birth"].as_widget()) == ["date_of_birth_month"]
    assert _marked(_birth("", "", "2007")["date_of_birth"].as_widget()) == [
        "date_of_birth_day",
        "date_of_birth_month",
    ]
    assert _marked(_birth("27", "3", "07")["date_of_birth"].as_widget()) == ["date_of_birth_year"]


def test_an_impossible_day_marks_the_day_and_a_rule_about_the_whole_date_marks_all_three():
    assert _marked(_birth("31", "2", "2026")["date_of_birth"].as_widget()) == ["date_of_birth_day"]
    assert _marked(_birth("1", "13", "2026")["date_of_birth"].as_widget()) == ["date_of_birth_month"]

    class Past(BirthForm):
        def clean_date_of_birth(self):
            raise forms.ValidationError("Date of birth must be in the past")

    past = Past(_posted(date_of_birth_day="1", date_of_birth_month="1", date_of_birth_year="2999"))
    assert not past.is_valid()
    assert len(_marked(past["date_of_birth"].as_widget())) == 3
    assert _marked(_birth("1", "1", "1990")["date_of_birth"].as_widget()) == []


def test_the_form_template_gives_a_fieldset_whose_legend_is_the_label_and_a_hint():
    from django.template.loader import render_to_string

    html = render_to_string("includes/form.html", {"form": _birth("27", "", "2007")})
    assert '<legend class="field__label">Date of birth</legend>' in html
    assert '<legend class="field__label">Left on <span class="optional">(optional)</span></legend>' in html
    assert '<div class="field__hint" id="id_date_of_birth_hint">For example, 27 3 2007</div>' in html
    assert 'aria-describedby="id_date_of_birth_hint id_date_of_birth_error"' in html
    assert '<a href="#id_date_of_birth_day">Date of birth — Date of birth must include a month</a>' in html
    assert 'for="id_date_of_birth"' not in html  # no <label> pointing at the group


# --- Every browser form uses it ------------------------------------------------------------------

APPS = sorted(
    path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in {"tests", "scripts"}
)


def _form_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if module.name.rsplit(".", 1)[-1].startswith("forms") or module.name.endswith(".views"):
                importlib.import_module(module.name)
    importlib.import_module("ioms.forms")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_on_a_browser_form_is_typed_as_day_month_and_year():
    _form_modules()
    ours = [
        form
        for form in set(_subclasses(forms.BaseForm))
        if form.__module__.split(".")[0] in APPS and form.__module__ != __name__
    ]
    assert len(ours) > 30, "the forms of the apps were found"
    plain_dates = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in ours
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField) and not isinstance(field, DateField)
    ]
    assert not plain_dates, "use ioms.forms.DateField (or Meta.formfield_callback = date_formfield)"
    # A time, or a date and time, is never the browser's own (locale-dependent) box either.
    plain_times = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in ours
        for name, field in form.base_fields.items()
        if isinstance(field, (forms.TimeField, forms.DateTimeField, forms.SplitDateTimeField))
    ]
    assert not plain_times, "use ioms.forms.TimeField (and a DateField for the day)"
    date_fields = [
        field for form in ours for field in form.base_fields.values() if isinstance(field, DateField)
    ]
    assert len(date_fields) > 40 and all(isinstance(field.widget, DateInput) for field in date_fields)


PICKERS = re.compile(r'type="(date|time|datetime-local)"')


def test_no_template_asks_for_the_browsers_own_date_or_time_picker():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/templates/**/*.html")
        if PICKERS.search(path.read_text())
    ] + [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").glob("**/*.html")
        if PICKERS.search(path.read_text())
    ]
    assert not offenders
