"""Forms for sentence plans. They check the shape of what is entered; plans.services checks the
rules, and its errors are put back on these forms (field names match the services' errors)."""

from django import forms
from django.utils import timezone

from agencies.forms import ProgrammeChoiceField
from agencies.models import AgencyStatus, Programme, ProgrammeStatus
from classification.models import ACTIVITY_TRANSITIONS, ActivityStatus, PlanCategory, SentencePlanActivity
from ioms.forms import DateField
from plans.models import OBJECTIVE_TRANSITIONS, NeedArea, Objective, ObjectiveStatus, SentencePlan


def _today_initial(kwargs: dict, *names: str) -> None:
    kwargs.setdefault("initial", {})
    for name in names:
        kwargs["initial"].setdefault(name, timezone.localdate())


class PlanForm(forms.Form):
    category = forms.ChoiceField(
        label="Plan category",
        choices=PlanCategory.choices,
        initial=PlanCategory.STANDARD,
        widget=forms.RadioSelect,
        help_text="Intervention: the plan centres on programmes that address the offending.",
    )
    written_on = DateField(label="Written on")
    review_on = DateField(
        label="Review by",
        required=False,
        help_text="Set when the plan is agreed if not now.",
    )

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "written_on")
        super().__init__(*args, **kwargs)


class AgreeForm(forms.Form):
    agreed_on = DateField(label="Agreed with the offender on")
    review_on = DateField(label="Review by")

    def __init__(self, *args, plan: SentencePlan, **kwargs):
        _today_initial(kwargs, "agreed_on")
        if plan.review_on:
            kwargs["initial"].setdefault("review_on", plan.review_on)
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    reviewed_on = DateField(label="Reviewed on")
    review_on = DateField(label="Next review by")
    note = forms.CharField(
        label="What the review found",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "reviewed_on")
        super().__init__(*args, **kwargs)


class CloseForm(forms.Form):
    closed_on = DateField(label="Closed on")
    reason = forms.CharField(
        label="Why the plan is closed", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        _today_initial(kwargs, "closed_on")
        super().__init__(*args, **kwargs)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label="New category", choices=PlanCategory.choices, widget=forms.RadioSelect)
    changed_on = DateField(label="From")
    reason = forms.CharField(
        label="Why the category changes", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, current: str | None, **kwargs):
        _today_initial(kwargs, "changed_on")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, label) for value, label in PlanCategory.choices if value != current
        ]


class ObjectiveForm(forms.Form):
    text = forms.CharField(
        label="Objective",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the offender is to achieve, in words the offender agreed.",
    )
    need_area = forms.ChoiceField(label="Area of need", choices=[("", "Choose an area"), *NeedArea.choices])
    target_on = DateField(label="Target date")


class ObjectiveOutcomeForm(forms.Form):
    to_status = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    on = DateField(label="Date")
    note = forms.CharField(
        label="Note",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the objective was not achieved or is withdrawn.",
    )

    def __init__(self, *args, objective: Objective, **kwargs):
        _today_initial(kwargs, "on")
        super().__init__(*args, **kwargs)
        allowed = OBJECTIVE_TRANSITIONS[objective.status]
        self.fields["to_status"].choices = [
            (value, label) for value, label in ObjectiveStatus.choices if value in allowed
        ]


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj} ({obj.get_need_area_display()})"


class ActivityForm(forms.Form):
    programme = ProgrammeChoiceField(
        queryset=Programme.objects.none(),
        required=False,
        label="Programme or service",
        empty_label="Not a programme: describe the activity below",
        help_text="From the programme records, with the agency that provides it. The offender is "
        "referred to it.",
    )
    description = forms.CharField(
        label="Activity",
        max_length=200,
        required=False,
        help_text="Required when no programme is chosen; otherwise the programme's name is used.",
    )
    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="For the objective",
        empty_label="None in particular",
    )
    scheduled_on = DateField(label="Planned start")
    planned_end_on = DateField(label="Planned end", required=False)

    def __init__(self, *args, plan: SentencePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = (
            Programme.objects.filter(status=ProgrammeStatus.ADOPTED, agency__status=AgencyStatus.ACCEPTED)
            .select_related("agency", "office")
            .order_by("name", "agency__name")
        )
        self.fields["objective"].queryset = plan.objectives.filter(status=ObjectiveStatus.OPEN).order_by(
            "target_on", "id"
        )


# The status labels were written for prisoners (seed 003); a plan may be a community plan.
OUTCOME_LABELS = {ActivityStatus.UNAVAILABLE: "Not available, for reasons outside the offender's control"}


class ActivityOutcomeForm(forms.Form):
    to_status = forms.ChoiceField(label="What happened", widget=forms.RadioSelect)
    on = DateField(label="Date")
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the activity was not completed, or was not available: say what outside "
        "the offender's control stopped it (for example, no place on the programme).",
    )

    def __init__(
        self, *args, activity: SentencePlanActivity, allowed: frozenset[str] | None = None, **kwargs
    ):
        _today_initial(kwargs, "on")
        super().__init__(*args, **kwargs)
        allowed = ACTIVITY_TRANSITIONS[activity.status] if allowed is None else allowed
        self.fields["to_status"].choices = [
            (value, OUTCOME_LABELS.get(value, label))
            for value, label in ActivityStatus.choices
            if value in allowed
        ]
