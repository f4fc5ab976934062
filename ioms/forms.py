"""Form helpers shared by every app's views."""

import datetime
import re
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def posted(request):
    """A form view's data: the post, bound even when it is empty (a form posted with nothing chosen
    shows its errors, where `request.POST or None` would redisplay it as if never sent); None on GET."""
    return request.POST if request.method == "POST" else None


def add_service_errors(form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None):
    """Put the messages of a service's ValidationError on `form`: each under the form field of the
    same name (or the name `fields` maps it to), the rest at the top of the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        target = fields.get(name, name)
        messages = [message for item in errors for message in item.messages]
        if target in form.fields:
            form.add_error(target, messages)
        elif name == "__all__":
            form.add_error(None, messages)
        else:
            label = name.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {message}" for message in messages])


# --- Dates as three boxes -------------------------------------------------------------------------
# The GOV.UK Design System "Date input": day, month and year typed into three labelled boxes. The
# browser's <input type="date"> shows its picker in the computer's locale (mm/dd/yyyy on many New
# Zealand machines), so a date typed there can be read the American way round; three boxes cannot.

DATE_PARTS = ("day", "month", "year")
_PART_LABELS = {"day": "Day", "month": "Month", "year": "Year"}
_PART_WIDTHS = {"day": 2, "month": 2, "year": 4}
_ISO_PARTS = re.compile(r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})\s*$")


class DateParts(str):
    """What was typed into the three boxes when it does not make a date. A str (that no date format
    reads), so that a plain forms.DateField still refuses it; DateField reads the parts to say what
    is wrong, and DateInput to mark only the wrong boxes."""

    day: str
    month: str
    year: str

    def __new__(cls, day: str, month: str, year: str):
        typed = super().__new__(cls, f"day {day!r} month {month!r} year {year!r}")
        typed.day, typed.month, typed.year = day, month, year
        return typed

    def problem(self) -> tuple[str, tuple[str, ...]]:
        """What is wrong ("missing", "year_digits" or "not_real") and which parts are wrong."""
        parts = {"day": self.day, "month": self.month, "year": self.year}
        missing = tuple(part for part in DATE_PARTS if not parts[part])
        if missing:
            return "missing", missing
        not_numbers = tuple(part for part in DATE_PARTS if not _is_number(parts[part]))
        if not_numbers:
            return "not_real", not_numbers
        if len(self.year) != 4:
            return "year_digits", ("year",)
        out_of_range = tuple(
            part
            for part, highest in (("day", 31), ("month", 12))
            if len(parts[part]) > 2 or not 1 <= int(parts[part]) <= highest
        )
        # Otherwise a day past the end of its month (31 2 2026): the day is the wrong part.
        return "not_real", out_of_range or ("day",)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def date_from_parts(day: str, month: str, year: str) -> datetime.date | DateParts | None:
    """The date the three boxes make (None when all are blank), or the DateParts when they do not
    make one. Spaces around a number are ignored; a year must have four digits ("26" is refused,
    not guessed to be 2026 or 1926)."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return None
    if (
        all(_is_number(part) for part in (day, month, year))
        and len(year) == 4
        and len(day) <= 2
        and len(month) <= 2
    ):
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
    return DateParts(day, month, year)


class DateInput(forms.Widget):
    """Day, month and year boxes (GOV.UK "Date input"). Rendered inside a fieldset whose legend is
    the field's label (includes/form.html does that for every widget with use_fieldset).

    Reads the three boxes `<name>_day`, `<name>_month`, `<name>_year`; when none was sent it reads a
    single ISO date under `<name>` itself, so scripted posts and tests (`started_on=2026-12-06`)
    keep working. `autocomplete="bday"` gives the boxes bday-day, bday-month and bday-year: only for
    a person's own date of birth (staff typing an offender's would be offered their own)."""

    use_fieldset = True
    hint = "For example, 27 3 2007"

    def __init__(self, attrs=None, *, autocomplete: str | None = None):
        super().__init__(attrs)
        self.autocomplete = autocomplete

    def value_from_datadict(self, data, files, name):
        parts = [data.get(f"{name}_{part}") for part in DATE_PARTS]
        if all(part is None for part in parts):
            return data.get(name)
        value = date_from_parts(*(part or "" for part in parts))
        return "" if value is None else value

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part in DATE_PARTS)

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_

    def parts_of(self, value) -> dict[str, str]:
        """The text to show in each box for a value: a date, an ISO string or what was typed."""
        if isinstance(value, DateParts):
            return {"day": value.day, "month": value.month, "year": value.year}
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, str) and (match := _ISO_PARTS.match(value)):
            year, month, day = match.groups()
            return {"day": day.lstrip("0") or day, "month": month.lstrip("0") or month, "year": year}
        return dict.fromkeys(DATE_PARTS, "")

    def wrong_parts(self, value, attrs) -> tuple[str, ...]:
        if attrs.get("aria-invalid") != "true":
            return ()
        if isinstance(value, DateParts):
            return value.problem()[1]
        return DATE_PARTS  # a rule about the whole date (in the past, after the start): all three

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", None) or f"id_{name}"
        wrong = self.wrong_parts(value, attrs)
        shown = self.parts_of(value)
        # Everything else given to the widget (required, disabled, a page script's data-*) goes on
        # each box; aria-invalid only on the wrong ones.
        shared = {key: given for key, given in attrs.items() if key not in ("aria-invalid", "class")}
        extra_class = f" {attrs['class']}" if attrs.get("class") else ""
        items = []
        for part in DATE_PARTS:
            input_attrs = {
                **shared,
                "class": f"date-input__input date-input__input--width-{_PART_WIDTHS[part]}{extra_class}",
                "id": f"{base_id}_{part}",
                "name": f"{name}_{part}",
                "type": "text",
                "inputmode": "numeric",
                "value": shown[part],
            }
            if self.autocomplete:
                input_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
            if part in wrong:
                input_attrs["aria-invalid"] = "true"
            items.append(
                format_html(
                    '<div class="date-input__item"><label class="date-input__label" for="{}">{}</label>'
                    "<input{}></div>",
                    input_attrs["id"],
                    _PART_LABELS[part],
                    flatatt(input_attrs),
                )
            )
        return format_html('<div class="date-input" id="{}">{}</div>', base_id, mark_safe("".join(items)))


