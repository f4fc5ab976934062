"""Forms for conditions. They check the shape of what is entered; Condition.clean() and
conditions.services check the rules, and their errors are put back on these forms (the field names
match)."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from conditions.models import MAX_COMMUNITY_WORK_HOURS, MAX_HOURS_PER_DAY, Condition, ConditionKind, Substance
from ioms.forms import DateField, TimeField


class DetailsForm(forms.Form):
    """The details of a condition: each kind uses some of them (the hints say which)."""

    address = forms.CharField(
        label="Address",
        max_length=300,
        required=False,
        help_text="To reside at, or where the curfew is kept.",
    )
    curfew_from = TimeField(label="Curfew starts", required=False, help_text="Curfew only.")
    curfew_until = TimeField(
        label="Curfew ends", required=False, help_text="Curfew only: the next morning if earlier."
    )
    programme_name = forms.CharField(
        label="Programme", max_length=200, required=False, help_text="Programme only."
    )
    hours_ordered = forms.IntegerField(
        label="Hours ordered",
        required=False,
        min_value=1,
        max_value=MAX_COMMUNITY_WORK_HOURS,
        help_text="Community work only.",
    )
    associates = forms.CharField(
        label="Not to associate with",
        max_length=500,
        required=False,
        help_text="Not associate with: the people, by name.",
    )
    substance = forms.ChoiceField(
        label="Assessment for",
        choices=[("", "Not an assessment"), *Substance.choices],
        required=False,
        help_text="Alcohol or drug assessment only.",
    )
    details = forms.CharField(
        label="Details",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The wording of a special condition (required for one), or instructions for any kind.",
    )
    start_on = DateField(label="Starts")
    end_on = DateField(
        label="Ends",
        required=False,
        help_text="Leave blank if it lasts until the sentence ends.",
    )


class ConditionForm(DetailsForm):
    kind = forms.ChoiceField(
        label="Kind of condition", choices=ConditionKind.choices, widget=forms.RadioSelect
    )
    field_order = ["kind"]

    def __init__(self, *args, sentence, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start_on", sentence.start_date)
        super().__init__(*args, **kwargs)


class VaryForm(DetailsForm):
    reason = forms.CharField(
        label="Why it is varied",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example the court's variation, or a correction of what was entered.",
    )

    def __init__(self, *args, condition: Condition, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {name: getattr(condition, name) for name in self.base_fields if name != "reason"}
        )
        super().__init__(*args, **kwargs)


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[
            ("ended", "It has ended (run its course, or discharged by the court)"),
            ("cancelled", "Cancel it (entered in error, or withdrawn)"),
        ],
        widget=forms.RadioSelect,
        initial="ended",
    )
    ended_on = DateField(label="Date")
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class HoursForm(forms.Form):
    worked_on = DateField(label="Date worked")
    hours = forms.DecimalField(
        label="Hours worked",
        min_value=Decimal("0.25"),
        max_value=MAX_HOURS_PER_DAY,
        decimal_places=2,
        help_text="For example 7.5",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("worked_on", timezone.localdate())
        super().__init__(*args, **kwargs)
