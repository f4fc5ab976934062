"""Forms of the instrument pages. They check the shape of what is typed (whole numbers, a date);
classification.services checks the rules (only a draft changes, points are not negative)."""

import datetime

from django import forms
from django.utils import timezone

from classification.models import Instrument, ItemKind
from ioms.forms import DateField

# A review's totals are stored as small integers: 30 items of at most 999 points stay far inside.
MAX_POINTS = 999


def option_field_name(option_id: int) -> str:
    return f"option-{option_id}"


class DraftForm(forms.Form):
    effective_from = DateField(
        label="Effective from",
        help_text="The date the new version is meant to take effect, for example 2026-07-01.",
    )

    def clean_effective_from(self) -> datetime.date:
        value = self.cleaned_data["effective_from"]
        if value < timezone.localdate():
            raise forms.ValidationError("A new version takes effect today or later.")
        return value


class PointsForm(forms.Form):
    """The points of every scored option of one draft and its two thresholds, in one form.
    Override items (A.1.1, A.1.2, B.1.1) decide a category and score nothing; carried-over items
    (B.2) take the points of section A: neither has points to change."""

    internal_b_from = forms.IntegerField(
        label="Internal risk: category B from",
        min_value=1,
        max_value=MAX_POINTS,
        help_text="Seed 003, C.2.1: an internal total at or above this is category B.",
    )
    external_b_from = forms.IntegerField(
        label="External risk: category B from",
        min_value=1,
        max_value=MAX_POINTS,
        help_text="Seed 003, C.2.1: an external total at or above this is category B.",
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        """`instrument` with its items and options loaded (selectors.instrument_with_items)."""
        kwargs.setdefault(
            "initial",
            {"internal_b_from": instrument.internal_b_from, "external_b_from": instrument.external_b_from},
        )
        super().__init__(*args, **kwargs)
        self.options = {}
        for item in instrument.items.all():
            if item.kind != ItemKind.SCORED:
                continue
            for option in item.options.all():
                name = option_field_name(option.pk)
                self.options[name] = option
                self.fields[name] = forms.IntegerField(
                    label=f"{item.code} {option.label}",
                    min_value=0,
                    max_value=MAX_POINTS,
                    initial=option.points,
                    error_messages={
                        "invalid": "Enter the points as a whole number, for example 4.",
                        "min_value": "Points cannot be negative.",
                        "required": "Enter the points (0 for none).",
                    },
                    widget=forms.NumberInput(attrs={"class": "points-input", "inputmode": "numeric"}),
                )

    def option_fields(self):
        """(option, bound field) for each option with a points field."""
        return {option.pk: self[name] for name, option in self.options.items()}

    def changed_points(self) -> list[tuple]:
        """(option, new points) for each option whose points the form changes."""
        return [
            (option, self.cleaned_data[name])
            for name, option in self.options.items()
            if self.cleaned_data[name] != option.points
        ]

    def thresholds_changed(self, instrument: Instrument) -> bool:
        return (self.cleaned_data["internal_b_from"], self.cleaned_data["external_b_from"]) != (
            instrument.internal_b_from,
            instrument.external_b_from,
        )


class ActivateForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked the dry run and want this version to score every new review",
        error_messages={"required": "Tick the box to confirm the activation."},
    )