class DateField(forms.DateField):
    """A date typed as day, month and year (DateInput), with GOV.UK's messages naming what is wrong:
    "Date of birth must include a month", "… must be a real date", "Year must include 4 numbers".
    Still reads an ISO date (a scripted post, an initial value)."""

    widget = DateInput

    def validate(self, value):
        # GOV.UK: "Enter date of birth", unless the form gave its own message. A label that does not
        # name a date ("Starts on") would not read as one: "Enter the date".
        unchanged = self.error_messages["required"] == forms.Field.default_error_messages["required"]
        if self.required and value in self.empty_values and unchanged:
            label = self.label or ""
            wanted = _lower_first(label) if "date" in label.lower() else "the date"
            raise ValidationError(f"Enter {wanted}", code="required")
        super().validate(value)

    def to_python(self, value):
        if isinstance(value, DateParts):
            raise ValidationError(self._parts_message(value), code="invalid")
        return super().to_python(value)

    def _parts_message(self, value: DateParts) -> str:
        problem, parts = value.problem()
        label = self.label or "Date"
        if problem == "missing":
            return f"{label} must include a {' and '.join(parts)}"
        if problem == "year_digits":
            return "Year must include 4 numbers"
        return f"{label} must be a real date"


# --- times ---------------------------------------------------------------------------------------

TIME_HINT = "For example, 9:30am or 14:00"
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$")
_FOUR_DIGITS = re.compile(r"^(\d{2})(\d{2})$")
_WORDS = {
    "midday": datetime.time(12),
    "noon": datetime.time(12),
    "12noon": datetime.time(12),
    "midnight": datetime.time(0),
}


def time_from_text(text: str) -> datetime.time | None:
    """A time as people write it in New Zealand, on either clock: "9:30am", "9.30 a.m.", "2pm",
    "14:00", "1400", "midday", "midnight". None when it is not a real time ("25:00", "13pm")."""
    typed = text.strip().lower().replace(" ", "").replace("a.m.", "am").replace("p.m.", "pm")
    if typed in _WORDS:
        return _WORDS[typed]
    match = _CLOCK.match(typed) or _FOUR_DIGITS.match(typed)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3) if match.re is _CLOCK else None
    if minute > 59:
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif hour > 23:
        return None
    return datetime.time(hour, minute)


def time_in_words(value: datetime.time) -> str:
    """ "9:30am", "2:00pm", "midday", "midnight": how a time is shown back in a time box."""
    if value == datetime.time(12):
        return "midday"
    if value == datetime.time(0):
        return "midnight"
    return f"{value.hour % 12 or 12}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


class TimeInput(forms.TextInput):
    """A plain text box for a time: a browser's own time box follows the computer's locale (and shows
    "--:-- --" on some), which a New Zealand system cannot rely on."""

    def __init__(self, attrs=None):
        super().__init__(
            {"class": "time-input", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return time_in_words(value)
        return super().format_value(value)


class TimeField(forms.Field):
    """A time typed in one box, on the 12- or 24-hour clock (time_from_text), with the hint
    "For example, 9:30am or 14:00" after any help text of the field's own."""

    widget = TimeInput

    def __init__(self, *, help_text: str = "", **kwargs):
        super().__init__(help_text=f"{help_text} {TIME_HINT}".strip(), **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        parsed = time_from_text(str(value))
        if parsed is None:
            label = self.label or "The time"
            raise ValidationError(f"{label} must be a real time, for example 9:30am or 14:00", code="invalid")
        return parsed

    def validate(self, value):
        if self.required and value in self.empty_values:
            wanted = _lower_first(self.label or "the time")
            raise ValidationError(f"Enter {wanted}", code="required")


def _lower_first(label: str) -> str:
    """ "Date of birth" → "date of birth"; "PED date" stays as it is."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def date_formfield(model_field, **kwargs):
    """A ModelForm's `Meta.formfield_callback` (or fields_for_model's): the model's date fields become
    DateField (day, month and year); every other field is the usual form field."""
    if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        kwargs["form_class"] = DateField
    return model_field.formfield(**kwargs)
