"""Times typed in one box (ioms.forms.TimeField): either clock, as people write them, never the
browser's locale-dependent time picker."""

import datetime

import pytest
from django import forms

from ioms.forms import TIME_HINT, TimeField, time_from_text, time_in_words


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("9:30am", datetime.time(9, 30)),
        ("9.30 a.m.", datetime.time(9, 30)),
        ("9am", datetime.time(9)),
        ("2pm", datetime.time(14)),
        ("12pm", datetime.time(12)),
        ("12am", datetime.time(0)),
        ("12:30am", datetime.time(0, 30)),
        ("midday", datetime.time(12)),
        ("Midnight", datetime.time(0)),
        ("14:00", datetime.time(14)),
        ("0930", datetime.time(9, 30)),
        ("7", datetime.time(7)),
        (" 23:59 ", datetime.time(23, 59)),
    ],
)
def test_a_time_is_read_as_people_write_it(typed, meant):
    assert time_from_text(typed) == meant


@pytest.mark.parametrize("typed", ["25:00", "13pm", "0am", "9:60", "9:5", "half past nine", "", "10:00:00"])
def test_what_is_not_a_real_time_is_not_guessed(typed):
    assert time_from_text(typed) is None


def test_a_time_is_shown_back_on_the_12_hour_clock():
    assert [time_in_words(datetime.time(*t)) for t in [(9, 5), (14, 30), (12, 0), (0, 0), (0, 15)]] == [
        "9:05am",
        "2:30pm",
        "midday",
        "midnight",
        "12:15am",
    ]


class AppointmentTime(forms.Form):
    starts = TimeField(label="Starts at", help_text="When the person is seen.")


def test_the_field_gives_its_hint_and_gov_uk_messages():
    form = AppointmentTime({"starts": "9:75"})
    assert not form.is_valid()
    assert form.errors["starts"] == ["Starts at must be a real time, for example 9:30am or 14:00"]
    assert AppointmentTime.base_fields["starts"].help_text == f"When the person is seen. {TIME_HINT}"
    assert AppointmentTime({"starts": ""}).errors["starts"] == ["Enter starts at"]
    html = str(AppointmentTime(initial={"starts": datetime.time(14)})["starts"])
    assert 'type="text"' in html and 'value="2:00pm"' in html and 'type="time"' not in html


def test_times_on_pages_are_written_as_the_boxes_show_them():
    from zoneinfo import ZoneInfo

    from ioms.templatetags.clock import clock

    nz = ZoneInfo("Pacific/Auckland")
    moment = datetime.datetime(2026, 12, 7, 14, 5, 31, tzinfo=nz)
    assert clock(moment.astimezone(datetime.UTC)) == "2:05pm"  # shown in New Zealand time
    assert clock(datetime.time(12)) == "midday"
    assert clock(None) == ""
